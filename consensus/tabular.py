"""Reading and writing tables (XLSX and CSV) the way Swedish Excel users keep them.

A pure module: plain Python in, plain data out (no Flask, no SQLAlchemy). The domain
validation of imported lists lives in the feature packages (``studies/importing.py``); this
module only knows about files, cells, headings and problems.

Reading
    :func:`read_table` turns the bytes of an uploaded ``.xlsx``, ``.csv`` or ``.txt`` file into a
    :class:`Table`. It never raises for a bad file: every problem (too large, not a workbook, bad
    encoding, missing column, formula without a saved value ...) becomes a :class:`Problem`
    with a row, a column, a stable ``code`` and parameters, and renders as a Swedish sentence.

Row numbers
    ``Row.number`` is the row number the user sees in Excel: the header is row 1 and the first
    data row row 2 (blank rows are skipped but still counted, so numbers never shift). For CSV the
    number counts *records*, which is what Excel shows when it opens the file: a quoted cell with
    line breaks is one spreadsheet row even though it spans several lines of text. The physical
    line where the record starts (what a text editor shows) is kept in ``Row.line``. The two
    differ only after a cell with a line break.

Formula injection
    :func:`write_csv` and :func:`write_xlsx` pass every text cell through
    :func:`neutralise_formula` (OWASP "CSV injection"): text starting with ``=``, ``+``, ``-``,
    ``@``, tab or carriage return gets a leading apostrophe. The readers undo exactly that one
    apostrophe (:func:`restore_formula_text`), so export -> import round-trips unchanged. Text
    that already starts with apostrophes followed by such a character gets one more apostrophe on
    the way out, so the round trip is exact for it too. The price: a cell that a user typed as
    ``'=x`` by hand in a CSV file is read as ``=x``.

XML safety
    openpyxl parses with defusedxml automatically when it is installed (``openpyxl.DEFUSEDXML``;
    it is a project dependency) and never resolves entities; our own formula scan also uses
    defusedxml. Zip bombs are refused from the zip directory before anything is decompressed
    (``zipfile`` never inflates a member beyond its declared size).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from defusedxml.ElementTree import iterparse as _safe_iterparse

DEFAULT_MAX_BYTES = 5_000_000
DEFAULT_MAX_UNCOMPRESSED = 50_000_000

#: Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

CSV_DELIMITERS = (";", ",", "\t")
SNIFF_SAMPLE = 4_096
HEADER_SEARCH_ROWS = 10

# --------------------------------------------------------------------------------------------
# Messages: every Swedish template in one place, keyed by the problem or note code.
#
# Templates for problems that carry a row start in lower case: they follow "Rad 7, kolumn ”X”: ".
# Without a row the first letter is capitalised when rendering. Parameters are formatted by
# ``_display`` (lists of rows, allowed values, headings, sizes).
# --------------------------------------------------------------------------------------------

MESSAGES: dict[str, str] = {
    # file level
    "empty_file": "Filen är tom.",
    "no_data_rows": "Filen innehåller bara en rubrikrad och inga rader med data.",
    "too_large": "Filen är för stor ({size}). Den får vara högst {limit}.",
    "uncompressed_too_large": (
        "Arbetsboken blir {size} när den packas upp, men får bli högst {limit}. "
        "Kontrollera att det är rätt fil, eller spara listan som CSV."
    ),
    "not_xlsx": (
        "Filen ”{filename}” heter .xlsx men är ingen Excel-arbetsbok. Spara den i Excel som "
        "”Excel-arbetsbok (*.xlsx)” eller som CSV och försök igen."
    ),
    "corrupt_xlsx": (
        "Excel-filen ”{filename}” kunde inte läsas och kan vara skadad. Öppna den i Excel, "
        "spara den på nytt och försök igen, eller spara den som CSV."
    ),
    "xls_or_encrypted": (
        "Filen ”{filename}” är en äldre Excel-fil (.xls) eller en lösenordsskyddad arbetsbok. "
        "Spara den som ”Excel-arbetsbok (*.xlsx)” utan lösenord, eller som CSV."
    ),
    "unsupported_format": (
        "Filtypen för ”{filename}” stöds inte. Ladda upp en Excel-arbetsbok (.xlsx) "
        "eller en CSV-fil (.csv)."
    ),
    "bad_encoding": (
        "Filen kunde inte läsas som text. Spara den i Excel som ”CSV UTF-8 (kommaavgränsad)” "
        "och försök igen."
    ),
    "no_sheet": "Arbetsboken har inget synligt kalkylblad.",
    # structure
    "malformed_csv": (
        'filen kunde inte tolkas härifrån. Kontrollera att citattecknen (") på raden är parvisa.'
    ),
    "missing_column": "Kolumnen ”{label}” saknas. Godtagna rubriker: {headings}.",
    "duplicate_column": (
        "Kolumnen ”{label}” finns flera gånger ({headings}). Behåll bara en av dem."
    ),
    "too_many_values": (
        "raden har {count} värden men filen har bara {width} kolumnrubriker. Text som "
        "innehåller {delimiter} måste stå inom citattecken."
    ),
    # cells
    "formula_without_value": (
        "cellen innehåller en formel{formula} men inget sparat värde. Öppna filen i Excel, "
        "spara den på nytt och försök igen, eller ersätt formeln med ett värde."
    ),
    "cell_error": "cellen innehåller felvärdet ”{value}” från en formel.",
    "required": "värde saknas. Kolumnen måste fyllas i.",
    "too_long": "texten är {length} tecken lång men får vara högst {max} tecken.",
    "unknown_value": "”{value}” är inte {field}. Tillåtna värden: {allowed}.",
    "invalid_code": (
        "”{value}” är ingen giltig kod. En kod får bara innehålla bokstäver, siffror, "
        "bindestreck (-), understreck (_) och punkt (.) och vara högst {max} tecken lång."
    ),
    "duplicate_code": (
        "koden ”{value}” finns också på rad {other_rows}. Varje kod får bara finnas en gång."
    ),
    "invalid_email": "”{value}” är ingen giltig e-postadress.",
    "duplicate_email": (
        "e-postadressen ”{value}” finns också på rad {other_rows}. Varje person får bara "
        "finnas en gång."
    ),
    "no_groups": (
        "Studien har inga intressentgrupper ännu. Lägg till grupperna innan du importerar panelen."
    ),
    # notes (information, not errors)
    "sheet_read": "Bladet ”{sheet}” lästes.",
    "sheet_read_of_several": "Bladet ”{sheet}” lästes. Övriga blad lästes inte: {others}.",
    "csv_read": "Filen lästes som text ({encoding}) med {delimiter} som avgränsare.",
    "xlsx_content": "Filen ”{filename}” är en Excel-arbetsbok och lästes som en sådan.",
    "header_row": "Rubrikraden hittades på rad {row}. Raderna ovanför lästes inte.",
    "ignored_columns": "Följande kolumner känns inte igen och lästes inte: {columns}.",
    "unnamed_column": "Kolumn {letters} har ingen rubrik och lästes inte.",
}

#: Noun phrases for ``unknown_value`` (Swedish needs the right article and adjective form).
FIELD_PHRASES: dict[str, str] = {
    "perspective": "ett giltigt perspektiv",
    "type": "en giltig typ",
    "level": "en giltig nivå",
    "stakeholder_group": "en intressentgrupp i studien",
}

DELIMITER_NAMES: dict[str, str] = {";": "semikolon (;)", ",": "komma (,)", "\t": "tabb"}


def _quoted(items: Iterable[object]) -> list[str]:
    return [f"”{item}”" for item in items]


def _join(items: Sequence[str], last: str) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def _size(n: object) -> str:
    if not isinstance(n, int | float):
        return str(n)
    if n >= 1_000_000:
        text = f"{n / 1_000_000:.1f}".replace(".", ",").removesuffix(",0")
        return f"{text} MB"
    if n >= 1_000:
        return f"{round(n / 1_000)} kB"
    return f"{n} byte"


def _display(params: Mapping[str, Any]) -> dict[str, str]:
    """Turn machine parameters into the text the templates show."""
    out: dict[str, str] = {}
    for key, value in params.items():
        if key in ("size", "limit"):
            out[key] = _size(value)
        elif key == "other_rows":
            out[key] = _join([str(v) for v in value], "och")
        elif key == "allowed":
            out[key] = ", ".join(str(v) for v in value)
        elif key == "headings":
            out[key] = _join(_quoted(value), "eller")
        elif key in ("columns", "others"):
            out[key] = ", ".join(_quoted(value))
        elif key == "letters":
            out[key] = _join([str(v) for v in value], "och")
        elif key == "field":
            out[key] = FIELD_PHRASES.get(str(value), str(value))
        elif key == "delimiter":
            out[key] = DELIMITER_NAMES.get(str(value), f"”{value}”")
        elif key == "formula":
            out[key] = f" (”={value}”)" if value else ""
        else:
            out[key] = str(value)
    return out


def render_message(
    code: str, params: Mapping[str, Any], row: int | None = None, column: str | None = None
) -> str:
    """The Swedish sentence for a problem or note: what is wrong and where."""
    template = MESSAGES.get(code, code)
    try:
        body = template.format(**_display(params))
    except (KeyError, IndexError, ValueError, TypeError):  # a message must never break a page
        body = template
    if row is None:
        return body[:1].upper() + body[1:]
    prefix = f"Rad {row}, kolumn ”{column}”: " if column else f"Rad {row}: "
    return prefix + body


@dataclass(frozen=True)
class Problem:
    """One thing that stops an import. ``column`` is the heading as it appears in the file
    (or the Swedish label of a missing column); ``row`` the spreadsheet row number."""

    row: int | None
    column: str | None
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return render_message(self.code, self.params, self.row, self.column)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Note:
    """Information for the preview that does not stop the import."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return render_message(self.code, self.params)

    def __str__(self) -> str:
        return self.message


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


# --------------------------------------------------------------------------------------------
# Cell text
# --------------------------------------------------------------------------------------------


def neutralise_formula(text: str) -> str:
    """Prefix an apostrophe when a spreadsheet could run ``text`` as a formula (OWASP).

    Text that starts with apostrophes followed by a trigger also gets one, so that
    :func:`restore_formula_text` gives back exactly the original."""
    if text and text.lstrip("'")[:1] in FORMULA_TRIGGERS and text.lstrip("'"):
        return "'" + text
    return text


def restore_formula_text(text: str) -> str:
    """Undo :func:`neutralise_formula`: drop exactly one leading apostrophe before a trigger."""
    if text.startswith("'"):
        rest = text.lstrip("'")
        if rest[:1] in FORMULA_TRIGGERS and rest:
            return text[1:]
    return text


def _clean(raw: str) -> str:
    text = restore_formula_text(raw)
    text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


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


def _format_number(value: int | float | Decimal) -> str:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"
    return str(value)


def _cell_text(value: object) -> str:
    """A cell value from openpyxl as the text a user would expect."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "SANT" if value else "FALSKT"
    if isinstance(value, int | float | Decimal):
        return _format_number(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


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
    if grid.records and _unterminated_quote(text, delimiter):
        # The lenient reader swallows an unterminated quote up to the end of the file.
        grid.problems.append(Problem(grid.records[-1].number, None, "malformed_csv", {}))


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


# ---- XLSX ----------------------------------------------------------------------------------

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


# ---- headings and rows ---------------------------------------------------------------------


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


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """File-level problems first, then by row (stable within a row)."""
    return sorted(problems, key=lambda p: (p.row is not None, p.row or 0))


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _export_text(value: object, *, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "SANT" if value else "FALSKT"
    if isinstance(value, int | float | Decimal):
        text = _format_number(value)
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, datetime | date | time):
        return _cell_text(value)
    return neutralise_formula(str(value))


def write_csv(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, excel: bool = True
) -> bytes:
    """CSV bytes. ``excel=True`` (the default) writes what Swedish Excel opens directly:
    UTF-8 with BOM, ``;`` between cells, CRLF, decimal comma in numbers. ``excel=False``
    writes plain RFC 4180: UTF-8 without BOM, ``,``, CRLF, decimal point. Text cells are
    neutralised against formula injection in both cases."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer, delimiter=";" if excel else ",", quotechar='"', lineterminator="\r\n"
    )
    writer.writerow([neutralise_formula(str(h)) for h in headers])
    for row in rows:
        writer.writerow([_export_text(v, decimal_comma=excel) for v in row])
    text = buffer.getvalue()
    return text.encode("utf-8-sig" if excel else "utf-8")


def _xlsx_value(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, bool | int | float | Decimal | datetime | date | time):
        return value
    return _ILLEGAL_XML.sub("", neutralise_formula(str(value)))


def write_xlsx(sheets: Mapping[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """An XLSX workbook with one sheet per entry (name -> (headers, rows)): bold, frozen
    header row, column widths from the content (8 to 60 characters). Text cells are
    neutralised against formula injection; numbers and dates stay typed."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, (headers, rows) in sheets.items():
        ws = workbook.create_sheet(title=name)
        materialised = [[_xlsx_value(v) for v in row] for row in rows]
        widths = [len(str(h)) for h in headers]
        for row in materialised:
            for i, value in enumerate(row):
                if value is None:
                    continue
                longest = max((len(part) for part in str(value).split("\n")), default=0)
                if i >= len(widths):
                    widths.append(longest)
                elif longest > widths[i]:
                    widths[i] = longest
        for i, width in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = min(max(width + 2, 8), 60)
        ws.freeze_panes = "A2"
        header_cells = []
        for heading in headers:
            cell = WriteOnlyCell(ws, value=_ILLEGAL_XML.sub("", neutralise_formula(str(heading))))
            cell.font = bold
            header_cells.append(cell)
        ws.append(header_cells)
        for row in materialised:
            ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
