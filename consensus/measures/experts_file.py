"""Reading a list of invited experts (pure: no Flask, no SQLAlchemy).

The file (XLSX or CSV) is read by :mod:`consensus.tabular`; this module checks each row (a
valid e-mail address not yet in the study nor earlier in the file, a known level) and returns
plain data: the rows to add and every problem by row and column. Problems of the file itself
are :mod:`consensus.tabular`'s; the row checks add problems with the codes ``invalid_email``,
``email_taken`` and ``level_unknown`` (parameter ``value``), which the caller words. A caller
writes nothing unless ``result.ok``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email

from ..studies.importing import normalise_level
from ..tabular import Column, Problem, limit_rows, read_table

EXPERT_COLUMNS = (
    Column("name", "Namn", ("Name", "Fullständigt namn")),
    Column("email", "E-post", ("E-postadress", "Email", "E-mail", "Mejl"), required=True),
    Column("organisation", "Organisation", ("Förbund", "Myndighet", "Organization")),
    Column("organisation_type", "Organisationstyp", ("Typ av organisation",)),
    Column("level", "Nivå", ("Level",)),
    Column("role", "Roll", ("Befattning", "Role")),
)

#: the codes of the row checks (the file's own problems have tabular's codes)
MAX_EXPERT_ROWS = 2_000  # experts per import
ROW_CODES = ("invalid_email", "email_taken", "level_unknown")


def level_of(value: str) -> str | None:
    """The stored level (lokal, nationell) of what a file or form says; blank means lokal."""
    return normalise_level(value or "lokal")


@dataclass
class ExpertsFile:
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # in row order
    notes: list[str] = field(default_factory=list)  # Swedish sentences

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def parse_experts(
    content: bytes, filename: str, taken: Callable[[str], bool] = lambda email: False
) -> ExpertsFile:
    """The rows of an expert list and every problem (row numbers as Excel shows them).

    ``taken(email)`` says whether the study already has someone with that (lower-case,
    normalised) address. A row with an invalid address is left out of ``rows``."""
    table = limit_rows(read_table(content, filename, columns=EXPERT_COLUMNS), MAX_EXPERT_ROWS)
    result = ExpertsFile(problems=list(table.problems), notes=[n.message for n in table.notes])
    seen: set[str] = set()
    for row in table.rows:
        values = {c.key: (row.values.get(c.key) or "").strip() for c in EXPERT_COLUMNS}
        email_column = table.heading("email", "E-post")
        try:
            email = validate_email(values["email"], check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            result.problems.append(
                Problem(row.number, email_column, "invalid_email", {"value": values["email"]})
            )
            continue
        if email in seen or taken(email):
            result.problems.append(
                Problem(row.number, email_column, "email_taken", {"value": email})
            )
        seen.add(email)
        level = level_of(values["level"])
        if level is None:
            result.problems.append(
                Problem(
                    row.number,
                    table.heading("level", "Nivå"),
                    "level_unknown",
                    {"value": values["level"]},
                )
            )
        result.rows.append({"row": row.number, **values, "email": email, "level": level or ""})
    result.problems.sort(key=lambda p: p.row or 0)
    return result
