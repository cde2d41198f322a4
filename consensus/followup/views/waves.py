"""A förbund's waves (mätningar): local groups, creating a wave, opening and closing it, its
open link and QR code (shown once), and longitudinal codes (shown once, as slips or CSV)."""

from __future__ import annotations

import segno
from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ... import tabular
from ...auth.access import staff
from ...auth.roles import Role
from ...extensions import db
from ...i18n import render_message
from ...protocol import render
from .. import services
from ..forms import CodesForm, LocalGroupForm, WaveForm
from ..lifecycle import WaveStatus
from ..questionnaire import GENERATED_TEXTS
from . import bp, imported_or_404, organisation, require_post_form, wave_or_404


def open_link(token: str) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for("followup.respond", token=token)
    return url_for("followup.respond", token=token, _external=True)


def code_link() -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for("followup.code_entry")
    return url_for("followup.code_entry", _external=True)


def qr_svg(text: str, scale: int = 6) -> str:
    """A QR code as inline SVG (server-side, no script), titled with its text."""
    qr = segno.make(text, error="m")
    return qr.svg_inline(scale=scale, dark="#000000", light="#ffffff", border=2, title=text)


def _wave_form(imported, org) -> WaveForm:
    form = WaveForm()
    form.respondent_group.choices = [
        (gid, f"{name} ({gid})" if name else gid)
        for gid, name in services.respondent_groups(imported)
    ]
    form.timepoint.choices = [("", _("Ingen: ange en period"))] + [
        (f"{schedule}|{offset}", label) for schedule, offset, label in services.timepoints(imported)
    ]
    form.local_groups.choices = [
        (g.id, f"{g.letter}: {g.name}") for g in services.local_groups(org)
    ]
    return form


def _waves_page(imported, form=None, group_form=None, problems=(), status: int = 200):
    org = organisation()
    rows = services.waves(org, imported)
    return (
        render_template(
            "followup/waves.html",
            row=imported,
            doc=imported.document,
            text=render.text,
            waves=rows,
            counts=services.counts([w.id for w in rows]),
            groups=services.local_groups(org),
            form=form or _wave_form(imported, org),
            group_form=group_form or LocalGroupForm(formdata=None),
            problems=problems,
            time_point=services.time_point_text,
            group_name=services.respondent_group_name,
            notice=services.wave_notice,
        ),
        status,
    )


@bp.route("/uppfoljning/<int:imported_id>/matningar", methods=["GET", "POST"])
@staff(Role.FORBUND)
def waves(imported_id: int):
    imported = imported_or_404(imported_id)
    org = organisation()
    if request.method == "GET":
        return _waves_page(imported)
    form = _wave_form(imported, org)
    if not form.validate_on_submit():
        return _waves_page(imported, form=form, status=422)
    schedule, _sep, offset = (form.timepoint.data or "").partition("|")
    try:
        wave, token = services.create_wave(
            org,
            imported,
            form.respondent_group.data,
            schedule_id=schedule or None,
            timepoint=offset or None,
            period=form.period.data,
            opens_on=form.opens_on.data,
            closes_on=form.closes_on.data,
            local_group_ids=form.local_groups.data or [],
        )
    except services.FollowupError as error:
        db.session.rollback()
        return _waves_page(imported, form=form, problems=[error], status=422)
    db.session.commit()
    flash(_("Mätningen är skapad som utkast."), "success")
    return _link_page(imported, wave, token)


@bp.route("/uppfoljning/<int:imported_id>/grupper", methods=["POST"])
@staff(Role.FORBUND)
def add_group(imported_id: int):
    imported = imported_or_404(imported_id)
    form = LocalGroupForm()
    if not form.validate_on_submit():
        return _waves_page(imported, group_form=form, status=422)
    try:
        group = services.add_local_group(organisation(), form.name.data)
    except services.FollowupError as error:
        db.session.rollback()
        form.name.errors = [render_message(error)]
        return _waves_page(imported, group_form=form, status=422)
    db.session.commit()
    flash(
        _("Gruppen %(name)s har bokstaven %(letter)s.", name=group.name, letter=group.letter),
        "success",
    )
    return redirect(url_for("followup.waves", imported_id=imported.id) + "#grupper")


def _link_page(imported, wave, token: str):
    url = open_link(token)
    return render_template(
        "followup/wave_link.html",
        row=imported,
        wave=wave,
        url=url,
        qr=qr_svg(url),
        time_point=services.time_point_text(wave),
    )


@bp.route("/uppfoljning/<int:imported_id>/matningar/<int:wave_id>")
@staff(Role.FORBUND)
def wave(imported_id: int, wave_id: int):
    imported = imported_or_404(imported_id)
    row = wave_or_404(imported, wave_id)
    questionnaire = services.questionnaire_for(row)
    return render_template(
        "followup/wave.html",
        row=imported,
        wave=row,
        count=services.counts([row.id])[row.id],
        questionnaire=questionnaire,
        codes_form=CodesForm(formdata=None),
        generated=GENERATED_TEXTS,
        time_point=services.time_point_text(row),
        group_name=services.respondent_group_name(row),
        code_url=code_link(),
        can_open=row.status == WaveStatus.DRAFT,
        can_close=row.status == WaveStatus.OPEN,
        notice=services.wave_notice(row),
    )


@bp.route("/uppfoljning/<int:imported_id>/matningar/<int:wave_id>/status", methods=["POST"])
@staff(Role.FORBUND)
def move_wave(imported_id: int, wave_id: int):
    imported = imported_or_404(imported_id)
    row = wave_or_404(imported, wave_id)
    require_post_form()
    action = request.form.get("action", "")
    try:
        services.move_wave(row, action)
    except services.FollowupError as error:
        db.session.rollback()
        flash(render_message(error), "error")
    else:
        db.session.commit()
        flash(
            _("Mätningen är öppen för svar.")
            if action == "open"
            else _("Mätningen är stängd. Det som sparats finns kvar."),
            "success",
        )
    return redirect(url_for("followup.wave", imported_id=imported.id, wave_id=row.id))


@bp.route("/uppfoljning/<int:imported_id>/matningar/<int:wave_id>/lank", methods=["POST"])
@staff(Role.FORBUND)
def new_link(imported_id: int, wave_id: int):
    imported = imported_or_404(imported_id)
    row = wave_or_404(imported, wave_id)
    require_post_form()
    token = services.new_open_link(row)
    db.session.commit()
    flash(_("En ny länk är skapad. Den gamla länken fungerar inte längre."), "success")
    return _link_page(imported, row, token)


@bp.route("/uppfoljning/<int:imported_id>/matningar/<int:wave_id>/koder", methods=["POST"])
@staff(Role.FORBUND)
def codes(imported_id: int, wave_id: int):
    imported = imported_or_404(imported_id)
    row = wave_or_404(imported, wave_id)
    form = CodesForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("followup.wave", imported_id=imported.id, wave_id=row.id))
    try:
        new = services.generate_codes(organisation(), form.count.data, form.cohort.data, row)
    except services.FollowupError as error:
        db.session.rollback()
        flash(render_message(error), "error")
        return redirect(url_for("followup.wave", imported_id=imported.id, wave_id=row.id))
    db.session.commit()
    if form.fmt.data == "csv":
        body = tabular.write_csv(
            [_("Kod"), _("Kohort")], [[code, form.cohort.data or ""] for code in new]
        )
        return Response(
            body,
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="koder-matning-{row.id}.csv"',
                "Cache-Control": "no-store",
            },
        )
    response = Response(
        render_template(
            "followup/codes.html",
            row=imported,
            wave=row,
            codes=new,
            cohort=form.cohort.data,
            code_url=code_link(),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response
