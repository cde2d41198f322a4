"""Creating rounds and moving them through their lifecycle: open, close, reopen and the
schedule (rounds open and close themselves at their times).

A round's status is written only by :func:`_apply_transition` (``consensus.rounds.lifecycle.transition``,
stored as a compare-and-set). Saves and the close are serialised as described in
:mod:`consensus.rounds.services`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ...database import dialect
from ...dbtypes import utcnow
from ...extensions import db
from ...studies import services as study_services
from ...studies.lifecycle import Phase
from ...studies.models import Indicator, Study
from .. import round_rule
from ..lifecycle import IllegalTransition, Status, transition
from ..models import METHODS, IndicatorLineage, ItemDecision, Round, RoundItem, RoundResult
from ._common import RoundError, _actor_id, _require_no_later_round_opened
from .closing import _propose_decisions, compute_round_results
from .reading import previous_round, rounds

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
    rule: str | None = None,
    rule_params: dict | None = None,
    actor=None,
) -> Round:
    """A new draft round numbered after the last one.

    Its ballot is the pool (round 1) or what the previous round carries over; the ballot is
    brought up to date again when the round opens. Refused while another round is draft or
    open, before the previous round's decisions are confirmed, and after a final round.
    ``rule``/``rule_params``: an approval or ranking round's own a-priori rule
    (:mod:`consensus.rounds.round_rule`); refused when it does not fit the method or its K/N
    exceeds the number of indicators on the ballot.
    """
    _check_settings(method, max_selections, top_m)
    error = round_rule.check_round_rule(method, rule, rule_params)
    if error:
        raise RoundError(error)
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
        rule=rule,
        rule_params=dict(rule_params or {}) if rule else None,
        created_by_id=_actor_id(actor),
    )
    db.session.add(new)
    db.session.flush()
    ids = _intended_items(new, last)
    if not ids:
        raise RoundError("no_items")
    if top_m is not None and top_m > len(ids):
        raise RoundError("top_m_too_large", m=top_m, n=len(ids))
    error = round_rule.check_round_rule(method, rule, rule_params, len(ids))
    if error:
        raise RoundError(error, items=len(ids))
    db.session.add_all(
        RoundItem(round_id=new.id, indicator_id=iid, position=i) for i, iid in enumerate(ids)
    )
    study_services.audit(
        study,
        "round_created",
        actor,
        round=new.number,
        method=method,
        items=len(ids),
        rule=rule,
        rule_params=new.rule_params,
    )
    db.session.flush()
    return new


def set_round_rule(round: Round, rule: str | None, rule_params: dict | None, *, actor=None) -> None:
    """Change a draft round's a-priori rule; refused once the round has opened."""
    if round.status != Status.DRAFT:
        raise RoundError("round_rule_locked")
    error = round_rule.check_round_rule(round.method, rule, rule_params, len(round.items))
    if error:
        raise RoundError(error, items=len(round.items))
    round.rule = rule
    round.rule_params = dict(rule_params or {}) if rule else None
    study_services.audit(
        round.study,
        "round_rule_set",
        actor,
        round=round.number,
        rule=rule,
        rule_params=round.rule_params,
    )
    db.session.flush()


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
    if dialect() == "postgresql":
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
        after = transition(before, action)
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
