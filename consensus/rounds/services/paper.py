"""Paper ballots entered by staff and ballot files imported all or nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ...dbtypes import utcnow
from ...extensions import db
from ...studies import services as study_services
from ...studies.models import Participant, StakeholderGroup
from ...tabular import sort_problems
from .. import ballot_files
from ..models import Answer, Round
from ._common import RoundError
from .answers import _begin_save, _write_ballot
from .closing import _group_codes, _groups
from .reading import ballot

PARTICIPANT_CODE_MAX = ballot_files.PARTICIPANT_CODE_MAX
_CODE_RE = re.compile(r"[\w.\-]+")
_AUTO_PSEUDONYM_RE = re.compile(r"p\d+", re.IGNORECASE)


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


@dataclass(frozen=True)
class PaperChange:
    """One answer a paper ballot would change: the indicator, the answer given online (None:
    none) and the paper's, each as (value, unable)."""

    indicator_id: int
    code: str
    title: str
    online: tuple[int | None, bool] | None
    paper: tuple[int | None, bool]


def _given(answers: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """What a paper ballot says: the answers it gives (a value or "kan ej bedöma") and the
    texts it carries. What it leaves blank is left out, so it never erases a stored answer."""
    given = []
    for answer in answers:
        row = {"indicator_id": answer["indicator_id"]}
        if answer.get("value") is not None or answer.get("unable"):
            row["value"], row["unable"] = answer.get("value"), bool(answer.get("unable"))
        for name in ("comment", "reason"):
            if (answer.get(name) or "").strip():
                row[name] = answer[name]
        if len(row) > 1:
            given.append(row)
    return given


def _stored_answers(round: Round, participant: Participant) -> dict[int, tuple[int | None, bool]]:
    """The participant's answers in the round that say something (a value or unable)."""
    rows = db.session.execute(
        select(Answer.indicator_id, Answer.value, Answer.unable).where(
            Answer.round_id == round.id,
            Answer.participant_id == participant.id,
            (Answer.value.is_not(None)) | Answer.unable,
        )
    )
    return {iid: (value, bool(unable)) for iid, value, unable in rows}


def _answered_online(round: Round, participant: Participant) -> bool:
    """Whether the participant has an answer given online in the round (a value or unable)."""
    return (
        db.session.scalar(
            select(Answer.id)
            .where(
                Answer.round_id == round.id,
                Answer.participant_id == participant.id,
                Answer.source == "online",
                (Answer.value.is_not(None)) | Answer.unable,
            )
            .limit(1)
        )
        is not None
    )


def paper_ballot_changes(
    round: Round, participant_code: str, answers: Iterable[Mapping[str, Any]]
) -> list[PaperChange] | None:
    """What a paper ballot would change for a panelist who has answered online in the round:
    every indicator whose paper answer differs from the stored one (blanks change nothing).
    None when nothing online stands in the way (a new code, or no answers yet)."""
    participant = _find_by_code(round.study_id, (participant_code or "").strip())
    if participant is None or not _answered_online(round, participant):
        return None
    stored = _stored_answers(round, participant)
    items = {i.id: i for i in ballot(round)}
    changes = []
    for row in _given(answers):
        if "value" not in row:
            continue
        paper = (row["value"], row["unable"])
        online = stored.get(row["indicator_id"])
        if online != paper and row["indicator_id"] in items:
            item = items[row["indicator_id"]]
            changes.append(PaperChange(item.id, item.code, item.title, online, paper))
    return changes


def enter_paper_ballot(
    round: Round,
    participant_code: str,
    group: str | None,
    answers: Iterable[Mapping[str, Any]],
    actor=None,
    *,
    replace_reason: str | None = None,
    now: datetime | None = None,
) -> Participant:
    """A paper ballot typed in by staff for the round.

    ``participant_code`` is a pseudonym on the panel or a new code (then ``group``, a group
    code, is required and a pseudonymous panelist is created with ``joined_via="paper"``).
    ``answers`` as for :func:`save_answers`. The round's closing time is not enforced here.

    A panelist who has answered online in the round is refused (``answered_online``) unless
    ``replace_reason`` says why the paper replaces their answers (see
    :func:`paper_ballot_changes`); the paper's answers then replace those it gives, and what
    it leaves blank is kept. Otherwise (no online answers) a new card corrects the last one:
    it replaces the participant's whole ballot in the round.
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
    online: list[PaperChange] | None = None
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
    else:
        answers = list(answers)
        online = paper_ballot_changes(round, participant.pseudonym, answers)
        reason = (replace_reason or "").strip()
        if online is not None and not reason:
            raise RoundError("answered_online", code=participant.pseudonym)
    if online is None:
        result = _write_ballot(ctx, participant, answers, now=now, replace=True, source="paper")
        study_services.audit(
            study,
            "paper_ballot_entered",
            actor,
            round=round.number,
            pseudonym=participant.pseudonym,
            answers=result.saved,
        )
    else:
        result = _write_ballot(
            ctx, participant, _given(answers), now=now, replace=False, source="paper"
        )
        study_services.audit(
            study,
            "paper_ballot_replaced_online",
            actor,
            round=round.number,
            pseudonym=participant.pseudonym,
            reason=(replace_reason or "").strip(),
            changed=[
                {"indicator": c.code, "online": list(c.online or ()), "paper": list(c.paper)}
                for c in online
            ],
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
    parsed = ballot_files.parse_ballots(
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
    # A file never replaces answers given online: those ballots are typed in by hand, where
    # the page shows what would change and asks why (enter_paper_ballot).
    label = next(c.label for c in ballot_files.BALLOT_COLUMNS if c.key == "participant")
    for item in parsed.ballots:
        participant = None if item.new else _find_by_code(study.id, item.participant)
        if participant is not None and _answered_online(round, participant):
            parsed.problems.append(
                ballot_files.BallotProblem(
                    item.rows[0], label, "answered_online", {"participant": item.participant}
                )
            )
    if parsed.problems:
        parsed.problems = sort_problems(parsed.problems)
    return parsed


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
        answers += _write_ballot(
            ctx, participant, rows, now=now, replace=True, source="paper"
        ).saved
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
