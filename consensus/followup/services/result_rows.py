"""The rows of a förbund's results and the helpers that make them (shared by
:mod:`.results`, which scores the questionnaire measures, and :mod:`.result_kinds`, which adds
register, index and paired-change rows). One row per indicator × measure × wave × breakdown;
:data:`COLUMNS` is what every renderer writes and what the national comparison reads."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import questionnaire as qn
from ..models import ImportedProtocol, Wave
from ..scoring import MeasureValue
from ..suppression import Grouping, Suppressed, Suppression

COLUMNS = (
    "indicator",
    "measure",
    "wave",
    "wave_label",
    "series",
    "protocol_version",
    "breakdown",
    "numerator",
    "denominator",
    "n",
    "value",
    "ci_low",
    "ci_high",
    "target",
    "status",
    "suppression",
    "comparability_break",
    "kind",
)
#: what a row's figure is: a questionnaire measure's value, a register measure's, an index
#: combining measures, or the paired change of a cohort since its first time point
KINDS = ("survey", "register", "index", "change")
TOTAL = "total"
#: the series of calendar waves (yearly and other periods); event-based waves form one series
#: per schedule
CALENDAR = "kalender"
NONE_PART = "-"
DIGITS = 2


@dataclass
class Results:
    """The rows, plus what the page needs beside them."""

    imported: ImportedProtocol
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: (measure, wave id or register period) -> the suppression decided for that table
    #: (a paired change's table is ``"<measure>:change"``)
    suppressions: dict[tuple[str, Hashable], Suppression] = field(default_factory=dict)
    waves: list[Wave] = field(default_factory=list)
    min_cell_size: int = 5
    #: measure id -> [(period, text)], the förbund's narratives of qualitative measures
    narratives: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: local group letter -> name (for the förbund's own pages only, never in exports)
    group_names: dict[str, str] = field(default_factory=dict)
    #: the fingerprint of the data behind the rows, when they came from the cache
    key: Hashable | None = None


def major(version: str) -> str:
    return version.split(".", 1)[0]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


def _whole(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, DIGITS)


def _parts(
    people: Sequence[Mapping[str, Any]], key: str, fixed: Sequence[str]
) -> dict[str, list[Mapping[str, Any]]]:
    """Respondents per part of one breakdown: the fixed codes always, others when present."""
    parts: dict[str, list[Mapping[str, Any]]] = {code: [] for code in fixed}
    for person in people:
        parts.setdefault(str(person[key]), []).append(person)
    return parts


def breakdown_cells(
    people: Sequence[Mapping[str, Any]],
    kon_codes: Sequence[str],
    letters: Sequence[str],
    scorer: Callable[[Sequence[Mapping[str, Any]]], MeasureValue],
    split: dict[str, dict[str, list[Mapping[str, Any]]]] | None = None,
) -> tuple[dict[Hashable, MeasureValue], list[Grouping]]:
    """One measure's cells in one wave: the total, kön and the local groups, each scored by
    ``scorer`` from its respondents, with the additive groupings that suppression needs.
    ``split`` keeps the wave's parts between its measures (they are the same people)."""
    cells: dict[Hashable, MeasureValue] = {TOTAL: scorer(people)}
    groupings = []
    for dimension, key, fixed in (("kon", "_kon", kon_codes), ("grupp", "_grupp", letters)):
        if dimension == "kon" and not kon_codes:
            continue
        names = []
        parts = None if split is None else split.get(key)
        if parts is None:
            parts = _parts(people, key, fixed)
            if split is not None:
                split[key] = parts
        for code, members in parts.items():
            name = f"{dimension}:{code}"
            names.append(name)
            cells[name] = scorer(members)
        groupings.append(Grouping(TOTAL, tuple(names)))
    return cells, groupings


def make_row(
    indicator: str,
    value: MeasureValue,
    *,
    breakdown: str,
    entry: Suppressed | None,
    wave: Wave | None,
    label: str,
    series: str,
    version: str,
    broke: bool,
    kind: str,
) -> dict[str, Any]:
    """One row of :data:`COLUMNS` (the one place a row is made)."""
    return {
        "indicator": indicator,
        "measure": value.measure,
        "wave": None if wave is None else wave.id,
        "wave_label": label,
        "series": series,
        "protocol_version": version,
        "breakdown": breakdown,
        "numerator": _whole(value.numerator),
        "denominator": _whole(value.denominator),
        "n": value.n,
        "value": _round(value.value),
        "ci_low": _round(value.ci_low),
        "ci_high": _round(value.ci_high),
        "target": None if value.target is None else _whole(value.target.value),
        "status": value.status.value,
        "suppression": None if entry is None else entry.reason.value,
        "comparability_break": broke,
        "kind": kind,
    }


def table_rows(
    indicator: str,
    cells: Mapping[Hashable, MeasureValue],
    shown: Mapping[Hashable, MeasureValue],
    decided: Suppression,
    **where: Any,
) -> list[dict[str, Any]]:
    """The rows of one suppressed table; the optional parts (vill inte ange, no group) only
    when someone is in them."""
    rows = []
    for name, value in shown.items():
        code = str(name).partition(":")[2]
        if code in (qn.DECLINED, NONE_PART) and (cells[name].cell_size or 0) == 0:
            continue
        rows.append(
            make_row(indicator, value, breakdown=str(name), entry=decided.cells.get(name), **where)
        )
    return rows
