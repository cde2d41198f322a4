"""Reads and writes for accounts and personal links. Services flush; callers commit."""

import functools
import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..dbtypes import utcnow
from ..extensions import db
from ..messages import Gettext, swedish
from .access import participant_loader
from .messages import ERRORS
from .models import Organisation, User
from .roles import Role
from .tokens import hash_token, looks_like_token, new_token

MIN_PASSWORD_LENGTH = 12
# An organisation's short name: as ``consensus org create`` expects.
SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


@functools.cache
def _dummy_hash(method: str) -> str:
    """Checked against when the email is unknown, so both failures cost the same time."""
    return generate_password_hash("not-a-real-password-0000", method=method)


def _hash_method() -> str:
    return current_app.config["PASSWORD_HASH_METHOD"]


class AccountError(ValueError):
    """A user-facing problem with account input; ``code`` selects the message in
    ``auth/messages.py``."""

    def __init__(self, code: str, /, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def render(self, gettext: Gettext = swedish) -> str:
        return ERRORS.render(self.code, self.params, gettext)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    """A new hash with the configured ``PASSWORD_HASH_METHOD`` (scrypt unless configured)."""
    return generate_password_hash(password, method=_hash_method())


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError("password_too_short", min=MIN_PASSWORD_LENGTH)


def create_user(
    email: str,
    password: str,
    role: str,
    *,
    name: str = "",
    organisation: Organisation | None = None,
) -> User:
    email = normalise_email(email)
    if role not in {r.value for r in Role}:
        raise AccountError("unknown_role", role=role)
    if role == Role.FORBUND and organisation is None:
        raise AccountError("organisation_required")
    if role != Role.FORBUND and organisation is not None:
        raise AccountError("organisation_not_allowed", role=role)
    check_password_rules(password)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("email_taken", email=email)
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=hash_password(password),
        organisation=organisation,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None. Unknown email and wrong password look alike."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_dummy_hash(_hash_method()), password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current or ""):
        raise AccountError("wrong_current_password")
    check_password_rules(new)
    user.password_hash = hash_password(new)
    user.session_version += 1
    db.session.flush()


def load_user(login_id: str) -> User | None:
    """Flask-Login loader: ``<id>.<session_version>``; an old version is logged out."""
    user_id, _, version = (login_id or "").partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def get_or_create_organisation(slug: str, name: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        org = Organisation(slug=slug, name=name)
        db.session.add(org)
        db.session.flush()
    return org


def create_organisation(name: str, slug: str) -> Organisation:
    """A new förbund. Refuses an empty name, a malformed slug or one already in use."""
    name = (name or "").strip()
    slug = (slug or "").strip()
    if not name:
        raise AccountError("organisation_name_required")
    if not SLUG_PATTERN.fullmatch(slug):
        raise AccountError("slug_invalid", slug=slug)
    if db.session.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None:
        raise AccountError("slug_taken", slug=slug)
    org = Organisation(slug=slug, name=name)
    db.session.add(org)
    db.session.flush()
    return org


def set_active(user: User, active: bool, actor: User) -> None:
    """Activate or deactivate a staff account. Deactivating ends all of its sessions."""
    if not active and user.id == actor.id:
        raise AccountError("cannot_deactivate_self")
    if user.active == active:
        return
    user.active = active
    if not active:
        user.session_version += 1
    db.session.flush()


def list_users() -> list[User]:
    """Every staff account, for the admin's list (organisation loaded with it)."""
    from sqlalchemy.orm import selectinload

    return list(
        db.session.scalars(
            select(User).options(selectinload(User.organisation)).order_by(User.email)
        )
    )


def list_organisations() -> list[tuple[Organisation, int]]:
    """Every organisation with its number of staff accounts, by name."""
    rows = db.session.execute(
        select(Organisation, func.count(User.id))
        .outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(Organisation.name, Organisation.slug)
    )
    return [(org, count) for org, count in rows]


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


# --- personal links -------------------------------------------------------------------


@dataclass(frozen=True)
class LinkCheck:
    """Outcome of opening a personal link: ``participant`` when ``status == "ok"``."""

    status: str  # ok | unknown | revoked | expired | erased
    participant: object | None = None


def issue_link(participant, purpose: str = "manual") -> str:
    """Give ``participant`` one more personal link; the links sent before keep working.

    Returns the clear token: it exists only in the link that is sent; only its hash is kept.
    The first link also gives the participant the key their sessions hold (``token_hash``,
    replaced by :func:`revoke_link`).
    """
    token = new_token()
    store_link(participant, token, purpose)
    return token


def store_link(participant, token: str, purpose: str) -> None:
    """Keep the hash of ``token`` as one more personal link of ``participant`` (a link made
    before its email was delivered: ``studies/mailing.py``)."""
    if participant.token_hash is None:
        participant.token_hash = hash_token(new_token())
    participant.link_issued_at = utcnow()
    participant.link_revoked_at = None
    participant_loader().add_link(participant, hash_token(token), purpose)
    db.session.flush()


def revoke_link(participant) -> None:
    """Revoke every personal link of ``participant`` and end the sessions they opened."""
    participant.link_revoked_at = utcnow()
    if participant.token_hash is not None:
        participant.token_hash = hash_token(new_token())
    participant_loader().revoke_links(participant)
    db.session.flush()


def record_visit(participant) -> None:
    """Note the first time a participant opened their link (shown as delivery status)."""
    if participant.first_visit_at is None:
        participant.first_visit_at = utcnow()
        db.session.flush()


def check_link(token: str) -> LinkCheck:
    """Resolve a personal link token to its participant, if it still admits them."""
    if not looks_like_token(token):
        return LinkCheck("unknown")
    found = participant_loader().by_token_hash(hash_token(token))
    if found is None:
        return LinkCheck("unknown")
    participant, link_revoked = found
    if participant.erased_at is not None:
        return LinkCheck("erased")
    if link_revoked or participant.link_revoked_at is not None:
        return LinkCheck("revoked")
    if participant.study.links_expired(utcnow()):
        return LinkCheck("expired")
    return LinkCheck("ok", participant)
