"""The raw answers of a wave, one row per questionnaire sent (built once, rendered as CSV,
XLSX or JSON by the caller).

A row carries the random respondent id, the local group's letter, kön, whether the
questionnaire came with a longitudinal code (the cohort's label, never the code), how it
reached the platform, the DATE it was sent (never a time) and a column per question. Text
that a spreadsheet would run as a formula is neutralised by :mod:`consensus.tabular` when
written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ... import tabular
from ...extensions import db
from .. import questionnaire as qn
from ..lifecycle import ResponseStatus
from ..models import LongitudinalCode, SurveyAnswer, SurveyResponse, Wave
from .answering import questionnaire_for

FIXED = ("respondent", "grupp", "kon", "kohort", "kalla", "inskickad")
FORMATS = ("csv", "xlsx", "json")


@dataclass
class AnswersTable:
    headers: list[str]
    rows: list[list[Any]]


def answers_table(wave: Wave) -> AnswersTable:
    """Every sent questionnaire of ``wave``: the fixed columns, then one per question in the
    questionnaire's order (the answer's value, or its missing-value code such as 9)."""
    questionnaire = questionnaire_for(wave)
    apart = (qn.BACKGROUND_PREFIX + qn.GENDER_CODELIST, qn.LOCAL_GROUP)  # fixed columns
    items = [q.id for q in questionnaire.questions if q.id not in apart]
    headers = [*FIXED, *items]
    cohorts = dict(
        db.session.execute(
            select(LongitudinalCode.id, LongitudinalCode.cohort).where(
                LongitudinalCode.organisation_id == wave.organisation_id
            )
        ).all()
    )
    letters = {g.id: g.letter for g in wave.local_groups}
    responses = db.session.scalars(
        select(SurveyResponse)
        .where(
            SurveyResponse.wave_id == wave.id,
            SurveyResponse.status == ResponseStatus.SUBMITTED.value,
        )
        .options(selectinload(SurveyResponse.answers), selectinload(SurveyResponse.local_group))
        .order_by(SurveyResponse.respondent_id)
    )
    rows = []
    for response in responses:
        by_item: dict[str, SurveyAnswer] = {a.item_id: a for a in response.answers}
        group = response.local_group
        cohort = ""
        if response.longitudinal_code_id is not None:
            cohort = cohorts.get(response.longitudinal_code_id) or "ja"
        row: list[Any] = [
            response.respondent_id,
            letters.get(response.local_group_id or 0, group.letter if group else ""),
            response.gender or "",
            cohort,
            response.source,
            response.submitted_on.isoformat() if response.submitted_on else "",
        ]
        for item_id in items:
            answer = by_item.get(item_id)
            if answer is None:
                row.append("")
            elif answer.missing is not None:
                row.append(answer.missing)
            else:
                row.append(answer.value if answer.number is None else _number(answer.number))
        rows.append(row)
    return AnswersTable(headers, rows)


def _number(number: float) -> int | float:
    return int(number) if float(number).is_integer() else number


def render_answers(table: AnswersTable, fmt: str, sheet: str = "Svar") -> bytes:
    if fmt == "csv":
        return tabular.write_csv(table.headers, table.rows)
    if fmt == "xlsx":
        return tabular.write_xlsx({sheet: (table.headers, table.rows)})
    if fmt == "json":
        records = [dict(zip(table.headers, row, strict=True)) for row in table.rows]
        return json.dumps(
            {"columns": table.headers, "respondents": records}, ensure_ascii=False, indent=1
        ).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}")


def export_name(wave: Wave, fmt: str) -> str:
    return f"svar-{wave.imported.protocol_id}-{wave.imported.version}-matning-{wave.id}.{fmt}"


def mimetype(fmt: str) -> str:
    return {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "json": "application/json",
    }[fmt]


__all__: Sequence[str] = (
    "AnswersTable",
    "answers_table",
    "export_name",
    "mimetype",
    "render_answers",
)
