"""The measures survey for respondents: start page, personal or open link, proposals."""

from flask import Blueprint

bp = Blueprint("survey", __name__)
