"""The project leader's side of the experts' rating of the measures."""

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ... import tabular
from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS, STUDY_STAFF
from ...extensions import db
from ...studies import mailing
from ...studies.forms import ButtonForm
from ...studies.views import current_study, flash_outcome
from .. import lifecycle, services
from .common import (
    _download,
    _require_button,
    bp,
    measures_error_text,
    status_label,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

# --- the experts' rating of the measures -------------------------------------------------------

RATING_ACTIONS = {"oppna": "open_rating", "stang": "close_rating", "oppna-igen": "reopen_rating"}


@bp.route("/studier/<slug>/matt/bedomning")
@staff(*STUDY_STAFF)
def rating():
    """The optional expert rating of the measures (relevance and feasibility 1-9), with the
    rounds engine's statistics and the study's primary rule."""
    study = current_study()
    survey = services.get_survey(study)
    if survey is None:
        return redirect(url_for("measures.survey_home"))
    measures = services.rating_ballot(survey)
    results = services.rating_results(survey) if measures else None
    progress = services.rating_progress(survey)
    return render_template(
        "measures/rating.html",
        study=study,
        survey=survey,
        measures=measures,
        results=results,
        progress=progress,
        summary=services.progress_summary(progress),
        indicators={i.id: i for i in study.indicators},
        button=ButtonForm(),
    )


@bp.route(
    "/studier/<slug>/matt/bedomning/<any(oppna, stang, 'oppna-igen'):action>", methods=["POST"]
)
@staff(*STUDY_LEADERS)
def rating_status(action: str):
    study = current_study()
    survey = services.get_survey(study)
    if survey is None:
        abort(404)
    _require_button()
    try:
        services.change_rating_status(survey, RATING_ACTIONS[action], actor=current_user)
    except services.MeasuresError as error:
        db.session.rollback()
        flash(measures_error_text(error), "error")
    except lifecycle.IllegalTransition:
        db.session.rollback()
        flash(_("Det går inte i bedömningens nuvarande läge."), "error")
    else:
        db.session.commit()
        flash(_("Expertbedömningen är %(s)s.", s=status_label(survey.rating_status)), "success")
    return redirect(url_for("measures.rating"))


@bp.route("/studier/<slug>/matt/bedomning/<any('bjud-in', paminn):which>", methods=["POST"])
@staff(*STUDY_LEADERS)
def rating_mail(which: str):
    """Tell the experts that the rating is open (each with their personal link), or remind
    those who have not rated everything, with how many ratings they have left."""
    study = current_study()
    survey = services.get_survey(study)
    if survey is None:
        abort(404)
    _require_button()
    if survey.rating_status != lifecycle.RatingStatus.OPEN:
        flash(_("Öppna expertbedömningen innan inbjudningar och påminnelser skickas."), "error")
        return redirect(url_for("measures.rating"))
    invite = which == "bjud-in"
    pairs = services.rating_targets(survey, "all" if invite else "unfinished")
    remaining = {p.id: n for p, n in pairs}
    needed = len(services.rating_ballot(survey)) * 2
    outcome = mailing.send_links(
        study,
        [p for p, _n in pairs],
        template="email/measures_rating.txt",
        subject=(
            (lambda: _("Bedöm måtten i %(title)s", title=study.title))
            if invite
            else (lambda: _("Påminnelse: bedöm måtten i %(title)s", title=study.title))
        ),
        action="rating_invitations_sent" if invite else "rating_reminders_sent",
        actor=current_user,
        purpose="invitation" if invite else "reminder",
        per_target=lambda p: {"remaining": remaining.get(p.id), "needed": needed},
        reminder=not invite,
    )
    flash_outcome(outcome)
    db.session.commit()
    return redirect(url_for("measures.rating"))


@bp.route("/studier/<slug>/matt/bedomning/export.<any(csv, xlsx):fmt>")
@staff(*STUDY_STAFF)
def rating_export(fmt: str):
    """The experts' ratings, one row per expert, measure and dimension, under pseudonyms."""
    study = current_study()
    survey = services.get_survey(study)
    if survey is None:
        abort(404)
    headers, rows = services.export_ratings(survey)
    name = f"{study.slug}-matt-bedomningar"
    if fmt == "csv":
        return _download(tabular.write_csv(headers, rows), CSV, f"{name}.csv")
    return _download(tabular.write_xlsx({"Bedömningar": (headers, rows)}), XLSX, f"{name}.xlsx")
