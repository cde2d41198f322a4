"""Study setup for staff (settings, groups, candidate pool, panel, invitations, workshop code),
and the participant's own start page with the information text.

One blueprint ``studies``; its routes live by concern in ``studies`` (list, create, overview,
settings, archive), ``pool`` (stakeholder groups, candidate indicators, imports), ``panel``
(panelists, personal links, invitations, erasure) and ``joining`` (the conference code, the
participant's start page).
"""

from flask import Blueprint, g
from flask_babel import get_locale
from flask_babel import gettext as _

from ...i18n import render_message
from .. import services
from ..forms import PERSPECTIVE_LABELS
from ..hooks import hooks
from ..importing import PERSPECTIVES
from ..models import Participant
from .study_loader import (  # noqa: F401  (every study page loads its study here)
    current_study,
    enter_study,
    study_pages,
    study_read_only,
    without_due_work,
)

bp = study_pages(Blueprint("studies", __name__))


def phase_label(phase: str) -> str:
    return {
        "setup": _("förberedelse"),
        "running": _("pågår"),
        "archived": _("arkiverad"),
    }.get(phase, phase)


#: the protocol's perspective ids (ASCII, ``protocol/build.py``) → the stored codes
_PROTOCOL_PERSPECTIVES = {"samhalle": "samhälle"}


def perspective_label(code: str) -> str:
    """A perspective's name ("Samhälle"), from a stored code or a protocol's id."""
    code = _PROTOCOL_PERSPECTIVES.get(code, code)
    return str(PERSPECTIVE_LABELS.get(code, code))


def perspective_sections(items) -> list[tuple[str, str, list]]:
    """``items`` (anything with a ``perspective``) grouped as (code, label, items), the
    perspectives in their fixed order and any other code after them."""
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(item.perspective, []).append(item)
    order = [p for p in PERSPECTIVES if p in groups] + [p for p in groups if p not in PERSPECTIVES]
    return [(code, perspective_label(code), groups[code]) for code in order]


def type_label(code: str) -> str:
    return {"process": _("process"), "effect": _("effekt")}.get(code, code)


def invitation_label(p: Participant) -> str:
    if p.erased_at:
        return _("raderad")
    if p.first_visit_at:
        return _("har besökt")
    return {
        "sent": _("skickad"),
        "failed": _("misslyckades"),
        "unsent": _("ej skickad"),
    }.get(p.invitation_status, p.invitation_status)


def rule_label(name: str) -> str:
    rule = hooks().rules.get(name)
    if rule is None:
        return name
    return rule.label_en if str(get_locale()) == "en" else rule.label_sv


@bp.app_context_processor
def study_labels():
    return {
        # an archived study's pages hide their forms (its writes are refused by the loader)
        "study_read_only": study_read_only(g.get("study")),
        "rule_label": rule_label,
        "phase_label": phase_label,
        "perspective_label": perspective_label,
        "type_label": type_label,
        "invitation_label": invitation_label,
    }


def study_error_text(error: services.StudyError) -> str:
    """A refused change in the page's language (the catalogue is ``studies/messages.py``)."""
    return render_message(error)


# The routes register themselves on ``bp``. The higher floors' views share these helpers
# (rounds: flash_outcome, qr_svg, _join_url; measures: flash_outcome; under the old names),
# and every study page's loader (``study_pages``, ``current_study``).
from . import emails, joining, members, pool, studies  # noqa: E402, F401
from .joining import _join_url, qr_svg  # noqa: E402, F401
from .panel import flash_outcome  # noqa: E402, F401
