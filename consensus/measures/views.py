"""The measures survey for the project leader: setup, respondents, follow-up, review, exports."""

from flask import Blueprint

bp = Blueprint("measures", __name__)
