"""The measures survey: proposals of measures per core indicator, and their review.

A study has at most one survey. It covers a set of indicators (by default the core set that
the final round confirmed), lists the local workshops that precede it, and collects
proposals from respondents: invited experts (a ``Participant`` of kind "expert" reached by a
personal link) and people who came through the open link. The review merges proposals into
canonical measures that keep their lineage (``CanonicalSource``), accepts or rejects them and
marks at most one recommended measure per indicator (a partial unique index).

The survey moves draft -> open -> closed only through ``consensus.measures.lifecycle``.
"""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db
from ..studies.models import Indicator, Participant, Study
from .codelists import KINDS, METHODS
from .lifecycle import MeasureStatus, ProposalStatus, Status
from .targets import DIRECTIONS

WORKSHOP_KINDS = ("workshop", "webinar")
RESPONDENT_VIAS = ("invited", "open_link", "paper")
LEVELS = ("lokal", "nationell")
PROPOSAL_STATUSES = tuple(s.value for s in ProposalStatus)
CANONICAL_STATUSES = tuple(s.value for s in MeasureStatus)
RATING_DIMENSIONS = ("relevance", "feasibility")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class MeasureSurvey(db.Model):
    __tablename__ = "measure_survey"
    __table_args__ = (
        CheckConstraint(_in("status", tuple(s.value for s in Status)), name="status_known"),
        CheckConstraint("rating_status IN ('none', 'open', 'closed')", name="rating_status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), unique=True)
    intro_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=Status.DRAFT.value)
    # The optional expert rating of the candidate measures (lifecycle.rating_transition).
    rating_status: Mapped[str] = mapped_column(String(10), default="none", server_default="none")
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # as announced
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # closes itself when due
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The open link: only the SHA-256 of its token is stored (None: no open link).
    open_link_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    study: Mapped[Study] = relationship()
    indicators: Mapped[list["SurveyIndicator"]] = relationship(
        back_populates="survey", order_by="SurveyIndicator.position", cascade="all, delete-orphan"
    )
    workshops: Mapped[list["Workshop"]] = relationship(
        back_populates="survey", order_by="Workshop.date", cascade="all, delete-orphan"
    )


class SurveyIndicator(db.Model):
    """An indicator the survey asks measures for."""

    __tablename__ = "survey_indicator"
    __table_args__ = (UniqueConstraint("survey_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("measure_survey.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)

    survey: Mapped[MeasureSurvey] = relationship(back_populates="indicators")
    indicator: Mapped[Indicator] = relationship()


class Workshop(db.Model):
    """A local workshop or web seminar before the survey, listed on its start page."""

    __tablename__ = "measure_workshop"
    __table_args__ = (CheckConstraint(_in("kind", WORKSHOP_KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("measure_survey.id", ondelete="CASCADE"), index=True
    )
    date: Mapped[date] = mapped_column(Date)
    time_text: Mapped[str] = mapped_column(String(100), default="")  # "kl. 13.00", "e.m."
    place: Mapped[str] = mapped_column(String(200), default="")
    area: Mapped[str] = mapped_column(String(200), default="")
    contact_person: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(10), default="workshop")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    survey: Mapped[MeasureSurvey] = relationship(back_populates="workshops")


class Respondent(db.Model):
    """Someone answering the survey: an invited expert or someone who used the open link.

    Exports and the review show only ``pseudonym``, ``level`` and ``organisation_type``.
    An open-link respondent comes back through their own link (``token_hash``); an invited
    expert through the participant's personal link.
    """

    __tablename__ = "respondent"
    __table_args__ = (
        UniqueConstraint("survey_id", "pseudonym"),
        CheckConstraint(_in("level", LEVELS), name="level_known"),
        CheckConstraint(_in("via", RESPONDENT_VIAS), name="via_known"),
        CheckConstraint(
            "(via = 'invited') = (participant_id IS NOT NULL)", name="participant_when_invited"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("measure_survey.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), unique=True
    )
    pseudonym: Mapped[str] = mapped_column(String(20))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    organisation_type: Mapped[str] = mapped_column(String(50), default="")
    level: Mapped[str] = mapped_column(String(10), default="lokal")
    role: Mapped[str] = mapped_column(String(200), default="")
    via: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    survey: Mapped[MeasureSurvey] = relationship()
    participant: Mapped[Participant | None] = relationship()


class Proposal(db.Model):
    """One proposed measure for one indicator (a draft until its respondent submits)."""

    __tablename__ = "proposal"
    __table_args__ = (
        CheckConstraint(f"kind IS NULL OR {_in('kind', tuple(KINDS))}", name="kind_known"),
        CheckConstraint(f"method IS NULL OR {_in('method', tuple(METHODS))}", name="method_known"),
        CheckConstraint(_in("status", PROPOSAL_STATUSES), name="status_known"),
        Index("ix_proposal_indicator_status", "indicator_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondent.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str | None] = mapped_column(String(20))
    method: Mapped[str | None] = mapped_column(String(20))
    data_source: Mapped[str] = mapped_column(String(500), default="")
    respondent_group: Mapped[str] = mapped_column(String(20), default="")
    frequency: Mapped[list] = mapped_column(JSON, default=list)  # schedule codes: P0D, P6M ...
    unit: Mapped[str] = mapped_column(String(100), default="")
    numerator: Mapped[str] = mapped_column(Text, default="")
    denominator: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=ProposalStatus.DRAFT.value)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    respondent: Mapped[Respondent] = relationship()
    indicator: Mapped[Indicator] = relationship()
    combinations: Mapped[list["ProposalCombination"]] = relationship(
        foreign_keys="ProposalCombination.proposal_id", cascade="all, delete-orphan"
    )


class ProposalCombination(db.Model):
    """A proposal that combines another proposal of the same indicator, and how."""

    __tablename__ = "proposal_combination"
    __table_args__ = (
        UniqueConstraint("proposal_id", "combined_id"),
        CheckConstraint("proposal_id <> combined_id", name="not_itself"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    combined_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    how: Mapped[str] = mapped_column(Text, default="")


class IndicatorComment(db.Model):
    """A respondent's comment on an indicator (one per respondent and indicator)."""

    __tablename__ = "indicator_comment"
    __table_args__ = (UniqueConstraint("respondent_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CanonicalMeasure(db.Model):
    """A measure as the review words it, merged from one or more proposals.

    ``recommended``: the one measure per indicator the experts agree on (COSMIN/COMET); at most
    one per indicator (a partial unique index) and only an accepted one.
    """

    __tablename__ = "canonical_measure"
    __table_args__ = (
        CheckConstraint(_in("status", CANONICAL_STATUSES), name="status_known"),
        CheckConstraint(f"kind IS NULL OR {_in('kind', tuple(KINDS))}", name="kind_known"),
        CheckConstraint(f"method IS NULL OR {_in('method', tuple(METHODS))}", name="method_known"),
        CheckConstraint("NOT recommended OR status = 'accepted'", name="recommended_when_accepted"),
        CheckConstraint(
            f"direction IS NULL OR {_in('direction', tuple(DIRECTIONS))}", name="direction_known"
        ),
        CheckConstraint(
            "target_near_margin IS NULL OR (target_near_margin >= 0 AND target_value IS NOT NULL)",
            name="near_margin_with_target",
        ),
        Index(
            "ix_canonical_measure_one_recommended",
            "indicator_id",
            unique=True,
            sqlite_where=text("recommended"),
            postgresql_where=text("recommended"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("measure_survey.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Optional English texts (English pages, the protocol's ``en`` fields).
    name_en: Mapped[str | None] = mapped_column(String(200))
    description_en: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(20))
    method: Mapped[str | None] = mapped_column(String(20))
    data_source: Mapped[str] = mapped_column(String(500), default="")
    respondent_group: Mapped[str] = mapped_column(String(20), default="")
    frequency: Mapped[list] = mapped_column(JSON, default=list)
    unit: Mapped[str] = mapped_column(String(100), default="")
    numerator: Mapped[str] = mapped_column(Text, default="")
    denominator: Mapped[str] = mapped_column(Text, default="")
    #: a survey measure's questions, in order: statements answered on the agreement scale 1-5
    #: (they become the protocol's items, ids ``M<id>-F1``, ``M<id>-F2`` ...)
    questions: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    #: what follow-up judges the measure against (``targets.check_target``): the target value,
    #: the near margin on the side the measure comes from, and which way is better
    target_value: Mapped[float | None] = mapped_column(Float)
    target_near_margin: Mapped[float | None] = mapped_column(Float)
    direction: Mapped[str | None] = mapped_column(String(10))
    #: ids of the study's codelists the measure is broken down by (``StudyCodelist.code``, or
    #: a default such as ``kon``)
    disaggregations: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    status: Mapped[str] = mapped_column(String(10), default=MeasureStatus.CANDIDATE.value)
    reason: Mapped[str] = mapped_column(Text, default="")
    recommended: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    indicator: Mapped[Indicator] = relationship()
    sources: Mapped[list["CanonicalSource"]] = relationship(
        back_populates="canonical", cascade="all, delete-orphan"
    )


class StudyCodelist(db.Model):
    """A codelist the study's measures may be broken down by (SDMX style, with a total code
    that is not one of its codes; checked by ``targets.check_codelist``). The default kön
    (``targets.KON``) needs no row; a row with its id replaces it."""

    __tablename__ = "study_codelist"
    __table_args__ = (UniqueConstraint("study_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))  # the protocol's codelist id
    name: Mapped[str] = mapped_column(String(200))
    total_code: Mapped[str] = mapped_column(String(64))
    total_label: Mapped[str] = mapped_column(String(200))
    #: [{"code": "K", "label": "Kvinna"}, ...] in order
    codes: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def as_dict(self) -> dict:
        return {
            "id": self.code,
            "name": self.name,
            "total": {"code": self.total_code, "label": self.total_label},
            "codes": [dict(c) for c in self.codes or []],
        }


class CanonicalSource(db.Model):
    """Lineage: a proposal a canonical measure came from (many-to-many)."""

    __tablename__ = "canonical_source"
    __table_args__ = (UniqueConstraint("canonical_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    canonical_id: Mapped[int] = mapped_column(
        ForeignKey("canonical_measure.id", ondelete="CASCADE")
    )
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )

    canonical: Mapped[CanonicalMeasure] = relationship(back_populates="sources")
    proposal: Mapped[Proposal] = relationship()


class MeasureRating(db.Model):
    """An appointed expert's rating (1-9) of a canonical measure on one dimension.

    ``value`` NULL with ``unable``: "kan ej bedöma". Statistics reuse the rounds engine
    (``services.rate_measures_stats``).
    """

    __tablename__ = "measure_rating"
    __table_args__ = (
        UniqueConstraint("canonical_id", "participant_id", "dimension"),
        CheckConstraint(_in("dimension", RATING_DIMENSIONS), name="dimension_known"),
        CheckConstraint("value IS NULL OR (value >= 1 AND value <= 9)", name="value_1_9"),
        CheckConstraint("NOT (unable AND value IS NOT NULL)", name="unable_without_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    canonical_id: Mapped[int] = mapped_column(
        ForeignKey("canonical_measure.id", ondelete="CASCADE")
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    dimension: Mapped[str] = mapped_column(String(12))
    value: Mapped[int | None]
    unable: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
