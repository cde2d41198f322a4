"""The national comparison (a pure module): the aggregate report a förbund shares, its
validation, and the distribution across förbund.

Aggregate report
    :func:`build_report` turns a wave's result rows (:func:`.services.build_results`, already
    suppressed) into the document a förbund shares with the protocol's owner: the **total and
    kön** cells of every measure, never a respondent row and never a local group (a group's
    letter means nothing outside its förbund, and leaving those cells out can only hide more,
    never reveal more). A suppressed cell travels as its status and reason only. The document
    has its own JSON Schema (``schema/aggregate-1.0.schema.json``) and an RFC 8785 checksum
    (:mod:`..protocol.canonical`), like a protocol. The sender is a pseudonymous key, stable
    per förbund and protocol; the förbund's name is in the report only when it agreed to be
    named. Format: ``docs/aggregate-report.md``.

Validation
    :func:`check_report` runs the file checks of the protocol (size, UTF-8, JSON), the schema
    version, the JSON Schema (every error with its JSON path) and what a schema cannot say:
    the checksum, a name only with consent, no figure in a suppressed cell, no shown cell with
    fewer than ``minCellSize`` respondents, one row per measure and breakdown. Whether the
    protocol and version are the owner's is for the service that knows them.

Distribution
    :func:`distribution` over the förbund values of one measure × period × breakdown: count,
    minimum, the quartiles by the type-7 rule (linear interpolation between order statistics,
    R's and NumPy's default), median, maximum. Only förbund whose cell has a value count: a
    suppressed or empty cell is left out, never guessed.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from ..messages import Gettext, swedish
from ..protocol.canonical import checksum as compute_checksum
from ..protocol.canonical import verify_checksum, with_checksum
from ..protocol.validate import DEFAULT_MAX_BYTES, Problem, parse, sort_problems
from ..protocol.validate.problems import json_path, type_of
from ..protocol.validate.schema import schema_problems
from . import messages

FORMAT_VERSION = "1.0"
SCHEMA_ID = "urn:uuid:6f1d2a4e-93c7-4b0e-8a51-2c7e0d9b7a13"
SCHEMA_FILE = "aggregate-1.0.schema.json"
TOTAL = "total"
KON_PREFIX = "kon:"
#: figures a shown cell may carry (report field -> result row field)
FIGURES = {
    "n": "n",
    "numerator": "numerator",
    "denominator": "denominator",
    "value": "value",
    "ciLow": "ci_low",
    "ciHigh": "ci_high",
    "target": "target",
}
SUPPRESSED = "suppressed"
#: the fewest förbund with a value behind a national figure that a förbund is shown (with
#: fewer, a förbund could work out another's value from the median and its own)
MIN_FORBUND = 5

__all__ = [
    "FORMAT_VERSION",
    "MIN_FORBUND",
    "SCHEMA_ID",
    "Distribution",
    "NationalProblem",
    "build_report",
    "check_report",
    "distribution",
    "major",
    "period_key",
    "quantile",
    "shared_rows",
]


@dataclass(frozen=True)
class NationalProblem(Problem):
    """A problem of an aggregate report (its sentence from the follow-up's catalogue)."""

    @property
    def message(self) -> str:
        return messages.render(self.code, self.params)

    def render(self, gettext: Gettext = swedish) -> str:
        return messages.render(self.code, self.params, gettext)


def _problem(parts: Sequence[str | int], code: str, /, **params: Any) -> NationalProblem:
    return NationalProblem(json_path(parts), code, params)


# --- building --------------------------------------------------------------------------------


def shared_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The report rows of result rows: questionnaire measures, total and kön only; a suppressed cell as its status
    and reason, nothing else; a shown cell with the figures it has."""
    out: list[dict[str, Any]] = []
    for row in rows:
        if row.get("kind", "survey") != "survey":
            continue  # register, index and paired-change rows are not shared (yet)
        breakdown = str(row["breakdown"])
        if breakdown != TOTAL and not breakdown.startswith(KON_PREFIX):
            continue
        entry: dict[str, Any] = {
            "indicator": row["indicator"],
            "measure": row["measure"],
            "breakdown": breakdown,
            "status": row["status"],
        }
        if row["status"] == SUPPRESSED:
            entry["suppression"] = row.get("suppression") or "primary"
        else:
            for name, source in FIGURES.items():
                if row.get(source) is not None:
                    entry[name] = row[source]
        out.append(entry)
    return out


def build_report(
    *,
    protocol: Mapping[str, str],
    sender_key: str,
    name: str | None,
    wave: Mapping[str, Any],
    min_cell_size: int,
    rows: Iterable[Mapping[str, Any]],
    created_at: datetime,
) -> dict[str, Any]:
    """The aggregate report of one wave, with its checksum. ``protocol``: id, version,
    checksum; ``wave``: respondentGroup, period, schedule, timepoint, year; ``name`` only when
    the förbund agreed to be named (else ``None``)."""
    sender: dict[str, Any] = {"key": sender_key, "named": name is not None}
    if name is not None:
        sender["name"] = name
    doc = {
        "$schema": SCHEMA_ID,
        "formatVersion": FORMAT_VERSION,
        "protocol": {k: protocol[k] for k in ("id", "version", "checksum")},
        "sender": sender,
        "wave": dict(wave),
        "minCellSize": min_cell_size,
        "createdAt": created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "rows": shared_rows(rows),
    }
    return with_checksum(doc)


def period_key(wave: Mapping[str, Any]) -> str:
    """What makes two förbund's waves the same period: the schedule and timepoint of an
    event-based wave, else the calendar period (case and spacing ignored)."""
    if wave.get("schedule") and wave.get("timepoint"):
        return f"{wave['schedule']}:{wave['timepoint']}"
    return " ".join(str(wave.get("period") or "").split()).casefold()


def major(version: str) -> str:
    return version.split(".", 1)[0]


# --- checking --------------------------------------------------------------------------------


@functools.cache
def load_schema() -> dict[str, Any]:
    text = resources.files("consensus.followup").joinpath("schema", SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(load_schema())


def _format_problem(doc: Mapping[str, Any]) -> Problem | None:
    if doc.get("$schema") != SCHEMA_ID:
        return _problem(("$schema",), "aggregate_unknown_schema", value=doc.get("$schema"))
    declared = doc.get("formatVersion")
    if isinstance(declared, str) and major(declared) != major(FORMAT_VERSION):
        return _problem(
            ("formatVersion",), "aggregate_format_version", found=declared, supported=FORMAT_VERSION
        )
    return None


def _row_problems(doc: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    minimum = doc.get("minCellSize")
    seen: set[tuple[str, str]] = set()
    for i, row in enumerate(doc.get("rows") or ()):
        if not isinstance(row, Mapping):
            continue
        key = (str(row.get("measure")), str(row.get("breakdown")))
        if key in seen:
            problems.append(
                _problem(("rows", i), "aggregate_duplicate_row", measure=key[0], breakdown=key[1])
            )
        seen.add(key)
        if row.get("status") == SUPPRESSED:
            shown = [name for name in FIGURES if name in row]
            if shown or "suppression" not in row:
                problems.append(
                    _problem(
                        ("rows", i),
                        "aggregate_suppressed_figure",
                        measure=key[0],
                        breakdown=key[1],
                        fields=shown or ["suppression"],
                    )
                )
        elif "suppression" in row:
            problems.append(
                _problem(
                    ("rows", i, "suppression"),
                    "aggregate_suppression_shown",
                    measure=key[0],
                    breakdown=key[1],
                )
            )
        else:
            n = row.get("n")
            if isinstance(n, int) and isinstance(minimum, int) and 0 < n < minimum:
                problems.append(
                    _problem(
                        ("rows", i, "n"),
                        "aggregate_small_cell",
                        measure=key[0],
                        breakdown=key[1],
                        n=n,
                        minimum=minimum,
                    )
                )
    return problems


def _nul_problems(value: Any, parts: tuple[str | int, ...] = ()) -> list[Problem]:
    """A NUL character in any text (PostgreSQL cannot store it, and no report needs it)."""
    if isinstance(value, str):
        return [_problem(parts, "aggregate_nul")] if "\x00" in value else []
    if isinstance(value, Mapping):
        out: list[Problem] = []
        for key, item in value.items():
            if "\x00" in str(key):
                return [_problem(parts, "aggregate_nul")]
            out.extend(_nul_problems(item, (*parts, str(key))))
        return out
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _nul_problems(item, (*parts, i))]
    return []


def check_document(doc: Any) -> list[Problem]:
    """Every problem of a parsed aggregate report ([] when it can be received)."""
    if not isinstance(doc, dict):
        return [_problem((), "aggregate_not_object", actual=type_of(doc))]
    nul = _nul_problems(doc)
    if nul:
        return nul
    wrong = _format_problem(doc)
    if wrong is not None:
        return [wrong]
    problems: list[Problem] = []
    if not _validator().is_valid(doc):  # about twice as fast as collecting no errors
        for error in _validator().iter_errors(doc):
            problems.extend(schema_problems(error))
    sender = doc.get("sender")
    if isinstance(sender, Mapping):
        if sender.get("named") is True and not sender.get("name"):
            problems.append(_problem(("sender", "name"), "aggregate_name_missing"))
        if sender.get("named") is False and "name" in sender:
            problems.append(_problem(("sender", "name"), "aggregate_name_without_consent"))
    problems.extend(_row_problems(doc))
    declared = doc.get("checksum")
    if isinstance(declared, str) and not problems:
        try:
            if not verify_checksum(doc):
                problems.append(
                    Problem(
                        "$.checksum",
                        "checksum_mismatch",
                        {"found": declared, "expected": compute_checksum(doc)},
                    )
                )
        except ValueError:  # a number JCS cannot write
            problems.append(_problem(("checksum",), "aggregate_not_canonical"))
    return sort_problems(problems)


def check_report(
    data: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse and check an aggregate report file: ``(document, [])`` or ``(None, problems)``."""
    doc, problems = parse(data, max_bytes=max_bytes)
    if not problems:
        problems = check_document(doc)
    return (None, problems) if problems else (doc, [])


# --- distribution ----------------------------------------------------------------------------


def quantile(ordered: Sequence[float], p: float) -> float:
    """The ``p`` quantile of sorted values by the type-7 rule: h = (n − 1)·p, interpolated
    between the order statistics floor(h) and floor(h) + 1 (0-based)."""
    if not ordered:
        raise ValueError("no values")
    h = (len(ordered) - 1) * p
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


@dataclass(frozen=True)
class Distribution:
    count: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float

    @property
    def enough(self) -> bool:
        """Whether a förbund may be shown it (at least :data:`MIN_FORBUND` förbund)."""
        return self.count >= MIN_FORBUND


def distribution(values: Iterable[float | None]) -> Distribution | None:
    """The distribution of the values given (``None`` left out); ``None`` when there is none.
    Figures rounded to two decimals, like the results."""
    ordered = sorted(float(v) for v in values if v is not None)
    if not ordered:
        return None
    return Distribution(
        count=len(ordered),
        minimum=round(ordered[0], 2),
        q1=round(quantile(ordered, 0.25), 2),
        median=round(quantile(ordered, 0.5), 2),
        q3=round(quantile(ordered, 0.75), 2),
        maximum=round(ordered[-1], 2),
    )


@dataclass
class Entry:
    """One förbund's cell in a national table."""

    label: str
    named: bool
    status: str
    value: float | None = None
    n: int | None = None
    own: bool = False


@dataclass
class Cell:
    """One measure × period × breakdown across förbund (one protocol major version)."""

    indicator: str
    measure: str
    major: str
    period: str
    period_label: str
    year: int
    respondent_group: str
    breakdown: str
    entries: list[Entry] = field(default_factory=list)

    @property
    def distribution(self) -> Distribution | None:
        return distribution(e.value for e in self.entries if e.status != SUPPRESSED)


def national_cells(
    shares: Iterable[Mapping[str, Any]], measure_order: Sequence[str] = ()
) -> list[Cell]:
    """The national table: ``shares`` are mappings with ``label``, ``named``, ``own`` (bool)
    and ``report`` (a received aggregate report). Cells in the protocol's measure order, then
    by year, period and breakdown (total first)."""
    cells: dict[tuple[str, str, str, str, str], Cell] = {}
    for share in shares:
        report = share["report"]
        wave = report["wave"]
        version_major = major(report["protocol"]["version"])
        key_period = period_key(wave)
        for row in report["rows"]:
            key = (
                version_major,
                row["measure"],
                key_period,
                wave["respondentGroup"],
                row["breakdown"],
            )
            cell = cells.get(key)
            if cell is None:
                cell = cells[key] = Cell(
                    indicator=row["indicator"],
                    measure=row["measure"],
                    major=version_major,
                    period=key_period,
                    period_label=wave["period"],
                    year=int(wave["year"]),
                    respondent_group=wave["respondentGroup"],
                    breakdown=row["breakdown"],
                )
            cell.entries.append(
                Entry(
                    label=share["label"],
                    named=bool(share.get("named")),
                    status=row["status"],
                    value=row.get("value"),
                    n=row.get("n"),
                    own=bool(share.get("own")),
                )
            )
    order = {m: i for i, m in enumerate(measure_order)}
    return sorted(
        cells.values(),
        key=lambda c: (
            order.get(c.measure, len(order)),
            c.measure,
            c.major,
            c.year,
            c.period,
            c.respondent_group,
            c.breakdown != TOTAL,
            c.breakdown,
        ),
    )
