"""Problems and notes of a read table, and their messages (one catalogue, one renderer).

Pure: codes and parameters in, sentences out in the language of the ``gettext`` passed
(Swedish by default, see :mod:`consensus.messages`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from consensus.messages import N_, Catalogue, Gettext, join, quoted, swedish

# Messages: every Swedish template in one place, keyed by the problem or note code.
#
# Templates for problems that carry a row start in lower case: they follow "Rad 7, kolumn ”X”: ".
# Without a row the first letter is capitalised when rendering. Parameters are formatted by
# ``display`` (lists of rows, allowed values, headings, sizes).
# --------------------------------------------------------------------------------------------

_TEMPLATES: dict[str, str] = {
    # file level
    "empty_file": N_("Filen är tom."),
    "no_data_rows": N_("Filen innehåller bara en rubrikrad och inga rader med data."),
    "too_large": N_("Filen är för stor ({size}). Den får vara högst {limit}."),
    "uncompressed_too_large": N_(
        "Arbetsboken blir {size} när den packas upp, men får bli högst {limit}. "
        "Kontrollera att det är rätt fil, eller spara listan som CSV."
    ),
    "not_xlsx": N_(
        "Filen ”{filename}” heter .xlsx men är ingen Excel-arbetsbok. Spara den i Excel som "
        "”Excel-arbetsbok (*.xlsx)” eller som CSV och försök igen."
    ),
    "corrupt_xlsx": N_(
        "Excel-filen ”{filename}” kunde inte läsas och kan vara skadad. Öppna den i Excel, "
        "spara den på nytt och försök igen, eller spara den som CSV."
    ),
    "xls_or_encrypted": N_(
        "Filen ”{filename}” är en äldre Excel-fil (.xls) eller en lösenordsskyddad arbetsbok. "
        "Spara den som ”Excel-arbetsbok (*.xlsx)” utan lösenord, eller som CSV."
    ),
    "unsupported_format": N_(
        "Filtypen för ”{filename}” stöds inte. Ladda upp en Excel-arbetsbok (.xlsx) "
        "eller en CSV-fil (.csv)."
    ),
    "bad_encoding": N_(
        "Filen kunde inte läsas som text. Spara den i Excel som ”CSV UTF-8 (kommaavgränsad)” "
        "och försök igen."
    ),
    "implausible_text": N_(
        "cellen innehåller tecknet ”{char}”, som inte hör hemma i text. Filen är troligen "
        "sparad med en annan teckenkodning än den lästes som ({encoding}), till exempel Mac "
        "Roman eller Shift_JIS. Spara filen i Excel som ”CSV UTF-8 (kommaavgränsad)” eller som "
        "Excel-arbetsbok (.xlsx) och ladda upp den igen."
    ),
    "too_many_rows": N_(
        "Filen har {rows} rader men en import får ha högst {max_rows}. Ingenting har lästs in. "
        "Dela upp filen i flera filer och importera dem en i taget."
    ),
    "no_sheet": N_("Arbetsboken har inget synligt kalkylblad."),
    # structure
    "malformed_csv": N_(
        'filen kunde inte tolkas härifrån. Kontrollera att citattecknen (") på raden är parvisa.'
    ),
    "missing_column": N_("Kolumnen ”{label}” saknas. Godtagna rubriker: {headings}."),
    "duplicate_column": N_(
        "Kolumnen ”{label}” finns flera gånger ({headings}). Behåll bara en av dem."
    ),
    "too_many_values": N_(
        "raden har {count} värden men filen har bara {width} kolumnrubriker. Text som "
        "innehåller {delimiter} måste stå inom citattecken."
    ),
    # cells
    "formula_without_value": N_(
        "cellen innehåller en formel{formula} men inget sparat värde. Öppna filen i Excel, "
        "spara den på nytt och försök igen, eller ersätt formeln med ett värde."
    ),
    "cell_error": N_("cellen innehåller felvärdet ”{value}” från en formel."),
    "required": N_("värde saknas. Kolumnen måste fyllas i."),
    "too_long": N_("texten är {length} tecken lång men får vara högst {max} tecken."),
    "unknown_value": N_("”{value}” är inte {field}. Tillåtna värden: {allowed}."),
    "invalid_code": N_(
        "”{value}” är ingen giltig kod. En kod får bara innehålla bokstäver, siffror, "
        "bindestreck (-), understreck (_) och punkt (.) och vara högst {max} tecken lång."
    ),
    "duplicate_code": N_(
        "koden ”{value}” finns också på rad {other_rows}. Varje kod får bara finnas en gång."
    ),
    "invalid_email": N_("”{value}” är ingen giltig e-postadress."),
    "duplicate_email": N_(
        "e-postadressen ”{value}” finns också på rad {other_rows}. Varje person får bara "
        "finnas en gång."
    ),
    "no_groups": N_(
        "Studien har inga intressentgrupper ännu. Lägg till grupperna innan du importerar panelen."
    ),
    # notes (information, not errors)
    "sheet_read": N_("Bladet ”{sheet}” lästes."),
    "sheet_read_of_several": N_("Bladet ”{sheet}” lästes. Övriga blad lästes inte: {others}."),
    "csv_read": N_("Filen lästes som text ({encoding}) med {delimiter} som avgränsare."),
    "xlsx_content": N_("Filen ”{filename}” är en Excel-arbetsbok och lästes som en sådan."),
    "header_row": N_("Rubrikraden hittades på rad {row}. Raderna ovanför lästes inte."),
    "ignored_columns": N_("Följande kolumner känns inte igen och lästes inte: {columns}."),
    "unnamed_column": N_("Kolumn {letters} har ingen rubrik och lästes inte."),
}

#: Where a problem is: the row (and column) before the message body.
ROW_COLUMN_TEMPLATE = N_("Rad {row}, kolumn ”{column}”: {message}")
ROW_TEMPLATE = N_("Rad {row}: {message}")

#: Noun phrases for ``unknown_value`` (Swedish needs the right article and adjective form).
FIELD_PHRASES: dict[str, str] = {
    "perspective": N_("ett giltigt perspektiv"),
    "type": N_("en giltig typ"),
    "level": N_("en giltig nivå"),
    "language": N_("ett språk som studien skickar e-post på"),
    "stakeholder_group": N_("en intressentgrupp i studien"),
}

DELIMITER_NAMES: dict[str, str] = {
    ";": N_("semikolon (;)"),
    ",": N_("komma (,)"),
    "\t": N_("tabb"),
}


def _size(n: object) -> str:
    if not isinstance(n, int | float):
        return str(n)
    if n >= 1_000_000:
        text = f"{n / 1_000_000:.1f}".replace(".", ",").removesuffix(",0")
        return f"{text} MB"
    if n >= 1_000:
        return f"{round(n / 1_000)} kB"
    return f"{n} byte"


def display(params: Mapping[str, Any], gettext: Gettext = swedish) -> dict[str, str]:
    """Turn machine parameters into the text the templates show, in ``gettext``'s language."""
    out: dict[str, str] = {}
    for key, value in params.items():
        if key in ("size", "limit"):
            out[key] = _size(value)
        elif key in ("rows", "max_rows"):
            out[key] = f"{value:,}".replace(",", "\u00a0")  # 100 000 (a no-break space)
        elif key in ("other_rows", "letters"):
            out[key] = join(value, N_("och"), gettext)
        elif key == "allowed":
            out[key] = ", ".join(str(v) for v in value)
        elif key == "headings":
            out[key] = join(quoted(value), N_("eller"), gettext)
        elif key in ("columns", "others"):
            out[key] = ", ".join(quoted(value))
        elif key == "field":
            phrase = FIELD_PHRASES.get(str(value))
            out[key] = gettext(phrase) if phrase else str(value)
        elif key == "delimiter":
            name = DELIMITER_NAMES.get(str(value))
            out[key] = gettext(name) if name else f"”{value}”"
        elif key == "formula":
            out[key] = f" (”={value}”)" if value else ""
        else:
            out[key] = str(value)
    return out


#: The problems and notes of reading a table. Feature packages extend it with their own checks
#: (``Catalogue.merged``) and name the result in a :class:`Problem` subclass.
MESSAGES = Catalogue("tabular", _TEMPLATES, display)


def render_message(
    code: str,
    params: Mapping[str, Any],
    row: int | None = None,
    column: str | None = None,
    gettext: Gettext = swedish,
    catalogue: Catalogue = MESSAGES,
) -> str:
    """The sentence for a problem or note: what is wrong and where (Swedish by default)."""
    body = catalogue.render(code, params, gettext)
    if row is None:
        return body[:1].upper() + body[1:]
    if column:
        template = gettext(ROW_COLUMN_TEMPLATE)
        return template.format(row=row, column=column, message=body)
    return gettext(ROW_TEMPLATE).format(row=row, message=body)


@dataclass(frozen=True)
class Problem:
    """One thing that stops an import. ``column`` is the heading as it appears in the file
    (or the Swedish label of a missing column); ``row`` the spreadsheet row number.
    :meth:`render` words it in the reader's language, :attr:`message` in Swedish."""

    catalogue: ClassVar[Catalogue] = MESSAGES

    row: int | None
    column: str | None
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, gettext: Gettext = swedish) -> str:
        return render_message(
            self.code, self.params, self.row, self.column, gettext, self.catalogue
        )

    @property
    def message(self) -> str:
        return self.render()

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Note:
    """Information for the preview that does not stop the import."""

    catalogue: ClassVar[Catalogue] = MESSAGES

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, gettext: Gettext = swedish) -> str:
        return render_message(self.code, self.params, gettext=gettext, catalogue=self.catalogue)

    @property
    def message(self) -> str:
        return self.render()

    def __str__(self) -> str:
        return self.message


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """File-level problems first, then by row (stable within a row)."""
    return sorted(problems, key=lambda p: (p.row is not None, p.row or 0))
