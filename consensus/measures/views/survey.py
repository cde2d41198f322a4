"""The measures survey for respondents: start page, personal or open link, proposals.

Two kinds of respondent use these pages: an invited expert (a Participant of kind "expert"
admitted by ``/l/<token>``) and someone who joined through the survey's open link and comes
back through their own link. Both are kept in the browser session and re-checked on every
request, so the survey's own routes are declared ``@public`` and refuse (403) anyone who is
not a respondent of the study in the address.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from ...auth.access import load_session_participant, public
from ...extensions import db, limiter
from ...i18n import render_message
from ...studies.forms import ButtonForm, choices
from ...studies.views import current_study, enter_study, perspective_sections, study_pages
from .. import lifecycle, posted, services
from ..forms import (
    FREQUENCY_CHOICES,
    GROUP_CHOICES,
    KIND_CHOICES,
    METHOD_CHOICES,
    CommentForm,
    OpenLinkForm,
    ProposalForm,
)
from ..lifecycle import ProposalStatus, RatingStatus
from ..models import Proposal, Respondent

bp = study_pages(Blueprint("survey", __name__))

SESSION_RESPONDENT = "survey_respondent"
SESSION_NEW_LINK = "survey_new_link"


# --- labels and messages ---------------------------------------------------------------------


def _label(options, code) -> str:
    return next((str(c.label) for c in options if c.value == code), code or "")


@bp.context_processor
def survey_labels():
    return {
        "kind_label": lambda code: _label(KIND_CHOICES, code),
        "measure_method_label": lambda code: _label(METHOD_CHOICES, code),
        "group_label": lambda code: _label(GROUP_CHOICES, code),
        "frequency_label": lambda code: _label(FREQUENCY_CHOICES, code),
    }


def survey_error_text(error: services.MeasuresError) -> str:
    texts = {
        "survey_closed": _(
            "Enkäten är stängd, så det går inte längre att skicka in eller ändra förslag. "
            "Dina utkast finns kvar och har inte skickats in."
        ),
        "respondent_incomplete": _("Skriv både organisation och roll."),
        "level_unknown": _("Välj lokal eller nationell nivå."),
        "indicator_not_in_survey": _("Indikatorn ingår inte i enkäten."),
        "not_own_proposal": _("Förslaget är inte ditt."),
        "wrong_indicator": _("Förslaget hör till en annan indikator."),
        "invalid": _("Något behöver rättas. Se meddelandena vid fälten."),
        "rating_closed": _("Bedömningen av måtten är inte öppen."),
        "rating_invalid": _("Ogiltigt betyg."),
    }
    return texts.get(error.code, error.code)


# --- the respondent in this browser session ---------------------------------------------------


def remember_respondent(respondent: Respondent) -> None:
    session[SESSION_RESPONDENT] = {"id": respondent.id, "link": respondent.token_hash[:16]}
    session.permanent = True


def _open_link_respondent() -> Respondent | None:
    data = session.get(SESSION_RESPONDENT)
    if not isinstance(data, dict):
        return None
    respondent = db.session.get(Respondent, data.get("id"))
    if (
        respondent is None
        or respondent.token_hash is None
        or respondent.token_hash[:16] != data.get("link")
    ):
        session.pop(SESSION_RESPONDENT, None)
        return None
    return respondent


def _session_respondents() -> list[Respondent]:
    """The respondents of this browser session: an invited expert's, an open-link one's."""
    found = []
    p = load_session_participant()
    if p is not None and p.kind == "expert":
        survey = services.get_survey(p.study)
        r = services.respondent_for_participant(survey, p) if survey else None
        if r is not None:
            found.append(r)
    r = _open_link_respondent()
    if r is not None:
        found.append(r)
    return found


def _respondent_of(study) -> Respondent | None:
    return next((r for r in _session_respondents() if r.survey.study_id == study.id), None)


def _respondent() -> Respondent:
    respondent = _respondent_of(current_study())
    if respondent is None:
        abort(403)
    return respondent


def _own_url(token: str) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for("survey.resume", token=token)
    return url_for("survey.resume", token=token, _external=True)


# --- building what the pages show ---------------------------------------------------------------


def _progress(indicators, own: dict, comments: dict) -> dict:
    answered = [i.id for i in indicators if own.get(i.id) or comments.get(i.id)]
    return {"done": len(answered), "total": len(indicators)}


def _indicator_in(survey, indicator_id: int):
    indicators = services.survey_indicators(survey)
    for position, indicator in enumerate(indicators):
        if indicator.id == indicator_id:
            return indicators, position
    abort(404)


def _own_proposal(respondent: Respondent, proposal_id: int, indicator_id: int | None = None):
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.respondent_id != respondent.id:
        abort(404)
    if indicator_id is not None and proposal.indicator_id != indicator_id:
        abort(404)
    return proposal


def _combination_choices(form: ProposalForm, own: list[Proposal], editing: Proposal | None):
    others = [p for p in own if editing is None or p.id != editing.id]
    form.combines.choices = choices((p.id, p.name or _("Utkast utan namn")) for p in others)


# --- the public start page ----------------------------------------------------------------------


@bp.route("/matt/<slug>")
@public
def start():
    study = current_study()
    survey = services.get_survey(study)
    if survey is None:
        abort(404)
    return render_template(
        "measures/survey_start.html",
        study=study,
        survey=survey,
        sections=perspective_sections(services.survey_indicators(survey)),
        workshops=services.workshops(survey),
        respondent=_respondent_of(study),
    )


# --- the open link and the respondent's own link back ------------------------------------------


@bp.route("/matt/oppen/<token>", methods=["GET", "POST"])
@public
@limiter.limit("30 per minute", methods=["POST"])
def open_start(token: str):
    survey = services.survey_by_open_link(token)
    if survey is None:
        return render_template("auth/link_invalid.html", status="unknown"), 404
    study = survey.study
    enter_study(study)  # found by its open link, not its slug: the same loading and due work
    if _respondent_of(study) is not None:
        return redirect(url_for("survey.home", slug=study.slug))
    form = OpenLinkForm()
    if lifecycle.accepts_proposals(survey.status) and form.validate_on_submit():
        try:
            respondent, own = services.join_open_link(
                survey,
                organisation=form.organisation.data,
                level=form.level.data,
                role=form.role.data,
                organisation_type=form.organisation_type.data or "",
            )
        except services.MeasuresError as error:
            db.session.rollback()
            flash(survey_error_text(error), "error")
        else:
            db.session.commit()
            remember_respondent(respondent)
            session[SESSION_NEW_LINK] = _own_url(own)
            flash(
                _("Välkommen! Du svarar som %(pseudonym)s.", pseudonym=respondent.pseudonym),
                "success",
            )
            return redirect(url_for("survey.home", slug=study.slug))
    return render_template(
        "measures/survey_open.html",
        study=study,
        survey=survey,
        form=form,
        workshops=services.workshops(survey),
    )


@bp.route("/matt/svar/<token>")
@public
@limiter.limit("30 per minute")
def resume(token: str):
    """An open-link respondent's own link: back to their drafts from any device."""
    respondent = services.respondent_by_token(token)
    if respondent is None:
        return render_template("auth/link_invalid.html", status="unknown"), 403
    remember_respondent(respondent)
    # Redirect so that the token leaves the address bar and never reaches a Referer header.
    return redirect(url_for("survey.home", slug=respondent.survey.study.slug))


# --- the survey ---------------------------------------------------------------------------------


@bp.route("/matt/<slug>/enkat")
@public  # checks its own session: an invited expert's or an open-link respondent's
def home():
    respondent = _respondent()
    return _render_home(respondent)


def _render_home(respondent: Respondent, problems: dict | None = None, status: int = 200):
    survey = respondent.survey
    indicators = services.survey_indicators(survey)
    own = services.respondent_proposals(respondent)
    comments = services.respondent_comments(respondent)
    drafts = sum(1 for group in own.values() for p in group if p.status == ProposalStatus.DRAFT)
    return (
        render_template(
            "measures/survey_home.html",
            study=survey.study,
            survey=survey,
            respondent=respondent,
            sections=perspective_sections(indicators),
            own=own,
            comments=comments,
            progress=_progress(indicators, own, comments),
            drafts=drafts,
            problems=problems or {},
            is_open=lifecycle.accepts_proposals(survey.status),
            new_link=session.pop(SESSION_NEW_LINK, None),
            button=ButtonForm(),
        ),
        status,
    )


@bp.route("/matt/<slug>/enkat/<int:indicator_id>", methods=["GET", "POST"])
@public  # checks its own session (see home)
def indicator(indicator_id: int):
    respondent = _respondent()
    survey = respondent.survey
    indicators, position = _indicator_in(survey, indicator_id)
    own = services.respondent_proposals(respondent).get(indicator_id, [])
    form = ProposalForm()
    _combination_choices(form, own, None)
    comment_form = CommentForm(prefix="c")
    if request.method == "GET":
        comment_form.comment.data = services.respondent_comments(respondent).get(indicator_id, "")
    if comment_form.submit.data:  # the comment form; otherwise a proposal
        if comment_form.validate_on_submit():
            try:
                services.save_comment(respondent, indicator_id, comment_form.comment.data or "")
            except services.MeasuresError as error:
                db.session.rollback()
                _refused(error, comment_form)
            else:
                db.session.commit()
                flash(_("Kommentaren är sparad."), "success")
                return redirect(url_for("survey.indicator", indicator_id=indicator_id))
    elif form.validate_on_submit():
        try:
            saved = services.save_proposal(respondent, indicator_id, form.service_data())
        except services.MeasuresError as error:
            db.session.rollback()
            _refused(error, form)
        else:
            db.session.commit()
            flash(_("Förslaget ”%(name)s” är sparat som utkast.", name=_name(saved)), "success")
            return redirect(url_for("survey.indicator", indicator_id=indicator_id))
    status = 422 if form.errors or comment_form.errors else 200
    return (
        render_template(
            "measures/survey_indicator.html",
            study=survey.study,
            survey=survey,
            respondent=respondent,
            indicator=indicators[position],
            position=position,
            total=len(indicators),
            previous=indicators[position - 1] if position > 0 else None,
            next=indicators[position + 1] if position + 1 < len(indicators) else None,
            proposals=own,
            form=form,
            comment_form=comment_form,
            is_open=lifecycle.accepts_proposals(survey.status),
            button=ButtonForm(),
        ),
        status,
    )


def _name(proposal: Proposal) -> str:
    return proposal.name or _("Utkast utan namn")


def _refused(error: services.MeasuresError, form) -> None:
    """Show a refusal: field messages on the form, anything else as a flash."""
    if error.code == "invalid":
        for problems in error.params.get("problems", {}).values():
            if hasattr(form, "show_problems"):
                form.show_problems(problems)
            else:
                form.comment.errors = [*form.comment.errors, *(render_message(p) for p in problems)]
    else:
        flash(survey_error_text(error), "error")


@bp.route(
    "/matt/<slug>/enkat/<int:indicator_id>/forslag/<int:proposal_id>", methods=["GET", "POST"]
)
@public  # checks its own session (see home)
def proposal_edit(indicator_id: int, proposal_id: int):
    respondent = _respondent()
    survey = respondent.survey
    indicators, position = _indicator_in(survey, indicator_id)
    proposal = _own_proposal(respondent, proposal_id, indicator_id)
    own = services.respondent_proposals(respondent).get(indicator_id, [])
    form = ProposalForm()
    _combination_choices(form, own, proposal)
    if request.method == "GET":
        form.fill(proposal)
    if form.validate_on_submit():
        try:
            services.save_proposal(respondent, indicator_id, form.service_data(), proposal=proposal)
        except services.MeasuresError as error:
            db.session.rollback()
            _refused(error, form)
        else:
            db.session.commit()
            flash(_("Ändringen är sparad som utkast."), "success")
            return redirect(url_for("survey.indicator", indicator_id=indicator_id))
    return (
        render_template(
            "measures/survey_proposal.html",
            study=survey.study,
            survey=survey,
            respondent=respondent,
            indicator=indicators[position],
            proposal=proposal,
            form=form,
            is_open=lifecycle.accepts_proposals(survey.status),
        ),
        422 if form.errors else 200,
    )


@bp.route("/matt/<slug>/enkat/forslag/<int:proposal_id>/ta-bort", methods=["POST"])
@public  # checks its own session (see home)
def proposal_delete(proposal_id: int):
    respondent = _respondent()
    proposal = _own_proposal(respondent, proposal_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    indicator_id, name = proposal.indicator_id, _name(proposal)
    try:
        services.delete_proposal(respondent, proposal)
    except services.MeasuresError as error:
        db.session.rollback()
        flash(survey_error_text(error), "error")
    else:
        db.session.commit()
        flash(_("Förslaget ”%(name)s” är borttaget.", name=name), "success")
    return redirect(url_for("survey.indicator", indicator_id=indicator_id))


@bp.route("/matt/<slug>/enkat/skicka", methods=["POST"])
@public  # checks its own session (see home)
def submit():
    respondent = _respondent()
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        count = services.submit(respondent)
    except services.MeasuresError as error:
        db.session.rollback()  # a late submission: the drafts stay as they were
        if error.code == "invalid":
            flash(
                _("Inget skickades in: några förslag behöver kompletteras först. Se listan nedan."),
                "error",
            )
            problems = {
                pid: [render_message(p) for p in found]
                for pid, found in error.params.get("problems", {}).items()
            }
            return _render_home(respondent, problems, 422)
        flash(survey_error_text(error), "error")
        return redirect(url_for("survey.home"))
    db.session.commit()
    flash(
        _("Tack! Dina svar är inskickade (%(n)s förslag).", n=count)
        if count
        else _("Tack! Dina svar är inskickade."),
        "success",
    )
    return redirect(url_for("survey.home"))


# --- the experts' rating of the measures -------------------------------------------------------


@bp.route("/matt/<slug>/bedomning", methods=["GET", "POST"])
@public  # checks its own session (see home): invited experts only
def rating():
    """An invited expert rates each measure for relevance and feasibility (1-9)."""
    respondent = _respondent()
    if respondent.participant is None:
        abort(403)  # the open link proposes measures; appointed experts rate them
    survey = respondent.survey
    expert = respondent.participant
    measures = services.rating_ballot(survey)
    problems: dict = {}
    form = ButtonForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        entries, problems = posted.read_ratings(request.form, [m.id for m in measures])
        if not problems and not entries:
            # An empty form: say so rather than "saved".
            flash(_("Ingenting sparades: du har inte valt någon bedömning."), "info")
            return redirect(url_for("survey.rating"))
        if not problems:
            try:
                services.save_ratings(survey, expert, entries)
            except services.MeasuresError as error:
                db.session.rollback()
                flash(survey_error_text(error), "error")
            else:
                db.session.commit()
                flash(
                    _(
                        "Dina bedömningar är sparade. Du kan ändra dem så länge bedömningen är öppen."
                    ),
                    "success",
                )
                return redirect(url_for("survey.rating"))
        else:
            flash(_("Några bedömningar är ogiltiga; se markeringarna."), "error")
    indicators = {i.id: i for i in survey.study.indicators}
    by_indicator: dict[int, list] = {}
    for m in measures:
        by_indicator.setdefault(m.indicator_id, []).append(m)
    return render_template(
        "measures/survey_rating.html",
        study=survey.study,
        survey=survey,
        groups=[(indicators[iid], items) for iid, items in by_indicator.items()],
        rated=services.rated_by(survey, expert),
        needed=len(measures) * 2,
        own=services.expert_ratings(survey, expert),
        problems=problems,
        is_open=survey.rating_status == RatingStatus.OPEN,
        form=form,
    )


@bp.route("/matt/<slug>/bedomning/spara", methods=["POST"])
@public  # checks its own session (see home): invited experts only
def rating_autosave():
    """One rating saved as it is given (JavaScript), answered with JSON for the live region:
    whether it held and the expert's progress ("12 av 30 bedömda")."""
    respondent = _respondent()
    if respondent.participant is None:
        abort(403)
    survey, expert = respondent.survey, respondent.participant
    measures = services.rating_ballot(survey)
    entries, problems = posted.read_ratings(request.form, [m.id for m in measures])
    if problems or not entries:
        return jsonify({"ok": False, "message": _("Ogiltigt svar.")}), 400
    try:
        services.save_ratings(survey, expert, entries)
    except services.MeasuresError as error:
        db.session.rollback()
        return jsonify({"ok": False, "message": survey_error_text(error)}), 409
    db.session.commit()
    rated, needed = services.rated_by(survey, expert), len(measures) * 2
    return jsonify(
        {
            "ok": True,
            "rated": rated,
            "needed": needed,
            "message": _("Sparat. %(d)s av %(t)s bedömda.", d=rated, t=needed),
        }
    )
