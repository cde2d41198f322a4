"""XLSX workbooks: the zip-bomb check, choosing the sheet, reading cells, the formula scan."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Sequence
from typing import Any

from defusedxml.ElementTree import iterparse as _safe_iterparse

from .cells import _cell_text, _clean
from .grid import _Grid, _Record
from .headers import _heading_key
from .problems import Note, Problem

DEFAULT_MAX_UNCOMPRESSED = 50_000_000

_FORMULA_OR_ERROR = re.compile(rb"<(?:\w+:)?f[\s>/]|\bt=[\"']e[\"']")


def _read_xlsx(
    grid: _Grid, data: bytes, filename: str, sheet_names: Sequence[str], max_uncompressed: int
) -> None:
    grid.format = "xlsx"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError):
        grid.problems.append(Problem(None, None, "not_xlsx", {"filename": filename}))
        return
    total = sum(i.file_size for i in infos)
    if total > max_uncompressed:
        grid.problems.append(
            Problem(
                None, None, "uncompressed_too_large", {"size": total, "limit": max_uncompressed}
            )
        )
        return
    if "[Content_Types].xml" not in names:
        grid.problems.append(Problem(None, None, "not_xlsx", {"filename": filename}))
        return
    try:
        _read_workbook(grid, data, sheet_names)
    except MemoryError:
        raise
    except Exception:  # untrusted input: any parser failure is a "damaged file" for the user
        grid.records.clear()
        grid.cell_issues.clear()
        grid.problems.append(Problem(None, None, "corrupt_xlsx", {"filename": filename}))


def _choose_sheet(worksheets: list[Any], sheet_names: Sequence[str]) -> Any | None:
    wanted = [_heading_key(n) for n in sheet_names]
    visible = [ws for ws in worksheets if ws.sheet_state == "visible"]
    for key in wanted:
        for ws in visible + [w for w in worksheets if w not in visible]:
            if _heading_key(ws.title) == key:
                return ws
    return visible[0] if visible else None


def _read_workbook(grid: _Grid, data: bytes, sheet_names: Sequence[str]) -> None:
    # openpyxl warns about features it drops (data validation, unknown extensions, no default
    # style ...). They mean nothing to the user and pytest runs with warnings as errors.
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            worksheets = list(workbook.worksheets)
            ws = _choose_sheet(worksheets, sheet_names)
            if ws is None:
                grid.problems.append(Problem(None, None, "no_sheet", {}))
                return
            grid.sheet = ws.title
            others = [w.title for w in worksheets if w is not ws]
            if others:
                grid.notes.append(
                    Note("sheet_read_of_several", {"sheet": ws.title, "others": others})
                )
            else:
                grid.notes.append(Note("sheet_read", {"sheet": ws.title}))
            ws.reset_dimensions()  # do not trust the stored dimension (some writers get it wrong)
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [_clean(v) if isinstance(v, str) else _cell_text(v) for v in values]
                grid.records.append(_Record(number, cells))
            path = getattr(ws, "_worksheet_path", None)
        finally:
            workbook.close()

    if path:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read(path)
        if _FORMULA_OR_ERROR.search(xml):
            grid.cell_issues.update(_scan_formulas(xml))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _scan_formulas(xml: bytes) -> dict[tuple[int, int], tuple[str, dict[str, Any]]]:
    """Find formula cells without a saved (cached) value, and cached error values.

    openpyxl's ``data_only`` gives ``None`` for both a formula without a cached value and an
    empty cell, so this scans the sheet XML (with defusedxml) once. A cached empty string
    (``t="str"`` with an empty ``<v>``) is a real value; an empty ``<v/>`` without a string
    type (as openpyxl itself writes formulas) is not."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    issues: dict[tuple[int, int], tuple[str, dict[str, Any]]] = {}
    row_number = 0
    column = 0
    for event, elem in _safe_iterparse(io.BytesIO(xml), events=("start", "end")):
        tag = _local(elem.tag)
        if tag == "row":
            if event == "start":  # cells may omit their reference: count from the row
                number = elem.get("r")
                row_number = int(number) if number and number.isdigit() else row_number + 1
                column = 0
            else:
                elem.clear()
            continue
        if tag != "c" or event != "end":
            continue
        ref = elem.get("r")
        if ref:
            letters, row_number = coordinate_from_string(ref)
            column = column_index_from_string(letters)
        else:
            column += 1
        kind = elem.get("t", "n")
        formula = value = None
        has_value = False
        for child in elem:
            child_tag = _local(child.tag)
            if child_tag == "f":
                formula = child.text or ""
            elif child_tag == "v":
                has_value = True
                value = child.text or ""
        key = (row_number, column - 1)
        if kind == "e" and value:
            issues[key] = ("cell_error", {"value": value})
        elif formula is not None and (not has_value or (not value and kind not in ("str", "s"))):
            issues[key] = ("formula_without_value", {"formula": formula})
    return issues
