"""What a förbund follows up with: its imported protocols, its own questions and groups, the
waves it collects, the questionnaires and answers, register figures and narratives.

``ImportedProtocol``: a published protocol version a förbund imported (every imported version
is kept; its document is never edited). ``LocalItem``: a förbund's own supplementary question,
always marked local. ``LocalGroup``: an insats or lokusgrupp, shown to others only as its
letter (A, B, C ..., fixed at creation and never reused). ``Wave``: one collection (mätning)
for one respondent group at one time point from one imported version; draft -> open -> closed
through :data:`.lifecycle.wave_transition`. ``LongitudinalCode``: a random code a participant
carries between waves (stored only as a hash, never with a name). ``SurveyResponse``: one
questionnaire with a random respondent id; ``SurveyAnswer``: one answer per item. ``Correction``:
the log of staff corrections. ``RegisterFigure`` and ``Narrative``: aggregates and texts for
register, document and qualitative measures.

Anonymity lives in the schema: no table has an IP address, a user agent or an e-mail address
of a respondent, and a questionnaire carries only the date it was submitted (never a time).
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db
from .lifecycle import ResponseStatus, Source, WaveStatus


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ImportedProtocol(db.Model):
    __tablename__ = "imported_protocol"
    __table_args__ = (UniqueConstraint("organisation_id", "protocol_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    protocol_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict] = mapped_column(JSON)
    checksum: Mapped[str] = mapped_column(String(71))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(Text, default="")

    local_items: Mapped[list["LocalItem"]] = relationship(
        back_populates="imported", order_by="LocalItem.id", cascade="all, delete-orphan"
    )


class LocalItem(db.Model):
    """A förbund's own question added to an imported protocol (never part of the protocol)."""

    __tablename__ = "local_item"
    __table_args__ = (UniqueConstraint("imported_protocol_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    imported_protocol_id: Mapped[int] = mapped_column(
        ForeignKey("imported_protocol.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    #: an item type of the protocol format (text, choice, integer ...)
    item_type: Mapped[str] = mapped_column(String(20), default="text", server_default="text")
    #: the protocol indicator (its id in the document) this item supplements, if any
    indicator: Mapped[str | None] = mapped_column(String(64))
    #: the options of a ``choice`` or ``multi-choice`` question, in order (a list of texts)
    options: Mapped[list | None] = mapped_column(JSON)
    local: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    imported: Mapped[ImportedProtocol] = relationship(back_populates="local_items")


class LocalGroup(db.Model):
    """An insats or lokusgrupp of a förbund. Its letter is given at creation (the next one not
    used by the förbund) and never changes or returns: reports show only the letter."""

    __tablename__ = "local_group"
    __table_args__ = (
        UniqueConstraint("organisation_id", "letter"),
        UniqueConstraint("organisation_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    letter: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


wave_local_group = Table(
    "wave_local_group",
    db.metadata,
    Column("wave_id", ForeignKey("wave.id", ondelete="CASCADE"), primary_key=True),
    Column("local_group_id", ForeignKey("local_group.id", ondelete="CASCADE"), primary_key=True),
)


class Wave(db.Model):
    """One collection (mätning): a respondent group of an imported protocol version at one time
    point, either an event-relative point of a schedule (``schedule_id`` + ``timepoint``, e.g.
    ``P6M``) or a calendar period (``period``, e.g. "oktober 2026")."""

    __tablename__ = "wave"
    __table_args__ = (
        CheckConstraint(_in("status", tuple(s.value for s in WaveStatus)), name="status_known"),
        CheckConstraint("closes_on >= opens_on", name="closes_after_opening"),
        CheckConstraint(
            "(schedule_id IS NOT NULL AND timepoint IS NOT NULL) OR period IS NOT NULL",
            name="time_point_given",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    imported_protocol_id: Mapped[int] = mapped_column(
        ForeignKey("imported_protocol.id", ondelete="CASCADE"), index=True
    )
    #: an id of the protocol's ``respondentGroups``
    respondent_group: Mapped[str] = mapped_column(String(64))
    #: a schedule of the protocol (``schedules[].id``) and its timepoint offset (``P6M``)
    schedule_id: Mapped[str | None] = mapped_column(String(64))
    timepoint: Mapped[str | None] = mapped_column(String(32))
    #: a calendar period label ("oktober 2026"), shown as the wave's time point when given
    period: Mapped[str | None] = mapped_column(String(100))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=WaveStatus.DRAFT.value)
    #: SHA-256 of the open link's token (the token itself is never stored)
    open_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    imported: Mapped[ImportedProtocol] = relationship()
    local_groups: Mapped[list[LocalGroup]] = relationship(
        secondary=wave_local_group, order_by=LocalGroup.letter
    )


class LongitudinalCode(db.Model):
    """A random code for one participant of a cohort, stored only as its hash. Which waves it
    has answered follows from its responses (one per wave)."""

    __tablename__ = "longitudinal_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the cohort's label, e.g. "Inskrivna hösten 2026"
    cohort: Mapped[str] = mapped_column(String(200), default="")
    #: the wave the codes were printed for, if any
    first_wave_id: Mapped[int | None] = mapped_column(
        ForeignKey("wave.id", ondelete="SET NULL"), index=True
    )
    created_on: Mapped[date] = mapped_column(Date)


class SurveyResponse(db.Model):
    """One questionnaire. ``respondent_id`` is random (never sequential); the only time kept is
    the date it was submitted. No IP address, user agent or e-mail address, ever."""

    __tablename__ = "survey_response"
    __table_args__ = (
        UniqueConstraint("wave_id", "longitudinal_code_id"),
        CheckConstraint(_in("status", tuple(s.value for s in ResponseStatus)), name="status_known"),
        CheckConstraint(_in("source", tuple(s.value for s in Source)), name="source_known"),
        CheckConstraint(
            "(status = 'submitted') = (submitted_on IS NOT NULL)", name="submitted_has_date"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    respondent_id: Mapped[str] = mapped_column(String(32), unique=True)
    source: Mapped[str] = mapped_column(String(10), default=Source.WEB.value)
    status: Mapped[str] = mapped_column(String(10), default=ResponseStatus.DRAFT.value)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    longitudinal_code_id: Mapped[int | None] = mapped_column(
        ForeignKey("longitudinal_code.id", ondelete="SET NULL"), index=True
    )
    #: background answers: a code of the protocol's kön codelist (or "vill inte ange") and the
    #: local group among the wave's groups
    gender: Mapped[str | None] = mapped_column(String(32))
    local_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("local_group.id", ondelete="SET NULL"), index=True
    )
    #: SHA-256 of the token in the respondent's cookie that resumes this questionnaire
    resume_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: the next section to show when resumed (0-based)
    section: Mapped[int] = mapped_column(default=0)

    wave: Mapped[Wave] = relationship()
    longitudinal_code: Mapped[LongitudinalCode | None] = relationship()
    local_group: Mapped[LocalGroup | None] = relationship()
    answers: Mapped[list["SurveyAnswer"]] = relationship(
        back_populates="response",
        order_by=lambda: SurveyAnswer.id,
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class SurveyAnswer(db.Model):
    """One answer: the value as text (and as a number when it is one) or a missing-value code
    of the scale (e.g. "vet inte")."""

    __tablename__ = "survey_answer"
    __table_args__ = (
        UniqueConstraint("response_id", "item_id"),
        CheckConstraint("value IS NOT NULL OR missing IS NOT NULL", name="value_or_missing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(Text)
    number: Mapped[float | None] = mapped_column(Float)
    missing: Mapped[str | None] = mapped_column(String(64))

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")


class Correction(db.Model):
    """A logged staff correction of a questionnaire typed from paper or imported: which answer,
    who, why, the value before and after (``None`` for a created or deleted answer).

    The log outlives the questionnaire: it keeps the wave and the questionnaire's random
    respondent id, and its link to the questionnaire becomes empty when the questionnaire is
    deleted (the deletion itself is the last entry, with ``item_id`` empty)."""

    __tablename__ = "correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_response.id", ondelete="SET NULL"), index=True
    )
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id", ondelete="CASCADE"), index=True)
    respondent_id: Mapped[str] = mapped_column(String(32), index=True)
    #: the item corrected, or none for the questionnaire as a whole (e.g. deleted)
    item_id: Mapped[str | None] = mapped_column(String(64))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RegisterFigure(db.Model):
    """An aggregate for a register or document measure: per period, local group (or all) and
    disaggregation code (``""`` when not broken down; the codelist's total code for the total),
    either a numerator (with a denominator when it is a share) or a value."""

    __tablename__ = "register_figure"
    __table_args__ = (
        Index(
            "uq_register_figure_group",
            "imported_protocol_id",
            "measure_id",
            "period",
            "local_group_id",
            "disaggregation",
            "code",
            unique=True,
            sqlite_where=sql_text("local_group_id IS NOT NULL"),
            postgresql_where=sql_text("local_group_id IS NOT NULL"),
        ),
        Index(
            "uq_register_figure_all",
            "imported_protocol_id",
            "measure_id",
            "period",
            "disaggregation",
            "code",
            unique=True,
            sqlite_where=sql_text("local_group_id IS NULL"),
            postgresql_where=sql_text("local_group_id IS NULL"),
        ),
        CheckConstraint("numerator IS NOT NULL OR value IS NOT NULL", name="figure_given"),
        CheckConstraint(
            "denominator IS NULL OR numerator IS NOT NULL", name="denominator_with_numerator"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    imported_protocol_id: Mapped[int] = mapped_column(
        ForeignKey("imported_protocol.id", ondelete="CASCADE"), index=True
    )
    measure_id: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(100))
    local_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("local_group.id", ondelete="CASCADE"), index=True
    )
    #: the codelist broken down by (e.g. "kon"), ``""`` when not broken down
    disaggregation: Mapped[str] = mapped_column(String(64), default="", server_default="")
    #: the code in that codelist (e.g. "K", "M" or the total code), ``""`` when not broken down
    code: Mapped[str] = mapped_column(String(64), default="", server_default="")
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    local_group: Mapped[LocalGroup | None] = relationship()


class Narrative(db.Model):
    """The narrative of a qualitative measure for one period."""

    __tablename__ = "narrative"
    __table_args__ = (UniqueConstraint("imported_protocol_id", "measure_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    imported_protocol_id: Mapped[int] = mapped_column(
        ForeignKey("imported_protocol.id", ondelete="CASCADE"), index=True
    )
    measure_id: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class FreeTextReview(db.Model):
    """A staff decision on a free-text answer that looks like it names someone (a name, an
    e-mail address, a phone number): approved to be shown, or hidden. A flagged answer without
    a review is pending and not shown."""

    __tablename__ = "free_text_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("survey_answer.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(10))
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- national: aggregate reports received by the protocol's owner ---


class NationalShare(db.Model):
    """An aggregate report of one förbund's wave, received by the owner of the protocol
    (:mod:`..national`). One row per protocol, sender, period and respondent group: a newer
    report from the same förbund for the same wave replaces the older one. ``sender`` is the
    report's pseudonymous key; ``name`` is kept only when the förbund agreed to be named, and
    ``number`` is its "Förbund N" (given at its first share of the protocol, kept after).
    ``organisation_id`` is set when the förbund shared on this platform (so it finds its own
    value); the report itself holds only cell figures, never a respondent row."""

    __tablename__ = "national_share"
    __table_args__ = (
        UniqueConstraint("protocol_id", "sender", "period_key", "respondent_group"),
        UniqueConstraint("protocol_id", "number", "period_key", "respondent_group"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    protocol_id: Mapped[str] = mapped_column(String(64), index=True)
    protocol_version: Mapped[str] = mapped_column(String(64))
    sender: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column()
    named: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str | None] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    period_key: Mapped[str] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column()
    respondent_group: Mapped[str] = mapped_column(String(64))
    checksum: Mapped[str] = mapped_column(String(71))
    report: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
