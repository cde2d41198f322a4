"""The national comparison's pages.

The förbund (blueprint ``followup``): share a closed wave's aggregates with the protocol's
owner (one click when the owner is on this platform; the file otherwise), and see its own
values beside the national median and quartiles.

The owner (blueprint ``national``, a study page): receive an aggregate report file, see the
distribution across förbund per measure, period and breakdown, every förbund's value (named
only where it agreed), the yearly report and the downloads.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS, STUDY_STAFF, Role
from ...extensions import db
from ...i18n import render_message
from ...protocol import render
from ...protocol.canonical import dumps
from ...protocol.models import ProtocolVersion
from ...protocol.validate import DEFAULT_MAX_BYTES
from ...studies.views import current_study, study_pages
from .. import national, services
from ..forms import AggregateFileForm, ShareForm
from ..lifecycle import WaveStatus
from . import bp, imported_or_404, organisation, wave_or_404
from .results import _number

owner_bp = study_pages(Blueprint("national", __name__))


def _attachment(body: bytes, name: str, mimetype: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _breakdown_text(breakdown: str) -> str:
    """The part's name as on the förbund's results page (the same msgids)."""
    if breakdown == national.TOTAL:
        return _("Totalt")
    code = breakdown.partition(":")[2]
    texts = {
        "K": _("Kvinnor"),
        "M": _("Män"),
        "_U": _("Kön: vill inte ange"),
        "-": _("Kön: ej angivet"),
    }
    return texts.get(code, f"{_('Kön')} {code}")


def _unit(doc: dict[str, Any]):
    """`` %`` after a proportion's figures (as on the förbund's results page), else nothing."""
    percent = {
        str(m.get("id"))
        for indicator in doc.get("indicators") or ()
        for m in indicator.get("measures") or ()
        if m.get("scoring") == "proportion"
    }
    return lambda measure: " %" if measure in percent else ""


def _measure_names(doc: dict[str, Any]) -> dict[str, str]:
    return {
        str(m.get("id")): render.text(m.get("name"))
        for indicator in doc.get("indicators") or ()
        for m in indicator.get("measures") or ()
    }


# --- the förbund ----------------------------------------------------------------------------

PREFIX = "/uppfoljning/<int:imported_id>"


@bp.route(PREFIX + "/matningar/<int:wave_id>/dela", methods=["GET", "POST"])
@staff(Role.FORBUND)
def share(imported_id: int, wave_id: int):
    imported = imported_or_404(imported_id)
    wave = wave_or_404(imported, wave_id)
    form = ShareForm()
    owner_here = services.owner_on_platform(imported.protocol_id)
    shared = services.share_of_wave(wave)
    status = 200
    if form.validate_on_submit():
        named = form.named.data == "ja"
        try:
            if form.download.data or not owner_here:
                report = services.wave_report(wave, named=named)
                return _attachment(dumps(report), services.report_name(report), "application/json")
            _report, result = services.share_wave(wave, named=named)
        except services.FollowupError as error:
            flash(render_message(error), "error")
            return redirect(url_for("followup.share", imported_id=imported.id, wave_id=wave.id))
        if result is None or not result.ok:
            db.session.rollback()
            for problem in result.problems if result else ():
                flash(render_message(problem), "error")
            status = 422
        else:
            db.session.commit()
            flash(
                _("Mätningens siffror är delade med protokollets ägare.")
                if result.status != "unchanged"
                else _("Samma siffror var redan delade. Inget ändrades."),
                "success",
            )
            return redirect(url_for("followup.share", imported_id=imported.id, wave_id=wave.id))
    elif form.is_submitted():
        status = 422
    return (
        render_template(
            "followup/national_share.html",
            row=imported,
            wave=wave,
            form=form,
            owner_here=owner_here,
            shared=shared,
            closed=wave.status == WaveStatus.CLOSED,
            time_point=services.time_point_text(wave),
        ),
        status,
    )


@bp.route(PREFIX + "/nationellt")
@staff(Role.FORBUND)
def own_national(imported_id: int):
    imported = imported_or_404(imported_id)
    cells = services.own_comparison(organisation().id, imported.protocol_id)
    return render_template(
        "followup/national_own.html",
        row=imported,
        cells=cells,
        names=_measure_names(imported.document),
        title=render.text(imported.document.get("title")),
        unit=_unit(imported.document),
        breakdown=_breakdown_text,
        number=_number,
        minimum=national.MIN_FORBUND,
    )


# --- the owner -------------------------------------------------------------------------------


def _protocol_of_study() -> ProtocolVersion | None:
    return services.latest_of_study(current_study())


def _owner_page(year: int | None = None, form=None, problems=(), status: int = 200):
    study = current_study()
    latest = _protocol_of_study()
    cells = []
    years: list[int] = []
    forbund = []
    if latest is not None:
        cells = services.national_cells(latest.protocol_id, year=year, gettext=_)
        all_shares = services.national.shares(latest.protocol_id)  # every year: the links
        years = sorted({s.year for s in all_shares}, reverse=True)
        seen: dict[int, Any] = {}
        for s in all_shares:
            seen.setdefault(s.number, s)
        forbund = [(services.share_label(s, _), s.named) for s in seen.values()]
    return (
        render_template(
            "followup/national.html",
            study=study,
            latest=latest,
            cells=cells,
            years=years,
            year=year,
            forbund=forbund,
            form=form or AggregateFileForm(),
            can_receive=current_user.role in STUDY_LEADERS,
            problems=problems,
            names=_measure_names(latest.document) if latest else {},
            unit=_unit(latest.document if latest else {}),
            breakdown=_breakdown_text,
            number=_number,
        ),
        status,
    )


@owner_bp.route("/studier/<slug>/nationellt")
@staff(*STUDY_STAFF)
def overview():
    return _owner_page()


@owner_bp.route("/studier/<slug>/nationellt/<int:year>")
@staff(*STUDY_STAFF)
def yearly(year: int):
    if not 2000 <= year <= 2100:
        abort(404)
    return _owner_page(year)


@owner_bp.route("/studier/<slug>/nationellt/importera", methods=["POST"])
@staff(*STUDY_LEADERS)
def receive():
    form = AggregateFileForm()
    if not form.validate_on_submit():
        return _owner_page(form=form, status=422)
    data = form.file.data.read(DEFAULT_MAX_BYTES + 1)
    result = services.receive_report(data, study=current_study())
    if not result.ok:
        db.session.rollback()
        return _owner_page(form=form, problems=result.problems, status=422)
    db.session.commit()
    label = services.share_label(result.share, _)
    if result.status == "unchanged":
        flash(_("Rapporten från %(f)s fanns redan. Inget ändrades.", f=label), "info")
    elif result.status == "replaced":
        flash(
            _(
                "Rapporten från %(f)s för %(p)s ersatte den tidigare.",
                f=label,
                p=result.share.period,
            ),
            "success",
        )
    else:
        flash(
            _("Rapporten från %(f)s för %(p)s är mottagen.", f=label, p=result.share.period),
            "success",
        )
    return redirect(url_for("national.overview"))


@owner_bp.route("/studier/<slug>/nationellt.<any(csv, json):fmt>")
@staff(*STUDY_STAFF)
def download(fmt: str):
    latest = _protocol_of_study()
    if latest is None:
        abort(404)
    body = services.render_cells(services.national_cells(latest.protocol_id), fmt)
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    return _attachment(body, f"nationellt-{latest.protocol_id}.{fmt}", mimetype)
