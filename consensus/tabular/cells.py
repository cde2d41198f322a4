"""Cell text: formula neutralising (OWASP CSV injection) and its undoing, cleaning, numbers."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal

#: Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


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
