"""What every rounds page shares: the labels of methods, statuses and decisions, the
messages of refused actions, and loading the study and round a URL names."""

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.roles import STUDY_LEADERS
from ...i18n import render_message
from .. import services
from ..models import Round
from . import bp


def method_label(method: str) -> str:
    return {
        "rating": _("skattning 1–9"),
        "approval": _("röstning"),
        "ranking": _("rangordning"),
    }.get(method, method)


def status_label(status: str) -> str:
    return {"draft": _("utkast"), "open": _("öppen"), "closed": _("stängd")}.get(status, status)


def decision_label(code: str | None) -> str:
    return {
        "in": _("konsensus: in"),
        "out": _("konsensus: ut"),
        "undecided": _("ingen konsensus"),
        "carry": _("går vidare"),
        "drop": _("sorteras ut"),
        "core": _("kärnindikator"),
        "excluded": _("inte kärnindikator"),
        "unresolved": _("oavgjord vid gränsen"),
    }.get(code or "", code or "–")


def live_state(r: Round) -> str:
    """What a live page compares with the poll's answer: the status and when the round last
    closed (a round closed, reopened and closed again between two polls is a new state)."""
    return f"{r.status}@{r.closed_at.isoformat() if r.closed_at else ''}"


@bp.app_context_processor
def round_labels():
    return {
        "method_label": method_label,
        "status_label": status_label,
        "decision_label": decision_label,
        "live_state": live_state,
    }


def round_error_text(error: services.RoundError) -> str:
    """A refused action in the page's language (the catalogue is ``rounds/messages.py``)."""
    return render_message(error)


def _round(study, number: int) -> Round:
    r = services.get_round(study, number)
    if r is None:
        abort(404)
    return r


def _leader() -> bool:
    return current_user.has_role(*STUDY_LEADERS)
