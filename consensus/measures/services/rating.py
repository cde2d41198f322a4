"""The optional expert rating of the measures (relevance, feasibility 1-9) on the rounds engine."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, select

from ...database import upsert
from ...dbtypes import utcnow
from ...extensions import db
from ...rounds import rules as round_rules
from ...rounds import stats as round_stats
from ...rounds.round_rule import applied_rule
from ...rounds.stats import RATING
from ...studies import services as study_services
from ...studies.models import Participant
from .. import lifecycle
from .. import models as measures_models
from ..lifecycle import MeasureStatus
from ..models import (
    CanonicalMeasure,
    MeasureRating,
    MeasureSurvey,
)
from .common import MeasuresError
from .review import _canonical

# --- the optional expert rating round on measures ---------------------------------------------


#: the measures the experts rate
RATED = (MeasureStatus.CANDIDATE.value, MeasureStatus.ACCEPTED.value)


def save_rating(
    canonical: CanonicalMeasure,
    participant: Participant,
    dimension: str,
    value: int | None,
    *,
    unable: bool = False,
) -> MeasureRating:
    """An appointed expert's rating 1-9 (or "kan ej bedöma") of a candidate measure."""
    if participant.kind != "expert" or dimension not in measures_models.RATING_DIMENSIONS:
        raise MeasuresError("rating_invalid")
    if unable:
        value = None
    elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 9:
        raise MeasuresError("rating_invalid")
    # An upsert, like the rounds' answers: a double submit cannot race into a duplicate.
    values = {
        "canonical_id": canonical.id,
        "participant_id": participant.id,
        "dimension": dimension,
        "value": value,
        "unable": unable,
        "updated_at": utcnow(),
    }
    statement = upsert(
        MeasureRating.__table__,
        conflict=("canonical_id", "participant_id", "dimension"),
        update=("value", "unable", "updated_at"),
    )
    db.session.execute(statement, values)
    db.session.flush()
    return db.session.scalar(
        select(MeasureRating)
        .where(
            MeasureRating.canonical_id == canonical.id,
            MeasureRating.participant_id == participant.id,
            MeasureRating.dimension == dimension,
        )
        .execution_options(populate_existing=True)
    )


def measure_votes_frame(rows: Iterable[Sequence[Any]]):
    """The rounds engine's votes frame from ``(expert, level, measure code, value, unable)``:
    the expert's level (lokal/nationell) plays the stakeholder group."""
    return round_stats.votes_frame(list(rows))


def rate_measures_stats(
    survey: MeasureSurvey, dimension: str, *, min_group_size: int = 1
) -> round_stats.RatingRound:
    """The rating statistics of the candidate measures on ``dimension`` (relevance or
    feasibility): ``rounds.stats.rating_stats`` on the votes frame of the experts' ratings,
    with the candidate and accepted measures ("M<id>") as the ballot."""
    ballot = [f"M{c.id}" for c in _canonical(survey, *RATED)]
    rows = db.session.execute(
        select(
            MeasureRating.participant_id,
            Participant.level,
            MeasureRating.canonical_id,
            MeasureRating.value,
            MeasureRating.unable,
        )
        .join(Participant, Participant.id == MeasureRating.participant_id)
        .join(CanonicalMeasure, CanonicalMeasure.id == MeasureRating.canonical_id)
        .where(
            CanonicalMeasure.survey_id == survey.id,
            CanonicalMeasure.status != MeasureStatus.REJECTED.value,
            MeasureRating.dimension == dimension,
        )
        .order_by(MeasureRating.id)
    ).all()
    frame = measure_votes_frame(
        (pid, level, f"M{cid}", float("nan") if value is None else float(value), unable)
        for pid, level, cid, value, unable in rows
    )
    return round_stats.rating_stats(
        frame, ballot, groups=list(measures_models.LEVELS), min_group_size=min_group_size
    )


def change_rating_status(survey: MeasureSurvey, action: str, *, actor=None) -> None:
    """Open, close or reopen the experts' rating of the measures (one transition function)."""
    if action == "open_rating" and not _canonical(survey, *RATED):
        raise MeasuresError("no_measures_to_rate")
    before = survey.rating_status
    survey.rating_status = lifecycle.rating_transition(survey.rating_status, action).value
    study_services.audit(
        survey.study, f"measure_{action}", actor, before=before, after=survey.rating_status
    )
    db.session.flush()


def rating_ballot(survey: MeasureSurvey) -> list[CanonicalMeasure]:
    """The measures the experts rate: every candidate and accepted measure, by indicator."""
    return _canonical(survey, *RATED)


def expert_ratings(survey: MeasureSurvey, participant: Participant) -> dict[tuple[int, str], Any]:
    """An expert's own ratings: {(canonical id, dimension): MeasureRating}."""
    rows = db.session.scalars(
        select(MeasureRating)
        .join(CanonicalMeasure, CanonicalMeasure.id == MeasureRating.canonical_id)
        .where(
            CanonicalMeasure.survey_id == survey.id, MeasureRating.participant_id == participant.id
        )
    )
    return {(r.canonical_id, r.dimension): r for r in rows}


def save_ratings(
    survey: MeasureSurvey, participant: Participant, entries: Iterable[tuple[int, str, Any]]
) -> int:
    """Save an expert's ratings ``(canonical id, dimension, value 1-9 | "unable" | None)``
    while the rating is open; None clears a rating. All or nothing."""
    if survey.rating_status != lifecycle.RatingStatus.OPEN:
        raise MeasuresError("rating_closed")
    measures = {c.id: c for c in rating_ballot(survey)}
    saved = 0
    for canonical_id, dimension, value in entries:
        canonical = measures.get(canonical_id)
        if canonical is None:
            raise MeasuresError("rating_invalid")
        if value is None:
            db.session.execute(
                delete(MeasureRating).where(
                    MeasureRating.canonical_id == canonical_id,
                    MeasureRating.participant_id == participant.id,
                    MeasureRating.dimension == dimension,
                )
            )
            continue
        save_rating(
            canonical,
            participant,
            dimension,
            None if value == "unable" else value,
            unable=value == "unable",
        )
        saved += 1
    db.session.flush()
    return saved


def rating_results(survey: MeasureSurvey) -> dict[str, Any]:
    """Per dimension: the rounds engine's statistics of the measures and the decision under
    the study's primary rating rule with its own parameters (groups: the experts' levels,
    shown to staff only), following the rounds' rules: a measure rated by fewer experts than
    the study's minimum number of ratings is undecided. ``reasons[code]``: ``not_rated``
    (no rating 1-9 at all: "ej bedömd") or ``too_few`` (fewer than the minimum)."""
    study = survey.study
    rule = applied_rule(RATING, study.primary_rule, study.rule_params or {})
    out: dict[str, Any] = {
        "rule": rule["name"],
        "params": rule["params"],
        "min_ratings": study.min_ratings,
        "dimensions": {},
    }
    for dimension in measures_models.RATING_DIMENSIONS:
        stats = rate_measures_stats(survey, dimension)
        decisions = rate_measures_decisions(
            stats, rule["name"], rule["params"], min_ratings=study.min_ratings
        ).decisions
        reasons = {
            code: "not_rated" if not s.n else "too_few"
            for code, s in stats.items.items()
            if (s.n or 0) < study.min_ratings or not s.n
        }
        out["dimensions"][dimension] = {"stats": stats, "decisions": decisions, "reasons": reasons}
    return out


def rate_measures_decisions(
    stats: round_stats.RatingRound,
    rule: str = "comet_70_15",
    params: Mapping[str, Any] | None = None,
    *,
    min_ratings: int = 1,
) -> round_rules.RuleResult:
    """A consensus rule of the rounds engine applied to the measures' rating statistics, with
    the rounds' minimum number of ratings."""
    return round_rules.decide(stats, rule, params, min_ratings=min_ratings)
