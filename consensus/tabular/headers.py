"""Columns and headings: the column spec, finding and matching the header, building the table."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .grid import _Grid, _Record
from .problems import Note, Problem

HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Column:
    """One column of a column spec: ``key`` is the canonical name used in ``Row.values``,
    ``label`` the Swedish heading (used for export and in messages), ``headings`` the other
    accepted headings. Headings match case-insensitively, ignoring surrounding whitespace,
    spaces, hyphens, underscores, a trailing ``*`` or ``:`` and a trailing ``(...)`` hint."""

    key: str
    label: str
    headings: tuple[str, ...] = ()
    required: bool = False

    @property
    def accepted(self) -> tuple[str, ...]:
        names: dict[str, str] = {}
        for heading in (self.label, *self.headings):
            names.setdefault(_heading_key(heading), heading)
        return tuple(names.values())


@dataclass
class Row:
    number: int
    values: dict[str, str]
    line: int | None = None
    #: keys of cells that already have a problem (formula without value, error value), so
    #: that domain checks do not report the same cell twice
    flagged: set[str] = field(default_factory=set)


@dataclass
class Table:
    headers: list[str]
    rows: list[Row]
    notes: list[Note] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: canonical key -> heading as written in the file; None when read without a column spec
    columns: dict[str, str] | None = None
    format: str | None = None  # "xlsx" or "csv"
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def heading(self, key: str, default: str | None = None) -> str:
        """The heading of a canonical column as the user wrote it (for messages)."""
        if self.columns and key in self.columns:
            return self.columns[key]
        return default if default is not None else key


def limit_rows(table: Table, max_rows: int | None) -> Table:
    """The table refused as a whole when it has more than ``max_rows`` rows: no rows, one
    problem that says how many it has and may have (a preview of 100,000 rows or errors is a
    page no browser shows). Notes are kept."""
    if max_rows is None or len(table.rows) <= max_rows:
        return table
    problem = Problem(None, None, "too_many_rows", {"rows": len(table.rows), "max_rows": max_rows})
    return dataclasses.replace(table, rows=[], problems=[problem])


def _heading_key(text: str) -> str:
    key = unicodedata.normalize("NFC", text).casefold().strip()
    key = re.sub(r"[\s\-_\u2010-\u2015]+", "", key)
    return key.rstrip("*:")


def _heading_keys(text: str) -> list[str]:
    key = _heading_key(text)
    keys = [key]
    without_hint = re.sub(r"\(.*\)$", "", key).rstrip("*:")
    if without_hint and without_hint != key:
        keys.append(without_hint)
    return keys


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _lookup(columns: Sequence[Column]) -> dict[str, Column]:
    lookup: dict[str, Column] = {}
    for column in columns:
        for heading in column.accepted:
            lookup.setdefault(_heading_key(heading), column)
    return lookup


def _match(heading: str, lookup: Mapping[str, Column]) -> Column | None:
    for key in _heading_keys(heading):
        if key in lookup:
            return lookup[key]
    return None


def _find_header(
    records: list[_Record], columns: Sequence[Column] | None, lookup: Mapping[str, Column]
) -> int:
    """Index (in ``records``) of the header: the first non-blank row, or with a column spec
    the first of the first few rows that has every required heading (else the most)."""
    candidates = [i for i, r in enumerate(records) if any(r.cells)][:HEADER_SEARCH_ROWS]
    if not candidates:
        return -1
    if not columns:
        return candidates[0]
    required = {c.key for c in columns if c.required}
    best, best_score = candidates[0], 0
    for i in candidates:
        found = {col.key for cell in records[i].cells if (col := _match(cell, lookup))}
        if required <= found and found:
            return i
        if len(found) > best_score:
            best, best_score = i, len(found)
    return best


def _build_table(grid: _Grid, columns: Sequence[Column] | None) -> Table:
    table = Table(
        headers=[],
        rows=[],
        notes=grid.notes,
        problems=grid.problems,
        format=grid.format,
        sheet=grid.sheet,
        encoding=grid.encoding,
        delimiter=grid.delimiter,
    )
    if grid.problems and not grid.records:
        return table
    records = grid.records
    issues = grid.cell_issues

    def non_blank(record: _Record) -> bool:
        return any(record.cells) or any(
            (record.number, i) in issues for i in range(len(record.cells))
        )

    lookup = _lookup(columns) if columns else {}
    header_index = _find_header(records, columns, lookup)
    if header_index < 0:
        table.problems.append(Problem(None, None, "empty_file", {}))
        return table
    header = records[header_index]
    first_non_blank = next(i for i, r in enumerate(records) if any(r.cells))
    if header_index != first_non_blank:
        table.notes.append(Note("header_row", {"row": header.number}))
    table.header_row = header.number

    headers = list(header.cells)
    while headers and not headers[-1]:
        headers.pop()
    table.headers = headers

    # column index -> key in Row.values
    keys: dict[int, str] = {}
    seen: dict[str, list[str]] = {}
    ignored: list[str] = []
    labels: dict[str, str] = {}
    for index, heading in enumerate(headers):
        if not heading:
            continue
        if columns:
            col = _match(heading, lookup)
            if col is None:
                ignored.append(heading)
                continue
            key, label = col.key, col.label
        else:
            key = label = heading
        if key in seen:
            seen[key].append(heading)
            continue
        seen[key] = [heading]
        labels[key] = label
        keys[index] = key
    for key, found in seen.items():
        if len(found) > 1:
            table.problems.append(
                Problem(
                    None, labels[key], "duplicate_column", {"label": labels[key], "headings": found}
                )
            )
    if columns:
        table.columns = {key: found[0] for key, found in seen.items()}
        for col in columns:
            if col.required and col.key not in seen:
                table.problems.append(
                    Problem(
                        None,
                        col.label,
                        "missing_column",
                        {"label": col.label, "headings": list(col.accepted)},
                    )
                )
        if ignored:
            table.notes.append(Note("ignored_columns", {"columns": ignored}))

    # issues in the header row itself (a formula heading, say)
    for index in range(len(header.cells)):
        issue = issues.get((header.number, index))
        if issue and (index in keys or not columns):
            table.problems.append(Problem(header.number, _column_letter(index), *issue))

    key_names = list(dict.fromkeys(keys.values()))
    unnamed: set[int] = set()
    for record in records[header_index + 1 :]:
        if not non_blank(record):
            continue
        cells = record.cells
        values = {key: "" for key in key_names}
        flagged: set[str] = set()
        for index, key in keys.items():
            if index < len(cells):
                values[key] = cells[index]
            issue = issues.get((record.number, index))
            if issue:
                table.problems.append(Problem(record.number, headers[index], *issue))
                flagged.add(key)
        extra = [i for i in range(len(headers), len(cells)) if cells[i]]
        extra += [i for i in range(min(len(headers), len(cells))) if not headers[i] and cells[i]]
        if extra:
            if grid.format == "csv" and any(i >= len(headers) for i in extra):
                count = max(i for i, c in enumerate(cells) if c) + 1
                table.problems.append(
                    Problem(
                        record.number,
                        None,
                        "too_many_values",
                        {"count": count, "width": len(headers), "delimiter": grid.delimiter},
                    )
                )
            else:
                unnamed.update(extra)
        if any(values.values()) or flagged:
            table.rows.append(Row(record.number, values, record.line, flagged))
    if unnamed:
        letters = [_column_letter(i) for i in sorted(unnamed)]
        table.notes.append(Note("unnamed_column", {"letters": letters}))
    if not table.rows and not table.problems:
        table.problems.append(Problem(None, None, "no_data_rows", {}))
    return table


def map_columns(table: Table, columns: Sequence[Column]) -> Table:
    """Apply a column spec to a table that was read without one (keys = headings)."""
    if table.columns is not None:
        return table
    lookup = _lookup(columns)
    renames: dict[str, str] = {}
    found: dict[str, list[str]] = {}
    ignored: list[str] = []
    for heading in table.headers:
        if not heading:
            continue
        col = _match(heading, lookup)
        if col is None:
            ignored.append(heading)
            continue
        found.setdefault(col.key, []).append(heading)
        if len(found[col.key]) == 1:
            renames[heading] = col.key
    mapped = Table(
        headers=list(table.headers),
        rows=[],
        notes=list(table.notes),
        problems=list(table.problems),
        columns={key: headings[0] for key, headings in found.items()},
        format=table.format,
        sheet=table.sheet,
        encoding=table.encoding,
        delimiter=table.delimiter,
        header_row=table.header_row,
    )
    for col in columns:
        headings = found.get(col.key, [])
        if len(headings) > 1:
            mapped.problems.append(
                Problem(
                    None, col.label, "duplicate_column", {"label": col.label, "headings": headings}
                )
            )
        if col.required and not headings:
            mapped.problems.append(
                Problem(
                    None,
                    col.label,
                    "missing_column",
                    {"label": col.label, "headings": list(col.accepted)},
                )
            )
    if ignored:
        mapped.notes.append(Note("ignored_columns", {"columns": ignored}))
    for row in table.rows:
        values = {renames[h]: v for h, v in row.values.items() if h in renames}
        flagged = {renames[h] for h in row.flagged if h in renames}
        mapped.rows.append(Row(row.number, values, row.line, flagged))
    return mapped
