"""Register and document figures, and which measures take them (a pure module).

A register or document-review measure of a protocol takes aggregates per period and local group
(or all groups), and per code of each codelist it is broken down by (with the codelist's total
code for the total): a numerator with a denominator, or a value. :func:`check_figure` checks
one such figure, typed on a page or read from a file row; :func:`check_rows` a whole file.
Qualitative measures (``kind`` qualitative or ``scoring`` narrative) take a narrative per
period instead (:func:`narrative_measures`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .answer_file import FileProblem

__all__ = [
    "COLUMNS",
    "Figure",
    "MeasureInfo",
    "check_figure",
    "check_rows",
    "narrative_measures",
    "register_measures",
]

REGISTER_METHODS = ("register", "document-review")
PERIOD_LIMIT = 100
NARRATIVE_LIMIT = 20_000

#: file columns: key -> accepted headings (compared without case, spaces, - and _)
COLUMNS: dict[str, tuple[str, ...]] = {
    "measure": ("mått", "matt", "measure", "måttid"),
    "period": ("period",),
    "group": ("grupp", "lokal grupp", "insats", "local group"),
    "disaggregation": ("uppdelning", "kodlista", "disaggregation"),
    "code": ("kod", "code"),
    "numerator": ("täljare", "taljare", "numerator"),
    "denominator": ("nämnare", "namnare", "denominator"),
    "value": ("värde", "varde", "value"),
}
ALL_GROUPS = ("", "alla", "samtliga", "totalt", "all")


def _sv(text: Any) -> str:
    if isinstance(text, Mapping):
        return str(text.get("sv") or next(iter(text.values()), ""))
    return "" if text is None else str(text)


def _key(text: str) -> str:
    """Compared without case, spaces, - and _, and accents (ålder = alder)."""
    key = unicodedata.normalize("NFKD", text or "").casefold().strip()
    key = "".join(ch for ch in key if not unicodedata.combining(ch))
    return re.sub(r"[\s\-_]+", "", key)


@dataclass(frozen=True)
class MeasureInfo:
    id: str
    name: str
    indicator: str
    indicator_name: str
    method: str
    kind: str
    scoring: str
    unit: str
    guidance: str
    disaggregations: tuple[str, ...]
    numerator: str = ""
    denominator: str = ""


def _measures(doc: Mapping[str, Any]) -> list[MeasureInfo]:
    out = []
    for indicator in doc.get("indicators") or []:
        for m in indicator.get("measures") or []:
            out.append(
                MeasureInfo(
                    id=m["id"],
                    name=_sv(m.get("name")),
                    indicator=indicator["id"],
                    indicator_name=_sv(indicator.get("name")),
                    method=m.get("method") or "",
                    kind=m.get("kind") or "",
                    scoring=m.get("scoring") or "",
                    unit=_sv(m.get("unit")),
                    guidance=_sv(m.get("guidance")) or _sv(m.get("description")),
                    disaggregations=tuple(m.get("disaggregations") or ()),
                    numerator=_sv((m.get("numerator") or {}).get("description")),
                    denominator=_sv((m.get("denominator") or {}).get("description")),
                )
            )
    return out


def is_narrative(m: MeasureInfo) -> bool:
    return m.kind == "qualitative" or m.scoring == "narrative"


def register_measures(doc: Mapping[str, Any]) -> list[MeasureInfo]:
    """Quantitative measures collected from a register or by document review."""
    return [m for m in _measures(doc) if m.method in REGISTER_METHODS and not is_narrative(m)]


def narrative_measures(doc: Mapping[str, Any]) -> list[MeasureInfo]:
    return [m for m in _measures(doc) if is_narrative(m)]


def codes(doc: Mapping[str, Any], codelist_id: str) -> list[tuple[str, str]]:
    """A codelist's ``(code, label)`` pairs, its total code last."""
    for codelist in doc.get("codelists") or []:
        if codelist.get("id") == codelist_id:
            out = [(str(c["code"]), _sv(c.get("label"))) for c in codelist.get("codes") or []]
            total = codelist.get("total")
            if isinstance(total, Mapping) and total.get("code"):
                out.append((str(total["code"]), _sv(total.get("label")) or "Totalt"))
            return out
    return []


@dataclass(frozen=True)
class Figure:
    """A checked figure: ``group`` is the stored group value (``None`` for all groups)."""

    measure_id: str
    period: str
    group: str | None
    disaggregation: str
    code: str
    numerator: float | None
    denominator: float | None
    value: float | None


def _number(text: str) -> float | None:
    cleaned = (text or "").strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    cleaned = cleaned.replace(",", ".")
    if not cleaned:
        return None
    try:
        number = float(cleaned)
    except ValueError:
        raise _Bad("register_not_number", {"value": text.strip()}) from None
    if not math.isfinite(number):
        raise _Bad("register_not_number", {"value": text.strip()})
    if number < 0:
        raise _Bad("register_negative", {"value": text.strip()})
    return number


class _Bad(Exception):
    def __init__(self, code: str, params: Mapping[str, Any]):
        self.code, self.params = code, dict(params)


def check_figure(
    doc: Mapping[str, Any],
    raw: Mapping[str, str],
    groups: Sequence[tuple[str, str, str]],
    *,
    protocol: str = "",
    version: str = "",
) -> tuple[Figure | None, list[tuple[str, str, dict[str, Any]]]]:
    """Check one figure (``raw``: the keys of :data:`COLUMNS` -> text). ``groups``: the
    förbund's local groups as ``(value, letter, name)``. Returns the figure or the problems
    as ``(column key, code, params)``."""
    problems: list[tuple[str, str, dict[str, Any]]] = []
    measures = {m.id: m for m in _measures(doc)}
    measure_id = (raw.get("measure") or "").strip()
    measure = measures.get(measure_id)
    if measure is None:
        return None, [
            (
                "measure",
                "register_unknown_measure",
                {"value": measure_id, "protocol": protocol, "version": version},
            )
        ]
    if measure.method not in REGISTER_METHODS or is_narrative(measure):
        return None, [
            (
                "measure",
                "register_not_register_measure",
                {"value": measure_id, "method": measure.method},
            )
        ]
    period = " ".join((raw.get("period") or "").split())
    if not period:
        problems.append(("period", "register_period_missing", {}))
    elif len(period) > PERIOD_LIMIT:
        problems.append(("period", "register_period_too_long", {"limit": PERIOD_LIMIT}))
    group_text = (raw.get("group") or "").strip()
    group: str | None = None
    if _key(group_text) not in ALL_GROUPS:
        lookup = {}
        for value, letter, name in groups:
            lookup[_key(letter)] = value
            lookup[_key(name)] = value
            lookup[_key(value)] = value
        group = lookup.get(_key(group_text))
        if group is None:
            known = ", ".join(f"{letter} ({name})" for _, letter, name in groups) or "–"
            problems.append(
                ("group", "register_unknown_group", {"value": group_text, "known": known})
            )
    disaggregation = (raw.get("disaggregation") or "").strip()
    code = (raw.get("code") or "").strip()
    if disaggregation:
        if disaggregation not in measure.disaggregations:
            problems.append(
                (
                    "disaggregation",
                    "register_not_disaggregated",
                    {
                        "measure": measure_id,
                        "value": disaggregation,
                        "known": ", ".join(measure.disaggregations) or "–",
                    },
                )
            )
        else:
            allowed = [c for c, _ in codes(doc, disaggregation)]
            if code not in allowed:
                problems.append(
                    (
                        "code",
                        "register_unknown_code",
                        {
                            "value": code,
                            "codelist": disaggregation,
                            "known": ", ".join(allowed) or "–",
                        },
                    )
                )
    elif code:
        problems.append(("code", "register_code_without_disaggregation", {}))
    numbers: dict[str, float | None] = {}
    for key in ("numerator", "denominator", "value"):
        try:
            numbers[key] = _number(raw.get(key) or "")
        except _Bad as bad:
            problems.append((key, bad.code, bad.params))
            numbers[key] = None
    if problems:
        return None, problems
    numerator, denominator = numbers["numerator"], numbers["denominator"]
    figure_value = numbers["value"]
    if numerator is None and denominator is None and figure_value is None:
        return None, [("numerator", "register_nothing_given", {})]
    if figure_value is not None and (numerator is not None or denominator is not None):
        return None, [("value", "register_both_given", {})]
    if denominator is not None and numerator is None:
        return None, [("numerator", "register_denominator_alone", {})]
    if (
        numerator is not None
        and denominator is not None
        and numerator > denominator
        and measure.scoring != "ratio"  # a ratio (participants per handläggare) may exceed 1
    ):
        return None, [
            (
                "numerator",
                "register_numerator_exceeds",
                {"numerator": _show(numerator), "denominator": _show(denominator)},
            )
        ]
    return Figure(
        measure_id, period, group, disaggregation, code, numerator, denominator, figure_value
    ), []


def _show(number: float) -> str:
    return str(int(number)) if number.is_integer() else str(number).replace(".", ",")


@dataclass
class CheckedFile:
    figures: list[Figure] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_rows(
    doc: Mapping[str, Any],
    headers: Sequence[str],
    rows: Sequence[tuple[int, Mapping[str, str]]],
    groups: Sequence[tuple[str, str, str]],
    *,
    protocol: str = "",
    version: str = "",
) -> CheckedFile:
    """Check a file of figures: a row per figure, the columns of :data:`COLUMNS`."""
    result = CheckedFile()
    lookup = {_key(h): key for key, hs in COLUMNS.items() for h in hs}
    heading_of: dict[str, str] = {}
    for heading in headers:
        key = lookup.get(_key(heading))
        if key is not None:
            heading_of.setdefault(key, heading)
    for required in ("measure", "period"):
        if required not in heading_of:
            result.problems.append(
                FileProblem(
                    None,
                    None,
                    "file_problem",
                    {
                        "text": f"Kolumnen ”{COLUMNS[required][0]}” saknas. Godtagna rubriker: "
                        + ", ".join(f"”{h}”" for h in COLUMNS[required])
                        + "."
                    },
                )
            )
    if result.problems:
        return result
    seen: dict[tuple, int] = {}
    for number, cells in rows:
        raw = {key: cells.get(heading, "") for key, heading in heading_of.items()}
        figure, problems = check_figure(doc, raw, groups, protocol=protocol, version=version)
        for key, code, params in problems:
            result.problems.append(
                FileProblem(number, heading_of.get(key, COLUMNS[key][0]), code, params)
            )
        if figure is None:
            continue
        identity = (
            figure.measure_id,
            figure.period,
            figure.group,
            figure.disaggregation,
            figure.code,
        )
        if identity in seen:
            result.problems.append(
                FileProblem(number, None, "register_duplicate", {"other": seen[identity]})
            )
            continue
        seen[identity] = number
        result.figures.append(figure)
    return result
