"""Validation of imported indicator pools and panel lists (pure: no Flask, no SQLAlchemy).

The files are read by :mod:`consensus.tabular`; this module checks the cells against the
study's rules and returns plain data: what to create, what to update (matched by indicator code
or panelist e-mail, case-insensitively) and every problem by row and column. A caller writes
nothing unless ``result.ok``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from email_validator import EmailNotValidError, validate_email

from consensus.tabular import (
    DEFAULT_MAX_BYTES,
    Column,
    Note,
    Problem,
    Row,
    Table,
    limit_rows,
    map_columns,
    read_table,
    sort_problems,
)

R = TypeVar("R")

# The stored codes; the same values as the check constraints in studies/models.py.
PERSPECTIVES = ("deltagare", "medarbetare", "organisation", "samhälle")
INDICATOR_TYPES = ("process", "effect")
TYPE_LABELS = {"process": "process", "effect": "effekt"}  # Swedish words shown and exported
LEVELS = ("lokal", "nationell")

CODE_MAX = 32
TITLE_MAX = 300
DESCRIPTION_MAX = 4000
SOURCE_MAX = 500
NAME_MAX = 200
ORGANISATION_MAX = 200
EMAIL_MAX = 254
# Rows per import (a bigger file is refused whole: its preview and pages would not load).
MAX_INDICATOR_ROWS = 2_000
MAX_PANEL_ROWS = 5_000

_CODE_RE = re.compile(r"[\w.\-]+")

INDICATOR_SHEET_NAMES = ("Indikatorer", "Indicators", "Indikatorpool", "Indikatorlista")
PANELIST_SHEET_NAMES = ("Panel", "Paneldeltagare", "Panelister", "Panelists", "Panellists")

INDICATOR_COLUMNS: tuple[Column, ...] = (
    Column("code", "Kod", ("Code", "Indikatorkod", "Indicator code", "Nr", "ID"), required=True),
    Column("title", "Titel", ("Indikator", "Title", "Name", "Namn", "Indicator"), required=True),
    Column("description", "Förtydligande", ("Beskrivning", "Description", "Definition")),
    Column("perspective", "Perspektiv", ("Perspective",), required=True),
    Column("type", "Typ", ("Type", "Indikatortyp", "Indicator type"), required=True),
    Column("source", "Källa", ("Källor", "Source", "Sources")),
    # Optional English texts (English pages, the protocol's ``en`` fields).
    Column("title_en", "Titel på engelska", ("Title in English", "English title", "title_en")),
    Column(
        "description_en",
        "Förtydligande på engelska",
        ("Description in English", "English description", "description_en"),
    ),
)

PANELIST_COLUMNS: tuple[Column, ...] = (
    Column("name", "Namn", ("Name", "Fullständigt namn", "Full name")),
    Column(
        "email",
        "E-post",
        ("Epost", "E-postadress", "Mejl", "Mail", "Email", "E-mail", "Email address"),
        required=True,
    ),
    Column(
        "group",
        "Intressentgrupp",
        ("Grupp", "Stakeholder group", "Group", "Intressent"),
        required=True,
    ),
    Column("organisation", "Organisation", ("Förbund", "Samordningsförbund", "Organization")),
    Column("level", "Nivå", ("Level",)),
    Column("language", "Språk", ("Language", "E-postspråk")),
)


def _key(text: str) -> str:
    """Case-, space- and hyphen-insensitive form for matching values."""
    text = unicodedata.normalize("NFC", text).casefold()
    return re.sub(r"[\s\-_]+", "", text)


# Words people use for each stored code (compared case-, space- and hyphen-insensitively;
# "...perspektivet", "...indikator" and "...nivå" suffixes are stripped first when needed).
_PERSPECTIVE_WORDS = {
    "deltagare": "deltagare deltagar deltagarnas deltagarens deltagaren participant participants "
    "client clients",
    "medarbetare": "medarbetare medarbetar medarbetarnas personal personalens personal/medarbetare "
    "medarbetare/personal staff employee employees professional professionals",
    "organisation": "organisation organisations organisationens organisationer organization "
    "organizational organisational",
    "samhälle": "samhälle samhälls samhället samhällets samhalle samhalls society societal",
}
_TYPE_WORDS = {
    "process": "process processer processes",
    "effect": "effekt effekter effect effects outcome outcomes",
}
_LEVEL_WORDS = {
    "lokal": "lokal lokalt lokala local",
    "nationell": "nationell nationellt nationella national",
}


def _vocabulary(words: Mapping[str, str]) -> dict[str, str]:
    return {_key(word): code for code, text in words.items() for word in text.split()}


_PERSPECTIVES = _vocabulary(_PERSPECTIVE_WORDS)
_TYPES = _vocabulary(_TYPE_WORDS)
_LEVELS = _vocabulary(_LEVEL_WORDS)


def _strip_suffix(key: str, suffixes: Sequence[str]) -> str:
    for suffix in suffixes:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def normalise_perspective(value: str) -> str | None:
    """A perspective code from what people write: "Personal", "deltagarperspektivet",
    "Society", "samhällsperspektiv" ...; None when unknown."""
    key = _key(value)
    if key in _PERSPECTIVES:
        return _PERSPECTIVES[key]
    key = _strip_suffix(key, ("perspektivet", "perspektiv", "perspective"))
    return _PERSPECTIVES.get(key)


def normalise_type(value: str) -> str | None:
    key = _key(value)
    if key in _TYPES:
        return _TYPES[key]
    key = _strip_suffix(key, ("indikatorer", "indikator", "indicators", "indicator"))
    return _TYPES.get(key)


#: The languages of the emails, as a panel file may name them.
_LANGUAGES = {
    "sv": "sv",
    "svenska": "sv",
    "swedish": "sv",
    "en": "en",
    "engelska": "en",
    "english": "en",
}


_NOT_SAID = "-"  # a blank language cell: keep what is known


def normalise_language(value: str) -> str | None:
    return _LANGUAGES.get(_key(value))


def normalise_level(value: str) -> str | None:
    key = _key(value)
    if key in _LEVELS:
        return _LEVELS[key]
    return _LEVELS.get(_strip_suffix(key, ("nivå", "level")))


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorRow:
    row: int
    code: str
    title: str
    description: str
    perspective: str
    type: str
    source: str
    title_en: str = ""
    description_en: str = ""

    def values(self) -> dict[str, str | None]:
        """The fields to store (without the row number); no English text is stored as None."""
        return {
            "code": self.code,
            "title": self.title,
            "description": self.description,
            "perspective": self.perspective,
            "type": self.type,
            "source": self.source,
            "title_en": self.title_en or None,
            "description_en": self.description_en or None,
        }


@dataclass(frozen=True)
class PanelistRow:
    row: int
    email: str
    name: str
    group: str  # the stakeholder group's code
    organisation: str
    level: str
    language: str | None = None  # None: the file does not say (a new panelist gets sv)

    def values(self) -> dict[str, str]:
        return {
            "email": self.email,
            "name": self.name,
            "group": self.group,
            "organisation": self.organisation,
            "level": self.level,
            "language": self.language or "sv",
        }


@dataclass
class ImportResult(Generic[R]):
    """A validated file: the rows to create, the rows that update what the study already has
    (matched by indicator code or panelist e-mail, spelled as stored), every problem, notes.
    A caller writes nothing unless ``ok``."""

    to_create: list[R] = field(default_factory=list)
    to_update: list[R] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


IndicatorImport = ImportResult[IndicatorRow]
PanelistImport = ImportResult[PanelistRow]


# --------------------------------------------------------------------------------------------
# Shared checks
# --------------------------------------------------------------------------------------------


def _load(
    table_or_bytes: Table | bytes,
    filename: str,
    columns: Sequence[Column],
    sheets: Sequence[str],
    max_bytes: int,
) -> Table:
    if isinstance(table_or_bytes, Table):
        return map_columns(table_or_bytes, columns)
    return read_table(
        table_or_bytes, filename, columns=columns, sheet_names=sheets, max_bytes=max_bytes
    )


class _Checker:
    """Collects problems for one row, naming columns as the file does."""

    def __init__(self, table: Table, columns: Sequence[Column], problems: list[Problem]):
        self.table = table
        self.labels = {c.key: c.label for c in columns}
        self.problems = problems
        self.flagged: set[str] = set()

    def heading(self, key: str) -> str:
        return self.table.heading(key, self.labels.get(key, key))

    def start(self, row: Row) -> None:
        self.flagged = row.flagged

    def add(self, row: int, key: str, code: str, **params: Any) -> None:
        if key in self.flagged:  # the reader already reported this cell (a formula, say)
            return
        self.problems.append(Problem(row, self.heading(key), code, params))

    def text(
        self, row: int, values: Mapping[str, str], key: str, *, required: bool, limit: int
    ) -> str | None:
        value = values.get(key, "")
        if not value:
            if required:
                self.add(row, key, "required")
                return None
            return ""
        if len(value) > limit:
            self.add(row, key, "too_long", length=len(value), max=limit)
            return None
        return value

    def choice(
        self,
        row: int,
        values: Mapping[str, str],
        key: str,
        find: Callable[[str], str | None],
        *,
        what: str,
        allowed: list[str],
        default: str | None = None,
    ) -> str | None:
        """A value from a codelist (``what`` names it in the message), as ``find`` stores
        it; ``default`` for a blank cell (a blank is a problem without one). None after a
        problem."""
        raw = values.get(key, "")
        if not raw:
            if default is None:
                self.add(row, key, "required")
            return default
        found = find(raw)
        if found is None:
            self.add(row, key, "unknown_value", value=raw, field=what, allowed=allowed)
        return found

    def duplicates(self, key: str, occurrences: Mapping[str, list[tuple[int, str]]]) -> set[int]:
        """One problem per occurrence of a value that appears on several rows."""
        code = {"code": "duplicate_code", "email": "duplicate_email"}[key]
        bad: set[int] = set()
        for found in occurrences.values():
            if len(found) < 2:
                continue
            rows = [r for r, _ in found]
            for row, value in found:
                others = [r for r in rows if r != row]
                self.add(row, key, code, value=value, other_rows=others)
                bad.add(row)
        return bad


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


ParsedRow = TypeVar("ParsedRow", IndicatorRow, PanelistRow)


def _split(
    result: ImportResult[ParsedRow],
    rows: Iterable[ParsedRow],
    key: str,
    bad_rows: set[int],
    existing: Mapping[str, str],
) -> ImportResult[ParsedRow]:
    """The good rows into ``result``: a row whose ``key`` the study already has (by its
    folded form) updates it, spelled as stored; the others are new. Rows in ``bad_rows``
    (their key repeats in the file) are left out. Problems end up in row order."""
    for item in rows:
        if item.row in bad_rows:
            continue
        known = existing.get(_fold(getattr(item, key)))
        if known is None:
            result.to_create.append(item)
        else:
            respelled: dict[str, Any] = {key: known}
            result.to_update.append(replace(item, **respelled))
    result.problems = sort_problems(result.problems)
    return result


# --------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------


def parse_indicators(
    table_or_bytes: Table | bytes,
    filename: str = "",
    existing_codes: Iterable[str] = (),
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> IndicatorImport:
    """Validate an indicator pool file. ``existing_codes`` are the codes already in the study:
    rows with those codes (case-insensitively) are updates, the rest are new indicators."""
    table = _load(table_or_bytes, filename, INDICATOR_COLUMNS, INDICATOR_SHEET_NAMES, max_bytes)
    table = limit_rows(table, MAX_INDICATOR_ROWS)
    result = IndicatorImport(problems=list(table.problems), notes=list(table.notes))
    if any(p.code == "missing_column" for p in table.problems):
        result.problems = sort_problems(result.problems)
        return result
    check = _Checker(table, INDICATOR_COLUMNS, result.problems)
    existing = {_fold(c): c for c in existing_codes}

    parsed: list[IndicatorRow] = []
    occurrences: dict[str, list[tuple[int, str]]] = {}
    for row in table.rows:
        n, values = row.number, row.values
        check.start(row)
        before = len(result.problems)
        code = check.text(n, values, "code", required=True, limit=10_000)
        if code is not None:
            if len(code) > CODE_MAX or not _CODE_RE.fullmatch(code):
                check.add(n, "code", "invalid_code", value=code, max=CODE_MAX)
                code = None
            else:
                occurrences.setdefault(_fold(code), []).append((n, code))
        title = check.text(n, values, "title", required=True, limit=TITLE_MAX)
        description = check.text(n, values, "description", required=False, limit=DESCRIPTION_MAX)
        source = check.text(n, values, "source", required=False, limit=SOURCE_MAX)
        title_en = check.text(n, values, "title_en", required=False, limit=TITLE_MAX)
        description_en = check.text(
            n, values, "description_en", required=False, limit=DESCRIPTION_MAX
        )

        perspective = check.choice(
            n,
            values,
            "perspective",
            normalise_perspective,
            what="perspective",
            allowed=list(PERSPECTIVES),
        )
        kind = check.choice(
            n,
            values,
            "type",
            normalise_type,
            what="type",
            allowed=[TYPE_LABELS[t] for t in INDICATOR_TYPES],
        )

        if len(result.problems) == before and code and title and perspective and kind:
            parsed.append(
                IndicatorRow(
                    n,
                    code,
                    title,
                    description or "",
                    perspective,
                    kind,
                    source or "",
                    title_en or "",
                    description_en or "",
                )
            )

    return _split(result, parsed, "code", check.duplicates("code", occurrences), existing)


INDICATOR_EXPORT_HEADERS = tuple(c.label for c in INDICATOR_COLUMNS)


def _get(item: Any, key: str) -> Any:
    if isinstance(item, Mapping):
        return item.get(key)
    return getattr(item, key, None)


def indicator_export_rows(
    indicators: Iterable[Mapping[str, Any] | Any],
) -> tuple[list[str], list[list[str]]]:
    """Headings (Kod, Titel, Förtydligande, Perspektiv, Typ, Källa and the English texts) and rows for
    :func:`consensus.tabular.write_csv` / ``write_xlsx``; re-importing gives the same
    indicators. Accepts dicts or objects with those attributes (models, IndicatorRow)."""
    rows = []
    for item in indicators:
        kind = _get(item, "type") or ""
        rows.append(
            [
                _get(item, "code") or "",
                _get(item, "title") or "",
                _get(item, "description") or "",
                _get(item, "perspective") or "",
                TYPE_LABELS.get(kind, kind),
                _get(item, "source") or "",
                _get(item, "title_en") or "",
                _get(item, "description_en") or "",
            ]
        )
    return list(INDICATOR_EXPORT_HEADERS), rows


# --------------------------------------------------------------------------------------------
# Panelists
# --------------------------------------------------------------------------------------------


def parse_panelists(
    table_or_bytes: Table | bytes,
    filename: str = "",
    known_groups: Mapping[str, str] | None = None,
    existing_emails: Iterable[str] = (),
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> PanelistImport:
    """Validate a panel list. ``known_groups`` maps the study's stakeholder group codes to
    their names (a cell may give either, case-insensitively); ``existing_emails`` are the
    addresses already on the panel: those rows are updates (name, group, organisation, level)."""
    known_groups = dict(known_groups or {})
    table = _load(table_or_bytes, filename, PANELIST_COLUMNS, PANELIST_SHEET_NAMES, max_bytes)
    table = limit_rows(table, MAX_PANEL_ROWS)
    result = PanelistImport(problems=list(table.problems), notes=list(table.notes))
    if not known_groups and table.rows:
        result.problems.append(Problem(None, None, "no_groups", {}))
    if any(p.code in ("missing_column", "no_groups") for p in result.problems):
        result.problems = sort_problems(result.problems)
        return result
    check = _Checker(table, PANELIST_COLUMNS, result.problems)
    existing = {_fold(e): e for e in existing_emails}
    groups: dict[str, str] = {}
    for code in known_groups:
        groups.setdefault(_key(code), code)
    for code, group_name in known_groups.items():
        groups.setdefault(_key(group_name), code)
    group_names = list(known_groups.values())

    parsed: list[PanelistRow] = []
    occurrences: dict[str, list[tuple[int, str]]] = {}
    for row in table.rows:
        n, values = row.number, row.values
        check.start(row)
        before = len(result.problems)

        email = None
        raw = values.get("email", "")
        if not raw:
            check.add(n, "email", "required")
        else:
            try:
                email = validate_email(raw, check_deliverability=False).normalized
            except EmailNotValidError:
                check.add(n, "email", "invalid_email", value=raw)
            else:
                if len(email) > EMAIL_MAX:
                    check.add(n, "email", "too_long", length=len(email), max=EMAIL_MAX)
                    email = None
                else:
                    occurrences.setdefault(_fold(email), []).append((n, raw))

        group = check.choice(
            n,
            values,
            "group",
            lambda raw: groups.get(_key(raw)),
            what="stakeholder_group",
            allowed=group_names,
        )
        level = check.choice(
            n,
            values,
            "level",
            normalise_level,
            what="level",
            allowed=list(LEVELS),
            default="lokal",
        )
        language = check.choice(
            n,
            values,
            "language",
            normalise_language,
            what="language",
            allowed=["sv", "en"],
            default=_NOT_SAID,
        )

        name = check.text(n, values, "name", required=False, limit=NAME_MAX)
        organisation = check.text(n, values, "organisation", required=False, limit=ORGANISATION_MAX)

        if len(result.problems) == before and email and group and level and language:
            parsed.append(
                PanelistRow(
                    n,
                    email,
                    name or "",
                    group,
                    organisation or "",
                    level,
                    None if language == _NOT_SAID else language,
                )
            )

    return _split(result, parsed, "email", check.duplicates("email", occurrences), existing)


# --------------------------------------------------------------------------------------------
# Erasure: does a staged file mention a person?
# --------------------------------------------------------------------------------------------


def mentions(content: bytes, filename: str, texts: Iterable[str]) -> bool:
    """Whether a file's cells (or, when it cannot be read as a table, its bytes in the usual
    encodings) contain any of ``texts``, case-insensitively. A file that cannot be read at all
    counts as mentioning (erasure then removes it rather than keep what it cannot check)."""
    needles = [_fold(t) for t in texts if t and t.strip()]
    if not needles:
        return False
    table = read_table(content, filename, max_bytes=len(content) + 1)
    cells = [*table.headers, *(v for row in table.rows for v in row.values.values())]
    if cells:
        return any(needle in _fold(cell) for cell in cells for needle in needles)
    for encoding in ("utf-8", "cp1252", "utf-16"):
        try:
            text = _fold(content.decode(encoding))
        except UnicodeDecodeError:
            continue
        return any(needle in text for needle in needles)
    return True
