"""A förbund's results, built once: one row per indicator × measure × wave × breakdown, which
the results page, the CSV/XLSX/JSON downloads and ``consensus followup results`` render.

Build data first (:func:`build_results`), render second (:func:`render_results`). Each cell is
scored with :func:`..tallies.score_tally` from the counted answers of the wave's submitted
questionnaires (two ``GROUP BY`` queries, :mod:`.result_counts`; the same figures as
:func:`..scoring.score` over the questionnaires one by one, which are read only for paired
change and for a measure of several items), then ONE
:func:`..suppression.suppress_values` call per measure and wave covers every breakdown shown
(the total, kön and the local groups), so a total shared by the breakdowns is one cell. A
suppressed cell leaves here without any figure and with status ``suppressed``: no renderer can
show what was hidden.

Breakdowns: ``total``; ``kon:<code>`` for the protocol's kön codes, ``kon:_U`` (vill inte ange)
and ``kon:-`` (not given); ``grupp:<letter>`` for the wave's local groups and ``grupp:-`` (no
group). Every respondent is in exactly one part of each breakdown, so the parts add up to the
total (as suppression requires). The parts ``_U`` and ``-`` are listed only when someone is in
them. Local groups appear only as their letters.

Measures scored here are the questionnaire measures (items answered in the wave's respondent
group); register and narrative measures are shown on their own pages. Waves are compared only
under the same protocol major version: a trend row whose wave has another major version than
the wave before it in its series carries ``comparability_break``. A **series** is the
calendar waves (``kalender``) or the waves of one event-based schedule (its id): a trend runs
within a series, never from a cohort's 6-month point to a yearly wave.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from sqlalchemy import select

from ... import tabular
from ...extensions import db
from .. import questionnaire as qn
from ..lifecycle import ResponseStatus
from ..models import ImportedProtocol, SurveyAnswer, SurveyResponse, Wave
from ..scoring import MeasureValue, Status, scales_by_item
from ..suppression import Reporting, suppress_values
from ..tallies import merge, score_tally, tally_items
from . import result_counts, result_kinds
from .result_rows import (
    CALENDAR,
    COLUMNS,
    Results,
    breakdown_cells,
    major,
    table_rows,
)
from .waves import time_point_text

FORMATS = ("csv", "xlsx", "json")


def _respondent_groups(measure: Mapping[str, Any], items: Mapping[str, Any]) -> set[str]:
    groups = (measure.get("dataSource") or {}).get("respondentGroups")
    if groups:
        return set(groups)
    out: set[str] = set()
    for item in measure.get("items") or ():
        out.update((items.get(item) or {}).get("respondentGroups") or ())
    return out


def _survey_measures(doc: Mapping[str, Any]):
    """(indicator id, measure) for the measures scored from questionnaires."""
    for indicator in doc.get("indicators") or ():
        for measure in indicator.get("measures") or ():
            rule_item = ((measure.get("numerator") or {}).get("rule") or {}).get("item")
            if measure.get("scoring") in ("narrative", "ratio") or measure.get("combines"):
                continue
            if rule_item or measure.get("items"):
                yield indicator.get("id", ""), measure


def _respondents(org_id: int, wave_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The submitted questionnaires of the waves as plain dicts (item -> answer, plus the
    background keys ``_kon``, ``_grupp`` and ``_code``, the longitudinal code's id);
    missing-value answers are left out. Read only where one respondent's answers must be seen
    together (paired change, a measure of several items); else :mod:`.result_counts` counts."""
    if not wave_ids:
        return {}
    found_letters = result_counts.letters(org_id)
    by_id: dict[int, dict[str, Any]] = {}
    by_wave: dict[int, list[dict[str, Any]]] = defaultdict(list)
    # plain cursor rows (Core, not the ORM's loading): 20,000 questionnaires read in one pass
    connection = db.session.connection()
    for rid, wave_id, gender, group_id, code_id in connection.execute(
        select(
            SurveyResponse.id,
            SurveyResponse.wave_id,
            SurveyResponse.gender,
            SurveyResponse.local_group_id,
            SurveyResponse.longitudinal_code_id,
        )
        .where(
            SurveyResponse.wave_id.in_(wave_ids),
            SurveyResponse.status == ResponseStatus.SUBMITTED.value,
        )
        .order_by(SurveyResponse.id)
    ):
        kon, grupp = result_counts.background(gender, group_id, found_letters)
        person = {"_kon": kon, "_grupp": grupp, "_code": code_id}
        by_id[rid] = person
        by_wave[wave_id].append(person)
    for rid, item, value, number in connection.execute(
        select(
            SurveyAnswer.response_id, SurveyAnswer.item_id, SurveyAnswer.value, SurveyAnswer.number
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(
            SurveyResponse.wave_id.in_(wave_ids),
            SurveyResponse.status == ResponseStatus.SUBMITTED.value,
            SurveyAnswer.missing.is_(None),
        )
    ):
        if rid in by_id:
            by_id[rid][item] = number if number is not None else value
    return by_wave


def _kon_codes(doc: Mapping[str, Any]) -> list[str]:
    for codelist in doc.get("codelists") or ():
        if codelist.get("id") == qn.GENDER_CODELIST:
            return [c["code"] for c in codelist.get("codes") or ()]
    return []


def _wave_measure(wave: Wave, measure_id: Any) -> Mapping[str, Any] | None:
    for indicator in wave.imported.document.get("indicators") or ():
        for measure in indicator.get("measures") or ():
            if measure.get("id") == measure_id:
                return measure
    return None


def protocol_waves(imported: ImportedProtocol) -> list[Wave]:
    """The förbund's waves of every imported version of the protocol, oldest first."""
    return list(
        db.session.scalars(
            select(Wave)
            .join(ImportedProtocol, ImportedProtocol.id == Wave.imported_protocol_id)
            .where(
                Wave.organisation_id == imported.organisation_id,
                ImportedProtocol.protocol_id == imported.protocol_id,
            )
            .order_by(Wave.opens_on, Wave.id)
        )
    )


def build_results(
    imported: ImportedProtocol, wave: Wave | None = None, *, waves: Sequence[Wave] | None = None
) -> Results:
    """The rows for ``imported`` (its measures) over the förbund's waves of the same protocol
    (every imported version: the trend), or over ``wave`` only; then the register, index and
    paired-change rows and the narratives (:mod:`.result_kinds`)."""
    doc = imported.document
    if waves is None:
        waves = protocol_waves(imported)
    if wave is not None:
        waves = [w for w in waves if w.id == wave.id]
    reporting = Reporting.from_protocol(doc)
    out = Results(imported, waves=list(waves), min_cell_size=reporting.min_cell_size)
    org_id = imported.organisation_id
    strata = result_counts.strata(org_id, [w.id for w in waves])
    loaded: list[dict[int, list[dict[str, Any]]]] = []

    def people() -> dict[int, list[dict[str, Any]]]:
        """The questionnaires one by one, read once and only when needed."""
        if not loaded:
            loaded.append(_respondents(org_id, [w.id for w in waves]))
        return loaded[0]

    kon_codes = _kon_codes(doc)
    #: (measure, wave id) -> the unsuppressed cells, for the indexes that combine measures
    scored: dict[tuple[str, int], dict[Hashable, MeasureValue]] = {}
    #: wave id -> its strata split by kön and by group (the same for every measure)
    split: dict[int, dict[str, dict[str, list[Mapping[str, Any]]]]] = {}
    for indicator, measure in _survey_measures(doc):
        previous_major: dict[str, str] = {}  # series -> major version of its last wave
        for w in waves:
            wave_measure = _wave_measure(w, measure.get("id"))
            items = {i.get("id"): i for i in w.imported.document.get("items") or ()}
            if wave_measure is None or w.respondent_group not in _respondent_groups(
                wave_measure, items
            ):
                continue
            scales = scales_by_item(w.imported.document)
            series = w.schedule_id or CALENDAR
            this_major = major(w.imported.version)
            broke = series in previous_major and previous_major[series] != this_major
            previous_major[series] = this_major

            used = tally_items(wave_measure)

            def scorer(members, wave_measure=wave_measure, scales=scales, used=used, wave_id=w.id):
                tallies = (
                    result_counts.tally(s, used, lambda: people().get(wave_id, ())) for s in members
                )
                return score_tally(wave_measure, merge(tallies), scales)

            cells, groupings = breakdown_cells(
                strata.get(w.id, []),
                kon_codes,
                [g.letter for g in w.local_groups],
                scorer,
                split.setdefault(w.id, {}),
            )
            shown, decided = suppress_values(cells, groupings, reporting=reporting)
            scored[(str(measure.get("id")), w.id)] = cells
            out.suppressions[(str(measure.get("id")), w.id)] = decided
            out.rows += table_rows(
                indicator,
                cells,
                shown,
                decided,
                wave=w,
                label=time_point_text(w),
                series=series,
                version=w.imported.version,
                broke=broke,
                kind="survey",
            )
    result_kinds.add_indexes(out, doc, waves, scored)
    if any(w.schedule_id for w in waves):  # paired change: each code's answers over time
        result_kinds.add_changes(out, doc, waves, people(), kon_codes, reporting)
    if wave is None:
        result_kinds.add_register(out, doc, kon_codes, reporting)
    result_kinds.add_narratives(out)
    return out


def check_hidden(rows: Sequence[Mapping[str, Any]]) -> None:
    """Refuse rows where a suppressed cell carries a figure (a guard for every renderer)."""
    for row in rows:
        if row["status"] == Status.SUPPRESSED.value:
            figures = ("numerator", "denominator", "n", "value", "ci_low", "ci_high")
            if any(row[f] is not None for f in figures):
                raise RuntimeError(f"suppressed cell with a figure: {row}")


def render_results(rows: Sequence[Mapping[str, Any]], fmt: str) -> bytes:
    check_hidden(rows)
    table = [[row[c] for c in COLUMNS] for row in rows]
    if fmt == "csv":
        return tabular.write_csv(list(COLUMNS), table)
    if fmt == "xlsx":
        return tabular.write_xlsx({"Resultat": (list(COLUMNS), table)})
    if fmt == "json":
        return json.dumps(
            {"columns": list(COLUMNS), "rows": [dict(r) for r in rows]},
            ensure_ascii=False,
            indent=1,
        ).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}")


def results_name(imported: ImportedProtocol, fmt: str, wave: Wave | None = None) -> str:
    tail = f"-matning-{wave.id}" if wave is not None else ""
    return f"resultat-{imported.protocol_id}-{imported.version}{tail}.{fmt}"


__all__ = [
    "COLUMNS",
    "FORMATS",
    "Results",
    "check_hidden",
    "render_results",
    "build_results",
    "results_name",
]
