"""Reads and writes for accounts and personal links. Services flush; callers commit."""

import functools
import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, session
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..dbtypes import utcnow
from ..extensions import db
from ..messages import Gettext, swedish
from . import throttle
from .access import participant_loader
from .messages import ERRORS
from .models import Organisation, StaffSession, ThrottleEvent, User
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
    end_staff_sessions(user, keep=session.get(SESSION_STAFF))
    db.session.flush()


# --- staff sessions ------------------------------------------------------------------------
#
# The session cookie is signed but lives in the browser: a copy of it would stay valid until
# it expires. So each sign-in is also a row (``StaffSession``) that the cookie names by a
# random key, and the user loader admits a cookie only while its row exists: logging out,
# deactivation and "log out everywhere" delete rows and take effect at once on every process.
# The check is folded into the loader's one query (the user joined with the session row).

SESSION_STAFF = "staff_session"
# A sign-in older than this is forgotten when the user next signs in (the cookie itself
# expires after PERMANENT_SESSION_LIFETIME without use).
STAFF_SESSION_PURGE_AFTER = timedelta(days=30)


def start_staff_session(user: User) -> str:
    """A new server-side session for ``user``; returns the key for the session cookie."""
    key = new_token()
    db.session.execute(
        delete(StaffSession).where(
            StaffSession.user_id == user.id,
            StaffSession.created_at < utcnow() - STAFF_SESSION_PURGE_AFTER,
        )
    )
    db.session.add(StaffSession(key_hash=hash_token(key), user_id=user.id))
    db.session.flush()
    return key


def end_staff_session(key: str | None) -> None:
    """End the session ``key`` names (logging out): its cookie, and every copy, stop working."""
    if isinstance(key, str) and key:
        db.session.execute(delete(StaffSession).where(StaffSession.key_hash == hash_token(key)))
        db.session.flush()


def end_staff_sessions(user: User, *, keep: str | None = None) -> int:
    """End every session of ``user`` (but the one ``keep`` names); returns how many ended."""
    statement = delete(StaffSession).where(StaffSession.user_id == user.id)
    if isinstance(keep, str) and keep:
        statement = statement.where(StaffSession.key_hash != hash_token(keep))
    ended = db.session.execute(statement).rowcount or 0
    db.session.flush()
    return ended


def load_user(login_id: str) -> User | None:
    """Flask-Login loader: ``<id>.<session_version>`` and the session's key, in one query;
    an old version, or a session that was ended, is logged out."""
    user_id, _, version = (login_id or "").partition(".")
    key = session.get(SESSION_STAFF)
    if not (user_id.isdigit() and version.isdigit() and isinstance(key, str) and key):
        return None
    user = db.session.scalar(
        select(User)
        .join(StaffSession, StaffSession.user_id == User.id)
        .where(User.id == int(user_id), StaffSession.key_hash == hash_token(key))
    )
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
        end_staff_sessions(user)
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


# --- throttling (the rule: auth/throttle.py) ------------------------------------------------
#
# Counted in the database, so that every app process (and every worker) shares the count.
# Only the SHA-256 of an address or an email is stored; rows older than a day are removed as
# new ones come.

THROTTLE_KEEP = timedelta(days=1)


def throttle_key(text: str) -> str:
    return hashlib.sha256((text or "").encode("utf-8", "replace")).hexdigest()


def _attempt_times(kind: str, key: str, window: timedelta) -> list:
    return list(
        db.session.scalars(
            select(ThrottleEvent.created_at).where(
                ThrottleEvent.kind == kind,
                ThrottleEvent.key == key,
                ThrottleEvent.created_at > utcnow() - window,
            )
        )
    )


def record_attempt(kind: str, text: str) -> None:
    """Count one attempt of ``kind`` by ``text`` (an address or an email)."""
    db.session.execute(
        delete(ThrottleEvent).where(ThrottleEvent.created_at < utcnow() - THROTTLE_KEEP)
    )
    db.session.add(ThrottleEvent(kind=kind, key=throttle_key(text), created_at=utcnow()))
    db.session.flush()


def login_rule() -> throttle.LoginRule:
    config = current_app.config
    window = timedelta(seconds=int(config["LOGIN_FAILURE_WINDOW_SECONDS"]))
    return throttle.LoginRule(
        address=throttle.Limit(int(config["LOGIN_FAILURES_PER_ADDRESS"]), window),
        account=throttle.Delay(
            free=int(config["LOGIN_ACCOUNT_FREE_FAILURES"]),
            window=window,
            step=timedelta(seconds=int(config["LOGIN_ACCOUNT_DELAY_SECONDS"])),
            cap=timedelta(seconds=int(config["LOGIN_ACCOUNT_DELAY_CAP_SECONDS"])),
        ),
    )


def login_wait(email: str, address: str, *, known_device: bool = False) -> int:
    """Seconds before a login for ``email`` from ``address`` may be evaluated (0: now)."""
    rule = login_rule()
    return throttle.login_wait(
        _attempt_times("login_address", throttle_key(address), rule.address.window),
        _attempt_times("login_account", throttle_key(normalise_email(email)), rule.account.window),
        utcnow(),
        rule,
        known_device=known_device,
    )


def record_login_failure(email: str, address: str) -> None:
    record_attempt("login_address", address)
    record_attempt("login_account", normalise_email(email))


def attempts_wait(kind: str, text: str, limit: throttle.Limit) -> int:
    """Seconds before one more attempt of ``kind`` by ``text`` may go ahead (0: now)."""
    return throttle.limit_wait(
        _attempt_times(kind, throttle_key(text), limit.window), utcnow(), limit
    )


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
