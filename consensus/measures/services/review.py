"""Review: the submitted proposals side by side, merged into canonical measures and decided.

A canonical measure's status changes only through ``lifecycle.measure_transition``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select, update

from ...dbtypes import utcnow
from ...extensions import db
from ...studies import services as study_services
from ...studies.models import Indicator, Participant
from .. import codelists, lifecycle, similarity, targets
from ..lifecycle import MeasureStatus, ProposalStatus
from ..models import (
    CanonicalMeasure,
    CanonicalSource,
    IndicatorComment,
    MeasureSurvey,
    Proposal,
    ProposalCombination,
    Respondent,
)
from .codelists import study_codelists
from .common import MeasuresError, _actor_id
from .survey import survey_indicators

CANONICAL_FIELDS = (
    "name",
    "description",
    "kind",
    "method",
    "data_source",
    "respondent_group",
    "frequency",
    "unit",
    "numerator",
    "denominator",
)
#: what follow-up needs, checked by ``targets.check_target`` against the measure as edited
TARGET_FIELDS = ("target_value", "target_near_margin", "direction", "disaggregations")


# --- review -----------------------------------------------------------------------------------


def _submitted(survey: MeasureSurvey, indicator_id: int | None = None):
    query = (
        select(Proposal, Respondent)
        .join(Respondent, Respondent.id == Proposal.respondent_id)
        .where(Respondent.survey_id == survey.id, Proposal.status == ProposalStatus.SUBMITTED.value)
        .order_by(Proposal.indicator_id, Proposal.id)
    )
    if indicator_id is not None:
        query = query.where(Proposal.indicator_id == indicator_id)
    return db.session.execute(query).all()


def _known_names(survey: MeasureSurvey) -> list[str]:
    names = db.session.scalars(
        select(Participant.name).where(
            Participant.study_id == survey.study_id, Participant.name.is_not(None)
        )
    )
    return [part for name in names for part in [name, *name.split()] if len(part) >= 3]


def review_data(survey: MeasureSurvey, indicator: Indicator) -> dict[str, Any]:
    """Everything the review page of one indicator shows, as plain data: the submitted
    proposals side by side (pseudonymous, free text flagged when it names someone), the
    suggested duplicates (explained), the canonical measures with their sources, comments."""
    rows = _submitted(survey, indicator.id)
    names = _known_names(survey)
    ids = [p.id for p, _ in rows]
    combos: dict[int, list[dict[str, Any]]] = {}
    if ids:
        for c in db.session.scalars(
            select(ProposalCombination).where(ProposalCombination.proposal_id.in_(ids))
        ):
            combos.setdefault(c.proposal_id, []).append(
                {"proposal_id": c.combined_id, "how": c.how}
            )
    items = []
    for p, r in rows:
        text = " ".join([p.name, p.description, p.data_source, p.numerator, p.denominator])
        items.append(
            {
                "id": p.id,
                "indicator": p.indicator_id,
                "respondent": r.pseudonym,
                "level": r.level,
                "organisation_type": r.organisation_type,
                **{name: getattr(p, name) for name in CANONICAL_FIELDS},
                "combines": combos.get(p.id, []),
                "flags": codelists.personal_data_flags(text, names),
            }
        )
    suggestions = similarity.suggest_duplicates(items)
    canon = list(
        db.session.scalars(
            select(CanonicalMeasure)
            .where(
                CanonicalMeasure.survey_id == survey.id,
                CanonicalMeasure.indicator_id == indicator.id,
            )
            .order_by(CanonicalMeasure.id)
        )
    )
    sources: dict[int, list[int]] = {}
    if canon:
        for s in db.session.scalars(
            select(CanonicalSource).where(CanonicalSource.canonical_id.in_([c.id for c in canon]))
        ):
            sources.setdefault(s.canonical_id, []).append(s.proposal_id)
    comments = db.session.execute(
        select(IndicatorComment.text, Respondent.pseudonym)
        .join(Respondent, Respondent.id == IndicatorComment.respondent_id)
        .where(Respondent.survey_id == survey.id, IndicatorComment.indicator_id == indicator.id)
        .order_by(IndicatorComment.id)
    ).all()
    return {
        "indicator": {"id": indicator.id, "code": indicator.code, "title": indicator.title},
        "proposals": items,
        "suggestions": suggestions,
        "suggestion_groups": similarity.groups_of(suggestions),
        "canonical": [
            {
                "id": c.id,
                **{name: getattr(c, name) for name in CANONICAL_FIELDS},
                "questions": list(c.questions or []),
                "status": c.status,
                "reason": c.reason,
                "recommended": c.recommended,
                "sources": sorted(sources.get(c.id, [])),
            }
            for c in canon
        ],
        "comments": [
            {
                "respondent": pseudonym,
                "text": text,
                "flags": codelists.personal_data_flags(text, names),
            }
            for text, pseudonym in comments
        ],
    }


def _check_canonical_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(CANONICAL_FIELDS)
    if unknown:
        raise MeasuresError("unknown_setting", names=sorted(unknown))
    checked = codelists.validate_proposal({**fields, "combines": []}, indicator_id=0, draft=True)
    if not checked.ok:
        raise MeasuresError("invalid", problems={"canonical": checked.problems})
    return {k: v for k, v in checked.values.items() if k in fields}


def merge_proposals(
    survey: MeasureSurvey,
    indicator: Indicator,
    proposal_ids: Sequence[int],
    fields: Mapping[str, Any] | None = None,
    *,
    actor=None,
) -> CanonicalMeasure:
    """A canonical measure from one or more submitted proposals of ``indicator``; its wording
    starts as the first proposal's unless ``fields`` say otherwise. Every source is kept."""
    ids = list(dict.fromkeys(proposal_ids))
    if not ids:
        raise MeasuresError("no_proposals")
    found = {p.id: p for p, _ in _submitted(survey, indicator.id) if p.id in set(ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise MeasuresError("wrong_indicator", ids=missing)
    first = found[ids[0]]
    values = {name: getattr(first, name) for name in CANONICAL_FIELDS}
    values.update(_check_canonical_fields(fields or {}))
    if not values.get("name"):
        values["name"] = first.name or f"Mått {first.id}"
    canonical = CanonicalMeasure(
        survey_id=survey.id, indicator_id=indicator.id, created_by_id=_actor_id(actor), **values
    )
    canonical.sources = [CanonicalSource(proposal_id=i) for i in ids]
    db.session.add(canonical)
    db.session.flush()
    study_services.audit(
        survey.study,
        "measure_merged",
        actor,
        canonical=canonical.id,
        proposals=ids,
        indicator=indicator.code,
    )
    return canonical


def add_sources(canonical: CanonicalMeasure, proposal_ids: Sequence[int], actor=None) -> None:
    survey = db.session.get(MeasureSurvey, canonical.survey_id)
    valid = {p.id for p, _ in _submitted(survey, canonical.indicator_id)}
    missing = [i for i in proposal_ids if i not in valid]
    if missing:
        raise MeasuresError("wrong_indicator", ids=missing)
    have = {s.proposal_id for s in canonical.sources}
    for proposal_id in proposal_ids:
        if proposal_id not in have:
            canonical.sources.append(CanonicalSource(proposal_id=proposal_id))
            have.add(proposal_id)
    study_services.audit(
        survey.study,
        "measure_sources_added",
        actor,
        canonical=canonical.id,
        proposals=list(proposal_ids),
    )
    db.session.flush()


#: at most this many questions per measure, each at most QUESTION_LIMIT characters
MAX_QUESTIONS = 20
QUESTION_LIMIT = 500


def check_questions(lines: Sequence[str] | str) -> list[str]:
    """A measure's questions (a list, or text with one per line) without blank lines; refuses
    too many or too long ones."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    questions = [q.strip() for q in lines if q and q.strip()]
    if len(questions) > MAX_QUESTIONS:
        raise MeasuresError("too_many_questions", limit=MAX_QUESTIONS)
    for line, question in enumerate(questions, 1):
        if len(question) > QUESTION_LIMIT:
            raise MeasuresError("question_too_long", line=line, limit=QUESTION_LIMIT)
    return questions


#: a measure's English texts, edited beside its wording
ENGLISH_FIELDS = ("name_en", "description_en")


def edit_canonical(canonical: CanonicalMeasure, fields: Mapping[str, Any], actor=None) -> None:
    """Edit a measure's wording (:data:`CANONICAL_FIELDS`, its English texts
    :data:`ENGLISH_FIELDS`, and ``questions``: its questionnaire
    statements, in order) and what follow-up judges it by (:data:`TARGET_FIELDS`: target value,
    near margin, direction, disaggregations; given together, checked against the measure as
    edited and the study's codelists)."""
    fields = dict(fields)
    questions = check_questions(fields.pop("questions")) if "questions" in fields else None
    # The optional English texts (English pages, the protocol's ``en``): empty is none.
    english = {k: (fields.pop(k) or "").strip() or None for k in ENGLISH_FIELDS if k in fields}
    target_fields = {k: fields.pop(k) for k in TARGET_FIELDS if k in fields}
    values = _check_canonical_fields(fields)
    if "name" in values and not values["name"]:
        raise MeasuresError(
            "invalid", problems={"canonical": [codelists.FieldProblem("name", "name_required")]}
        )
    if questions is not None:
        values["questions"] = questions
    if target_fields:
        values.update(_check_target(canonical, values, target_fields))
    values.update(english)
    changed = [k for k, v in values.items() if getattr(canonical, k) != v]
    for name in changed:
        setattr(canonical, name, values[name])
    survey = db.session.get(MeasureSurvey, canonical.survey_id)
    if changed:
        study_services.audit(
            survey.study, "measure_edited", actor, canonical=canonical.id, fields=changed
        )
    db.session.flush()


def _check_target(
    canonical: CanonicalMeasure, values: Mapping[str, Any], given: Mapping[str, Any]
) -> dict[str, Any]:
    measure = {
        name: values.get(name, getattr(canonical, name))
        for name in ("kind", "method", "unit", "numerator", "denominator", "questions")
    }
    survey = db.session.get(MeasureSurvey, canonical.survey_id)
    current = {
        "target_value": canonical.target_value,
        "target_near_margin": canonical.target_near_margin,
        "direction": canonical.direction,
        "disaggregations": list(canonical.disaggregations or []),
    }
    checked, problems = targets.check_target(
        {**current, **given},
        measure=measure,
        codelist_ids=[c["id"] for c in study_codelists(survey.study)],
    )
    if problems:
        raise MeasuresError("invalid", problems={"target": problems})
    return checked


def decide(canonical: CanonicalMeasure, decision: str, reason: str = "", *, actor=None) -> None:
    """``accepted``, ``rejected`` (needs a reason) or back to ``candidate`` (the status asked
    for; the move is ``lifecycle.measure_transition``'s, which refuses resetting a candidate)."""
    if decision not in lifecycle.DECISION_ACTIONS:
        raise ValueError(decision)
    reason = (reason or "").strip()
    if decision == MeasureStatus.REJECTED and not reason:
        raise MeasuresError("reason_required")
    before = canonical.status
    try:
        after = lifecycle.measure_transition(before, lifecycle.DECISION_ACTIONS[decision])
    except lifecycle.IllegalTransition:
        raise MeasuresError("not_decided") from None
    if after != MeasureStatus.ACCEPTED:
        canonical.recommended = False
    canonical.status = after.value
    canonical.reason = reason
    canonical.decided_by_id = _actor_id(actor)
    canonical.decided_at = utcnow()
    survey = db.session.get(MeasureSurvey, canonical.survey_id)
    study_services.audit(
        survey.study,
        "measure_decided",
        actor,
        reason=reason,
        canonical=canonical.id,
        before=before,
        after=after.value,
    )
    db.session.flush()


def set_recommended(canonical: CanonicalMeasure, recommended: bool = True, *, actor=None) -> None:
    """Mark the one recommended measure of its indicator (any other loses the mark)."""
    if recommended and canonical.status != MeasureStatus.ACCEPTED:
        raise MeasuresError("not_accepted")
    if recommended:
        db.session.execute(
            update(CanonicalMeasure)
            .where(
                CanonicalMeasure.indicator_id == canonical.indicator_id,
                CanonicalMeasure.id != canonical.id,
                CanonicalMeasure.recommended.is_(True),
            )
            .values(recommended=False)
            .execution_options(synchronize_session="fetch")
        )
        db.session.flush()
    canonical.recommended = recommended
    survey = db.session.get(MeasureSurvey, canonical.survey_id)
    study_services.audit(
        survey.study,
        "measure_recommended" if recommended else "measure_unrecommended",
        actor,
        canonical=canonical.id,
    )
    db.session.flush()


def lineage(canonical: CanonicalMeasure) -> list[int]:
    return sorted(s.proposal_id for s in canonical.sources)


def _codes(survey: MeasureSurvey) -> dict[int, str]:
    rows = db.session.execute(
        select(Indicator.id, Indicator.code).where(Indicator.study_id == survey.study_id)
    )
    return {indicator_id: code for indicator_id, code in rows}


def _canonical(survey: MeasureSurvey, *statuses: str) -> list[CanonicalMeasure]:
    query = select(CanonicalMeasure).where(CanonicalMeasure.survey_id == survey.id)
    if statuses:
        query = query.where(CanonicalMeasure.status.in_(statuses))
    return list(
        db.session.scalars(query.order_by(CanonicalMeasure.indicator_id, CanonicalMeasure.id))
    )


def response_frequencies(survey: MeasureSurvey) -> Counter:
    """Submitted proposals per indicator code (for the survey's overview)."""
    codes = _codes(survey)
    return Counter(codes.get(p.indicator_id, "") for p, _ in _submitted(survey))


def review_overview(survey: MeasureSurvey) -> list[dict[str, Any]]:
    """Per indicator of the survey: its submitted proposals and its canonical measures by
    status, and how many are recommended (the review's list page)."""
    proposals_by_code = response_frequencies(survey)
    empty = {status.value: 0 for status in MeasureStatus} | {"recommended": 0}
    canonical: dict[int, dict[str, int]] = {}
    for indicator_id, status, recommended, count in db.session.execute(
        select(
            CanonicalMeasure.indicator_id,
            CanonicalMeasure.status,
            CanonicalMeasure.recommended,
            func.count(CanonicalMeasure.id),
        )
        .where(CanonicalMeasure.survey_id == survey.id)
        .group_by(
            CanonicalMeasure.indicator_id, CanonicalMeasure.status, CanonicalMeasure.recommended
        )
    ):
        bucket = canonical.setdefault(indicator_id, dict(empty))
        bucket[status] += count
        if recommended:
            bucket["recommended"] += count
    return [
        {
            "indicator": indicator,
            "proposals": proposals_by_code.get(indicator.code, 0),
            **canonical.get(indicator.id, empty),
        }
        for indicator in survey_indicators(survey)
    ]
