"""Problems and notes of a read table, and their Swedish messages (one catalogue, one renderer)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """File-level problems first, then by row (stable within a row)."""
    return sorted(problems, key=lambda p: (p.row is not None, p.row or 0))
