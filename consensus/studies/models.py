"""A study, its stakeholder groups, its candidate indicator pool and its panel."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db
from .importing import INDICATOR_TYPES, LEVELS, PERSPECTIVES  # noqa: F401  (the stored codes)
from .lifecycle import Phase


class Study(db.Model):
    __tablename__ = "study"
    __table_args__ = (
        CheckConstraint("phase IN ('setup', 'running', 'archived')", name="phase_known"),
        CheckConstraint("min_group_size >= 1", name="min_group_size_positive"),
        CheckConstraint("min_ratings >= 1", name="min_ratings_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    # Shown to a panelist on the first visit; acceptance is recorded (consent_at).
    info_text: Mapped[str] = mapped_column(Text, default="")
    phase: Mapped[str] = mapped_column(String(20), default=Phase.SETUP.value)

    # A-priori settings (delphi-method.md); locked once round 1 opens.
    scale: Mapped[str] = mapped_column(String(20), default="rating_1_9")
    primary_rule: Mapped[str] = mapped_column(String(50), default="comet_70_15")
    rule_params: Mapped[dict] = mapped_column(JSON, default=dict)
    # What the COS-STAR/ACCORD report needs besides the data (rounds/report_checklist.py
    # REPORT_FIELDS: background, scope, steering group, recruitment, ethics, funding, ...).
    report_texts: Mapped[dict | None] = mapped_column(JSON)
    min_group_size: Mapped[int] = mapped_column(default=5)
    # An indicator rated by fewer panelists is undecided under every rule (issue 15).
    min_ratings: Mapped[int] = mapped_column(default=5, server_default="5")
    target_core_size: Mapped[int | None] = mapped_column(default=15)
    invitation_policy: Mapped[str] = mapped_column(String(30), default="all_every_round")
    ask_reason_on_band_cross: Mapped[bool] = mapped_column(default=False)

    # Workshop join code for the consensus conference (short URL + QR code).
    join_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    # Personal links stop working at this time (and whenever the study is archived).
    links_expire_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The study's emails ask for answers to this address ("Svar till", Reply-To).
    reply_to: Mapped[str | None] = mapped_column(String(254))
    # The study's own email texts: {kind: {language: {"subject": ..., "body": ...}}}
    # (``mail_texts.py``); a kind or language without one uses the built-in text.
    mail_texts: Mapped[dict | None] = mapped_column(JSON)

    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    groups: Mapped[list["StakeholderGroup"]] = relationship(
        back_populates="study", order_by="StakeholderGroup.position", cascade="all, delete-orphan"
    )
    indicators: Mapped[list["Indicator"]] = relationship(
        back_populates="study", order_by="Indicator.position", cascade="all, delete-orphan"
    )
    participants: Mapped[list["Participant"]] = relationship(
        back_populates="study", cascade="all, delete-orphan"
    )

    def links_expired(self, now: datetime) -> bool:
        return links_expired(self.phase, self.links_expire_at, now)


def links_expired(phase: str, links_expire_at: datetime | None, now: datetime) -> bool:
    """Whether a study's personal links no longer open it: archived, or past their expiry
    (:meth:`Study.links_expired`; also read from a row by the ballot's save)."""
    if phase == Phase.ARCHIVED:
        return True
    return links_expire_at is not None and now >= links_expire_at


class StakeholderGroup(db.Model):
    """An intressentgrupp: politiker, chefer, medarbetare, deltagare, forskare ..."""

    __tablename__ = "stakeholder_group"
    __table_args__ = (UniqueConstraint("study_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    study: Mapped[Study] = relationship(back_populates="groups")


class Indicator(db.Model):
    """A candidate indicator in the study's pool."""

    __tablename__ = "indicator"
    __table_args__ = (
        UniqueConstraint("study_id", "code"),
        CheckConstraint(
            "perspective IN ('deltagare', 'medarbetare', 'organisation', 'samhälle')",
            name="perspective_known",
        ),
        CheckConstraint("type IN ('process', 'effect')", name="type_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    # Optional English texts: English pages and the protocol's ``en`` fields use them; without
    # them the Swedish text is shown, marked ``lang="sv"`` (issue 16).
    title_en: Mapped[str | None] = mapped_column(String(300))
    description_en: Mapped[str | None] = mapped_column(Text)
    perspective: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    study: Mapped[Study] = relationship(back_populates="indicators")


class Participant(db.Model):
    """A panelist (Delphi) or an expert (measures survey), reached by a personal link.

    Results and exports identify a participant only by ``pseudonym``. ``name`` and ``email``
    can be erased; the answers stay, tied to the pseudonym.
    """

    __tablename__ = "participant"
    __table_args__ = (
        UniqueConstraint("study_id", "pseudonym"),
        UniqueConstraint("study_id", "email"),
        CheckConstraint("kind IN ('panelist', 'expert')", name="kind_known"),
        CheckConstraint("level IN ('lokal', 'nationell')", name="level_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="panelist")
    pseudonym: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder_group.id", ondelete="RESTRICT"), index=True
    )
    organisation: Mapped[str] = mapped_column(String(200), default="")
    level: Mapped[str] = mapped_column(String(10), default="lokal")
    joined_via: Mapped[str] = mapped_column(String(20), default="invitation")

    # The personal links themselves are rows of ``personal_link`` (each one sent stays valid).
    # ``token_hash`` is the key a browser session opened by any of them holds: a random hash,
    # given with the first link and replaced when the projektledare revokes the links, which
    # ends every session. ``link_issued_at``: the newest link; ``link_revoked_at``: the links
    # were revoked then (and none issued since).
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    link_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    link_revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Named in the participant's session cookie; bumped when they log out (or are erased),
    # which ends every session opened before, also copies of the cookie.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # The language of the participant's emails: from the panel file or the language they
    # last used on their pages (sv | en).
    language: Mapped[str] = mapped_column(String(5), default="sv", server_default="sv")

    # Invitation delivery: unsent | sent | failed (with the reason).
    invitation_status: Mapped[str] = mapped_column(String(10), default="unsent")
    invitation_error: Mapped[str | None] = mapped_column(String(500))
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    study: Mapped[Study] = relationship(back_populates="participants")
    group: Mapped[StakeholderGroup | None] = relationship()


class StudyMember(db.Model):
    """A staff user who works on a study. ``owner`` (the creator) and ``projektledare`` lead
    it, a ``facilitator`` runs its workshop pages; an admin works on every study without
    being a member (``studies.views.study_loader.may_work_on``)."""

    __tablename__ = "study_member"
    __table_args__ = (
        UniqueConstraint("study_id", "user_id"),
        CheckConstraint("role IN ('owner', 'projektledare', 'facilitator')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PersonalLink(db.Model):
    """One personal link sent to a participant. Only the SHA-256 of its token is stored.

    A link stays valid until the projektledare revokes the participant's links, the
    participant is erased or the study's links expire (archived, or past ``links_expire_at``).
    """

    __tablename__ = "personal_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Why it was made: invitation | round | reminder | manual | workshop | lost | import
    purpose: Mapped[str] = mapped_column(String(20), default="manual")
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProtocolDeviation(db.Model):
    """A change to an a-priori setting after the study started, with its reason."""

    __tablename__ = "protocol_deviation"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    setting: Mapped[str] = mapped_column(String(50))
    old_value: Mapped[str] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PendingUpload(db.Model):
    """An uploaded file between its preview and its confirmation (no state in a process)."""

    __tablename__ = "pending_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # indicators | panel | ballots | measures
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(db.Model):
    """Who did what, when, to which study: every decision stays traceable."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int | None] = mapped_column(
        ForeignKey("study.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(50))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
