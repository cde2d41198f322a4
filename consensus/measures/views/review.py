"""The review: proposals side by side, merged into measures, edited and decided."""

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS, STUDY_STAFF
from ...extensions import db
from ...i18n import render_message
from ...numbers import parse_id
from ...studies.forms import ButtonForm, choices
from ...studies.models import Indicator
from ...studies.views import current_study
from .. import services
from ..forms import CanonicalForm, DecisionForm, MergeForm
from ..models import CanonicalMeasure
from ..targets import show_number
from .common import (
    _home,
    _require_button,
    _survey_or_redirect,
    bp,
    canonical_status_label,
    measures_error_text,
)

# --- review -----------------------------------------------------------------------------------


def _indicator_of(survey, indicator_id: int) -> Indicator:
    indicator = db.get_or_404(Indicator, indicator_id)
    if indicator.id not in {i.id for i in services.survey_indicators(survey)}:
        abort(404)
    return indicator


def _canonical_of(survey, canonical_id: int) -> CanonicalMeasure:
    canonical = db.get_or_404(CanonicalMeasure, canonical_id)
    if canonical.survey_id != survey.id:
        abort(404)
    return canonical


def _review_url(indicator_id: int) -> str:
    return url_for("measures.review", indicator_id=indicator_id)


@bp.route("/studier/<slug>/matt/granskning")
@staff(*STUDY_STAFF)
def review_list():
    study = current_study()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    rows = services.review_overview(survey)
    return render_template("measures/review_list.html", study=study, survey=survey, rows=rows)


SUGGESTIONS_SHOWN = 100


@bp.route("/studier/<slug>/matt/granskning/<int:indicator_id>")
@staff(*STUDY_STAFF)
def review(indicator_id: int):
    study = current_study()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    indicator = _indicator_of(survey, indicator_id)
    data = services.review_data(survey, indicator)
    in_measure: dict[int, list[int]] = {}
    for c in data["canonical"]:
        for proposal_id in c["sources"]:
            in_measure.setdefault(proposal_id, []).append(c["id"])
    merge = MergeForm()
    merge.proposals.choices = choices((p["id"], str(p["id"])) for p in data["proposals"])
    # The strongest suggestions first; a long tail is there on request (it is the reviewer's
    # reading time, and each one carries a merge button, that grows with it).
    strongest = sorted(data["suggestions"], key=lambda s: -s.score)
    show_all = request.args.get("alla") == "1"
    return render_template(
        "measures/review.html",
        suggestions=strongest if show_all else strongest[:SUGGESTIONS_SHOWN],
        suggestions_total=len(strongest),
        study=study,
        survey=survey,
        indicator=indicator,
        data=data,
        in_measure=in_measure,
        merge=merge,
        decisions={c["id"]: DecisionForm(prefix=f"c{c['id']}") for c in data["canonical"]},
        button=ButtonForm(),
    )


@bp.route("/studier/<slug>/matt/granskning/<int:indicator_id>/sla-ihop", methods=["POST"])
@staff(*STUDY_LEADERS)
def merge(indicator_id: int):
    study = current_study()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    indicator = _indicator_of(survey, indicator_id)
    form = MergeForm()
    named = (parse_id(v) for v in request.form.getlist("proposals"))
    ids = [i for i in named if i is not None]
    form.proposals.choices = choices((i, str(i)) for i in ids)
    if not form.validate_on_submit():
        flash(_("Välj minst ett förslag att slå ihop."), "error")
        return redirect(_review_url(indicator.id))
    name = (form.name.data or "").strip()
    try:
        canonical = services.merge_proposals(
            survey,
            indicator,
            form.proposals.data or [],
            {"name": name} if name else None,
            actor=current_user,
        )
    except services.MeasuresError as error:
        db.session.rollback()
        flash(measures_error_text(error), "error")
        return redirect(_review_url(indicator.id))
    db.session.commit()
    flash(
        _(
            "Måttet M%(id)s är skapat av %(n)s förslag.",
            id=canonical.id,
            n=len(canonical.sources),
        ),
        "success",
    )
    return redirect(_review_url(indicator.id) + f"#matt-{canonical.id}")


def _canonical_fields(form: CanonicalForm) -> dict:
    return {
        "name": (form.name.data or "").strip(),
        "description": (form.description.data or "").strip(),
        "name_en": form.name_en.data or "",
        "description_en": form.description_en.data or "",
        "kind": form.kind.data or "",
        "method": form.method.data or "",
        "data_source": (form.data_source.data or "").strip(),
        "respondent_group": form.respondent_group.data or "",
        "frequency": list(form.frequency.data or []),
        "unit": (form.unit.data or "").strip(),
        "numerator": (form.numerator.data or "").strip(),
        "denominator": (form.denominator.data or "").strip(),
        "questions": (form.question_lines.data or "").splitlines(),
        "target_value": (form.target_value.data or "").strip(),
        "target_near_margin": (form.target_near_margin.data or "").strip(),
        "direction": form.direction.data or "",
        "disaggregations": list(form.disaggregations.data or []),
    }


@bp.route("/studier/<slug>/matt/granskning/matt/<int:canonical_id>", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def canonical_edit(canonical_id: int):
    study = current_study()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    canonical = _canonical_of(survey, canonical_id)
    form = CanonicalForm(obj=canonical)
    codelists = services.study_codelists(study)
    form.disaggregations.choices = choices(
        (c["id"], f"{c['name']} ({', '.join(code['label'] for code in c['codes'])})")
        for c in codelists
    )
    if request.method == "GET":
        form.kind.data = canonical.kind or ""
        form.method.data = canonical.method or ""
        form.frequency.data = list(canonical.frequency or [])
        form.question_lines.data = "\n".join(canonical.questions or [])
        form.target_value.data = show_number(canonical.target_value)
        form.target_near_margin.data = show_number(canonical.target_near_margin)
        form.direction.data = canonical.direction or ""
        form.disaggregations.data = list(canonical.disaggregations or [])
    if form.validate_on_submit():
        try:
            services.edit_canonical(canonical, _canonical_fields(form), actor=current_user)
        except services.MeasuresError as error:
            db.session.rollback()
            target_problems = error.params.get("problems", {}).get("target") or []
            for problem in target_problems:
                getattr(form, problem.field).errors.append(render_message(problem))
            if not target_problems:
                form.name.errors.append(measures_error_text(error))
        else:
            db.session.commit()
            flash(_("Måttet M%(id)s är sparat.", id=canonical.id), "success")
            return redirect(_review_url(canonical.indicator_id) + f"#matt-{canonical.id}")
    return render_template(
        "measures/canonical_form.html",
        study=study,
        survey=survey,
        canonical=canonical,
        sources=services.lineage(canonical),
        form=form,
    )


@bp.route("/studier/<slug>/matt/granskning/matt/<int:canonical_id>/beslut", methods=["POST"])
@staff(*STUDY_LEADERS)
def canonical_decide(canonical_id: int):
    study = current_study()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    canonical = _canonical_of(survey, canonical_id)
    form = DecisionForm(prefix=f"c{canonical.id}")
    back = _review_url(canonical.indicator_id) + f"#matt-{canonical.id}"
    if not form.validate_on_submit():
        flash(_("Välj ett beslut."), "error")
        return redirect(back)
    try:
        services.decide(canonical, form.decision.data, form.reason.data or "", actor=current_user)
    except services.MeasuresError as error:
        db.session.rollback()
        flash(measures_error_text(error), "error")
        return redirect(back)
    db.session.commit()
    flash(
        _(
            "Måttet M%(id)s: %(status)s.",
            id=canonical.id,
            status=canonical_status_label(canonical.status),
        ),
        "success",
    )
    return redirect(back)


@bp.route("/studier/<slug>/matt/granskning/matt/<int:canonical_id>/rekommendera", methods=["POST"])
@staff(*STUDY_LEADERS)
def canonical_recommend(canonical_id: int):
    study = current_study()
    _require_button()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    canonical = _canonical_of(survey, canonical_id)
    recommended = request.form.get("action") != "unset"
    back = _review_url(canonical.indicator_id) + f"#matt-{canonical.id}"
    try:
        services.set_recommended(canonical, recommended, actor=current_user)
    except services.MeasuresError as error:
        db.session.rollback()
        flash(measures_error_text(error), "error")
        return redirect(back)
    db.session.commit()
    if recommended:
        flash(_("Måttet M%(id)s är rekommenderat för indikatorn.", id=canonical.id), "success")
    else:
        flash(_("Måttet M%(id)s är inte längre rekommenderat.", id=canonical.id), "success")
    return redirect(back)
