"""The results beyond the questionnaire measures (:func:`.results.build_results` calls these):
indexes combining measures, paired change in a cohort, register measures and the narratives.

- **index** (``combines``): per wave and breakdown, the unweighted mean of the combined
  measures' unsuppressed values (:func:`..scoring.score`); an index cell is hidden wherever one
  of its components is hidden (index × k − the shown components would give it back), with the
  component's reason. Its ``n`` is the smallest n of the components.
- **change** (longitudinal paired change): for every questionnaire measure whose item has an
  ordered scale and every event-based wave after the first time point of its schedule, the
  share of longitudinal codes whose answer moved up since the first time point
  (:func:`..change.paired_change`): numerator the codes that moved up, denominator the pairs.
  Broken down by kön and local group as given at the later time point; the pair count is the
  cell size, so a cell with fewer pairs than the minimum is suppressed (with its complementary
  partner). A break in comparability between the two time points is marked.
- **register** (method register or document review, not narrative): the förbund's
  :class:`..models.RegisterFigure` per period, scored with the measure's scoring (a share,
  count, ratio or value), series ``register``, ``wave`` empty and the period as ``wave_label``.
  Cells: the total (figures for all groups, not broken down or the codelist's total code), kön
  (the ``kon`` disaggregation) and the local groups. Their own n (a share's or ratio's
  denominator, a count) decides suppression; parts and total are entered separately, so a
  breakdown is treated as additive (complementary suppression) only when its parts are all
  there and add up to the total; otherwise only primary suppression applies (no exact
  subtraction is possible).
- **narratives**: the qualitative measures' texts per period, shown on the page and in the
  yearly report, never scored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from sqlalchemy import select

from ...extensions import db
from ..change import paired_change
from ..models import ImportedProtocol, LocalGroup, Narrative, RegisterFigure, Wave
from ..register_file import REGISTER_METHODS
from ..scoring import MeasureValue, Scale, Status, scales_by_item, score
from ..suppression import Grouping, Reporting, Suppressed, Suppression, suppress_values
from .result_rows import CALENDAR, TOTAL, Results, breakdown_cells, major, table_rows
from .waves import time_point_text, timepoints

REGISTER_SERIES = "register"


def _measures(doc: Mapping[str, Any]):
    for indicator in doc.get("indicators") or ():
        for measure in indicator.get("measures") or ():
            yield str(indicator.get("id", "")), measure


# --- index ---------------------------------------------------------------------------------


def add_indexes(
    out: Results,
    doc: Mapping[str, Any],
    waves: Sequence[Wave],
    scored: Mapping[tuple[str, int], Mapping[Hashable, MeasureValue]],
) -> None:
    for indicator, measure in _measures(doc):
        ids = [str(i) for i in (measure.get("combines") or {}).get("measures") or ()]
        if not ids or measure.get("scoring") != "index":
            continue
        previous_major: dict[str, str] = {}  # series -> major version of its last wave
        for w in waves:
            tables = [scored.get((c, w.id)) for c in ids]
            if any(t is None for t in tables):
                continue
            series = w.schedule_id or CALENDAR
            this_major = major(w.imported.version)
            broke = series in previous_major and previous_major[series] != this_major
            previous_major[series] = this_major
            hidden = [out.suppressions[(c, w.id)] for c in ids]
            names = [n for n in tables[0] if all(n in t for t in tables)]  # type: ignore[union-attr]
            cells: dict[Hashable, MeasureValue] = {}
            shown: dict[Hashable, MeasureValue] = {}
            entries: dict[Hashable, Suppressed] = {}
            for name in names:
                parts = {c: t[name] for c, t in zip(ids, tables, strict=True)}  # type: ignore[index]
                value = score(measure, components=parts)
                cells[name] = value
                entry = next((d.cells[name] for d in hidden if name in d.cells), None)
                if entry is not None:
                    entries[name] = Suppressed(name, entry.reason)
                    value = value.suppressed()
                shown[name] = value
            decided = Suppression(entries, out.min_cell_size)
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
                kind="index",
            )


# --- paired change -------------------------------------------------------------------------


def _ordered_item(measure: Mapping[str, Any], scales: Mapping[str, Scale]) -> str | None:
    item = ((measure.get("numerator") or {}).get("rule") or {}).get("item") or next(
        iter(measure.get("items") or ()), None
    )
    scale = scales.get(str(item)) if item else None
    if scale is None or not scale.ordered or not scale.categories:
        return None
    return str(item)


def _first_points(waves: Sequence[Wave]) -> dict[str, str]:
    """schedule id -> the offset of its first time point."""
    first: dict[str, str] = {}
    for w in waves:
        for schedule_id, offset, _label in timepoints(w.imported):
            first.setdefault(schedule_id, offset)
    return first


def add_changes(
    out: Results,
    doc: Mapping[str, Any],
    waves: Sequence[Wave],
    people: Mapping[int, Sequence[Mapping[str, Any]]],
    kon_codes: Sequence[str],
    reporting: Reporting,
) -> None:
    first = _first_points(waves)
    base_waves: dict[tuple[str, str], list[Wave]] = defaultdict(list)
    for w in waves:
        if w.schedule_id and w.timepoint == first.get(w.schedule_id):
            base_waves[(w.schedule_id, w.respondent_group)].append(w)
    if not base_waves:
        return
    for indicator, measure in _measures(doc):
        if measure.get("scoring") in ("narrative", "ratio", "index") or measure.get("combines"):
            continue
        for w in waves:
            bases = base_waves.get((w.schedule_id or "", w.respondent_group), [])
            if not bases or w.timepoint == first.get(w.schedule_id or ""):
                continue
            scales = scales_by_item(w.imported.document)
            item = _ordered_item(measure, scales)
            if item is None:
                continue
            before: dict[Any, Any] = {}
            base_versions = set()
            for base in bases:
                base_versions.add(major(base.imported.version))
                for person in people.get(base.id, ()):
                    if person.get("_code") is not None and item in person:
                        before[person["_code"]] = person[item]
            later = [p for p in people.get(w.id, ()) if p.get("_code") is not None]
            scale = scales[item]
            measure_id = str(measure.get("id"))

            def scorer(members, before=before, item=item, scale=scale, mid=measure_id):
                after = {p["_code"]: p.get(item) for p in members}
                change = paired_change({c: before.get(c) for c in after}, after, scale)
                return MeasureValue(
                    measure=mid,
                    scoring="proportion",
                    value=change.value,
                    numerator=float(change.moved_up),
                    denominator=float(change.n),
                    n=change.n,
                    ci_low=change.ci_low,
                    ci_high=change.ci_high,
                    status=Status.NO_DATA if change.value is None else Status.NO_TARGET,
                )

            cells, groupings = breakdown_cells(
                later, kon_codes, [g.letter for g in w.local_groups], scorer
            )
            if not cells[TOTAL].n:
                continue
            shown, decided = suppress_values(cells, groupings, reporting=reporting)
            out.suppressions[(f"{measure.get('id')}:change", w.id)] = decided
            out.rows += table_rows(
                indicator,
                cells,
                shown,
                decided,
                wave=w,
                label=time_point_text(w),
                series=w.schedule_id or "",
                version=w.imported.version,
                broke=base_versions != {major(w.imported.version)},
                kind="change",
            )


# --- register measures ---------------------------------------------------------------------


def _additive(cells: Mapping[Hashable, MeasureValue], grouping: Grouping) -> bool:
    if any(c not in cells for c in grouping.cells):
        return False
    sizes = [cells[c].cell_size for c in grouping.cells]
    if any(s is None for s in sizes):
        return False
    return sum(cells[p].cell_size or 0 for p in grouping.parts) == cells[grouping.total].cell_size


def add_register(
    out: Results, doc: Mapping[str, Any], kon_codes: Sequence[str], reporting: Reporting
) -> None:
    imported = out.imported
    versions = {
        row.id: row
        for row in db.session.scalars(
            select(ImportedProtocol).where(
                ImportedProtocol.organisation_id == imported.organisation_id,
                ImportedProtocol.protocol_id == imported.protocol_id,
            )
        )
    }
    letters = dict(
        db.session.execute(
            select(LocalGroup.id, LocalGroup.letter).where(
                LocalGroup.organisation_id == imported.organisation_id
            )
        ).all()
    )
    figures: dict[str, dict[str, list[RegisterFigure]]] = defaultdict(lambda: defaultdict(list))
    for figure in db.session.scalars(
        select(RegisterFigure)
        .where(RegisterFigure.imported_protocol_id.in_(list(versions)))
        .order_by(RegisterFigure.period, RegisterFigure.id)
    ):
        figures[figure.measure_id][figure.period].append(figure)
    total_codes = {
        str(c.get("id")): str((c.get("total") or {}).get("code") or "")
        for c in doc.get("codelists") or ()
    }
    for indicator, measure in _measures(doc):
        if measure.get("method") not in REGISTER_METHODS or measure.get("scoring") == "narrative":
            continue
        if measure.get("kind") == "qualitative":
            continue
        previous = None
        for period in sorted(figures.get(str(measure.get("id")), {})):
            rows = figures[str(measure.get("id"))][period]
            version = versions[rows[0].imported_protocol_id].version
            broke = previous is not None and previous != major(version)
            previous = major(version)
            parts: dict[Hashable, list[RegisterFigure]] = defaultdict(list)
            totals: list[RegisterFigure] = []
            for f in rows:
                if f.local_group_id is not None:
                    if not f.disaggregation:
                        parts[f"grupp:{letters.get(f.local_group_id, '-')}"].append(f)
                elif not f.disaggregation or f.code == total_codes.get(f.disaggregation):
                    totals.append(f)
                elif f.disaggregation == "kon":
                    parts[f"kon:{f.code}"].append(f)
            # the figure for all, not broken down; else one breakdown's total code
            plain = [f for f in totals if not f.disaggregation]
            parts[TOTAL] = plain or totals[:1]
            cells = {
                name: score(measure, figures=[_figure(f) for f in found])
                for name, found in parts.items()
                if found
            }
            if TOTAL not in cells:
                continue
            ordered = {TOTAL: cells[TOTAL], **{k: v for k, v in cells.items() if k != TOTAL}}
            groupings = [
                g
                for g in (
                    Grouping(TOTAL, tuple(f"kon:{c}" for c in kon_codes)),
                    Grouping(TOTAL, tuple(k for k in ordered if str(k).startswith("grupp:"))),
                )
                if g.parts and _additive(ordered, g)
            ]
            shown, decided = suppress_values(ordered, groupings, reporting=reporting)
            out.suppressions[(str(measure.get("id")), period)] = decided
            out.rows += table_rows(
                indicator,
                ordered,
                shown,
                decided,
                wave=None,
                label=period,
                series=REGISTER_SERIES,
                version=version,
                broke=broke,
                kind="register",
            )


def _figure(row: RegisterFigure) -> dict[str, Any]:
    return {"numerator": row.numerator, "denominator": row.denominator, "value": row.value}


# --- narratives and group names ------------------------------------------------------------


def add_narratives(out: Results) -> None:
    imported = out.imported
    for measure_id, period, text in db.session.execute(
        select(Narrative.measure_id, Narrative.period, Narrative.text)
        .join(ImportedProtocol, ImportedProtocol.id == Narrative.imported_protocol_id)
        .where(
            Narrative.organisation_id == imported.organisation_id,
            ImportedProtocol.protocol_id == imported.protocol_id,
        )
        .order_by(Narrative.period, Narrative.id)
    ):
        out.narratives.setdefault(measure_id, []).append((period, text))
    out.group_names = dict(
        db.session.execute(
            select(LocalGroup.letter, LocalGroup.name).where(
                LocalGroup.organisation_id == imported.organisation_id
            )
        ).all()
    )
