"""Reading rounds: the rounds of a study, one round, its neighbours, its ballot and results."""

from __future__ import annotations

from sqlalchemy import func, select

from ...extensions import db
from ...studies.models import Indicator, Study
from .. import result_tables
from ..lifecycle import Status
from ..models import Answer, Round, RoundItem, RoundResult
from ..round_rule import applied_rule

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


def decisive_rule(round: Round) -> dict:
    """The rule that decides the round, ``{"name", "params"}``: what its stored results used
    once closed, otherwise what they will use (the round's own a-priori rule, else the
    study's)."""
    document = get_result(round) if round.status == Status.CLOSED else None
    if document and document.get("primary_rule"):
        return dict(document["primary_rule"])
    study = round.study
    return applied_rule(
        round.method,
        study.primary_rule,
        study.rule_params or {},
        study.target_core_size,
        round_rule=round.rule,
        round_rule_params=round.rule_params,
    )


def results_page(round: Round, *, sort: str = "position", descending: bool = False) -> dict | None:
    """What the results page shows: the stored document and its rows sorted (no recomputing)."""
    document = get_result(round)
    if document is None:
        return None
    return {
        "document": document,
        "rows": result_tables.results_rows(document, sort=sort, descending=descending),
    }


def live_histogram(round: Round) -> list[tuple[str, int]]:
    """The answers so far, for the projector while a round runs: a rating round's answers
    1-9 pooled over the ballot, an approval round's votes and a ranking round's first places
    per indicator code (in ballot order)."""
    if round.method == "rating":
        counts = dict(
            db.session.execute(
                select(Answer.value, func.count())
                .where(Answer.round_id == round.id, Answer.value.is_not(None))
                .group_by(Answer.value)
            ).all()
        )
        return [(str(v), counts.get(v, 0)) for v in range(1, 10)]
    counts = dict(
        db.session.execute(
            select(Answer.indicator_id, func.count())
            .where(Answer.round_id == round.id, Answer.value == 1)
            .group_by(Answer.indicator_id)
        ).all()
    )
    return [(i.code, counts.get(i.id, 0)) for i in ballot(round)]
