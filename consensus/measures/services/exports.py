"""Exports as plain rows: no names, no emails, no organisation names.

Respondents are identified only by pseudonym, level and organisation type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from ...extensions import db
from .. import codelists
from ..lifecycle import MeasureStatus
from ..models import (
    MeasureSurvey,
    ProposalCombination,
)
from .review import CANONICAL_FIELDS, _canonical, _codes, _submitted, lineage

# --- exports (plain rows; no names, no emails, no organisation names) -------------------------

PROPOSAL_HEADERS = (
    "Förslag",
    "Indikator",
    "Svarande",
    "Nivå",
    "Organisationstyp",
    "Namn på måttet",
    "Beskrivning",
    "Slag",
    "Metod",
    "Datakälla",
    "Respondentgrupp",
    "Hur ofta",
    "Enhet",
    "Täljare",
    "Nämnare",
    "Kombinerar",
    "Inskickat",
)
DECISION_HEADERS = (
    "Mått",
    "Indikator",
    "Namn",
    "Status",
    "Skäl",
    "Rekommenderat",
    "Källförslag",
    "Beslutat",
)
SELECTED_HEADERS = (
    "Mått",
    "Indikator",
    "Namn",
    "Beskrivning",
    "Slag",
    "Metod",
    "Datakälla",
    "Respondentgrupp",
    "Hur ofta",
    "Enhet",
    "Täljare",
    "Nämnare",
    "Frågor",
    "Rekommenderat",
)


def _label(codelist: Mapping[str, str], value: str | None) -> str:
    """The Swedish label of a code (exports are Swedish), from the codelist."""
    return codelists.label(codelist, value)


def _frequency(values: Iterable[str]) -> str:
    return ", ".join(codelists.label(codelists.FREQUENCIES, v) for v in values or [])


def export_proposals(survey: MeasureSurvey) -> tuple[list[str], list[list[str]]]:
    codes = _codes(survey)
    rows = _submitted(survey)
    ids = [p.id for p, _ in rows]
    combos: dict[int, list[str]] = {}
    if ids:
        for c in db.session.scalars(
            select(ProposalCombination).where(ProposalCombination.proposal_id.in_(ids))
        ):
            combos.setdefault(c.proposal_id, []).append(str(c.combined_id))
    out = []
    for p, r in rows:
        out.append(
            [
                str(p.id),
                codes.get(p.indicator_id, ""),
                r.pseudonym,
                r.level,
                r.organisation_type,
                p.name,
                p.description,
                _label(codelists.KINDS, p.kind),
                _label(codelists.METHODS, p.method),
                p.data_source,
                _label(codelists.RESPONDENT_GROUPS, p.respondent_group),
                _frequency(p.frequency),
                p.unit,
                p.numerator,
                p.denominator,
                ", ".join(combos.get(p.id, [])),
                p.submitted_at.isoformat() if p.submitted_at else "",
            ]
        )
    return list(PROPOSAL_HEADERS), out


def export_decisions(survey: MeasureSurvey) -> tuple[list[str], list[list[str]]]:
    codes = _codes(survey)
    out = []
    for c in _canonical(survey):
        out.append(
            [
                f"M{c.id}",
                codes.get(c.indicator_id, ""),
                c.name,
                {"candidate": "förslag", "accepted": "godtaget", "rejected": "avvisat"}[c.status],
                c.reason,
                "ja" if c.recommended else "nej",
                ", ".join(str(i) for i in lineage(c)),
                c.decided_at.isoformat() if c.decided_at else "",
            ]
        )
    return list(DECISION_HEADERS), out


def export_selected(survey: MeasureSurvey) -> tuple[list[str], list[list[str]]]:
    codes = _codes(survey)
    out = []
    for c in _canonical(survey, MeasureStatus.ACCEPTED.value):
        out.append(
            [
                f"M{c.id}",
                codes.get(c.indicator_id, ""),
                c.name,
                c.description,
                _label(codelists.KINDS, c.kind),
                _label(codelists.METHODS, c.method),
                c.data_source,
                _label(codelists.RESPONDENT_GROUPS, c.respondent_group),
                _frequency(c.frequency),
                c.unit,
                c.numerator,
                c.denominator,
                "\n".join(c.questions or []),
                "ja" if c.recommended else "nej",
            ]
        )
    return list(SELECTED_HEADERS), out


def export_tables(survey: MeasureSurvey) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The three exports as (headers, rows), for write_csv / write_xlsx (one sheet each)."""
    return {
        "forslag": export_proposals(survey),
        "beslut": export_decisions(survey),
        "valda_matt": export_selected(survey),
    }


def export_document(survey: MeasureSurvey) -> dict[str, Any]:
    """The same as JSON-ready data (codes, not labels, for the selected measures)."""
    tables = export_tables(survey)
    codes = _codes(survey)
    return {
        "study": survey.study.slug,
        "proposals": [
            dict(zip(tables["forslag"][0], row, strict=True)) for row in tables["forslag"][1]
        ],
        "decisions": [
            dict(zip(tables["beslut"][0], row, strict=True)) for row in tables["beslut"][1]
        ],
        "measures": [
            {
                "id": f"M{c.id}",
                "indicator": codes.get(c.indicator_id, ""),
                **{name: getattr(c, name) for name in CANONICAL_FIELDS},
                "schedule": list(c.frequency or []),
                "questions": list(c.questions or []),
                "recommended": c.recommended,
                "derivedFrom": lineage(c),
            }
            for c in _canonical(survey, MeasureStatus.ACCEPTED.value)
        ],
    }
