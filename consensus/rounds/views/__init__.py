"""Delphi rounds on the web: the leader's and facilitator's pages and decisions (manage), the
projector (live), results and exports (results), paper ballots and ballot files (paper),
between rounds (revisions) and the panelist's ballot, saved as it is given (ballot).

One blueprint, ``rounds``; each module registers its routes on it when imported."""

from flask import Blueprint

from ...i18n import ui_language
from ...studies.views import study_pages
from ..display import share_percent

bp = study_pages(Blueprint("rounds", __name__))


@bp.app_template_filter("share_percent")
def share_percent_in_page_language(share, limits=None) -> str:
    """:func:`share_percent` (Swedish: decimal comma) with a decimal point on English pages."""
    text = share_percent(share, limits)
    return text.replace(",", ".") if ui_language() == "en" else text


from . import _common, ballot, live, manage, paper, results, revisions  # noqa: E402, F401
