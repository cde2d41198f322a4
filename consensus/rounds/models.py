"""Delphi rounds: the ballot of each round, the answers, the cached results and the decisions.

A round belongs to a study and moves draft -> open -> closed only through
``consensus.rounds.lifecycle.transition`` (applied by ``services``). Round 1 holds the study's
pool; a later round holds what the previous round carried over (``ItemDecision``), with the
indicators created by merging or splitting (``IndicatorLineage``) in place of their sources.

Integrity lives in the database: one answer per (round, participant, indicator), one result
document and one decision per item and round, unique round numbers per study.
"""

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db
from ..studies.models import Indicator, Study
from .lifecycle import Status

METHODS = ("rating", "approval", "ranking")
RULE_DECISIONS = ("in", "out", "undecided")
# What happens to an item after its round (ItemDecision.decision):
#   carry      goes on to the next round          (not the final round)
#   drop       sorted out                         (not the final round)
#   core       in the core set                    (the final round)
#   excluded   not in the core set                (the final round)
#   unresolved tied at the core-set cut: waits for a recorded decision (the final round)
DECISIONS = ("carry", "drop", "core", "excluded", "unresolved")
LINEAGE_KINDS = ("reword", "merge", "split")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Round(db.Model):
    __tablename__ = "round"
    __table_args__ = (
        UniqueConstraint("study_id", "number"),
        CheckConstraint(_in("method", METHODS), name="method_known"),
        CheckConstraint(_in("status", tuple(s.value for s in Status)), name="status_known"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(
            "(method = 'approval' AND max_selections IS NOT NULL AND max_selections >= 1)"
            " OR (method <> 'approval' AND max_selections IS NULL)",
            name="max_selections_for_approval",
        ),
        CheckConstraint(
            "top_m IS NULL OR (method = 'ranking' AND top_m >= 1)", name="top_m_for_ranking"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("study.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    method: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=Status.DRAFT.value)
    # Approval: at most K selections per panelist. Ranking: rank only the top M (None: all).
    max_selections: Mapped[int | None]
    top_m: Mapped[int | None]
    # Approval and ranking: the a-priori rule that decides the round (rounds/round_rule.py),
    # chosen at creation and fixed once the round opens; None: the method's default rule.
    rule: Mapped[str | None] = mapped_column(String(50))
    rule_params: Mapped[dict | None] = mapped_column(JSON)
    # The final round selects the core set (at the study's target_core_size).
    is_final: Mapped[bool] = mapped_column(default=False)

    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # scheduled
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # scheduled; closes itself
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The projektledare confirmed what carries over (or the core set): the next round may open.
    decisions_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decisions_confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    study: Mapped[Study] = relationship()
    items: Mapped[list["RoundItem"]] = relationship(
        back_populates="round", order_by="RoundItem.position", cascade="all, delete-orphan"
    )


class RoundItem(db.Model):
    """An indicator on a round's ballot."""

    __tablename__ = "round_item"
    __table_args__ = (UniqueConstraint("round_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)

    round: Mapped[Round] = relationship(back_populates="items")
    indicator: Mapped[Indicator] = relationship()


class Answer(db.Model):
    """One panelist's answer to one indicator in one round (written only as an upsert).

    Rating: ``value`` 1-9, or ``unable`` ("kan ej bedöma") with ``value`` NULL. Approval:
    ``value`` 1 = selected; a deselected indicator keeps its row with ``value`` NULL (and its
    comment). Ranking: ``value`` = the rank, 1 = first; NULL = not ranked. A row with ``value``
    NULL and not ``unable`` is no vote (it may carry a comment).
    """

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("round_id", "participant_id", "indicator_id"),
        CheckConstraint("value IS NULL OR value >= 1", name="value_positive"),
        CheckConstraint("NOT (unable AND value IS NOT NULL)", name="unable_without_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int | None]
    unable: Mapped[bool] = mapped_column(default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    # Why the answer crossed the 7 or the 3 boundary since the previous round (if asked).
    reason: Mapped[str] = mapped_column(Text, default="")
    # "online" (the ballot page, the live vote) or "paper" (typed in, or a ballot file): a
    # paper ballot never silently replaces online answers (rounds/services/paper.py).
    source: Mapped[str] = mapped_column(String(10), default="online", server_default="online")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RoundResult(db.Model):
    """The results document of a closed round (``result_document.compute_results``), cached at close."""

    __tablename__ = "round_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), unique=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict] = mapped_column(JSON)


class ItemDecision(db.Model):
    """What happens to an item after its round: proposed at close, confirmed by the leader.

    ``rule_decision`` is the primary rule's verdict; ``proposed`` what the rule (or, in the
    final round, the core-set cut) proposes; ``decision`` what was decided. ``overridden``
    when they differ; an override always has a ``reason``.
    """

    __tablename__ = "item_decision"
    __table_args__ = (
        UniqueConstraint("round_id", "indicator_id"),
        CheckConstraint(_in("rule_decision", RULE_DECISIONS), name="rule_decision_known"),
        CheckConstraint(_in("proposed", DECISIONS), name="proposed_known"),
        CheckConstraint(_in("decision", DECISIONS), name="decision_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    rule_decision: Mapped[str] = mapped_column(String(10))
    proposed: Mapped[str] = mapped_column(String(10))
    decision: Mapped[str] = mapped_column(String(10))
    overridden: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    indicator: Mapped[Indicator] = relationship()


class IndicatorWording(db.Model):
    """A version of an indicator's wording; version 1 is the wording it had before rewording."""

    __tablename__ = "indicator_wording"
    __table_args__ = (UniqueConstraint("indicator_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IndicatorLineage(db.Model):
    """Which candidate became which: reworded (from = to), merged (n -> 1) or split (1 -> n)."""

    __tablename__ = "indicator_lineage"
    __table_args__ = (CheckConstraint(_in("kind", LINEAGE_KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    to_indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    # The round after which it happened (None: before round 1).
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DiscussionNote(db.Model):
    """What the group discussions said about an indicator between rounds."""

    __tablename__ = "discussion_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
