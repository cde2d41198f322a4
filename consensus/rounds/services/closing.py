"""Reading votes and computing a round's results; the decisions of a closed round."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from operator import itemgetter
from typing import Any

import numpy as np
from sqlalchemy import bindparam, delete, distinct, func, or_, select

from ...dbtypes import utcnow
from ...extensions import db
from ...studies import services as study_services
from ...studies.models import Indicator, Participant, StakeholderGroup
from .. import result_document
from ..lifecycle import Status
from ..models import Answer, ItemDecision, Round, RoundItem
from ..stats import votes_frame_from_arrays
from ._common import _VOTE, RoundError, _actor_id, _require_no_later_round_opened
from .reading import ballot, previous_round

_NO_GROUP_ID = 0  # stands for "no stakeholder group" when reading votes


# --- reading votes and computing results -----------------------------------------------------


@functools.cache
def _votes_statement():
    """The votes of round ``round_id`` (parameter), in the columns of ``stats``: built once."""
    return (
        select(
            Answer.participant_id,
            func.coalesce(Participant.group_id, _NO_GROUP_ID),
            Answer.indicator_id,
            Answer.value,
            Answer.unable,
        )
        .join(Participant, Participant.id == Answer.participant_id)
        .where(Answer.round_id == bindparam("round_id"), _VOTE)
    )


_CHUNK = 20_000  # rows fetched at a time: Python rows never pile up beyond this


def _read_vote_arrays(round_id: int) -> list[np.ndarray]:
    """The votes as five arrays (panelist, group, indicator, value, unable), read through the
    DBAPI cursor in chunks: no ORM row processing, no list of 300,000 rows in memory."""
    connection = db.session.connection()
    compiled = _votes_statement().compile(dialect=connection.dialect)
    params = compiled.construct_params({"round_id": round_id})
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup or ())
    dtypes = (np.int64, np.int64, np.int64, np.float64, bool)
    parts: list[list[np.ndarray]] = [[] for _ in dtypes]
    cursor = connection.connection.cursor()
    try:
        cursor.execute(compiled.string, params)
        while rows := cursor.fetchmany(_CHUNK):
            for k, dtype in enumerate(dtypes):
                # None becomes NaN in the float column (a vote "kan ej bedöma").
                parts[k].append(np.array(list(map(itemgetter(k), rows)), dtype=dtype))
    finally:
        cursor.close()
    return [
        np.concatenate(chunks) if chunks else np.empty(0, dtype=dtype)
        for chunks, dtype in zip(parts, dtypes, strict=True)
    ]


def _votes(round: Round):
    """The round's votes as the long-format frame of ``stats`` (one query)."""
    frame = votes_frame_from_arrays(*_read_vote_arrays(round.id))
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


def _invited_by_group(round: Round, votes=None) -> dict[str, int]:
    """Invited per group, for response rates: the panelists the round was for (erased ones
    too: they were invited) and anyone who voted in it although the policy did not invite
    them (they were reached), so a rate never exceeds 100 %. With ``votes`` (the round's
    frame, already read) the voters come from it instead of a second scan of the answers."""
    codes = _group_codes(round.study_id)
    if votes is None:
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
    out: dict[str, int] = {}
    invited = set()
    for pid, g in db.session.execute(
        select(Participant.id, Participant.group_id).where(
            Participant.id.in_(_invited_ids(round, include_erased=True))
        )
    ):
        invited.add(pid)
        code = codes.get(g, result_document.NO_GROUP)
        out[code] = out.get(code, 0) + 1
    voters = votes[["panelist", "group"]].drop_duplicates("panelist")
    for pid, code in zip(voters["panelist"].tolist(), voters["group"].tolist(), strict=True):
        if pid not in invited:
            out[str(code)] = out.get(str(code), 0) + 1
    return out


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
        min_ratings=study.min_ratings,
        primary_rule=study.primary_rule,
        rule_params=study.rule_params or {},
        round_rule=round.rule,
        round_rule_params=round.rule_params or {},
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
        _invited_by_group(round, votes),
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
