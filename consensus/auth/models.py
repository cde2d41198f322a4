"""Staff accounts and the organisations (förbund) they belong to."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db
from .roles import Role


class Organisation(db.Model):
    """A förbund (samordningsförbund) or another organisation using the follow-up."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'projektledare', 'facilitator', 'forbund')", name="role_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped when the password changes or the account is disabled: ends every session.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: id plus version, so old sessions die
        return f"{self.id}.{self.session_version}"

    def has_role(self, *roles: str | Role) -> bool:
        return self.role == Role.ADMIN or self.role in {str(r) for r in roles}


class StaffSession(db.Model):
    """One signed-in browser of a staff user: the session cookie names it by a random key,
    stored here only as its SHA-256. Logging out deletes the row, so a copy of the cookie
    stops working at once on every app process; deactivation and "log out everywhere"
    delete all rows of the user."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ThrottleEvent(db.Model):
    """A counted attempt (a failed login by address and by account, a workshop join by
    address), shared by every app process through the database. ``key`` is a SHA-256 of the
    address or the email: no typed address or email is kept. Rows older than a day go."""

    __tablename__ = "throttle_event"
    __table_args__ = (Index("ix_throttle_event_kind_key_at", "kind", "key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
