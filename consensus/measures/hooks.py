"""What measures adds to the studies floor below it, wired once in ``create_app``.

Its due work: the measures survey closes itself when its closing time has passed, lazily when
a study page loads (the survey's own pages and the staff pages alike). Its part of the study
overview: the confirmed core set and the survey's status.
"""

from flask import Flask

from ..studies.hooks import Section, hooks
from . import services


def close_survey_if_due(study) -> bool:
    """Close the study's survey when its time has passed. True when it closed."""
    survey = services.get_survey(study)
    return survey is not None and services.close_if_due(survey)


def survey_progress(study) -> dict:
    """The measures survey's part of the study's ``cockpit.Progress``."""
    survey = services.get_survey(study)
    return {"survey": survey.status if survey is not None else None}


def overview_measures(study) -> dict:
    """The confirmed core set and the survey, for ``measures/_overview.html`` (the cockpit)."""
    return {"core": services.core_set(study), "survey": services.get_survey(study)}


def init_app(app: Flask) -> None:
    study_hooks = hooks(app)
    study_hooks.due_work.append(close_survey_if_due)
    study_hooks.progress.append(survey_progress)
    study_hooks.overview.append(Section("measures/_overview.html", context=overview_measures))
