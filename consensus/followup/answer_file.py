"""Questionnaires from another survey tool, as a file (a pure module).

A row per respondent; a column per item id (the protocol's and the förbund's own questions),
plus optional background columns: kön, local group (its letter or name), longitudinal code and
the protocol version the file was made for. :func:`check` reads a :class:`consensus.tabular.Table`
against the wave's generated questionnaire (:mod:`.questionnaire`), with the same validation as
a web answer, and returns every problem by row and column. It never writes: the service writes
all rows or none.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..messages import Gettext, swedish
from . import messages
from . import questionnaire as qn
from .messages import WHERE_CELL, WHERE_COLUMN, WHERE_ROW

__all__ = [
    "MAX_ROWS",
    "PROBLEMS_SHOWN",
    "Checked",
    "FileProblem",
    "ParsedRow",
    "background_columns",
    "check",
]

MAX_ROWS = 50_000
PROBLEMS_SHOWN = 200

GENDER, GROUP, CODE, VERSION = "kon", "grupp", "kod", "version"
#: accepted headings of the background columns (compared without case, spaces, - and _)
HEADINGS = {
    GENDER: ("kön", "kon", "gender", "sex", qn.BACKGROUND_PREFIX + qn.GENDER_CODELIST),
    GROUP: ("grupp", "lokal grupp", "insats", "lokusgrupp", "local group", qn.LOCAL_GROUP),
    CODE: ("kod", "longitudinell kod", "uppföljningskod", "code"),
    VERSION: ("version", "protokollversion", "protocol version"),
}
#: columns a survey tool adds that carry nothing to import (ignored, listed as a note)
IGNORED = ("respondent", "respondentid", "id", "löpnummer", "datum", "date", "tid", "time")


@functools.lru_cache(maxsize=4096)
def _key(text: str) -> str:
    """Compared without case, spaces, - and _, and accents (ålder = alder)."""
    key = unicodedata.normalize("NFKD", text or "").casefold().strip()
    key = "".join(ch for ch in key if not unicodedata.combining(ch))
    return re.sub(r"[\s\-_]+", "", key)


def background_columns() -> dict[str, tuple[str, ...]]:
    return dict(HEADINGS)


@dataclass(frozen=True)
class FileProblem:
    """A problem in a file: a code of the follow-up catalogue, with the row (as Excel shows
    it) and the column heading as written in the file, when it is about one."""

    row: int | None
    column: str | None
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, gettext: Gettext = swedish) -> str:
        body = messages.render(self.code, self.params, gettext)
        if self.row is not None and self.column:
            prefix = gettext(WHERE_CELL).format(row=self.row, column=self.column)
        elif self.row is not None:
            prefix = gettext(WHERE_ROW).format(row=self.row)
        elif self.column:
            prefix = gettext(WHERE_COLUMN).format(column=self.column)
        else:
            return body[:1].upper() + body[1:]
        if body[:2].istitle():  # "Svara på …" reads "Rad 3, kolumn ”X”: svara på …"
            body = body[:1].lower() + body[1:]
        return prefix + body

    @property
    def message(self) -> str:
        return self.render()

    def __str__(self) -> str:
        return self.render()


@dataclass
class ParsedRow:
    """One respondent ready to store: the cleaned answers by item id (background answers
    under their question ids), the longitudinal code as written, and the row number."""

    number: int
    answers: dict[str, qn.Cleaned]
    code: str | None = None


@dataclass
class Checked:
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _by_label(question: qn.Question) -> dict[str, str]:
    """Answer text -> stored value: the value itself, or an option's label."""
    out: dict[str, str] = {}
    for option in question.choices:
        out.setdefault(_key(option.label), option.value)
    for option in question.choices:
        out[_key(option.value)] = option.value
    return out


def check(
    table_headers: Sequence[str],
    rows: Sequence[tuple[int, Mapping[str, str]]],
    questionnaire: qn.Questionnaire,
    *,
    protocol: str,
    version: str,
    groups: Sequence[tuple[str, str, str]] = (),
) -> Checked:
    """Check a file's rows (``(row number, heading -> cell text)``) against a questionnaire.

    ``groups``: the wave's local groups as ``(value stored, letter, name)``. Longitudinal
    codes are only read here; whether they exist and are unused is the service's check."""
    result = Checked()
    questions = {q.id: q for q in questionnaire.questions}
    gender_id = qn.BACKGROUND_PREFIX + qn.GENDER_CODELIST
    special = {_key(h): name for name, hs in HEADINGS.items() for h in hs}
    ignored = {_key(h) for h in IGNORED}
    stored_apart = {gender_id, qn.LOCAL_GROUP}  # kept on the questionnaire itself
    by_key: dict[str, str] = {}
    for item_id, question in questions.items():
        if item_id in stored_apart:
            continue
        by_key[_key(item_id)] = item_id
        if question.background:  # "alder", "Åldersgrupp" as well as "bakgrund.alder"
            by_key.setdefault(_key(item_id.removeprefix(qn.BACKGROUND_PREFIX)), item_id)
            by_key.setdefault(_key(question.text), item_id)
    item_columns: dict[str, str] = {}  # heading -> item id
    background: dict[str, str] = {}  # kind -> heading
    for heading in table_headers:
        if not heading:
            continue
        k = _key(heading)
        if k in special:
            background.setdefault(special[k], heading)
        elif k in by_key:
            item_columns[heading] = by_key[k]
        elif k in ignored:
            result.notes.append(heading)
        else:
            result.problems.append(
                FileProblem(
                    None,
                    heading,
                    "import_unknown_column",
                    {"protocol": protocol, "version": version},
                )
            )
    result.columns = list(item_columns)
    if not item_columns:
        example = next(iter(by_key.values()), "")
        result.problems.append(
            FileProblem(None, None, "import_no_item_columns", {"example": example})
        )
    if GENDER in background and gender_id not in questions:
        result.problems.append(
            FileProblem(None, background[GENDER], "import_no_gender_question", {})
        )
    present = set(item_columns.values())
    present |= {gender_id} if GENDER in background else set()
    present |= {qn.LOCAL_GROUP} if GROUP in background else set()
    for question in questionnaire.questions:
        if question.required and question.id not in present and item_columns:
            result.problems.append(
                FileProblem(
                    None,
                    None,
                    "import_missing_column",
                    {"item": question.id, "question": question.text},
                )
            )
    if len(rows) > MAX_ROWS:
        result.problems.append(
            FileProblem(None, None, "import_too_many_rows", {"count": len(rows), "limit": MAX_ROWS})
        )
    if result.problems:
        return result

    labels = {i: _by_label(q) for i, q in questions.items()}
    group_lookup: dict[str, str] = {}
    for value, letter, name in groups:
        group_lookup[_key(letter)] = value
        group_lookup[_key(name)] = value
        group_lookup[_key(value)] = value
    known_groups = ", ".join(f"{letter} ({name})" for _, letter, name in groups) or "–"
    column_of = {item: heading for heading, item in item_columns.items()}
    if GENDER in background:
        column_of[gender_id] = background[GENDER]
    if GROUP in background:
        column_of[qn.LOCAL_GROUP] = background[GROUP]

    # Answers repeat (a scale has a handful of values): each distinct cell is checked once,
    # by the same validation as a web answer, against a questionnaire of that one question.
    single = {
        item_id: qn.Questionnaire(
            questionnaire.respondent_group, (qn.Section(item_id, "", "protocol", (question,)),)
        )
        for item_id, question in questions.items()
    }
    seen: dict[tuple[str, Any], tuple[qn.Cleaned | None, Any]] = {}

    def clean(item_id: str, value: Any) -> tuple[qn.Cleaned | None, Any]:
        key = (item_id, value if isinstance(value, str) else tuple(value))
        if key not in seen:
            checked = qn.validate(single[item_id], {item_id: value})
            problem = checked.problems[0] if checked.problems else None
            seen[key] = (checked.answers.get(item_id), problem)
        return seen[key]

    for number, cells in rows:
        answers: dict[str, Any] = {}
        row_problems: list[FileProblem] = []
        for heading, item_id in item_columns.items():
            text = (cells.get(heading) or "").strip()
            if text:
                answers[item_id] = _choices(text, labels[item_id], questions[item_id])
        if GENDER in background:
            text = (cells.get(background[GENDER]) or "").strip()
            if text:
                answers[gender_id] = labels[gender_id].get(_key(text), text)
        if GROUP in background:
            text = (cells.get(background[GROUP]) or "").strip()
            if text:
                group_value = group_lookup.get(_key(text))
                if group_value is None:
                    row_problems.append(
                        FileProblem(
                            number,
                            background[GROUP],
                            "import_unknown_group",
                            {"value": text, "known": known_groups},
                        )
                    )
                else:
                    answers[qn.LOCAL_GROUP] = group_value
        if VERSION in background:
            text = (cells.get(background[VERSION]) or "").strip()
            if text and text != version:
                row_problems.append(
                    FileProblem(
                        number,
                        background[VERSION],
                        "import_other_version",
                        {"value": text, "version": version},
                    )
                )
        cleaned_row: dict[str, qn.Cleaned] = {}
        for item_id, question in questions.items():
            given = answers.get(item_id)
            if given is None:
                if question.required and not (
                    item_id == qn.LOCAL_GROUP
                    and any(p.code == "import_unknown_group" for p in row_problems)
                ):
                    row_problems.append(
                        FileProblem(
                            number,
                            column_of.get(item_id, item_id),
                            "answer_required",
                            {"question": question.text},
                        )
                    )
                continue
            cleaned, problem = clean(item_id, given)
            if problem is not None:
                row_problems.append(
                    FileProblem(
                        number, column_of.get(item_id, item_id), problem.code, problem.params
                    )
                )
            elif cleaned is not None:
                cleaned_row[item_id] = cleaned
        code = (cells.get(background[CODE]) or "").strip() if CODE in background else ""
        if row_problems:
            result.problems.extend(row_problems)
            continue
        result.rows.append(ParsedRow(number, cleaned_row, code or None))
    return result


def _choices(text: str, labels: Mapping[str, str], question: qn.Question) -> Any:
    if not question.choices:
        return text
    if question.multiple:
        parts = [p for p in re.split(r"[;,]", text) if p.strip()]
        return [labels.get(_key(p), p.strip()) for p in parts]
    return labels.get(_key(text), text)
