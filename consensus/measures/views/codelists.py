"""The study's codelists for disaggregation (kön by default, and the study's own)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS
from ...extensions import db
from ...i18n import render_message
from ...studies.forms import ButtonForm
from ...studies.views import current_study
from .. import services
from ..forms import CodelistForm
from ..targets import DEFAULT_CODELISTS, code_lines
from .common import _require_button, bp, measures_error_text


def _fields(form: CodelistForm) -> dict:
    return {
        "id": (form.id.data or "").strip(),
        "name": (form.name.data or "").strip(),
        "codes": form.codes.data or "",
        "total_code": (form.total_code.data or "").strip(),
        "total_label": (form.total_label.data or "").strip(),
    }


def _show_refusal(form: CodelistForm, error: services.MeasuresError) -> None:
    problems = error.params.get("problems", {}).get("codelist") or []
    for problem in problems:
        getattr(form, problem.field).errors.append(render_message(problem))
    if not problems:
        form.name.errors.append(measures_error_text(error))


@bp.route("/studier/<slug>/matt/kodlistor", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def codelists():
    study = current_study()
    form = CodelistForm()
    if form.validate_on_submit():
        try:
            row = services.save_codelist(study, _fields(form), actor=current_user)
        except services.MeasuresError as error:
            db.session.rollback()
            _show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Kodlistan %(id)s är sparad.", id=row.code), "success")
            return redirect(url_for("measures.codelists"))
    stored = {c.code for c in services.stored_codelists(study)}
    return render_template(
        "measures/codelists.html",
        study=study,
        codelists=services.study_codelists(study),
        stored=stored,
        defaults={c["id"] for c in DEFAULT_CODELISTS},
        form=form,
        button=ButtonForm(),
    )


@bp.route("/studier/<slug>/matt/kodlistor/<code>", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def codelist_edit(code: str):
    study = current_study()
    current = next((c for c in services.study_codelists(study) if c["id"] == code), None)
    if current is None:
        abort(404)
    form = CodelistForm()
    if not form.is_submitted():
        form.name.data = current["name"]
        form.codes.data = code_lines(current["codes"])
        form.total_code.data = current["total"]["code"]
        form.total_label.data = current["total"]["label"]
    form.id.data = code
    if form.validate_on_submit():
        try:
            services.save_codelist(study, _fields(form), code=code, actor=current_user)
        except services.MeasuresError as error:
            db.session.rollback()
            _show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Kodlistan %(id)s är sparad.", id=code), "success")
            return redirect(url_for("measures.codelists"))
    return render_template("measures/codelist_form.html", study=study, codelist=current, form=form)


@bp.route("/studier/<slug>/matt/kodlistor/<code>/ta-bort", methods=["POST"])
@staff(*STUDY_LEADERS)
def codelist_delete(code: str):
    study = current_study()
    _require_button()
    if services.codelist_of(study, code) is None:
        abort(404)
    try:
        services.delete_codelist(study, code, actor=current_user)
    except services.MeasuresError as error:
        db.session.rollback()
        flash(measures_error_text(error), "error")
        return redirect(url_for("measures.codelists"))
    db.session.commit()
    flash(_("Kodlistan %(id)s är borttagen.", id=code), "success")
    return redirect(url_for("measures.codelists"))
