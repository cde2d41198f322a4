"""Reads and writes for Delphi rounds: ballots, answers, closing, decisions, feedback, exports.

Services flush and never commit; the view or command that calls them commits once (and rolls
back on a :class:`RoundError`). A round's status changes only through
``lifecycle.transition`` (see :func:`_apply_transition`).

Saving answers and closing a round
----------------------------------
An answer is written as an upsert on the unique (round, participant, indicator). A save that
races the close of its round is either stored before the close (and counted in the results)
or refused with ``RoundError("round_closed")``, never accepted and then lost:

* PostgreSQL: a save reads the round ``FOR SHARE`` in its transaction; the close takes it
  ``FOR UPDATE`` (so it waits for the saves in flight), writes the status and only then reads
  the answers. A save that starts later waits for the close to commit and then sees "closed".
* SQLite: the first statement of a save is a no-op write to the round row
  (``UPDATE round SET id = id WHERE id = :id``) and only then does it read the status; the
  first statement of a close is the status write. Either takes SQLite's single write lock, so
  saves and the close are serialised, and a save after the close reads "closed" and is
  refused.

Deselection (approval) and un-ranking keep the answer's row with ``value`` NULL (its comment
stays); a rating can be cleared the same way. Only rows with a value, or "kan ej bedöma", are
votes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, distinct, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from ..dbtypes import utcnow
from ..extensions import db
from ..studies import services as study_services
from ..studies.lifecycle import Phase
from ..studies.models import Indicator, Participant, StakeholderGroup, Study
from . import ballot_files, lifecycle, result_document
from .lifecycle import IllegalTransition, Status
from .models import (  # noqa: F401  (importing the models completes the metadata)
    METHODS,
    Answer,
    DiscussionNote,
    IndicatorLineage,
    IndicatorWording,
    ItemDecision,
    Round,
    RoundItem,
    RoundResult,
)
from .stability import attrition as attrition_of
from .stability import crossed_band
from .stats import votes_frame

COMMENT_MAX = 4000
REASON_MAX = 4000
NOTE_MAX = 10_000
PARTICIPANT_CODE_MAX = ballot_files.PARTICIPANT_CODE_MAX
_CODE_RE = re.compile(r"[\w.\-]+")
_AUTO_PSEUDONYM_RE = re.compile(r"p\d+", re.IGNORECASE)
_NO_GROUP_ID = 0  # stands for "no stakeholder group" when reading votes


class RoundError(ValueError):
    """A refused action; ``code`` selects the message the caller shows, ``params`` fill it.

    Codes: ``unknown_method``, ``max_selections_required``, ``invalid_settings``,
    ``study_archived``, ``round_in_progress``, ``previous_not_confirmed``,
    ``final_round_done``, ``no_items``, ``closes_at_past``, ``illegal_transition``,
    ``round_changed``, ``next_round_opened``, ``reason_required``, ``round_not_open``,
    ``round_closed``, ``round_not_closed``, ``not_on_panel``, ``not_on_ballot``,
    ``duplicate_indicator``, ``invalid_value``, ``too_many_selections``, ``duplicate_rank``,
    ``comment_too_long``, ``invalid_decision``, ``ties_unresolved``, ``import_invalid``,
    ``invalid_participant_code``, ``reserved_participant_code``, ``group_required``,
    ``group_mismatch``, ``unknown_group``, ``code_taken``, ``not_in_study``,
    ``text_required``, ``too_few``.
    """

    def __init__(self, code: str, /, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


def _dialect() -> str:
    return db.engine.dialect.name


def _actor_id(actor) -> int | None:
    return getattr(actor, "id", None)


# --- reading rounds --------------------------------------------------------------------------


def rounds(study: Study) -> list[Round]:
    return list(
        db.session.scalars(select(Round).where(Round.study_id == study.id).order_by(Round.number))
    )


def get_round(study: Study, number: int) -> Round | None:
    return db.session.scalar(
        select(Round).where(Round.study_id == study.id, Round.number == number)
    )


def current_round(study: Study) -> Round | None:
    """The open round, else the latest round (None before round 1 is created)."""
    latest = None
    for r in rounds(study):
        if r.status == Status.OPEN:
            return r
        latest = r
    return latest


def previous_round(round: Round) -> Round | None:
    if round.number <= 1:
        return None
    return get_round(round.study, round.number - 1)


def next_round(round: Round) -> Round | None:
    return get_round(round.study, round.number + 1)


def ballot(round: Round) -> list[Indicator]:
    """The indicators on a round's ballot, in ballot order."""
    return list(
        db.session.scalars(
            select(Indicator)
            .join(RoundItem, RoundItem.indicator_id == Indicator.id)
            .where(RoundItem.round_id == round.id)
            .order_by(RoundItem.position, RoundItem.id)
        )
    )


def get_result(round: Round) -> dict | None:
    """The stored results document of a closed round (see ``results``), or None."""
    return db.session.scalar(select(RoundResult.data).where(RoundResult.round_id == round.id))


def results_page(round: Round, *, sort: str = "position", descending: bool = False) -> dict | None:
    """What the results page shows: the stored document and its rows sorted (no recomputing)."""
    document = get_result(round)
    if document is None:
        return None
    return {
        "document": document,
        "rows": result_document.results_rows(document, sort=sort, descending=descending),
    }


# --- creating rounds -------------------------------------------------------------------------


def _check_settings(method: str, max_selections: int | None, top_m: int | None) -> None:
    if method not in METHODS:
        raise RoundError("unknown_method", method=method)
    if method == "approval":
        if max_selections is None:
            raise RoundError("max_selections_required")
        if max_selections < 1:
            raise RoundError("invalid_settings", setting="max_selections")
    elif max_selections is not None:
        raise RoundError("invalid_settings", setting="max_selections")
    if top_m is not None and (method != "ranking" or top_m < 1):
        raise RoundError("invalid_settings", setting="top_m")


def create_round(
    study: Study,
    method: str,
    *,
    max_selections: int | None = None,
    top_m: int | None = None,
    is_final: bool = False,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    actor=None,
) -> Round:
    """A new draft round numbered after the last one.

    Its ballot is the pool (round 1) or what the previous round carries over; the ballot is
    brought up to date again when the round opens. Refused while another round is draft or
    open, before the previous round's decisions are confirmed, and after a final round.
    """
    _check_settings(method, max_selections, top_m)
    if study.phase == Phase.ARCHIVED:
        raise RoundError("study_archived")
    existing = rounds(study)
    if any(r.status != Status.CLOSED for r in existing):
        raise RoundError("round_in_progress")
    last = existing[-1] if existing else None
    if last is not None:
        if last.is_final:
            raise RoundError("final_round_done", number=last.number)
        if last.decisions_confirmed_at is None:
            raise RoundError("previous_not_confirmed", number=last.number)
    new = Round(
        study_id=study.id,
        number=last.number + 1 if last else 1,
        method=method,
        status=Status.DRAFT.value,
        max_selections=max_selections,
        top_m=top_m,
        is_final=is_final,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by_id=_actor_id(actor),
    )
    db.session.add(new)
    db.session.flush()
    ids = _intended_items(new, last)
    if not ids:
        raise RoundError("no_items")
    db.session.add_all(
        RoundItem(round_id=new.id, indicator_id=iid, position=i) for i, iid in enumerate(ids)
    )
    study_services.audit(
        study, "round_created", actor, round=new.number, method=method, items=len(ids)
    )
    db.session.flush()
    return new


def set_schedule(
    round: Round, *, opens_at: datetime | None, closes_at: datetime | None, actor=None
) -> None:
    """Change when a draft or open round opens/closes (it closes itself at ``closes_at``)."""
    if round.status == Status.CLOSED:
        raise RoundError("round_closed")
    if closes_at is not None and closes_at <= utcnow():
        raise RoundError("closes_at_past")
    round.opens_at, round.closes_at = opens_at, closes_at
    study_services.audit(
        round.study,
        "round_scheduled",
        actor,
        round=round.number,
        opens_at=opens_at.isoformat() if opens_at else None,
        closes_at=closes_at.isoformat() if closes_at else None,
    )
    db.session.flush()


def _superseded(study_id: int) -> set[int]:
    """Indicators that were merged or split into others."""
    return set(
        db.session.scalars(
            select(IndicatorLineage.from_indicator_id)
            .join(Indicator, Indicator.id == IndicatorLineage.from_indicator_id)
            .where(Indicator.study_id == study_id, IndicatorLineage.kind.in_(("merge", "split")))
        )
    )


def _pool(study_id: int) -> list[int]:
    superseded = _superseded(study_id)
    ids = db.session.scalars(
        select(Indicator.id)
        .where(Indicator.study_id == study_id)
        .order_by(Indicator.position, Indicator.id)
    )
    return [i for i in ids if i not in superseded]


def carried_over(previous: Round) -> list[int]:
    """The indicators a closed round passes on, in its ballot order.

    Items decided ``carry`` go on; an item merged or split after the round (lineage with
    ``round_id`` = this round) is replaced, at its place, by what it became, whatever its
    decision (merging or splitting after a round makes a candidate for the next).
    """
    items = db.session.execute(
        select(RoundItem.indicator_id, ItemDecision.decision)
        .outerjoin(
            ItemDecision,
            (ItemDecision.round_id == RoundItem.round_id)
            & (ItemDecision.indicator_id == RoundItem.indicator_id),
        )
        .where(RoundItem.round_id == previous.id)
        .order_by(RoundItem.position, RoundItem.id)
    ).all()
    became: dict[int, list[int]] = {}
    for source, target in db.session.execute(
        select(IndicatorLineage.from_indicator_id, IndicatorLineage.to_indicator_id)
        .where(
            IndicatorLineage.round_id == previous.id,
            IndicatorLineage.kind.in_(("merge", "split")),
        )
        .order_by(IndicatorLineage.id)
    ):
        became.setdefault(source, []).append(target)
    out: list[int] = []
    for indicator_id, decision in items:
        if indicator_id in became:
            out.extend(t for t in became[indicator_id] if t not in out)
        elif decision in ("carry", "core") and indicator_id not in out:
            out.append(indicator_id)
    return out


def _intended_items(round: Round, previous: Round | None) -> list[int]:
    return carried_over(previous) if previous is not None else _pool(round.study_id)


def _sync_items(round: Round) -> int:
    """Bring a draft round's ballot up to date (pool or carry-over); returns the item count."""
    ids = _intended_items(round, previous_round(round))
    current = list(
        db.session.scalars(
            select(RoundItem.indicator_id)
            .where(RoundItem.round_id == round.id)
            .order_by(RoundItem.position, RoundItem.id)
        )
    )
    if current != ids:
        db.session.execute(delete(RoundItem).where(RoundItem.round_id == round.id))
        db.session.add_all(
            RoundItem(round_id=round.id, indicator_id=iid, position=i) for i, iid in enumerate(ids)
        )
        db.session.flush()
        db.session.expire(round, ["items"])
    return len(ids)


# --- the lifecycle ---------------------------------------------------------------------------


def _lock_round(round: Round, *, share: bool) -> None:
    """PostgreSQL: lock the round row (FOR SHARE / FOR UPDATE) and reload it."""
    if _dialect() == "postgresql":
        db.session.execute(
            select(Round)
            .where(Round.id == round.id)
            .with_for_update(read=share)
            .execution_options(populate_existing=True)
        ).scalar_one()  # fetched, so that the object is refreshed from the locked row


def _apply_transition(round: Round, action: str, **values: Any) -> None:
    """The only place a round's status is written: ``lifecycle.transition``, stored as a
    compare-and-set (``WHERE status = <the status it was read with>``), so that two processes
    cannot both move the same round."""
    before = round.status
    try:
        after = lifecycle.transition(before, action)
    except IllegalTransition:
        raise RoundError("illegal_transition", status=before, action=action) from None
    done = db.session.execute(
        update(Round)
        .where(Round.id == round.id, Round.status == before)
        .values(status=after.value, **values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise RoundError("round_changed")
    # Keep the loaded object in step with the row just written, without reading it back.
    set_committed_value(round, "status", after.value)
    for name, value in values.items():
        set_committed_value(round, name, value)


def open_round(round: Round, *, actor=None, now: datetime | None = None) -> None:
    """Open a draft round: its ballot is fixed; round 1 starts the study (settings lock)."""
    now = now or utcnow()
    study = round.study
    if study.phase == Phase.ARCHIVED:
        raise RoundError("study_archived")
    _lock_round(round, share=False)
    if round.status != Status.DRAFT:
        raise RoundError("illegal_transition", status=round.status, action="open")
    previous = previous_round(round)
    if previous is not None and (
        previous.status != Status.CLOSED or previous.decisions_confirmed_at is None
    ):
        raise RoundError("previous_not_confirmed", number=previous.number)
    if round.closes_at is not None and round.closes_at <= now:
        raise RoundError("closes_at_past")
    if _sync_items(round) == 0:
        raise RoundError("no_items")
    _apply_transition(round, "open", opened_at=now)
    if study.phase == Phase.SETUP:
        study_services.change_phase(study, "start", actor=actor)
    study_services.audit(study, "round_opened", actor, round=round.number)
    db.session.flush()


def close_round(round: Round, *, actor=None, now: datetime | None = None) -> dict:
    """Close an open round: compute and store the results document and the proposed
    decisions (IN and undecided carry over, OUT is dropped; the final round proposes the core
    set). Returns the document."""
    now = now or utcnow()
    _lock_round(round, share=False)
    _apply_transition(round, "close", closed_at=now)  # SQLite: this write takes the lock
    document = compute_round_results(round, now=now)
    db.session.execute(delete(RoundResult).where(RoundResult.round_id == round.id))
    db.session.add(RoundResult(round_id=round.id, computed_at=now, data=document))
    _propose_decisions(round, document, now)
    study_services.audit(
        round.study,
        "round_closed",
        actor,
        round=round.number,
        n_panelists=document["n_panelists"],
    )
    db.session.flush()
    return document


def _require_no_later_round_opened(round: Round) -> None:
    """A round's outcome can change only until the next round has opened."""
    later_opened = db.session.scalar(
        select(Round.number).where(
            Round.study_id == round.study_id,
            Round.number > round.number,
            Round.status != Status.DRAFT,
        )
    )
    if later_opened is not None:
        raise RoundError("next_round_opened", number=later_opened)


def reopen_round(
    round: Round,
    *,
    reason: str,
    actor=None,
    closes_at: datetime | None = None,
    now: datetime | None = None,
) -> None:
    """Reopen a closed round until the next round has opened (logged with the reason).

    The stored results and the decisions are discarded (they are computed again at the next
    close; the audit log keeps what was decided). The old closing time is cleared (it has
    passed, or the round would close again at once); ``closes_at`` sets a new one.
    """
    now = now or utcnow()
    if not (reason or "").strip():
        raise RoundError("reason_required")
    _lock_round(round, share=False)
    _require_no_later_round_opened(round)
    if closes_at is not None and closes_at <= now:
        raise RoundError("closes_at_past")
    _apply_transition(
        round,
        "reopen",
        closed_at=None,
        closes_at=closes_at,
        decisions_confirmed_at=None,
        decisions_confirmed_by_id=None,
    )
    db.session.execute(delete(RoundResult).where(RoundResult.round_id == round.id))
    db.session.execute(delete(ItemDecision).where(ItemDecision.round_id == round.id))
    study_services.audit(
        round.study, "round_reopened", actor, reason=reason.strip(), round=round.number
    )
    db.session.flush()


def _move_due(status: Status, at, move, now: datetime, study: Study | None) -> list[Round]:
    """Apply ``move`` (open_round or close_round) to every round in ``status`` whose time
    ``at`` (Round.opens_at or Round.closes_at) has passed. A round that another request or
    process moved meanwhile is skipped (PostgreSQL: seen after the lock; SQLite: the
    compare-and-set found another status)."""
    query = select(Round).where(Round.status == status, at.is_not(None), at <= now)
    if study is not None:
        query = query.where(Round.study_id == study.id)
    moved = []
    for due in db.session.scalars(query.order_by(Round.id)).all():
        try:
            move(due, now=now)
        except RoundError as error:
            if error.code not in ("round_changed", "illegal_transition"):
                raise
            continue
        moved.append(due)
    return moved


def close_due_rounds(now: datetime | None = None, *, study: Study | None = None) -> list[Round]:
    """Close every open round whose ``closes_at`` has passed. Returns the rounds closed."""
    return _move_due(Status.OPEN, Round.closes_at, close_round, now or utcnow(), study)


def open_due_rounds(now: datetime | None = None, *, study: Study | None = None) -> list[Round]:
    """Open every draft round whose ``opens_at`` has passed. Returns the rounds opened."""
    return _move_due(Status.DRAFT, Round.opens_at, open_round, now or utcnow(), study)


def run_schedule(now: datetime | None = None, *, study: Study | None = None) -> dict:
    """Rounds open and close themselves at their times: called by ``consensus round tick``
    (cron) and lazily before pages that show a round. Returns {"opened": [...], "closed": [...]}."""
    now = now or utcnow()
    return {
        "opened": open_due_rounds(now, study=study),
        "closed": close_due_rounds(now, study=study),
    }


# --- reading votes and computing results -----------------------------------------------------


_VOTE = or_(Answer.value.is_not(None), Answer.unable)


def _votes(round: Round):
    """The round's votes as the long-format frame of ``stats`` (one query)."""
    rows = db.session.execute(
        select(
            Answer.participant_id,
            func.coalesce(Participant.group_id, _NO_GROUP_ID),
            Answer.indicator_id,
            Answer.value,
            Answer.unable,
        )
        .join(Participant, Participant.id == Answer.participant_id)
        .where(Answer.round_id == round.id, _VOTE)
    ).all()
    frame = votes_frame(rows)
    groups = _group_codes(round.study_id)
    indicators = dict(
        db.session.execute(
            select(Indicator.id, Indicator.code).where(Indicator.study_id == round.study_id)
        ).all()
    )
    frame["group"] = frame["group"].cat.rename_categories(
        [groups.get(g, result_document.NO_GROUP) for g in frame["group"].cat.categories]
    )
    frame["indicator"] = frame["indicator"].cat.rename_categories(
        [indicators[i] for i in frame["indicator"].cat.categories]
    )
    return frame


def _group_codes(study_id: int) -> dict[int, str]:
    return dict(
        db.session.execute(
            select(StakeholderGroup.id, StakeholderGroup.code).where(
                StakeholderGroup.study_id == study_id
            )
        ).all()
    )


def _groups(study_id: int) -> list[tuple[str, str]]:
    return [
        (code, name)
        for code, name in db.session.execute(
            select(StakeholderGroup.code, StakeholderGroup.name)
            .where(StakeholderGroup.study_id == study_id)
            .order_by(StakeholderGroup.position, StakeholderGroup.id)
        )
    ]


def _invited_ids(round: Round, *, include_erased: bool):
    """A select of the ids of the panelists the round is for, by the invitation policy."""
    query = select(Participant.id).where(
        Participant.study_id == round.study_id, Participant.kind == "panelist"
    )
    if not include_erased:
        query = query.where(Participant.erased_at.is_(None))
    previous = previous_round(round)
    if round.study.invitation_policy == "responders_only" and previous is not None:
        voted = select(Answer.participant_id).where(Answer.round_id == previous.id, _VOTE)
        query = query.where(Participant.id.in_(voted))
    return query


def _invited_by_group(round: Round) -> dict[str, int]:
    """Invited per group, for response rates: the panelists the round was for (erased ones
    too: they were invited) and anyone who voted in it although the policy did not invite
    them (they were reached), so a rate never exceeds 100 %."""
    codes = _group_codes(round.study_id)
    voted = select(Answer.participant_id).where(Answer.round_id == round.id, _VOTE)
    counts = db.session.execute(
        select(Participant.group_id, func.count(Participant.id))
        .where(
            or_(
                Participant.id.in_(_invited_ids(round, include_erased=True)),
                Participant.id.in_(voted),
            )
        )
        .group_by(Participant.group_id)
    ).all()
    return {codes.get(g, result_document.NO_GROUP): n for g, n in counts}


def _answered_by_group(round: Round) -> dict[str, int]:
    codes = _group_codes(round.study_id)
    counts = db.session.execute(
        select(Participant.group_id, func.count(distinct(Answer.participant_id)))
        .join(Participant, Participant.id == Answer.participant_id)
        .where(Answer.round_id == round.id, _VOTE)
        .group_by(Participant.group_id)
    ).all()
    return {codes.get(g, result_document.NO_GROUP): n for g, n in counts}


def response_counts(round: Round, *, for_panelists: bool = False) -> dict:
    """Invited and answered (at least one vote) overall and per stakeholder group, live.

    Staff see every count; ``for_panelists=True`` suppresses groups under the study's minimum
    group size. Adds ``group_names`` {code: name}.
    """
    study = round.study
    groups = _groups(study.id)
    block = result_document.response_block(
        groups,
        _invited_by_group(round),
        _answered_by_group(round),
        min_group_size=study.min_group_size,
        suppress=for_panelists,
    )
    names = dict(groups)
    block["group_names"] = {
        code: names.get(code, result_document.NO_GROUP_NAME) for code in block["groups"]
    }
    return block


def invited(round: Round) -> list[Participant]:
    """The panelists a round is for, by the study's invitation policy (delphi-method.md):
    everyone on the panel (the default, "all_every_round"), or only those who voted in the
    previous round ("responders_only"; round 1 is for everyone). Erased panelists get no
    email."""
    ids = _invited_ids(round, include_erased=False)
    return list(
        db.session.scalars(
            select(Participant).where(Participant.id.in_(ids)).order_by(Participant.id)
        )
    )


def non_responders(round: Round) -> list[Participant]:
    """Invited panelists without a vote in the round (for reminders), by id."""
    answered = set(
        db.session.scalars(select(Answer.participant_id).where(Answer.round_id == round.id, _VOTE))
    )
    return [p for p in invited(round) if p.id not in answered]


def compute_round_results(round: Round, *, now: datetime | None = None) -> dict:
    """The results document of a round from its answers as they are now (read once)."""
    now = now or utcnow()
    study = round.study
    items = ballot(round)
    previous = previous_round(round)
    votes = _votes(round)
    previous_votes = None
    if previous is not None and previous.method == "rating" and round.method == "rating":
        previous_votes = _votes(previous)
    facts = result_document.RoundFacts(
        number=round.number,
        method=round.method,
        indicators=[(i.code, i.title) for i in items],
        groups=_groups(study.id),
        min_group_size=study.min_group_size,
        primary_rule=study.primary_rule,
        rule_params=study.rule_params or {},
        is_final=round.is_final,
        target_core_size=study.target_core_size,
        max_selections=round.max_selections,
        top_m=round.top_m,
        previous_number=previous.number if previous_votes is not None else None,
    )
    answered = (
        votes.groupby("group", observed=True)["panelist"].nunique().to_dict() if len(votes) else {}
    )
    response = result_document.response_block(
        facts.groups,
        _invited_by_group(round),
        {str(g): int(n) for g, n in answered.items()},
        min_group_size=study.min_group_size,
    )
    return result_document.compute_results(
        facts,
        votes,
        previous_votes=previous_votes,
        response=response,
        computed_at=now.isoformat(),
    )


def _propose_decisions(round: Round, document: Mapping[str, Any], now: datetime) -> None:
    ids = {i.code: i.id for i in ballot(round)}
    core = document.get("core_set") or {}
    selected, tied = set(core.get("selected", ())), set(core.get("tied", ()))
    db.session.execute(delete(ItemDecision).where(ItemDecision.round_id == round.id))
    for item in document["indicators"]:
        rule = item["decision"]
        if round.is_final:
            code = item["code"]
            proposed = "core" if code in selected else "unresolved" if code in tied else "excluded"
        else:
            proposed = "drop" if rule == "out" else "carry"
        db.session.add(
            ItemDecision(
                round_id=round.id,
                indicator_id=ids[item["code"]],
                rule_decision=rule,
                proposed=proposed,
                decision=proposed,
                overridden=False,
                reason="",
                decided_at=now,
            )
        )


# --- decisions -------------------------------------------------------------------------------


def decisions(round: Round) -> list[ItemDecision]:
    """The decisions of a closed round, in ballot order."""
    return list(
        db.session.scalars(
            select(ItemDecision)
            .join(
                RoundItem,
                (RoundItem.round_id == ItemDecision.round_id)
                & (RoundItem.indicator_id == ItemDecision.indicator_id),
            )
            .where(ItemDecision.round_id == round.id)
            .order_by(RoundItem.position, RoundItem.id)
        )
    )


def confirm_decisions(
    round: Round,
    overrides: Mapping[int, tuple[str, str]] | None = None,
    *,
    actor=None,
    now: datetime | None = None,
) -> list[ItemDecision]:
    """Confirm what a closed round passes on, overriding items by indicator id.

    ``overrides`` maps an indicator id to ``(decision, reason)``: ``carry``/``drop`` in a
    round, ``core``/``excluded`` in the final round. A decision other than the proposed one
    needs a reason (logged); items tied at the core-set cut must all be resolved. Confirming
    again is allowed until the next round opens.
    """
    now = now or utcnow()
    overrides = dict(overrides or {})
    if round.status != Status.CLOSED:
        raise RoundError("round_not_closed")
    _require_no_later_round_opened(round)
    items = decisions(round)
    by_id = {d.indicator_id: d for d in items}
    codes = dict(
        db.session.execute(
            select(Indicator.id, Indicator.code).where(Indicator.id.in_(list(by_id)))
        ).all()
    )
    allowed = ("core", "excluded") if round.is_final else ("carry", "drop")
    changes = []
    for indicator_id, (decision, reason) in overrides.items():
        item = by_id.get(indicator_id)
        if item is None:
            raise RoundError("not_on_ballot", indicator=indicator_id)
        if decision not in allowed:
            raise RoundError("invalid_decision", decision=decision, allowed=list(allowed))
        reason = (reason or "").strip()
        if decision != item.proposed and not reason:
            raise RoundError("reason_required", indicator=codes[indicator_id])
        changes.append((item, decision, reason))
    after = {d.indicator_id: d.decision for d in items}
    after.update({item.indicator_id: decision for item, decision, _ in changes})
    unresolved = [codes[iid] for iid, decision in after.items() if decision == "unresolved"]
    if unresolved:
        raise RoundError("ties_unresolved", codes=unresolved)
    for item, decision, reason in changes:
        if (decision, reason) == (item.decision, item.reason):
            continue
        item.decision = decision
        item.overridden = decision != item.proposed
        item.reason = reason
        item.decided_by_id = _actor_id(actor)
        item.decided_at = now
        study_services.audit(
            round.study,
            "decision_overridden" if item.overridden else "decision_set",
            actor,
            reason=reason,
            round=round.number,
            indicator=codes[item.indicator_id],
            rule_decision=item.rule_decision,
            proposed=item.proposed,
            decision=decision,
        )
    round.decisions_confirmed_at = now
    round.decisions_confirmed_by_id = _actor_id(actor)
    counts: dict[str, int] = {}
    for d in items:
        counts[d.decision] = counts.get(d.decision, 0) + 1
    study_services.audit(
        round.study, "round_decisions_confirmed", actor, round=round.number, counts=counts
    )
    db.session.flush()
    return items


# --- saving answers --------------------------------------------------------------------------


@dataclass
class SaveResult:
    """``saved``: answers written; ``needs_reason``: indicator ids whose answer crosses the 7
    or 3 boundary since the previous round without a reason (when the study asks for one)."""

    saved: int = 0
    needs_reason: list[int] = field(default_factory=list)


@dataclass
class _BallotContext:
    """What a save needs to know about its round, read from the locked row."""

    round_id: int
    study_id: int
    number: int
    method: str
    max_selections: int | None
    items: set[int]
    rank_limit: int
    ask_reason: bool


def _begin_save(
    round: Round,
    *,
    now: datetime,
    enforce_deadline: bool,
    indicator_ids: Iterable[Any] | None = None,
) -> _BallotContext:
    """Lock the round for saving (see the module docstring), check that it is open and read
    what the save needs: one query when the caller names the indicators it writes (the
    round row, the ballot's size and how many of those indicators are on it), two otherwise."""
    wanted = None
    if indicator_ids is not None:
        wanted = {i for i in indicator_ids if _is_int(i)}
    ballot_size = (
        select(func.count(RoundItem.id)).where(RoundItem.round_id == round.id).scalar_subquery()
    )
    on_ballot = (
        select(func.count(RoundItem.id))
        .where(RoundItem.round_id == round.id, RoundItem.indicator_id.in_(sorted(wanted or {0})))
        .scalar_subquery()
    )
    query = (
        select(
            Round.status,
            Round.closes_at,
            Round.study_id,
            Round.number,
            Round.method,
            Round.max_selections,
            Round.top_m,
            Study.ask_reason_on_band_cross,
            ballot_size.label("ballot_size"),
            on_ballot.label("on_ballot"),
        )
        .join(Study, Study.id == Round.study_id)
        .where(Round.id == round.id)
    )
    if _dialect() == "postgresql":
        query = query.with_for_update(read=True, of=Round)
    else:
        # SQLite: a write first, so that this transaction holds the database's write lock
        # before it reads the status (a close cannot commit in between).
        db.session.execute(
            update(Round)
            .where(Round.id == round.id)
            .values(id=Round.id)
            .execution_options(synchronize_session=False)
        )
    facts = db.session.execute(query).one()
    if facts.status == Status.DRAFT:
        raise RoundError("round_not_open")
    if facts.status != Status.OPEN:
        raise RoundError("round_closed")
    if enforce_deadline and facts.closes_at is not None and now >= facts.closes_at:
        raise RoundError("round_closed")
    if wanted is not None and facts.on_ballot == len(wanted):
        items = wanted  # every indicator written is on the ballot: no need to read them all
    else:
        items = set(
            db.session.scalars(select(RoundItem.indicator_id).where(RoundItem.round_id == round.id))
        )
    limit = facts.ballot_size
    if facts.method == "ranking" and facts.top_m:
        limit = min(limit, facts.top_m)
    return _BallotContext(
        round_id=round.id,
        study_id=facts.study_id,
        number=facts.number,
        method=facts.method,
        max_selections=facts.max_selections,
        items=items,
        rank_limit=limit,
        ask_reason=bool(facts.ask_reason_on_band_cross),
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _normalise(ctx: _BallotContext, answer: Mapping[str, Any]) -> dict[str, Any]:
    """Check one answer for the round's method: the columns to write."""
    method = ctx.method
    indicator_id = answer.get("indicator_id")
    if not _is_int(indicator_id) or indicator_id not in ctx.items:
        raise RoundError("not_on_ballot", indicator=indicator_id)
    row: dict[str, Any] = {"indicator_id": indicator_id}
    if "value" in answer or "unable" in answer:
        value = answer.get("value")
        unable = bool(answer.get("unable", False))
        if value is not None and not _is_int(value):
            raise RoundError("invalid_value", indicator=indicator_id, value=value)
        if method == "rating":
            if unable and value is not None:
                raise RoundError("invalid_value", indicator=indicator_id, value=value)
            if value is not None and not 1 <= value <= 9:
                raise RoundError("invalid_value", indicator=indicator_id, value=value)
        elif method == "approval":
            if unable or value not in (None, 0, 1):
                raise RoundError("invalid_value", indicator=indicator_id, value=value)
            value = value or None
        else:  # ranking
            if unable or (value is not None and not 1 <= value <= ctx.rank_limit):
                raise RoundError(
                    "invalid_value", indicator=indicator_id, value=value, max=ctx.rank_limit
                )
        row["value"], row["unable"] = value, unable
    for name, limit in (("comment", COMMENT_MAX), ("reason", REASON_MAX)):
        if name in answer:
            text = (answer.get(name) or "").strip()
            if len(text) > limit:
                raise RoundError("comment_too_long", indicator=indicator_id, max=limit)
            row[name] = text
    return row


@functools.cache
def _upsert_statement(dialect: str, columns: tuple[str, ...]):
    """INSERT ... ON CONFLICT (round, participant, indicator) DO UPDATE SET <columns>, built
    once per dialect and set of columns (so SQLAlchemy's compiled cache serves every save)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Answer.__table__)
    changed = {name: statement.excluded[name] for name in columns}
    changed["updated_at"] = statement.excluded.updated_at
    return statement.on_conflict_do_update(
        index_elements=["round_id", "participant_id", "indicator_id"], set_=changed
    )


def _upsert(round_id: int, participant_id: int, rows: Sequence[dict[str, Any]], now) -> None:
    """Write answers as upserts: the columns given in a row are set, the others kept."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        columns = tuple(sorted(name for name in row if name != "indicator_id"))
        by_columns.setdefault(columns, []).append(row)
    for columns, group in by_columns.items():
        values = [
            {
                "round_id": round_id,
                "participant_id": participant_id,
                "value": None,
                "unable": False,
                "comment": "",
                "reason": "",
                "created_at": now,
                "updated_at": now,
                **row,
            }
            for row in group
        ]
        db.session.execute(_upsert_statement(_dialect(), columns), values)


def _write_ballot(
    ctx: _BallotContext,
    participant: Participant,
    answers: Iterable[Mapping[str, Any]],
    *,
    now: datetime,
    replace: bool,
) -> SaveResult:
    if participant.study_id != ctx.study_id or participant.kind != "panelist":
        raise RoundError("not_on_panel")
    rows = [_normalise(ctx, a) for a in answers]
    seen: set[int] = set()
    for row in rows:
        if row["indicator_id"] in seen:
            raise RoundError("duplicate_indicator", indicator=row["indicator_id"])
        seen.add(row["indicator_id"])

    cross_row = ctx.method in ("approval", "ranking")
    if cross_row or replace:
        if cross_row and _dialect() == "postgresql":
            # One save at a time per panelist: K and unique ranks span the whole ballot.
            db.session.execute(
                select(Participant.id)
                .where(Participant.id == participant.id)
                .with_for_update(key_share=True)
            )
        stored = dict(
            db.session.execute(
                select(Answer.indicator_id, Answer.value).where(
                    Answer.round_id == ctx.round_id, Answer.participant_id == participant.id
                )
            ).all()
        )
        if replace:
            for indicator_id in set(stored) - seen:
                rows.append({"indicator_id": indicator_id, "value": None, "unable": False})
        state = dict(stored)
        for row in rows:
            if "value" in row:
                state[row["indicator_id"]] = row["value"]
        if ctx.method == "approval":
            selected = sum(1 for v in state.values() if v == 1)
            if selected > (ctx.max_selections or 0):
                raise RoundError("too_many_selections", count=selected, max=ctx.max_selections)
        elif ctx.method == "ranking":
            given = [v for v in state.values() if v is not None]
            duplicates = sorted({v for v in given if given.count(v) > 1})
            if duplicates:
                raise RoundError("duplicate_rank", rank=duplicates[0])
    if rows:
        _upsert(ctx.round_id, participant.id, rows, now)
    result = SaveResult(saved=len(rows))
    if ctx.ask_reason and ctx.method == "rating" and rows:
        result.needs_reason = _needs_reason(ctx, participant, [r["indicator_id"] for r in rows])
    return result


def _needs_reason(ctx: _BallotContext, participant: Participant, indicator_ids: list[int]):
    previous = db.session.execute(
        select(Round.id, Round.method).where(
            Round.study_id == ctx.study_id, Round.number == ctx.number - 1
        )
    ).one_or_none()
    if previous is None or previous.method != "rating":
        return []
    before = dict(
        db.session.execute(
            select(Answer.indicator_id, Answer.value).where(
                Answer.round_id == previous.id,
                Answer.participant_id == participant.id,
                Answer.indicator_id.in_(indicator_ids),
            )
        ).all()
    )
    now_rows = db.session.execute(
        select(Answer.indicator_id, Answer.value, Answer.reason).where(
            Answer.round_id == ctx.round_id,
            Answer.participant_id == participant.id,
            Answer.indicator_id.in_(indicator_ids),
        )
    ).all()
    return sorted(
        iid
        for iid, value, reason in now_rows
        if not reason and crossed_band(before.get(iid), value)
    )


def save_answers(
    round: Round,
    participant: Participant,
    answers: Iterable[Mapping[str, Any]],
    *,
    now: datetime | None = None,
    replace: bool = False,
    enforce_deadline: bool = True,
) -> SaveResult:
    """Save one answer or a whole ballot of a panelist, as an upsert.

    Each answer is a dict with ``indicator_id`` and any of ``value`` (int or None),
    ``unable`` (bool, rating only), ``comment``, ``reason``; keys left out keep what is
    stored. Rating: 1-9, or ``unable=True`` without a value; approval: ``value`` 1 selects,
    0/None deselects (at most K selected across the whole ballot); ranking: ranks 1..n (or
    top M), each rank once in the ballot; None clears. ``replace=True``: the answers are the
    whole ballot, every other stored answer of the panelist in the round is cleared (value
    NULL, comment kept). Refused with ``RoundError`` when the round is not open (or past its
    closing time, unless ``enforce_deadline=False`` for staff entering paper ballots).
    """
    now = now or utcnow()
    answers = list(answers)
    ctx = _begin_save(
        round,
        now=now,
        enforce_deadline=enforce_deadline,
        indicator_ids=None if replace else [a.get("indicator_id") for a in answers],
    )
    result = _write_ballot(ctx, participant, answers, now=now, replace=replace)
    db.session.flush()
    return result


def participant_answers(round: Round, participant: Participant) -> dict[int, Answer]:
    """A panelist's own answers in a round, by indicator id (for their ballot only)."""
    return {
        a.indicator_id: a
        for a in db.session.scalars(
            select(Answer).where(
                Answer.round_id == round.id, Answer.participant_id == participant.id
            )
        )
    }


def progress(round: Round, participant: Participant) -> dict[str, Any]:
    """How far a panelist has come (one query): ``{"done", "total", "kind"}``.

    Rating and ranking: ``kind`` "answered", ``done`` = indicators with a vote (a value, or
    "kan ej bedöma"), ``total`` = the ballot's size (ranking: its top M). Approval: ``kind``
    "selected", ``done`` = selections, ``total`` = K.
    """
    items = select(func.count(RoundItem.id)).where(RoundItem.round_id == round.id).scalar_subquery()
    done, total = db.session.execute(
        select(func.count(Answer.id), items).where(
            Answer.round_id == round.id, Answer.participant_id == participant.id, _VOTE
        )
    ).one()
    if round.method == "approval":
        return {"done": done, "total": round.max_selections or 0, "kind": "selected"}
    if round.method == "ranking" and round.top_m:
        total = min(total, round.top_m)
    return {"done": done, "total": total, "kind": "answered"}


# --- feedback for the next round ------------------------------------------------------------


_FEEDBACK_FIELDS = (
    "n",
    "unable",
    "distribution",
    "median",
    "q1",
    "q3",
    "iqr",
    "p_high",
    "p_low",
    "votes",
    "share",
    "n_ranked",
    "mean_rank",
    "borda",
    "rank",
)


def feedback(round: Round, participant: Participant) -> dict[int, dict]:
    """What a panelist sees beside each indicator of ``round``: the previous round's results.

    Per indicator id on the ballot: ``previous_round``, ``method``, ``overall`` (distribution
    and summary numbers of the previous round), ``groups`` (list of {code, name, numbers}; a
    group under the minimum size is left out and shown only inside the total), ``own``
    ({value, unable} of this panelist in the previous round, or None) and ``comments`` (the
    previous round's comments on the indicator, without authors, in alphabetical order).
    Empty before round 2 or when the previous round has no stored results; an indicator that
    was not on the previous ballot (a new merged/split one) has ``overall`` None.
    """
    previous = previous_round(round)
    if previous is None:
        return {}
    document = get_result(previous)
    if document is None:
        return {}
    items = ballot(round)
    by_code = {i["code"]: i for i in document["indicators"]}
    names = {g["code"]: g["name"] for g in document["groups"]}
    ids = [i.id for i in items]
    own = {
        iid: {"value": value, "unable": unable}
        for iid, value, unable in db.session.execute(
            select(Answer.indicator_id, Answer.value, Answer.unable).where(
                Answer.round_id == previous.id,
                Answer.participant_id == participant.id,
                Answer.indicator_id.in_(ids),
                _VOTE,
            )
        )
    }
    comments: dict[int, list[str]] = {}
    for iid, text in db.session.execute(
        select(Answer.indicator_id, Answer.comment)
        .where(
            Answer.round_id == previous.id,
            Answer.indicator_id.in_(ids),
            Answer.comment != "",
        )
        .order_by(Answer.indicator_id, Answer.comment)
    ):
        comments.setdefault(iid, []).append(text)
    out = {}
    for indicator in items:
        stored = by_code.get(indicator.code)
        entry: dict[str, Any] = {
            "code": indicator.code,
            "previous_round": previous.number,
            "method": document["method"],
            "overall": None,
            "groups": [],
            "own": own.get(indicator.id),
            "comments": comments.get(indicator.id, []),
        }
        if stored is not None:
            entry["overall"] = {k: stored.get(k) for k in _FEEDBACK_FIELDS}
            entry["groups"] = [
                {"code": code, "name": names.get(code, code), **numbers}
                for code, numbers in stored["groups"].items()
                if not numbers.get("suppressed")
            ]
        out[indicator.id] = entry
    return out


# --- paper ballots and ballot files ----------------------------------------------------------


def _find_by_code(study_id: int, code: str) -> Participant | None:
    return db.session.scalar(
        select(Participant).where(
            Participant.study_id == study_id,
            func.lower(Participant.pseudonym) == code.strip().lower(),
        )
    )


def _group_by_code(study_id: int, code: str) -> StakeholderGroup | None:
    return db.session.scalar(
        select(StakeholderGroup).where(
            StakeholderGroup.study_id == study_id,
            func.lower(StakeholderGroup.code) == code.strip().lower(),
        )
    )


def enter_paper_ballot(
    round: Round,
    participant_code: str,
    group: str | None,
    answers: Iterable[Mapping[str, Any]],
    actor=None,
    *,
    now: datetime | None = None,
) -> Participant:
    """A paper ballot typed in by staff: the participant's whole ballot for the round.

    ``participant_code`` is a pseudonym on the panel or a new code (then ``group``, a group
    code, is required and a pseudonymous panelist is created with ``joined_via="paper"``).
    ``answers`` as for :func:`save_answers`. The round's closing time is not enforced here.
    """
    now = now or utcnow()
    study = round.study
    code = (participant_code or "").strip()
    if not code or len(code) > PARTICIPANT_CODE_MAX or not _CODE_RE.fullmatch(code):
        raise RoundError("invalid_participant_code", code=code)
    group_obj = None
    if group:
        group_obj = _group_by_code(study.id, group)
        if group_obj is None:
            raise RoundError("unknown_group", group=group)
    ctx = _begin_save(round, now=now, enforce_deadline=False)
    participant = _find_by_code(study.id, code)
    if participant is None:
        if _AUTO_PSEUDONYM_RE.fullmatch(code):
            raise RoundError("reserved_participant_code", code=code)
        if group_obj is None:
            raise RoundError("group_required", code=code)
        participant = Participant(
            study_id=study.id,
            kind="panelist",
            pseudonym=code,
            group_id=group_obj.id,
            joined_via="paper",
        )
        db.session.add(participant)
        db.session.flush()
    elif participant.kind != "panelist":
        raise RoundError("not_on_panel")
    elif group_obj is not None and participant.group_id != group_obj.id:
        raise RoundError("group_mismatch", code=participant.pseudonym, group=group)
    result = _write_ballot(ctx, participant, answers, now=now, replace=True)
    study_services.audit(
        study,
        "paper_ballot_entered",
        actor,
        round=round.number,
        pseudonym=participant.pseudonym,
        answers=result.saved,
    )
    db.session.flush()
    return participant


def parse_ballot_file(round: Round, content: bytes, filename: str) -> ballot_files.BallotImport:
    """Validate a ballot file against the round, its study's groups and panel (no writes)."""
    study = round.study
    groups = dict(_groups(study.id))
    group_codes = _group_codes(study.id)
    panel = {
        pseudonym: group_codes.get(group_id) if group_id else None
        for pseudonym, group_id in db.session.execute(
            select(Participant.pseudonym, Participant.group_id).where(
                Participant.study_id == study.id, Participant.kind == "panelist"
            )
        )
    }
    return ballot_files.parse_ballots(
        content,
        filename,
        method=round.method,
        indicators=[i.code for i in ballot(round)],
        groups=groups,
        panel=panel,
        round_number=round.number,
        max_selections=round.max_selections,
        top_m=round.top_m,
    )


def import_ballots(
    round: Round,
    parsed: ballot_files.BallotImport,
    actor=None,
    *,
    filename: str = "",
    now: datetime | None = None,
) -> tuple[int, int, int]:
    """Write a validated ballot file (``parsed.ok``), all or nothing: creates the new paper
    participants, then each ballot replaces that participant's answers in the round.
    Returns (ballots, answers, new participants)."""
    now = now or utcnow()
    if not parsed.ok:
        raise RoundError("import_invalid")
    study = round.study
    ctx = _begin_save(round, now=now, enforce_deadline=False)
    groups = {code: gid for gid, code in _group_codes(study.id).items()}
    codes = {i.code: i.id for i in ballot(round)}
    new = [
        Participant(
            study_id=study.id,
            kind="panelist",
            pseudonym=p.code,
            group_id=groups[p.group],
            joined_via="paper",
        )
        for p in parsed.new_participants
    ]
    db.session.add_all(new)
    db.session.flush()
    panel = {
        p.pseudonym: p
        for p in db.session.scalars(
            select(Participant).where(
                Participant.study_id == study.id, Participant.kind == "panelist"
            )
        )
    }
    answers = 0
    for item in parsed.ballots:
        participant = panel[item.participant]
        rows = [
            {"indicator_id": codes[a.indicator], "value": a.value, "unable": a.unable}
            for a in item.answers
        ]
        answers += _write_ballot(ctx, participant, rows, now=now, replace=True).saved
    study_services.audit(
        study,
        "ballots_imported",
        actor,
        round=round.number,
        filename=filename,
        ballots=len(parsed.ballots),
        answers=parsed.n_answers,
        new_participants=len(new),
    )
    db.session.flush()
    return len(parsed.ballots), parsed.n_answers, len(new)


# --- between rounds --------------------------------------------------------------------------


def _latest_closed(study_id: int) -> Round | None:
    return db.session.scalar(
        select(Round)
        .where(Round.study_id == study_id, Round.status == Status.CLOSED)
        .order_by(Round.number.desc())
        .limit(1)
    )


def _require_no_open_round(study_id: int) -> None:
    open_number = db.session.scalar(
        select(Round.number).where(Round.study_id == study_id, Round.status == Status.OPEN)
    )
    if open_number is not None:
        raise RoundError("round_in_progress", number=open_number)


def add_note(round: Round, indicator: Indicator, text: str, actor=None) -> DiscussionNote:
    """A note from the group discussions about an indicator of a round."""
    text = (text or "").strip()
    if not text:
        raise RoundError("text_required")
    if len(text) > NOTE_MAX:
        raise RoundError("comment_too_long", max=NOTE_MAX)
    on_ballot = db.session.scalar(
        select(RoundItem.id).where(
            RoundItem.round_id == round.id, RoundItem.indicator_id == indicator.id
        )
    )
    if on_ballot is None:
        raise RoundError("not_on_ballot", indicator=indicator.code)
    note = DiscussionNote(
        round_id=round.id, indicator_id=indicator.id, text=text, created_by_id=_actor_id(actor)
    )
    db.session.add(note)
    study_services.audit(
        round.study, "note_added", actor, round=round.number, indicator=indicator.code
    )
    db.session.flush()
    return note


def notes(round: Round) -> list[DiscussionNote]:
    return list(
        db.session.scalars(
            select(DiscussionNote)
            .where(DiscussionNote.round_id == round.id)
            .order_by(DiscussionNote.indicator_id, DiscussionNote.created_at, DiscussionNote.id)
        )
    )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RoundError("reason_required")
    return reason


def wordings(indicator: Indicator) -> list[IndicatorWording]:
    return list(
        db.session.scalars(
            select(IndicatorWording)
            .where(IndicatorWording.indicator_id == indicator.id)
            .order_by(IndicatorWording.version)
        )
    )


def reword(
    indicator: Indicator, title: str, description: str, reason: str, actor=None
) -> IndicatorWording:
    """A new version of an indicator's wording (not while a round is open).

    The first rewording also records the original wording as version 1. The indicator's
    title and description become the new wording; a ``reword`` lineage row (from = to)
    keeps it in the study's lineage.
    """
    reason = _reason(reason)
    title = (title or "").strip()
    if not title:
        raise RoundError("text_required")
    _require_no_open_round(indicator.study_id)
    after = _latest_closed(indicator.study_id)
    versions = wordings(indicator)
    if not versions:
        original = IndicatorWording(
            indicator_id=indicator.id,
            version=1,
            title=indicator.title,
            description=indicator.description or "",
            round_id=None,
            reason="",
            created_by_id=None,
            created_at=indicator.created_at,
        )
        db.session.add(original)
        versions = [original]
    wording = IndicatorWording(
        indicator_id=indicator.id,
        version=versions[-1].version + 1,
        title=title,
        description=(description or "").strip(),
        round_id=after.id if after else None,
        reason=reason,
        created_by_id=_actor_id(actor),
    )
    db.session.add(wording)
    db.session.add(
        IndicatorLineage(
            from_indicator_id=indicator.id,
            to_indicator_id=indicator.id,
            kind="reword",
            round_id=after.id if after else None,
            reason=reason,
            created_by_id=_actor_id(actor),
        )
    )
    indicator.title, indicator.description = wording.title, wording.description
    study_services.audit(
        indicator.study,
        "indicator_reworded",
        actor,
        reason=reason,
        indicator=indicator.code,
        version=wording.version,
    )
    db.session.flush()
    return wording


def _new_indicator(study: Study, like: Indicator, fields: Mapping[str, Any]) -> Indicator:
    code = (fields.get("code") or "").strip()
    title = (fields.get("title") or "").strip()
    if not code or not title:
        raise RoundError("text_required")
    if code.casefold() in {c.casefold() for c in study_services.indicator_codes(study)}:
        raise RoundError("code_taken", code=code)
    return study_services.add_indicator(
        study,
        code=code,
        title=title,
        description=(fields.get("description") or "").strip(),
        perspective=fields.get("perspective") or like.perspective,
        type=fields.get("type") or like.type,
        source=fields.get("source") or like.source or "",
    )


def _lineage(kind: str, sources: Sequence[Indicator], targets: Sequence[Indicator], reason, actor):
    after = _latest_closed(sources[0].study_id)
    for source in sources:
        for target in targets:
            db.session.add(
                IndicatorLineage(
                    from_indicator_id=source.id,
                    to_indicator_id=target.id,
                    kind=kind,
                    round_id=after.id if after else None,
                    reason=reason,
                    created_by_id=_actor_id(actor),
                )
            )


def merge(
    indicators: Sequence[Indicator],
    new_code: str,
    title: str,
    description: str,
    reason: str,
    actor=None,
    **fields: Any,
) -> Indicator:
    """Merge two or more indicators into a new one (not while a round is open).

    The new indicator takes the first one's perspective and type unless given in
    ``fields``; it replaces its sources on the next round's ballot (see :func:`carried_over`).
    """
    reason = _reason(reason)
    sources = list(dict.fromkeys(indicators))
    if len(sources) < 2:
        raise RoundError("too_few", min=2)
    study = sources[0].study
    if any(i.study_id != study.id for i in sources):
        raise RoundError("not_in_study")
    _require_no_open_round(study.id)
    merged = _new_indicator(
        study, sources[0], {"code": new_code, "title": title, "description": description, **fields}
    )
    _lineage("merge", sources, [merged], reason, actor)
    study_services.audit(
        study,
        "indicators_merged",
        actor,
        reason=reason,
        sources=[i.code for i in sources],
        result=merged.code,
    )
    db.session.flush()
    return merged


def split(
    indicator: Indicator, parts: Sequence[Mapping[str, Any]], reason: str, actor=None
) -> list[Indicator]:
    """Split an indicator into two or more new ones (``parts``: dicts with ``code``,
    ``title`` and optionally ``description``, ``perspective``, ``type``)."""
    reason = _reason(reason)
    if len(parts) < 2:
        raise RoundError("too_few", min=2)
    study = indicator.study
    _require_no_open_round(study.id)
    codes = [(p.get("code") or "").strip().casefold() for p in parts]
    if len(set(codes)) != len(codes):
        raise RoundError("code_taken", code=next(c for c in codes if codes.count(c) > 1))
    created = [_new_indicator(study, indicator, part) for part in parts]
    _lineage("split", [indicator], created, reason, actor)
    study_services.audit(
        study,
        "indicator_split",
        actor,
        reason=reason,
        source=indicator.code,
        result=[i.code for i in created],
    )
    db.session.flush()
    return created


def lineage(study: Study) -> list[IndicatorLineage]:
    """Every reword, merge and split of the study's indicators, oldest first."""
    return list(
        db.session.scalars(
            select(IndicatorLineage)
            .join(Indicator, Indicator.id == IndicatorLineage.from_indicator_id)
            .where(Indicator.study_id == study.id)
            .order_by(IndicatorLineage.created_at, IndicatorLineage.id)
        )
    )


# --- exports ---------------------------------------------------------------------------------


def answers_long(round_or_study: Round | Study) -> list[dict[str, Any]]:
    """The answers of closed rounds in long format, identified by pseudonym only.

    Each row: ``pseudonym``, ``group`` (code), ``round``, ``indicator`` (code), ``value``,
    ``unable``, ``comment``, ``reason``. Rows without a vote and without text are left out;
    rounds that are not closed are left out (no individual answers while voting).
    """
    if isinstance(round_or_study, Round):
        if round_or_study.status != Status.CLOSED:
            raise RoundError("round_not_closed")
        where = [Answer.round_id == round_or_study.id]
    else:
        where = [Round.study_id == round_or_study.id, Round.status == Status.CLOSED]
    query = (
        select(
            Participant.pseudonym,
            StakeholderGroup.code,
            Round.number,
            Indicator.code,
            Answer.value,
            Answer.unable,
            Answer.comment,
            Answer.reason,
        )
        .join(Round, Round.id == Answer.round_id)
        .join(Participant, Participant.id == Answer.participant_id)
        .outerjoin(StakeholderGroup, StakeholderGroup.id == Participant.group_id)
        .join(Indicator, Indicator.id == Answer.indicator_id)
        .where(*where, or_(_VOTE, Answer.comment != "", Answer.reason != ""))
        .order_by(Round.number, Participant.pseudonym, Indicator.position, Indicator.code)
    )
    keys = ("pseudonym", "group", "round", "indicator", "value", "unable", "comment", "reason")
    return [dict(zip(keys, row, strict=True)) for row in db.session.execute(query)]


# --- the study report ------------------------------------------------------------------------


def report_data(study: Study) -> dict[str, Any]:
    """What the COS-STAR/ACCORD study report shows, read from the stored round documents:
    the rounds, their documents and decisions, the overrides, each indicator's vote history,
    the core set (when the final round is confirmed), the lineage and the pool's make-up."""
    all_rounds = rounds(study)
    documents = {r.number: get_result(r) for r in all_rounds}
    decided = {r.number: decisions(r) for r in all_rounds if r.status == Status.CLOSED}
    history: dict[str, list] = {}
    for r in all_rounds:
        document = documents.get(r.number)
        for item in (document or {}).get("indicators", []):
            history.setdefault(item["code"], []).append((r, item))
    final = next((r for r in reversed(all_rounds) if r.is_final and r.decisions_confirmed_at), None)
    core = [d for d in decided.get(final.number, []) if d.decision == "core"] if final else []
    closed = [r for r in all_rounds if r.status == Status.CLOSED]
    attrition_result = None
    if len(closed) >= 2 and closed[0].method == "rating":
        last_voters = set(
            db.session.scalars(
                select(Answer.participant_id).where(Answer.round_id == closed[-1].id, _VOTE)
            )
        )
        attrition_result = attrition_of(_votes(closed[0]), last_voters)
    pool_counts = {"process": 0, "effect": 0}
    for indicator in study.indicators:
        pool_counts[indicator.type] = pool_counts.get(indicator.type, 0) + 1
    return {
        "rounds": all_rounds,
        "documents": documents,
        "decisions": decided,
        "overrides": [d for ds in decided.values() for d in ds if d.overridden],
        "history": history,
        "core": core,
        "final": final,
        "lineage_rows": lineage(study),
        "pool_counts": pool_counts,
        "attrition": attrition_result,
        "last_closed": closed[-1] if closed else None,
    }
