"""How far each invited panelist has come in a round: complete, partial or not started.

A panelist with 8 of 20 answers is *partial*: counted apart from the complete ones on the
round page, the panel page, the dashboard and the projector, and reminded with the number of
answers left. What "complete" means follows the round's method: every item rated (a rating
round), the full ranking (``top_m`` places, or every item), or any selection (approval: the
panelist chooses how many, up to the maximum).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from ...extensions import db
from ...studies.models import Participant
from .. import result_document
from ..models import Answer, Round
from ._common import _VOTE
from .closing import _group_codes, _groups, _invited_ids, invited
from .reading import ballot

COMPLETE, PARTIAL, NOT_STARTED = "complete", "partial", "not_started"


def needed_answers(method: str, items: int, top_m: int | None) -> int:
    """How many answers make a panelist's ballot complete."""
    if items <= 0:
        return 0
    if method == "approval":
        return 1
    if method == "ranking" and top_m:
        return min(top_m, items)
    return items


def state(answered: int, needed: int) -> str:
    if answered <= 0:
        return NOT_STARTED
    return COMPLETE if answered >= needed else PARTIAL


@dataclass(frozen=True)
class Progress:
    participant_id: int
    answered: int
    needed: int

    @property
    def state(self) -> str:
        return state(self.answered, self.needed)

    @property
    def remaining(self) -> int:
        return max(self.needed - self.answered, 0)


def _answered(round: Round) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Answer.participant_id, func.count(distinct(Answer.indicator_id)))
            .where(Answer.round_id == round.id, _VOTE)
            .group_by(Answer.participant_id)
        ).all()
    )


def needed_for(round: Round) -> int:
    return needed_answers(round.method, len(ballot(round)), round.top_m)


def panel_progress(round: Round) -> dict[int, Progress]:
    """{participant id: Progress} for every panelist the round is for (erased ones too)."""
    needed = needed_for(round)
    answered = _answered(round)
    ids = db.session.scalars(_invited_ids(round, include_erased=True)).all()
    # Anyone who answered although the policy did not invite them was reached: counted too.
    return {
        pid: Progress(pid, answered.get(pid, 0), needed) for pid in sorted(set(ids) | set(answered))
    }


def _empty() -> dict:
    return {"invited": 0, COMPLETE: 0, PARTIAL: 0, NOT_STARTED: 0, "no_email": 0}


def progress_counts(round: Round) -> dict:
    """Invited, complete, partial and not started, overall and per stakeholder group (staff
    only: not suppressed); ``no_email`` counts the panelists who cannot be emailed (joined in
    the room or on paper), shown apart because reminders cannot reach them."""
    states = panel_progress(round)
    codes = _group_codes(round.study_id)
    rows = db.session.execute(
        select(Participant.id, Participant.group_id, Participant.email).where(
            Participant.id.in_(list(states))
        )
    ).all()
    total, groups = _empty(), {code: _empty() for code, _name in _groups(round.study_id)}
    for pid, group_id, email in rows:
        code = codes.get(group_id, result_document.NO_GROUP)
        for block in (total, groups.setdefault(code, _empty())):
            block["invited"] += 1
            block[states[pid].state] += 1
            if not email:
                block["no_email"] += 1
    names = dict(_groups(round.study_id))
    total["groups"] = groups
    total["group_names"] = {c: names.get(c, result_document.NO_GROUP_NAME) for c in groups}
    total["needed"] = needed_for(round)
    return total


def reminder_targets(round: Round) -> list[tuple[Participant, int]]:
    """The invited panelists who have not completed the round (not started or partial),
    each with the number of answers they have left, by id."""
    states = panel_progress(round)
    return [
        (p, states[p.id].remaining if p.id in states else needed_for(round))
        for p in invited(round)
        if p.id not in states or states[p.id].state != COMPLETE
    ]
