"""Saving a panelist's answers (an upsert under the round lock, see
:mod:`consensus.rounds.services`), their progress, and the feedback shown for the next round."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update

from ...database import dialect, upsert
from ...dbtypes import utcnow
from ...extensions import db
from ...studies.models import Participant, Study, links_expired
from ..lifecycle import Status
from ..models import Answer, Round, RoundItem
from ..stability import crossed_band
from ._common import _VOTE, RoundError
from .reading import ballot, get_result, previous_round

COMMENT_MAX = 4000
REASON_MAX = 4000


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


def _round_facts_columns():
    """What a save reads about its round (with the ballot's size, and how many of the
    indicators it writes are on the ballot: the expanding parameter ``wanted``)."""
    ballot_size = (
        select(func.count(RoundItem.id)).where(RoundItem.round_id == Round.id).scalar_subquery()
    )
    on_ballot = (
        select(func.count(RoundItem.id))
        .where(
            RoundItem.round_id == Round.id,
            RoundItem.indicator_id.in_(bindparam("wanted", expanding=True)),
        )
        .scalar_subquery()
    )
    return (
        Round.id.label("round_id"),
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


@functools.cache
def _round_facts(dialect_name: str):
    """The round by id (parameter ``round_id``), locked ``FOR SHARE`` on PostgreSQL. Built
    once per dialect, so SQLAlchemy's compiled cache serves every save."""
    query = (
        select(*_round_facts_columns())
        .join(Study, Study.id == Round.study_id)
        .where(Round.id == bindparam("round_id"))
    )
    if dialect_name == "postgresql":
        query = query.with_for_update(read=True, of=Round)
    return query


@functools.cache
def _panelist_round_facts(dialect_name: str):
    """A participant (parameter ``participant_id``) with what the session check needs, and
    round ``number`` of their study, locked ``FOR SHARE`` on PostgreSQL: one statement."""
    query = (
        select(
            Participant.id.label("participant_id"),
            Participant.kind,
            Participant.token_hash,
            Participant.link_revoked_at,
            Participant.erased_at,
            Participant.session_version,
            Participant.consent_at,
            Study.phase,
            Study.links_expire_at,
            *_round_facts_columns(),
        )
        .select_from(Participant)
        .join(Study, Study.id == Participant.study_id)
        .join(
            Round,
            (Round.study_id == Participant.study_id) & (Round.number == bindparam("number")),
        )
        .where(Participant.id == bindparam("participant_id"))
    )
    if dialect_name == "postgresql":
        query = query.with_for_update(read=True, of=Round)
    return query


def _take_write_lock(round_id=None, *, participant_id=None, number=None) -> None:
    """SQLite has no ``FOR SHARE``: a write first, so that this transaction holds the
    database's write lock before it reads the status (a close cannot commit in between)."""
    if round_id is not None:
        where = Round.id == round_id
    else:
        study = select(Participant.study_id).where(Participant.id == participant_id)
        where = (Round.study_id == study.scalar_subquery()) & (Round.number == number)
    db.session.execute(
        update(Round).where(where).values(id=Round.id).execution_options(synchronize_session=False)
    )


def _wanted(indicator_ids: Iterable[Any] | None) -> set[int] | None:
    if indicator_ids is None:
        return None
    return {i for i in indicator_ids if _is_int(i)}


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
    wanted = _wanted(indicator_ids)
    name = dialect()
    if name != "postgresql":
        _take_write_lock(round.id)
    facts = db.session.execute(
        _round_facts(name), {"round_id": round.id, "wanted": sorted(wanted or ())}
    ).one()
    return _context(facts, wanted, now=now, enforce_deadline=enforce_deadline)


def _context(facts, wanted: set[int] | None, *, now: datetime, enforce_deadline: bool):
    """Check the locked round's facts (open, before its closing time) and build the context."""
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
            db.session.scalars(
                select(RoundItem.indicator_id).where(RoundItem.round_id == facts.round_id)
            )
        )
    limit = facts.ballot_size
    if facts.method == "ranking" and facts.top_m:
        limit = min(limit, facts.top_m)
    return _BallotContext(
        round_id=facts.round_id,
        study_id=facts.study_id,
        number=facts.number,
        method=facts.method,
        max_selections=facts.max_selections,
        items=items,
        rank_limit=limit,
        ask_reason=bool(facts.ask_reason_on_band_cross),
    )


# --- the save route: the session's participant and the round in one statement --------------


@dataclass(frozen=True)
class _Panelist:
    """The participant a locked ballot was read for (what ``_write_ballot`` needs)."""

    id: int
    study_id: int
    kind: str


@dataclass
class LockedBallot:
    """Read by :func:`lock_ballot`: the session's participant (``participant``, with
    ``token_hash``, ``link_revoked_at``, ``erased_at``, ``session_version``, ``consent_at``),
    whether the study's links have expired, and round ``number`` of their study, locked for saving. Nothing is
    checked yet: the caller checks the participant, then calls :func:`save_locked`."""

    facts: Any
    wanted: set[int]
    participant: _Panelist

    @property
    def status(self) -> str:
        return self.facts.status

    @property
    def method(self) -> str:
        return self.facts.method

    @property
    def consent_at(self) -> datetime | None:
        return self.facts.consent_at

    @property
    def token_hash(self) -> str | None:
        return self.facts.token_hash

    @property
    def link_revoked_at(self) -> datetime | None:
        return self.facts.link_revoked_at

    @property
    def erased_at(self) -> datetime | None:
        return self.facts.erased_at

    @property
    def session_version(self) -> int:
        return self.facts.session_version

    def links_expired(self, now: datetime) -> bool:
        return links_expired(self.facts.phase, self.facts.links_expire_at, now)


def lock_ballot(participant_id: int, number: int, indicator_ids: Iterable[Any]):
    """The hot path of the ballot's save (one statement on PostgreSQL, two on SQLite): read
    the participant and round ``number`` of their study, and lock the round for saving as
    :func:`save_answers` does. None when either is missing."""
    wanted = _wanted(indicator_ids) or set()
    name = dialect()
    if name != "postgresql":
        _take_write_lock(participant_id=participant_id, number=number)
    # Core execution on the session's connection (same transaction): these are plain rows,
    # the ORM's statement processing would only cost time on the vote path.
    facts = (
        db.session.connection()
        .execute(
            _panelist_round_facts(name),
            {"participant_id": participant_id, "number": number, "wanted": sorted(wanted)},
        )
        .one_or_none()
    )
    if facts is None:
        return None
    return LockedBallot(
        facts=facts,
        wanted=wanted,
        participant=_Panelist(facts.participant_id, facts.study_id, facts.kind),
    )


def save_locked(
    locked: LockedBallot, answers: Iterable[Mapping[str, Any]], *, now: datetime | None = None
) -> SaveResult:
    """:func:`save_answers` for a ballot read by :func:`lock_ballot` (the answers name only
    indicators among those it was read for; refused as there otherwise)."""
    now = now or utcnow()
    answers = list(answers)
    wanted = _wanted(a.get("indicator_id") for a in answers) or set()
    ctx = _context(
        locked.facts,
        wanted if wanted == locked.wanted else None,
        now=now,
        enforce_deadline=True,
    )
    result = _write_ballot(ctx, locked.participant, answers, now=now, replace=False)
    db.session.flush()
    return result


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
                "source": "online",
                "created_at": now,
                "updated_at": now,
                **row,
            }
            for row in group
        ]
        statement = upsert(
            Answer.__table__,
            conflict=("round_id", "participant_id", "indicator_id"),
            update=(*columns, "updated_at"),
        )
        db.session.execute(statement, values)


def _write_ballot(
    ctx: _BallotContext,
    participant: Participant,
    answers: Iterable[Mapping[str, Any]],
    *,
    now: datetime,
    replace: bool,
    source: str = "online",
) -> SaveResult:
    """Write a ballot's answers (``replace``: clear the participant's answers it leaves out).
    ``source`` ("online" or "paper") is recorded on every answer whose value it sets."""
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
        if cross_row and dialect() == "postgresql":
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
    for row in rows:
        if "value" in row:
            row["source"] = source
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
