"""Paper ballots entered by staff and ballot files imported all or nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ...dbtypes import utcnow
from ...extensions import db
from ...studies import services as study_services
from ...studies.models import Participant, StakeholderGroup
from .. import ballot_files
from ..models import Round
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
