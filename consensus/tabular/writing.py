"""Writing CSV and XLSX for Swedish Excel, every text cell neutralised against formulas."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from .cells import _cell_text, _format_number, neutralise_formula

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
