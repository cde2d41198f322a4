"""Reading an uploaded file: size and format checks, decoding, CSV and its delimiter."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from .cells import _clean
from .grid import _Grid, _Record
from .headers import Column, Table, _build_table
from .plausible import implausible, shown
from .problems import Note, Problem
from .workbook import DEFAULT_MAX_UNCOMPRESSED, _read_xlsx

DEFAULT_MAX_BYTES = 5_000_000

CSV_DELIMITERS = (";", ",", "\t")
SNIFF_SAMPLE = 4_096


_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_table(
    data: bytes,
    filename: str,
    *,
    columns: Sequence[Column] | None = None,
    sheet_names: Sequence[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED,
) -> Table:
    """Read an uploaded XLSX or CSV file into a :class:`Table`; never raises for bad input.

    ``columns`` maps headings to canonical keys (see :class:`Column`); without it the rows are
    keyed by the headings as written. ``sheet_names`` are preferred sheet names for workbooks
    with several sheets (otherwise the first visible sheet is read)."""
    grid = _read_grid(data, filename, sheet_names, max_bytes, max_uncompressed)
    table = _build_table(grid, columns)
    return table


def _read_grid(
    data: bytes,
    filename: str,
    sheet_names: Sequence[str],
    max_bytes: int,
    max_uncompressed: int,
) -> _Grid:
    grid = _Grid()
    name = filename or ""
    if len(data) > max_bytes:
        grid.problems.append(
            Problem(None, None, "too_large", {"size": len(data), "limit": max_bytes})
        )
        return grid
    if not data.strip():
        grid.problems.append(Problem(None, None, "empty_file", {}))
        return grid

    extension = name.rsplit(".", 1)[-1].casefold() if "." in name else ""
    is_zip = data.startswith(_ZIP_MAGIC)
    if data.startswith(_OLE_MAGIC):
        grid.problems.append(Problem(None, None, "xls_or_encrypted", {"filename": name}))
        return grid
    if extension in ("xlsx", "xls") or is_zip:
        if not is_zip:
            code = "xls_or_encrypted" if extension == "xls" else "not_xlsx"
            grid.problems.append(Problem(None, None, code, {"filename": name}))
            return grid
        if extension != "xlsx":
            grid.notes.append(Note("xlsx_content", {"filename": name}))
        _read_xlsx(grid, data, name, sheet_names, max_uncompressed)
        return grid
    if extension in ("csv", "txt", "tsv"):
        _read_csv(grid, data)
        return grid
    grid.problems.append(Problem(None, None, "unsupported_format", {"filename": name}))
    return grid


# ---- CSV -----------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str] | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" (UTF-16)
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            return None
    try:
        label = "UTF-8 med BOM" if data.startswith(b"\xef\xbb\xbf") else "UTF-8"
        return data.decode("utf-8-sig"), label
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return None


def _first_record_counts(text: str) -> dict[str, int]:
    """Count each delimiter outside quotes in the first non-blank record."""
    counts = dict.fromkeys(CSV_DELIMITERS, 0)
    in_quotes = False
    seen = False
    for ch in text:
        if ch == '"':
            in_quotes = not in_quotes
        elif in_quotes:
            continue
        elif ch in "\r\n":
            if seen:
                break
        elif ch in counts:
            counts[ch] += 1
            seen = True
        elif not ch.isspace():
            seen = True
    return counts


def detect_delimiter(text: str) -> str:
    """``;``, ``,`` or tab: csv.Sniffer on a sample, checked against the header line.

    The sniffer's guess is kept when the header line contains it (or contains none of the
    three); otherwise the delimiter that occurs most often in the header wins (ties: ``;``
    before ``,`` before tab, since Swedish Excel saves with ``;``)."""
    # csv.Sniffer's quote regex is quadratic on hostile input (30 kB of ';"' takes ~9 s):
    # a small sample keeps the worst case near 0.2 s and is plenty for a header and a few rows.
    sample = text[:SNIFF_SAMPLE]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    sniffed: str | None
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(CSV_DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    counts = _first_record_counts(text[:65_536])
    best = max(CSV_DELIMITERS, key=lambda d: counts[d])  # max keeps the first of equals
    if counts[best] == 0:
        return sniffed or ";"
    if sniffed in counts and counts[sniffed] > 0:
        return sniffed
    return best


def _read_csv(grid: _Grid, data: bytes) -> None:
    grid.format = "csv"
    decoded = _decode(data)
    if decoded is None or "\x00" in decoded[0]:
        grid.problems.append(Problem(None, None, "bad_encoding", {}))
        return
    text, encoding = decoded
    text = text.lstrip("\ufeff")
    delimiter = detect_delimiter(text)
    grid.encoding, grid.delimiter = encoding, delimiter
    grid.notes.append(Note("csv_read", {"encoding": encoding, "delimiter": delimiter}))

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    number = 0
    previous_line = 0
    try:
        for cells in reader:
            number += 1
            grid.records.append(_Record(number, [_clean(c) for c in cells], previous_line + 1))
            previous_line = reader.line_num
    except csv.Error:
        grid.problems.append(Problem(number + 1, None, "malformed_csv", {}))
        return
    _flag_implausible(grid, encoding)
    if grid.records and _unterminated_quote(text, delimiter):
        # The lenient reader swallows an unterminated quote up to the end of the file.
        grid.problems.append(Problem(grid.records[-1].number, None, "malformed_csv", {}))


def _flag_implausible(grid: _Grid, encoding: str) -> None:
    """Cells whose text shows that the file was not in the encoding it was read as (a Mac
    Roman or Shift_JIS file read as Windows-1252), or that carry control characters."""
    guessed = encoding == "Windows-1252"
    for record in grid.records:
        for index, cell in enumerate(record.cells):
            char = implausible(cell, guessed=guessed)
            if char is not None:
                grid.cell_issues[(record.number, index)] = (
                    "implausible_text",
                    {"char": shown(char), "encoding": encoding},
                )


def _unterminated_quote(text: str, delimiter: str) -> bool:
    strict = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for _ in strict:
            pass
    except csv.Error:
        # An unterminated quote runs the strict reader into the end of the data.
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        return strict.line_num >= lines
    return False
