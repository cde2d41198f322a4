"""Authorization that cannot be forgotten.

Every view declares who may use it with one of the decorators below. A ``before_request``
hook enforces the declaration for every request, and refuses (403) any endpoint that declares
nothing, so a new route is closed until someone opens it on purpose. ``tests/test_access.py``
walks ``app.url_map`` to prove it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, abort, current_app, g, request, session
from flask_login import current_user

from ..extensions import login_manager
from .roles import Role

SESSION_PARTICIPANT = "participant"


@dataclass(frozen=True)
class Access:
    kind: str  # public | staff | participant
    roles: tuple[str, ...] = ()
    # participant only: the view checks the session's participant itself, in the statement
    # that does its work (the ballot's save: the vote path counts its statements).
    checked_by_view: bool = False


def _declare(view, access: Access):
    view.access = access
    return view


def public(view):
    """Anyone, signed in or not."""
    return _declare(view, Access("public"))


def staff(*roles: Role | str):
    """A signed-in staff user with one of ``roles`` (an admin always passes).

    With no roles: any signed-in staff user.
    """
    names = tuple(str(r) for r in roles)

    def decorator(view):
        return _declare(view, Access("staff", names))

    return decorator


def participant(view):
    """A panelist or expert who came in through a personal link or a workshop code."""
    return _declare(view, Access("participant"))


def participant_checked_by_view(view):
    """A panelist or expert as :func:`participant`, but the view itself reads the session's
    participant (``session_participant_id()``) in the statement it needs anyway and must
    refuse with :func:`participant_link_holds` before it does anything else. Here only the
    session must name a participant."""
    return _declare(view, Access("participant", checked_by_view=True))


def access_of(view) -> Access | None:
    return getattr(view, "access", None)


# --- the participant in this browser session ---------------------------------------------
#
# A participant (panelist or expert) is a row of ``studies``, a floor above auth. Auth owns the
# identity rules (personal link, session, expiry) and asks studies for the row through a loader
# that studies registers at app start (``studies.hooks.init_app``), as Flask-Login asks for a
# user through ``user_loader``.


@dataclass(frozen=True)
class ParticipantLoader:
    """How auth finds a participant and keeps their personal links. ``by_id`` loads the
    participant with its study (one query: the vote path counts its round trips);
    ``by_token_hash`` finds the holder of a personal link as ``(participant, link_revoked)``
    and notes the link's use, or None. ``add_link(participant, token_hash, purpose)`` stores a
    new link beside the others; ``revoke_links(participant)`` revokes all of them. A
    participant has ``id``, ``token_hash`` (the key its sessions hold), ``link_revoked_at``,
    ``erased_at``, ``first_visit_at``, ``link_issued_at`` and ``study.links_expired(now)``."""

    by_id: Callable[[Any], Any]
    by_token_hash: Callable[[str], Any]
    add_link: Callable[[Any, str, str], Any]
    revoke_links: Callable[[Any], Any]


def register_participant_loader(app: Flask, loader: ParticipantLoader) -> None:
    app.extensions["consensus.participant_loader"] = loader


def participant_loader() -> ParticipantLoader:
    try:
        return current_app.extensions["consensus.participant_loader"]
    except KeyError:
        raise RuntimeError("No participant loader: studies registers one in create_app") from None


def remember_participant(p) -> None:
    """Admit ``p`` to this browser session. The cookie names the participant, the link it was
    opened with (a prefix of the link's hash, never the token) and the participant's session
    version, so that logging out ends it everywhere (:func:`end_participant_sessions`)."""
    session[SESSION_PARTICIPANT] = {
        "id": p.id,
        "link": p.token_hash[:16],
        "v": p.session_version or 1,
    }
    session.permanent = True


def forget_participant() -> None:
    session.pop(SESSION_PARTICIPANT, None)


def end_participant_sessions() -> None:
    """Logging out: end every session of the participant this browser names (their session
    version moves on, so a copy of the cookie no longer opens the ballot), then forget them
    here. The caller commits."""
    participant_id = session_participant_id()
    p = participant_loader().by_id(participant_id) if participant_id is not None else None
    if p is not None and participant_link_holds(p, links_expired=lambda: False):
        p.session_version = (p.session_version or 1) + 1
    forget_participant()


def load_session_participant():
    """The participant of this browser session, re-checked on every request."""
    from ..dbtypes import utcnow

    data = session.get(SESSION_PARTICIPANT)
    if not isinstance(data, dict):
        return None
    p = participant_loader().by_id(data.get("id"))
    if p is None or not participant_link_holds(p, links_expired=lambda: False):
        forget_participant()
        return None
    if p.study.links_expired(utcnow()):
        # The link still holds but the study has ended (archived or past its links' expiry):
        # the participant is told so (410 "Studien är avslutad") on every visit, not to open
        # the link again. The session stays: it is checked anew on each request.
        g.participant_study_closed = True
        return None
    return p


def session_participant_id() -> int | None:
    """The participant id this browser session names (not yet checked: see
    :func:`participant_link_holds`)."""
    data = session.get(SESSION_PARTICIPANT)
    if isinstance(data, dict) and isinstance(data.get("id"), int):
        return data["id"]
    return None


def participant_link_holds(p, *, links_expired: Callable[[], bool]) -> bool:
    """Whether the session's participant ``p`` (anything with ``token_hash``,
    ``link_revoked_at``, ``erased_at`` and ``session_version``) still holds the personal link
    and the session version the session was opened with. The one check of :func:`load_session_participant` and of views declared
    :func:`participant_checked_by_view`; those forget the participant when it fails."""
    data = session.get(SESSION_PARTICIPANT)
    return not (
        not isinstance(data, dict)
        or p.token_hash is None
        or p.token_hash[:16] != data.get("link")
        or (p.session_version or 1) != data.get("v", 1)
        or p.link_revoked_at is not None
        or p.erased_at is not None
        or links_expired()
    )


def current_participant():
    return getattr(g, "participant", None)


def enforce() -> object | None:
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None  # unknown URL (404 follows) or a static file
    view = current_app.view_functions.get(endpoint)
    rule = access_of(view)
    if rule is None:
        current_app.logger.error("Route %s declares no access rule: refused", endpoint)
        abort(403)
    if rule.kind == "public":
        return None
    if rule.kind == "staff":
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if rule.roles and not current_user.has_role(*rule.roles):
            abort(403)
        return None
    if rule.kind == "participant":
        if rule.checked_by_view:
            if session_participant_id() is None:
                abort(403)
            return None
        p = load_session_participant()
        if p is None:
            abort(410 if g.get("participant_study_closed") else 403)
        g.participant = p
        return None
    abort(403)


def init_app(app: Flask) -> None:
    from .services import load_user

    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    app.before_request(enforce)

    @app.context_processor
    def access_context():
        return {"Role": Role, "role_label": role_label}


def role_label(role: str) -> str:
    """A role's name in the page's language (the names are in ``auth/messages.py``)."""
    from flask_babel import gettext

    from .messages import role_label as label

    return label(role, gettext)
