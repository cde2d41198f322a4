"""The raw grid of cells read from a file, before its header is found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .problems import Note, Problem


@dataclass
class _Record:
    number: int
    cells: list[str]
    line: int | None = None


@dataclass
class _Grid:
    records: list[_Record] = field(default_factory=list)
    # (row number, 0-based column index) -> (code, params) for cells that are not plain values
    cell_issues: dict[tuple[int, int], tuple[str, dict[str, Any]]] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    format: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
