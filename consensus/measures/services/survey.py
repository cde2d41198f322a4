"""The survey itself: its indicators, settings and status, the open link and the workshops.

The survey's status changes only through :func:`change_status` (``lifecycle.transition``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ...auth.tokens import hash_token, looks_like_token, new_token
from ...dbtypes import utcnow
from ...extensions import db
from ...rounds.models import ItemDecision, Round
from ...studies import services as study_services
from ...studies.models import Indicator, Study
from .. import lifecycle
from ..models import (
    MeasureSurvey,
    SurveyIndicator,
    Workshop,
)
from .common import MeasuresError, _actor_id

SURVEY_SETTINGS = ("intro_text", "opens_at", "closes_at")
WORKSHOP_FIELDS = ("date", "time_text", "place", "area", "contact_person", "kind")


# --- the survey -------------------------------------------------------------------------------


def get_survey(study: Study) -> MeasureSurvey | None:
    return db.session.scalar(select(MeasureSurvey).where(MeasureSurvey.study_id == study.id))


def core_set(study: Study) -> list[Indicator]:
    """The study's core set: ``core`` decisions of its confirmed final round (ballot order)."""
    final = db.session.scalar(
        select(Round)
        .where(
            Round.study_id == study.id,
            Round.is_final.is_(True),
            Round.decisions_confirmed_at.is_not(None),
        )
        .order_by(Round.number.desc())
    )
    if final is None:
        return []
    return list(
        db.session.scalars(
            select(Indicator)
            .join(ItemDecision, ItemDecision.indicator_id == Indicator.id)
            .where(ItemDecision.round_id == final.id, ItemDecision.decision == "core")
            .order_by(Indicator.position, Indicator.id)
        )
    )


def create_survey(
    study: Study,
    *,
    intro_text: str = "",
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    indicator_ids: Sequence[int] | None = None,
    actor=None,
) -> MeasureSurvey:
    """A draft survey over ``indicator_ids`` (default: the confirmed core set)."""
    if get_survey(study) is not None:
        raise MeasuresError("survey_exists")
    survey = MeasureSurvey(
        study_id=study.id,
        intro_text=intro_text,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by_id=_actor_id(actor),
    )
    db.session.add(survey)
    db.session.flush()
    ids = list(indicator_ids) if indicator_ids is not None else [i.id for i in core_set(study)]
    _write_indicators(survey, ids)
    study_services.audit(study, "measure_survey_created", actor, indicators=len(ids))
    db.session.flush()
    return survey


def _write_indicators(survey: MeasureSurvey, indicator_ids: Sequence[int]) -> None:
    ids = list(dict.fromkeys(indicator_ids))
    known = set(
        db.session.scalars(
            select(Indicator.id).where(Indicator.study_id == survey.study_id, Indicator.id.in_(ids))
        )
    )
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise MeasuresError("indicator_not_in_survey", ids=unknown)
    for item in list(survey.indicators):
        survey.indicators.remove(item)
    db.session.flush()
    for position, indicator_id in enumerate(ids):
        survey.indicators.append(SurveyIndicator(indicator_id=indicator_id, position=position))
    db.session.flush()


def set_indicators(survey: MeasureSurvey, indicator_ids: Sequence[int], actor=None) -> None:
    """Pick the indicators the survey covers (while it is a draft)."""
    if survey.status != lifecycle.Status.DRAFT:
        raise MeasuresError("survey_not_draft")
    _write_indicators(survey, indicator_ids)
    study_services.audit(survey.study, "measure_survey_indicators", actor, ids=list(indicator_ids))


def survey_indicators(survey: MeasureSurvey) -> list[Indicator]:
    return list(
        db.session.scalars(
            select(Indicator)
            .join(SurveyIndicator, SurveyIndicator.indicator_id == Indicator.id)
            .where(SurveyIndicator.survey_id == survey.id)
            .order_by(SurveyIndicator.position)
        )
    )


def update_survey(survey: MeasureSurvey, changes: Mapping[str, Any], actor=None) -> list[str]:
    unknown = set(changes) - set(SURVEY_SETTINGS)
    if unknown:
        raise MeasuresError("unknown_setting", names=sorted(unknown))
    changed = [k for k, v in changes.items() if getattr(survey, k) != v]
    for name in changed:
        setattr(survey, name, changes[name])
    if changed:
        study_services.audit(survey.study, "measure_survey_edited", actor, settings=changed)
    db.session.flush()
    return changed


def change_status(
    survey: MeasureSurvey, action: str, *, actor=None, now: datetime | None = None
) -> None:
    """The only way a survey's status changes (open, close, reopen)."""
    now = now or utcnow()
    if action == "open" and not survey.indicators:
        raise MeasuresError("no_indicators")
    before = survey.status
    survey.status = lifecycle.transition(survey.status, action).value
    if action in ("open", "reopen"):
        survey.opened_at = survey.opened_at or now
        survey.closed_at = None
        if action == "reopen" and survey.closes_at is not None and survey.closes_at <= now:
            survey.closes_at = None
    else:
        survey.closed_at = now
    study_services.audit(
        survey.study, f"measure_survey_{action}", actor, before=before, after=survey.status
    )
    db.session.flush()


def close_if_due(survey: MeasureSurvey, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if survey.status == lifecycle.Status.OPEN and survey.closes_at and survey.closes_at <= now:
        change_status(survey, "close", now=now)
        return True
    return False


def _require_open(survey: MeasureSurvey, now: datetime | None = None) -> None:
    close_if_due(survey, now)
    if not lifecycle.accepts_proposals(survey.status):
        raise MeasuresError("survey_closed", closed_at=survey.closed_at)


# --- the open link ----------------------------------------------------------------------------


def new_open_link(survey: MeasureSurvey, actor=None) -> str:
    """A new open link token (the old one stops working); only its hash is stored."""
    token = new_token()
    survey.open_link_token_hash = hash_token(token)
    study_services.audit(survey.study, "measure_open_link_issued", actor)
    db.session.flush()
    return token


def disable_open_link(survey: MeasureSurvey, actor=None) -> None:
    survey.open_link_token_hash = None
    study_services.audit(survey.study, "measure_open_link_disabled", actor)
    db.session.flush()


def survey_by_open_link(token: str) -> MeasureSurvey | None:
    if not looks_like_token(token):
        return None
    return db.session.scalar(
        select(MeasureSurvey).where(MeasureSurvey.open_link_token_hash == hash_token(token))
    )


# --- workshops --------------------------------------------------------------------------------


def add_workshop(survey: MeasureSurvey, actor=None, **fields) -> Workshop:
    unknown = set(fields) - set(WORKSHOP_FIELDS)
    if unknown:
        raise MeasuresError("unknown_setting", names=sorted(unknown))
    workshop = Workshop(survey_id=survey.id, **fields)
    db.session.add(workshop)
    db.session.flush()
    study_services.audit(survey.study, "workshop_added", actor, date=str(workshop.date))
    return workshop


def update_workshop(workshop: Workshop, fields: Mapping[str, Any], actor=None) -> None:
    unknown = set(fields) - set(WORKSHOP_FIELDS)
    if unknown:
        raise MeasuresError("unknown_setting", names=sorted(unknown))
    for name, value in fields.items():
        setattr(workshop, name, value)
    db.session.flush()


def delete_workshop(workshop: Workshop, actor=None) -> None:
    db.session.delete(workshop)
    db.session.flush()


def workshops(survey: MeasureSurvey) -> list[Workshop]:
    return list(
        db.session.scalars(
            select(Workshop)
            .where(Workshop.survey_id == survey.id)
            .order_by(Workshop.date, Workshop.id)
        )
    )
