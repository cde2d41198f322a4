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

from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS, STUDY_STAFF
from ...extensions import db
from ...studies.forms import ButtonForm
from ...studies.views import current_study
from .. import lifecycle, services
from .common import (
    _require_button,
    bp,
    measures_error_text,
    status_label,
)

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
    return render_template(
        "measures/rating.html",
        study=study,
        survey=survey,
        measures=measures,
        results=results,
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
