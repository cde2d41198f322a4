"""Reading rounds: the rounds of a study, one round, its neighbours, its ballot and results."""

from __future__ import annotations

from sqlalchemy import select

from ...extensions import db
from ...studies.models import Indicator, Study
from .. import result_tables
from ..lifecycle import Status
from ..models import Round, RoundItem, RoundResult
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
