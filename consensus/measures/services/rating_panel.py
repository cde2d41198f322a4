"""Who has rated the measures: each appointed expert's progress (complete, partial, not
started: "12 av 30 bedömda"), the experts to invite or remind, and the ratings' export with
pseudonyms only. The consensus of the ratings is ``rating.py``'s."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from ...extensions import db
from ...studies.models import Participant
from .. import models as measures_models
from ..models import CanonicalMeasure, MeasureRating, MeasureSurvey, Respondent
from .rating import rating_ballot

COMPLETE, PARTIAL, NOT_STARTED = "complete", "partial", "not_started"


@dataclass(frozen=True)
class RatingProgress:
    pseudonym: str
    level: str
    participant_id: int
    rated: int
    needed: int

    @property
    def state(self) -> str:
        if self.rated <= 0:
            return NOT_STARTED
        return COMPLETE if self.rated >= self.needed else PARTIAL

    @property
    def remaining(self) -> int:
        return max(self.needed - self.rated, 0)


def needed_ratings(survey: MeasureSurvey) -> int:
    """Ratings that make an expert's form complete: every measure on both dimensions."""
    return len(rating_ballot(survey)) * len(measures_models.RATING_DIMENSIONS)


def _rated_statement(survey: MeasureSurvey):
    """(participant id, number of ratings given) for the measures on the ballot."""
    ids = [m.id for m in rating_ballot(survey)]
    return (
        select(MeasureRating.participant_id, func.count(MeasureRating.id))
        .join(CanonicalMeasure, CanonicalMeasure.id == MeasureRating.canonical_id)
        .where(
            CanonicalMeasure.survey_id == survey.id,
            MeasureRating.canonical_id.in_(ids),
            or_(MeasureRating.value.is_not(None), MeasureRating.unable),
        )
        .group_by(MeasureRating.participant_id)
    )


def rated_by(survey: MeasureSurvey, participant: Participant) -> int:
    return dict(db.session.execute(_rated_statement(survey)).all()).get(participant.id, 0)


def rating_progress(survey: MeasureSurvey) -> list[RatingProgress]:
    """Every appointed expert of the survey (not erased) with their progress, by pseudonym."""
    needed = needed_ratings(survey)
    rated = dict(db.session.execute(_rated_statement(survey)).all())
    rows = db.session.execute(
        select(Respondent.pseudonym, Respondent.level, Respondent.participant_id)
        .join(Participant, Participant.id == Respondent.participant_id)
        .where(Respondent.survey_id == survey.id, Participant.erased_at.is_(None))
        .order_by(Respondent.pseudonym)
    ).all()
    return [
        RatingProgress(pseudonym, level, pid, rated.get(pid, 0), needed)
        for pseudonym, level, pid in rows
    ]


def progress_summary(progress: list[RatingProgress]) -> dict[str, int]:
    out = {"experts": len(progress), COMPLETE: 0, PARTIAL: 0, NOT_STARTED: 0}
    for row in progress:
        out[row.state] += 1
    return out


def rating_targets(survey: MeasureSurvey, which: str) -> list[tuple[Participant, int]]:
    """Experts to email with their link and how many ratings they have left: ``all`` (the
    rating has opened) or ``unfinished`` (a reminder: not started or partial)."""
    progress = {row.participant_id: row for row in rating_progress(survey)}
    participants = db.session.scalars(
        select(Participant)
        .where(Participant.id.in_(list(progress)), Participant.email.is_not(None))
        .order_by(Participant.id)
    )
    return [
        (p, progress[p.id].remaining)
        for p in participants
        if which == "all" or progress[p.id].state != COMPLETE
    ]


EXPORT_HEADERS = [
    "Pseudonym",
    "Nivå",
    "Indikator",
    "Mått",
    "Måttets namn",
    "Dimension",
    "Värde",
    "Kan ej bedöma",
    "Sparad",
]
DIMENSION_NAMES = {"relevance": "Relevans", "feasibility": "Genomförbarhet"}


def export_ratings(survey: MeasureSurvey) -> tuple[list[str], list[list]]:
    """Every rating of the measures, one row per expert, measure and dimension, with the
    expert's pseudonym and level only (never name, email or organisation)."""
    indicators = {i.id: i.code for i in survey.study.indicators}
    rows = db.session.execute(
        select(
            Respondent.pseudonym,
            Respondent.level,
            CanonicalMeasure.indicator_id,
            CanonicalMeasure.id,
            CanonicalMeasure.name,
            MeasureRating.dimension,
            MeasureRating.value,
            MeasureRating.unable,
            MeasureRating.updated_at,
        )
        .join(CanonicalMeasure, CanonicalMeasure.id == MeasureRating.canonical_id)
        .join(
            Respondent,
            (Respondent.participant_id == MeasureRating.participant_id)
            & (Respondent.survey_id == survey.id),
        )
        .where(CanonicalMeasure.survey_id == survey.id)
        .order_by(Respondent.pseudonym, CanonicalMeasure.id, MeasureRating.dimension)
    ).all()
    return EXPORT_HEADERS, [
        [
            pseudonym,
            level,
            indicators.get(indicator_id, ""),
            f"M{measure_id}",
            name,
            DIMENSION_NAMES.get(dimension, dimension),
            "" if value is None else value,
            "ja" if unable else "",
            updated_at.isoformat(timespec="seconds") if updated_at else "",
        ]
        for pseudonym, level, indicator_id, measure_id, name, dimension, value, unable, updated_at in rows
    ]
