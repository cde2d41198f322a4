"""Stakeholder groups, the candidate indicator pool with its export, and the imports of
indicators and panelists (preview, then confirm; all or nothing)."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import tabular
from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS, STUDY_STAFF
from ...extensions import db
from .. import importing, lifecycle, services
from ..forms import ButtonForm, ConfirmForm, GroupForm, IndicatorForm, UploadForm
from ..models import Indicator, StakeholderGroup
from . import bp, current_study, study_error_text

# --- stakeholder groups ----------------------------------------------------------------------


@bp.route("/studier/<slug>/grupper", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def groups():
    study = current_study()
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = services.add_group(study, form.code.data or "", form.name.data.strip())
        except services.StudyError as error:
            form.code.errors.append(study_error_text(error))
        else:
            db.session.commit()
            flash(_("Gruppen %(name)s är tillagd.", name=group.name), "success")
            return redirect(url_for("studies.groups"))
    return render_template("studies/groups.html", study=study, form=form, button=ButtonForm())


@bp.route("/studier/<slug>/grupper/<int:group_id>/ta-bort", methods=["POST"])
@staff(*STUDY_LEADERS)
def group_delete(group_id: int):
    study = current_study()
    group = db.get_or_404(StakeholderGroup, group_id)
    if group.study_id != study.id or not ButtonForm().validate_on_submit():
        abort(404)
    try:
        services.delete_group(group)
    except services.StudyError as error:
        flash(study_error_text(error), "error")
    else:
        db.session.commit()
        flash(_("Gruppen är borttagen."), "success")
    return redirect(url_for("studies.groups"))


# --- candidate indicators --------------------------------------------------------------------


@bp.route("/studier/<slug>/indikatorer")
@staff(*STUDY_STAFF)
def indicators():
    study = current_study()
    return render_template(
        "studies/indicators.html",
        study=study,
        locked=lifecycle.settings_locked(study.phase),
        button=ButtonForm(),
    )


def _indicator_of(study, indicator_id: int) -> Indicator:
    indicator = db.get_or_404(Indicator, indicator_id)
    if indicator.study_id != study.id:
        abort(404)
    return indicator


@bp.route(
    "/studier/<slug>/indikatorer/ny", methods=["GET", "POST"], defaults={"indicator_id": None}
)
@bp.route("/studier/<slug>/indikatorer/<int:indicator_id>", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def indicator_edit(indicator_id: int | None):
    study = current_study()
    indicator = _indicator_of(study, indicator_id) if indicator_id else None
    form = IndicatorForm(obj=indicator)
    if form.validate_on_submit():
        fields = {
            "code": form.code.data.strip(),
            "title": form.title.data.strip(),
            "description": (form.description.data or "").strip(),
            "perspective": form.perspective.data,
            "type": form.type.data,
            "source": (form.source.data or "").strip(),
        }
        try:
            services.save_indicator(study, indicator, fields, actor=current_user)
        except services.StudyError as error:
            (form.code.errors if error.code == "code_taken" else form.title.errors).append(
                study_error_text(error)
            )
        else:
            db.session.commit()
            flash(_("Indikatorn %(code)s är sparad.", code=fields["code"]), "success")
            return redirect(url_for("studies.indicators"))
    return render_template(
        "studies/indicator_form.html", study=study, form=form, indicator=indicator
    )


@bp.route("/studier/<slug>/indikatorer/<int:indicator_id>/ta-bort", methods=["POST"])
@staff(*STUDY_LEADERS)
def indicator_delete(indicator_id: int):
    study = current_study()
    indicator = _indicator_of(study, indicator_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        services.delete_indicator(study, indicator, actor=current_user)
    except services.StudyError as error:
        flash(study_error_text(error), "error")
    else:
        db.session.commit()
        flash(_("Indikatorn är borttagen."), "success")
    return redirect(url_for("studies.indicators"))


@bp.route("/studier/<slug>/indikatorer/export.<any(csv, xlsx):fmt>")
@staff(*STUDY_STAFF)
def indicators_export(fmt: str):
    study = current_study()
    headers, rows = importing.indicator_export_rows(study.indicators)
    if fmt == "csv":
        content = tabular.write_csv(headers, rows)
        mimetype = "text/csv; charset=utf-8"
    else:
        content = tabular.write_xlsx({"Indikatorer": (headers, rows)})
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{study.slug}-indikatorer.{fmt}"'},
    )


# --- imports (preview, then confirm; all or nothing) ------------------------------------------

IMPORT_KINDS = {"indikatorer": "indicators", "panel": "panel"}


def _parse(study, kind: str, content: bytes, filename: str):
    if kind == "indicators":
        return importing.parse_indicators(content, filename, services.indicator_codes(study))
    groups = {g.code: g.name for g in study.groups}
    emails = [p.email for p in study.participants if p.email]
    return importing.parse_panelists(content, filename, groups, emails)


def _apply(study, kind: str, parsed, filename: str):
    if kind == "indicators":
        return services.apply_indicator_import(study, parsed, current_user, filename)
    groups_by_code = {g.code: g for g in study.groups}
    return services.apply_panel_import(study, parsed, groups_by_code, current_user, filename)


def _back_to(kind: str):
    endpoint = "studies.indicators" if kind == "indicators" else "studies.panel_list"
    return url_for(endpoint)


@bp.route("/studier/<slug>/<any(indikatorer, panel):what>/importera", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def import_upload(what: str):
    study = current_study()
    kind = IMPORT_KINDS[what]
    if kind == "indicators" and lifecycle.settings_locked(study.phase):
        flash(study_error_text(services.StudyError("study_started")), "error")
        return redirect(_back_to(kind))
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        upload = services.stage_upload(study, kind, upload.filename or "fil", content, current_user)
        db.session.commit()
        return redirect(url_for("studies.import_preview", what=what, upload_id=upload.id))
    return render_template(
        "studies/import_upload.html", study=study, form=form, kind=kind, what=what
    )


@bp.route(
    "/studier/<slug>/<any(indikatorer, panel):what>/importera/<int:upload_id>",
    methods=["GET", "POST"],
)
@staff(*STUDY_LEADERS)
def import_preview(what: str, upload_id: int):
    study = current_study()
    kind = IMPORT_KINDS[what]
    upload = services.get_upload(study, kind, upload_id)
    if upload is None:
        flash(_("Förhandsgranskningen finns inte längre. Ladda upp filen igen."), "error")
        return redirect(url_for("studies.import_upload", what=what))
    parsed = _parse(study, kind, upload.content, upload.filename)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if not parsed.ok:
            flash(
                _("Filen har fel och importerades inte. Rätta filen och ladda upp den igen."),
                "error",
            )
        else:
            try:
                created, updated = _apply(study, kind, parsed, upload.filename)
            except services.StudyError as error:
                db.session.rollback()
                flash(study_error_text(error), "error")
                return redirect(_back_to(kind))
            services.discard_upload(upload)
            db.session.commit()
            flash(
                _(
                    "Importen är klar: %(created)s nya och %(updated)s uppdaterade.",
                    created=created,
                    updated=updated,
                ),
                "success",
            )
            return redirect(_back_to(kind))
    return render_template(
        "studies/import_preview.html",
        study=study,
        kind=kind,
        what=what,
        upload=upload,
        parsed=parsed,
        form=form,
    )
