"""Reading the study into the plain facts :func:`..build.build_protocol` needs, and what a
protocol can be built from now."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ...extensions import db
from ...measures import services as measure_services
from ...measures.lifecycle import MeasureStatus
from ...measures.models import CanonicalMeasure
from ...rounds import services as round_services
from ...rounds.lifecycle import Status as RoundStatus
from ...studies.models import Indicator, Study
from ..build import identifier


def _date(value: datetime | None) -> str | None:
    return value.date().isoformat() if value is not None else None


def _final_round(study: Study):
    finals = [
        r
        for r in round_services.rounds(study)
        if r.is_final and r.decisions_confirmed_at is not None
    ]
    return finals[-1] if finals else None


def study_facts(study: Study, texts: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The plain facts :func:`build.build_protocol` needs, read from the database.

    Round participation comes from each closed round's stored results document, where a group
    under the study's minimum group size is suppressed: such a group is left out of the
    published counts.
    """
    texts = dict(texts or {})
    groups = [{"code": g.code, "name": g.name} for g in study.groups]
    closed = [r for r in round_services.rounds(study) if r.status == RoundStatus.CLOSED]
    round_facts = []
    stats: dict[int, list[dict[str, Any]]] = {}
    for r in closed:
        document = round_services.get_result(r) or {}
        response = (document.get("response") or {}).get("groups") or {}
        round_facts.append(
            {
                "number": r.number,
                "method": r.method,
                "max_selections": r.max_selections,
                "top_m": r.top_m,
                "rule": document.get("primary_rule"),
                "start": _date(r.opened_at),
                "end": _date(r.closed_at),
                "participants": [
                    {"group": code, "invited": v["invited"], "responding": v["answered"]}
                    for code, v in response.items()
                    if isinstance(v, Mapping) and "invited" in v
                ],
            }
        )
        by_code = {i["code"]: i for i in document.get("indicators") or []}
        for d in round_services.decisions(r):
            entry = dict(by_code.get(d.indicator.code) or {})
            entry.update(
                round=r.number,
                method=r.method,
                decision=d.decision,
                overridden=d.overridden,
            )
            stats.setdefault(d.indicator_id, []).append(entry)

    final = _final_round(study)
    final_decisions = {d.indicator_id: d for d in round_services.decisions(final)} if final else {}
    merged: dict[int, list[str]] = {}
    for link in round_services.lineage(study):
        if link.kind == "merge":
            source = db.session.get(Indicator, link.from_indicator_id)
            merged.setdefault(link.to_indicator_id, []).append(source.code)

    survey = measure_services.get_survey(study)
    accepted: dict[int, list[CanonicalMeasure]] = {}
    if survey is not None:
        for c in db.session.scalars(
            select(CanonicalMeasure)
            .where(
                CanonicalMeasure.survey_id == survey.id,
                CanonicalMeasure.status == MeasureStatus.ACCEPTED,
            )
            .order_by(CanonicalMeasure.indicator_id, CanonicalMeasure.id)
        ):
            accepted.setdefault(c.indicator_id, []).append(c)

    indicators = []
    for ind in measure_services.core_set(study):
        decision = final_decisions.get(ind.id)
        indicators.append(
            {
                "code": ind.code,
                "title": ind.title,
                "description": ind.description,
                "title_en": ind.title_en,
                "description_en": ind.description_en,
                "perspective": ind.perspective,
                "type": ind.type,
                "merged_from": merged.get(ind.id, []),
                "rounds": stats.get(ind.id, []),
                "decision": {
                    "round": final.number,
                    "date": _date(final.decisions_confirmed_at),
                    "overridden": decision.overridden,
                    "reason": decision.reason,
                }
                if decision is not None and final is not None
                else None,
                "measures": [
                    {
                        "id": f"M{c.id}",
                        "name": c.name,
                        "description": c.description,
                        "name_en": c.name_en,
                        "description_en": c.description_en,
                        "kind": c.kind,
                        "method": c.method,
                        "data_source": c.data_source,
                        "respondent_group": c.respondent_group,
                        "frequency": list(c.frequency or []),
                        "unit": c.unit,
                        "numerator": c.numerator,
                        "denominator": c.denominator,
                        "recommended": c.recommended,
                        "direction": c.direction,
                        "target": {"value": c.target_value, "nearMargin": c.target_near_margin}
                        if c.target_value is not None
                        else None,
                        "disaggregations": list(c.disaggregations or []),
                        "items": [
                            {"id": f"M{c.id}-F{n}", "text": text, "type": "choice"}
                            for n, text in enumerate(c.questions or [], 1)
                        ],
                    }
                    for c in accepted.get(ind.id, [])
                ],
            }
        )

    survey_facts = None
    if survey is not None:
        counts = measure_services.response_counts(survey)
        survey_facts = {
            "start": _date(survey.opened_at),
            "end": _date(survey.closed_at),
            "invited": counts["invited"],
            "respondents": counts["respondents"],
            "submitted": counts["submitted"],
            "proposals": counts["proposals"] or 0,
        }
    return {
        "protocol": {"id": identifier(study.slug), **texts},
        "study": {
            "slug": study.slug,
            "title": study.title,
            "description": study.description,
            "min_group_size": study.min_group_size,
            "scale": study.scale,
            "primary_rule": study.primary_rule,
            "rule_params": study.rule_params or {},
        },
        "groups": groups,
        "rounds": round_facts,
        "indicators": indicators,
        "codelists": measure_services.study_codelists(study),
        "measure_survey": survey_facts,
    }


def readiness(study: Study) -> dict[str, Any]:
    """What a protocol can be built from now: whether the final round's core set is confirmed,
    the core set, and the core indicators without an accepted measure (left out of the
    protocol, since every indicator needs at least one measure)."""
    core = measure_services.core_set(study)
    survey = measure_services.get_survey(study)
    with_measures: set[int] = set()
    if survey is not None:
        with_measures = set(
            db.session.scalars(
                select(CanonicalMeasure.indicator_id).where(
                    CanonicalMeasure.survey_id == survey.id,
                    CanonicalMeasure.status == MeasureStatus.ACCEPTED,
                )
            )
        )
    return {
        "final_confirmed": _final_round(study) is not None,
        "core": core,
        "survey": survey,
        "without_measures": [i for i in core if i.id not in with_measures],
    }
