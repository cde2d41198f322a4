"""Delphi rounds on the web: the leader's and facilitator's pages and decisions (manage), the
projector (live), results and exports (results), paper ballots and ballot files (paper),
between rounds (revisions) and the panelist's ballot, saved as it is given (ballot).

One blueprint, ``rounds``; each module registers its routes on it when imported."""

from flask import Blueprint

from ...studies.views import study_pages
from ..display import share_percent

bp = study_pages(Blueprint("rounds", __name__))
bp.add_app_template_filter(share_percent, "share_percent")

from . import _common, ballot, live, manage, paper, results, revisions  # noqa: E402, F401
