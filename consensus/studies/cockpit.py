"""Where a study stands and what comes next (pure): the projektledare's cockpit.

The study overview shows the study's *stage* — derived from the data, never stored — and the
next step with a button for it. The stored ``Study.phase`` (setup, running, archived) only
locks settings and links; the stage follows the work itself:

==============  =====================================================================
stage           when
==============  =====================================================================
preparation     no round has opened yet
delphi          a round has opened, the core set is not confirmed
core_set        the final round's core set is confirmed, the measures survey not opened
measures        the measures survey has opened (open or closed), no protocol published
protocol        a protocol version is published
finished        the study is archived
==============  =====================================================================

The later stages win: an archived study is finished whatever else is true; a published
protocol means the protocol stage even if the survey were reopened.

The floors above studies (rounds, measures, protocol) report their part of :class:`Progress`
through ``studies.hooks`` (``progress``), so this module knows no models.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    PREPARATION = "preparation"
    DELPHI = "delphi"
    CORE_SET = "core_set"
    MEASURES = "measures"
    PROTOCOL = "protocol"
    FINISHED = "finished"


STAGES = tuple(Stage)


@dataclass(frozen=True)
class RoundState:
    """One round as the cockpit needs it."""

    number: int
    status: str  # draft | open | closed
    is_final: bool = False
    confirmed: bool = False  # the projektledare confirmed its decisions (or the core set)


@dataclass(frozen=True)
class Progress:
    """What the data says about a study (each floor fills its part)."""

    archived: bool = False
    indicators: int = 0
    groups: int = 0
    panelists: int = 0
    rounds: tuple[RoundState, ...] = ()
    survey: str | None = None  # None (not created) | draft | open | closed
    protocol_draft: bool = False
    protocol_published: bool = False

    @property
    def core_set_confirmed(self) -> bool:
        return any(r.is_final and r.status == "closed" and r.confirmed for r in self.rounds)


@dataclass(frozen=True)
class NextStep:
    """The next thing to do: a code (the page turns it into words and a link) and, for a
    round's step, the round's number."""

    code: str
    round: int | None = None


def stage(progress: Progress) -> Stage:
    """The study's stage (see the table above)."""
    if progress.archived:
        return Stage.FINISHED
    if progress.protocol_published:
        return Stage.PROTOCOL
    if progress.survey in ("open", "closed"):
        return Stage.MEASURES
    if progress.core_set_confirmed:
        return Stage.CORE_SET
    if any(r.status != "draft" for r in progress.rounds):
        return Stage.DELPHI
    return Stage.PREPARATION


def _round_step(rounds: tuple[RoundState, ...]) -> NextStep:
    """The next step of the Delphi rounds: follow the open round, confirm a closed round's
    decisions, open a draft round, or create the next one."""
    ordered = sorted(rounds, key=lambda r: r.number)
    for r in ordered:
        if r.status == "open":
            return NextStep("follow_round", r.number)
    for r in ordered:
        if r.status == "closed" and not r.confirmed:
            return NextStep("confirm_decisions", r.number)
    for r in ordered:
        if r.status == "draft":
            return NextStep("open_round", r.number)
    return NextStep("create_round", (ordered[-1].number + 1) if ordered else 1)


def next_step(progress: Progress) -> NextStep:
    """What the projektledare should do next, from the stage and the data."""
    current = stage(progress)
    if current is Stage.FINISHED:
        return NextStep("restore")
    if current is Stage.PREPARATION:
        if not progress.indicators:
            return NextStep("import_indicators")
        if not progress.groups:
            return NextStep("add_groups")
        if not progress.panelists:
            return NextStep("add_panel")
        return _round_step(progress.rounds)
    if current is Stage.DELPHI:
        return _round_step(progress.rounds)
    if current is Stage.CORE_SET:
        return NextStep("create_survey" if progress.survey is None else "open_survey")
    if current is Stage.MEASURES:
        if progress.survey == "open":
            return NextStep("follow_survey")
        return NextStep("publish_protocol" if progress.protocol_draft else "draft_protocol")
    # Stage.PROTOCOL: the study's work is done once the protocol is out.
    return NextStep("archive")
