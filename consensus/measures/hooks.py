"""What measures adds to the studies floor below it, wired once in ``create_app``.

Its due work: the measures survey closes itself when its closing time has passed, lazily when
a study page loads (the survey's own pages and the staff pages alike).
"""

from flask import Flask

from ..studies.hooks import hooks
from . import services


def close_survey_if_due(study) -> bool:
    """Close the study's survey when its time has passed. True when it closed."""
    survey = services.get_survey(study)
    return survey is not None and services.close_if_due(survey)


def init_app(app: Flask) -> None:
    hooks(app).due_work.append(close_survey_if_due)
