"""Register and document figures and narratives of a förbund's imported protocol.

Figures are entered by hand (one at a time, :func:`save_figure`) or from a file
(:func:`preview_figures`, then :func:`save_figures`: all or nothing). Saving a figure that
exists (same measure, period, group and code) replaces its numbers. A qualitative measure
gets one narrative per period (:func:`save_narrative`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from ... import tabular
from ...extensions import db
from .. import register_file as rf
from ..answer_file import FileProblem
from ..models import ImportedProtocol, LocalGroup, Narrative, RegisterFigure
from .errors import FollowupError


def _groups(imported: ImportedProtocol) -> list[tuple[str, str, str]]:
    rows = db.session.scalars(
        select(LocalGroup).where(LocalGroup.organisation_id == imported.organisation_id)
    )
    return [(str(g.id), g.letter, g.name) for g in rows]


def figures(imported: ImportedProtocol) -> list[RegisterFigure]:
    return list(
        db.session.scalars(
            select(RegisterFigure)
            .where(RegisterFigure.imported_protocol_id == imported.id)
            .order_by(
                RegisterFigure.measure_id,
                RegisterFigure.period,
                RegisterFigure.local_group_id,
                RegisterFigure.disaggregation,
                RegisterFigure.code,
            )
        )
    )


def narratives(imported: ImportedProtocol) -> list[Narrative]:
    return list(
        db.session.scalars(
            select(Narrative)
            .where(Narrative.imported_protocol_id == imported.id)
            .order_by(Narrative.measure_id, Narrative.period)
        )
    )


def _store(imported: ImportedProtocol, figure: rf.Figure) -> RegisterFigure:
    group_id = None if figure.group is None else int(figure.group)
    row = db.session.scalar(
        select(RegisterFigure).where(
            RegisterFigure.imported_protocol_id == imported.id,
            RegisterFigure.measure_id == figure.measure_id,
            RegisterFigure.period == figure.period,
            RegisterFigure.local_group_id.is_(None)
            if group_id is None
            else RegisterFigure.local_group_id == group_id,
            RegisterFigure.disaggregation == figure.disaggregation,
            RegisterFigure.code == figure.code,
        )
    )
    if row is None:
        row = RegisterFigure(
            organisation_id=imported.organisation_id,
            imported_protocol_id=imported.id,
            measure_id=figure.measure_id,
            period=figure.period,
            local_group_id=group_id,
            disaggregation=figure.disaggregation,
            code=figure.code,
        )
        db.session.add(row)
    row.numerator, row.denominator, row.value = figure.numerator, figure.denominator, figure.value
    return row


def save_figure(imported: ImportedProtocol, raw: Mapping[str, str]) -> RegisterFigure:
    """Check and save one figure typed on a page; the first problem is raised."""
    figure, problems = rf.check_figure(
        imported.document,
        raw,
        _groups(imported),
        protocol=imported.protocol_id,
        version=imported.version,
    )
    if figure is None:
        _key, code, params = problems[0]
        raise FollowupError(code, **params)
    row = _store(imported, figure)
    db.session.flush()
    return row


def preview_figures(imported: ImportedProtocol, data: bytes, filename: str) -> rf.CheckedFile:
    table = tabular.read_table(data, filename)
    if table.problems:
        return rf.CheckedFile(
            problems=[
                FileProblem(None, None, "file_problem", {"text": p.message})
                for p in tabular.sort_problems(table.problems)
            ]
        )
    return rf.check_rows(
        imported.document,
        table.headers,
        [(r.number, r.values) for r in table.rows],
        _groups(imported),
        protocol=imported.protocol_id,
        version=imported.version,
    )


def save_figures(imported: ImportedProtocol, checked: rf.CheckedFile) -> int:
    if not checked.ok:
        raise ValueError("a file with problems is never imported")
    for figure in checked.figures:
        _store(imported, figure)
        db.session.flush()
    return len(checked.figures)


def save_narrative(
    imported: ImportedProtocol, measure_id: str, period: str, text: str
) -> Narrative:
    measure = next(
        (m for m in rf.narrative_measures(imported.document) if m.id == measure_id), None
    )
    if measure is None:
        raise FollowupError("narrative_not_qualitative", value=measure_id)
    period = " ".join((period or "").split())
    if not period:
        raise FollowupError("register_period_missing")
    if len(period) > rf.PERIOD_LIMIT:
        raise FollowupError("register_period_too_long", limit=rf.PERIOD_LIMIT)
    text = (text or "").strip()
    if len(text) > rf.NARRATIVE_LIMIT:
        raise FollowupError("narrative_too_long", limit=rf.NARRATIVE_LIMIT)
    row = db.session.scalar(
        select(Narrative).where(
            Narrative.imported_protocol_id == imported.id,
            Narrative.measure_id == measure_id,
            Narrative.period == period,
        )
    )
    if row is None:
        row = Narrative(
            organisation_id=imported.organisation_id,
            imported_protocol_id=imported.id,
            measure_id=measure_id,
            period=period,
            text=text,
        )
        db.session.add(row)
    row.text = text
    db.session.flush()
    return row


__all__: list[Any] = [
    "figures",
    "narratives",
    "preview_figures",
    "save_figure",
    "save_figures",
    "save_narrative",
]
