"""Stakeholder groups, the candidate indicator pool with its export, and the imports of
indicators and panelists (preview, then confirm; all or nothing)."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import paging, tabular
from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS, STUDY_STAFF
from ...extensions import db
from .. import importing, lifecycle, services
from ..forms import ButtonForm, GroupForm, IndicatorEnglishForm, IndicatorForm
from ..models import Indicator, StakeholderGroup
from . import bp, current_study, study_error_text
from .uploads import FileImport

INDICATORS_PER_PAGE = 200
PERSPECTIVE_ORDER = {p: n for n, p in enumerate(importing.PERSPECTIVES)}

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
    """The pool by perspective, a page of ``INDICATORS_PER_PAGE`` at a time (100,000 rows on
    one page once made it 66 MB)."""
    study = current_study()
    ordered = sorted(
        study.indicators,
        key=lambda i: (PERSPECTIVE_ORDER.get(i.perspective, len(PERSPECTIVE_ORDER)), i.id),
    )
    shown = paging.window(len(ordered), request.args.get(paging.PAGE_ARG), INDICATORS_PER_PAGE)
    return render_template(
        "studies/indicators.html",
        study=study,
        page_items=ordered[shown.start : shown.stop],
        window=shown,
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
            **_english(form),
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


def _english(form) -> dict[str, str | None]:
    """The English texts of an indicator form; left empty: None (no English text)."""
    return {
        "title_en": (form.title_en.data or "").strip() or None,
        "description_en": (form.description_en.data or "").strip() or None,
    }


@bp.route("/studier/<slug>/indikatorer/<int:indicator_id>/engelska", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def indicator_english(indicator_id: int):
    """An indicator's English texts, in every phase (an archived study refuses the write)."""
    study = current_study()
    indicator = _indicator_of(study, indicator_id)
    form = IndicatorEnglishForm(obj=indicator)
    if form.validate_on_submit():
        services.set_indicator_english(indicator, **_english(form), actor=current_user)
        db.session.commit()
        flash(_("Den engelska texten för %(code)s är sparad.", code=indicator.code), "success")
        return redirect(url_for("studies.indicators"))
    return render_template(
        "studies/indicator_english.html", study=study, form=form, indicator=indicator
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


def _file_import(study, what: str) -> FileImport:
    """The indicator or panel import of ``study`` (``what`` as the URL spells it)."""
    kind = IMPORT_KINDS[what]

    def parse(content: bytes, filename: str):
        if kind == "indicators":
            return importing.parse_indicators(content, filename, services.indicator_codes(study))
        groups = {g.code: g.name for g in study.groups}
        emails = [p.email for p in study.participants if p.email]
        return importing.parse_panelists(content, filename, groups, emails)

    def write(parsed, filename: str) -> str:
        if kind == "indicators":
            created, updated = services.apply_indicator_import(
                study, parsed, current_user, filename
            )
        else:
            groups_by_code = {g.code: g for g in study.groups}
            created, updated = services.apply_panel_import(
                study, parsed, groups_by_code, current_user, filename
            )
        return _(
            "Importen är klar: %(created)s nya och %(updated)s uppdaterade.",
            created=created,
            updated=updated,
        )

    back = url_for(
        "studies.indicators" if kind == "indicators" else "studies.panel_list", slug=study.slug
    )
    return FileImport(
        study=study,
        kind=kind,
        upload_url=url_for("studies.import_upload", slug=study.slug, what=what),
        preview_url=lambda upload_id: url_for(
            "studies.import_preview", slug=study.slug, what=what, upload_id=upload_id
        ),
        done_url=back,
        parse=parse,
        write=write,
        refused=services.StudyError,
        refused_text=study_error_text,
        refused_url=back,
    )


@bp.route("/studier/<slug>/<any(indikatorer, panel):what>/importera", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def import_upload(what: str):
    study = current_study()
    flow = _file_import(study, what)
    if flow.kind == "indicators" and lifecycle.settings_locked(study.phase):
        flash(study_error_text(services.StudyError("study_started")), "error")
        return redirect(flow.done_url)
    return flow.upload_page(
        "studies/import_upload.html", "studies/import_preview.html", kind=flow.kind, what=what
    )


@bp.route(
    "/studier/<slug>/<any(indikatorer, panel):what>/importera/<int:upload_id>",
    methods=["GET", "POST"],
)
@staff(*STUDY_LEADERS)
def import_preview(what: str, upload_id: int):
    flow = _file_import(current_study(), what)
    return flow.preview_page(upload_id, "studies/import_preview.html", kind=flow.kind, what=what)
