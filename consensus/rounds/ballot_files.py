"""Validation of ballot files: paper ballots typed into CSV/XLSX (pure: no Flask, no SQLAlchemy).

A ballot file has one row per answer with the columns participant code (``Deltagarkod``),
optional stakeholder group (``Intressentgrupp``), indicator code (``Indikatorkod``) and value
(``Värde``). What a value is depends on the round's method:

rating    1-9, or the words ``kan ej bedöma`` (any case, any spacing).
approval  ``1`` for each selected indicator, at most K per participant; ``0`` is read as "not
          selected" (the row is skipped), so a sheet listing every indicator with 1/0 works too.
ranking   the rank, 1 = first: whole numbers 1..n per participant (n = the number of indicators
          on the ballot, or the round's top M), each rank once, without gaps.

A participant code is either a pseudonym already on the panel (matched case-insensitively; the
group, if given, must be the participant's group) or a new code for a paper participant, who
is then created pseudonymously (``joined_via="paper"``) in the group given on the row (a group
is required for a new code). New codes may not look like the automatic pseudonyms (``P`` and
digits): those numbers are handed out to future panelists.

:func:`parse_ballots` returns plain data: the ballots to write, the new participants to create
and every problem with its row and column (``render(gettext)`` words it in the reader's
language, ``.message`` in Swedish). The caller writes nothing unless ``result.ok`` (all or
nothing). A ballot in a file is the participant's whole ballot for the round (see
``services.import_ballots``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from consensus.messages import Catalogue
from consensus.tabular import (
    DEFAULT_MAX_BYTES,
    MESSAGES,
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

from .messages import BALLOT_MESSAGES

RATING, APPROVAL, RANKING = "rating", "approval", "ranking"
METHODS = (RATING, APPROVAL, RANKING)

UNABLE_WORDS = ("kan ej bedöma",)
# Rows per ballot file: one row per panelist and indicator (500 paper ballots of 100 each).
MAX_BALLOT_ROWS = 50_000
PARTICIPANT_CODE_MAX = 20  # Participant.pseudonym is String(20)
_CODE_RE = re.compile(r"[\w.\-]+")
_AUTO_PSEUDONYM_RE = re.compile(r"p\d+", re.IGNORECASE)
_INT_RE = re.compile(r"[+]?\d+")

BALLOT_SHEET_NAMES = ("Röster", "Svar", "Valsedlar", "Ballots", "Votes", "Answers")

BALLOT_COLUMNS: tuple[Column, ...] = (
    Column(
        "participant",
        "Deltagarkod",
        ("Deltagare", "Participant", "Participant code", "Pseudonym", "Deltagar-id"),
        required=True,
    ),
    Column("group", "Intressentgrupp", ("Grupp", "Group", "Stakeholder group")),
    Column(
        "indicator",
        "Indikatorkod",
        ("Kod", "Indicator", "Indicator code", "Indikator"),
        required=True,
    ),
    Column("value", "Värde", ("Svar", "Value", "Betyg", "Rang", "Rank"), required=True),
)


@dataclass(frozen=True)
class BallotProblem(Problem):
    """A problem found by the ballot checks: worded by :data:`BALLOT_MESSAGES` (the rounds'
    catalogue, ``rounds/messages.py``) on top of the file-level and cell problems of ``tabular``."""

    catalogue: ClassVar[Catalogue] = MESSAGES.merged(BALLOT_MESSAGES, "ballot_files")


@dataclass(frozen=True)
class BallotAnswer:
    row: int
    indicator: str  # the indicator code as spelled in the round
    value: int | None  # None with ``unable``
    unable: bool = False


@dataclass
class Ballot:
    """One participant's answers in the file. ``participant`` is the pseudonym as on the panel
    (or as written, for a new participant); ``group`` the stakeholder group's code."""

    participant: str
    group: str | None
    new: bool
    answers: list[BallotAnswer] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class NewParticipant:
    code: str
    group: str  # stakeholder group code
    row: int  # first row where the code appears


@dataclass
class BallotImport:
    ballots: list[Ballot] = field(default_factory=list)
    new_participants: list[NewParticipant] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def n_answers(self) -> int:
        return sum(len(b.answers) for b in self.ballots)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().strip()


def _key(text: str) -> str:
    """Case-, space- and hyphen-insensitive form for matching group codes and names."""
    return re.sub(r"[\s\-_\u2010-\u2015]+", "", _fold(text))


def parse_value(method: str, text: str, *, limit: int | None = None) -> tuple[str, Any]:
    """Read one value cell: ``("ok", (value, unable))``, ``("skip", None)`` or
    ``(problem_code, params)``."""
    raw = text.strip()
    if method == RATING:
        if " ".join(_fold(raw).split()) in UNABLE_WORDS:
            return "ok", (None, True)
        if _INT_RE.fullmatch(raw) and 1 <= int(raw) <= 9:
            return "ok", (int(raw), False)
        return "invalid_rating", {"value": raw}
    if method == APPROVAL:
        if raw in ("1", "+1"):
            return "ok", (1, False)
        if raw == "0":
            return "skip", None
        return "invalid_approval", {"value": raw}
    if method == RANKING:
        top = limit or 1
        if _INT_RE.fullmatch(raw) and 1 <= int(raw) <= top:
            return "ok", (int(raw), False)
        return "invalid_rank", {"value": raw, "max": top}
    raise ValueError(f"unknown method {method!r}")


class _Problems:
    def __init__(self, table: Table, problems: list[Problem]):
        self.table = table
        self.labels = {c.key: c.label for c in BALLOT_COLUMNS}
        self.problems = problems
        self.flagged: set[str] = set()

    def start(self, row: Row) -> None:
        self.flagged = row.flagged

    def add(self, row: int, key: str, code: str, **params: Any) -> None:
        if key in self.flagged:  # the reader already reported this cell
            return
        heading = self.table.heading(key, self.labels.get(key, key))
        self.problems.append(BallotProblem(row, heading, code, params))


def parse_ballots(
    table_or_bytes: Table | bytes,
    filename: str = "",
    *,
    method: str,
    indicators: Iterable[str],
    groups: Mapping[str, str],
    panel: Mapping[str, str | None],
    round_number: int = 1,
    max_selections: int | None = None,
    top_m: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> BallotImport:
    """Validate a ballot file for one round.

    ``indicators``: the codes on the round's ballot. ``groups``: the study's stakeholder group
    codes -> names (a cell may give either). ``panel``: the study's pseudonyms -> their group
    code (None: no group). ``max_selections``: K of an approval round; ``top_m``: M of a
    ranking round (ranks then go to M instead of the number of indicators).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}")
    if method == APPROVAL and not max_selections:
        raise ValueError("an approval round needs max_selections")
    if isinstance(table_or_bytes, Table):
        table = map_columns(table_or_bytes, BALLOT_COLUMNS)
    else:
        table = read_table(
            table_or_bytes,
            filename,
            columns=BALLOT_COLUMNS,
            sheet_names=BALLOT_SHEET_NAMES,
            max_bytes=max_bytes,
        )
    table = limit_rows(table, MAX_BALLOT_ROWS)
    result = BallotImport(problems=list(table.problems), notes=list(table.notes))
    if any(p.code == "missing_column" for p in table.problems):
        result.problems = sort_problems(result.problems)
        return result

    check = _Problems(table, result.problems)
    ballot_codes = {_fold(c): c for c in indicators}
    n_items = len(ballot_codes)
    rank_limit = min(top_m, n_items) if top_m else n_items
    group_lookup: dict[str, str] = {}
    for code in groups:
        group_lookup.setdefault(_key(code), code)
    for code, name in groups.items():
        group_lookup.setdefault(_key(name), code)
    group_names = list(groups.values())
    known = {_fold(code): (code, group) for code, group in panel.items()}

    ballots: dict[str, Ballot] = {}
    new_groups: dict[str, list[tuple[int, str]]] = {}  # new code -> (row, group) as given
    answer_rows: dict[tuple[str, str], list[tuple[int, str]]] = {}
    rank_rows: dict[tuple[str, int], list[int]] = {}

    for row in table.rows:
        n, values = row.number, row.values
        check.start(row)
        before = len(result.problems)

        participant_raw = values.get("participant", "")
        participant_key = None
        if not participant_raw:
            check.add(n, "participant", "required")
        elif len(participant_raw) > PARTICIPANT_CODE_MAX or not _CODE_RE.fullmatch(participant_raw):
            check.add(
                n,
                "participant",
                "invalid_participant_code",
                value=participant_raw,
                max=PARTICIPANT_CODE_MAX,
            )
        else:
            participant_key = _fold(participant_raw)

        group = None
        group_raw = values.get("group", "")
        if group_raw:
            group = group_lookup.get(_key(group_raw))
            if group is None:
                check.add(
                    n,
                    "group",
                    "unknown_value",
                    value=group_raw,
                    field="stakeholder_group",
                    allowed=group_names,
                )

        existing = known.get(participant_key) if participant_key else None
        if participant_key and existing is None:
            if _AUTO_PSEUDONYM_RE.fullmatch(participant_raw):
                digits = re.sub(r"\D", "", participant_raw)
                check.add(
                    n,
                    "participant",
                    "reserved_participant_code",
                    value=participant_raw,
                    digits=digits,
                )
                participant_key = None
            elif not group_raw:
                check.add(n, "group", "new_participant_needs_group", value=participant_raw)
            elif group is not None:
                new_groups.setdefault(participant_key, []).append((n, group))
        elif existing is not None and group is not None and existing[1] != group:
            check.add(
                n,
                "group",
                "group_mismatch",
                participant=existing[0],
                group=groups.get(existing[1] or "", existing[1] or "–"),
                value=group_raw,
            )

        indicator = None
        indicator_raw = values.get("indicator", "")
        if not indicator_raw:
            check.add(n, "indicator", "required")
        else:
            indicator = ballot_codes.get(_fold(indicator_raw))
            if indicator is None:
                check.add(
                    n, "indicator", "unknown_indicator", value=indicator_raw, round=round_number
                )

        value_raw = values.get("value", "")
        parsed: tuple[int | None, bool] | None = None
        skip = False
        if not value_raw:
            check.add(n, "value", "required")
        else:
            status, payload = parse_value(method, value_raw, limit=rank_limit)
            if status == "ok":
                parsed = payload
            elif status == "skip":
                skip = True
            else:
                check.add(n, "value", status, **payload)

        if participant_key is None:
            continue
        display = existing[0] if existing else participant_raw
        ballot = ballots.get(participant_key)
        if ballot is None:
            ballot = ballots[participant_key] = Ballot(
                participant=display,
                group=existing[1] if existing else group,
                new=existing is None,
            )
        ballot.rows.append(n)
        if indicator is not None and (parsed is not None or skip):
            answer_rows.setdefault((participant_key, indicator), []).append((n, indicator_raw))
        if len(result.problems) != before or skip or parsed is None or indicator is None:
            continue
        value, unable = parsed
        ballot.answers.append(BallotAnswer(n, indicator, value, unable))
        if method == RANKING and value is not None:
            rank_rows.setdefault((participant_key, value), []).append(n)

    # The same participant and indicator twice.
    bad_rows: set[int] = set()
    for (participant_key, _), found in answer_rows.items():
        if len(found) < 2:
            continue
        rows = [r for r, _ in found]
        for r, raw in found:
            check.flagged = set()
            check.add(
                r,
                "indicator",
                "duplicate_answer",
                participant=ballots[participant_key].participant,
                value=raw,
                other_rows=[o for o in rows if o != r],
            )
            bad_rows.add(r)

    # A new code given with different groups on different rows.
    for participant_key, found in new_groups.items():
        distinct = {g for _, g in found}
        if len(distinct) > 1:
            first_group = found[0][1]
            conflicting = [r for r, g in found if g != first_group]
            check.flagged = set()
            check.add(
                found[0][0],
                "group",
                "group_conflict",
                participant=ballots[participant_key].participant,
                other_rows=conflicting,
            )
        elif participant_key in ballots:
            ballots[participant_key].group = found[0][1]

    for participant_key, ballot in ballots.items():
        answers = [a for a in ballot.answers if a.row not in bad_rows]
        check.flagged = set()
        if method == APPROVAL and max_selections and len(answers) > max_selections:
            check.add(
                answers[max_selections].row,
                "indicator",
                "too_many_selections",
                participant=ballot.participant,
                count=len(answers),
                max=max_selections,
            )
        if method == RANKING:
            duplicated = False
            for answer in answers:
                rows = rank_rows.get((participant_key, answer.value or 0), [])
                if len(rows) > 1:
                    duplicated = True
                    check.add(
                        answer.row,
                        "value",
                        "duplicate_rank",
                        participant=ballot.participant,
                        value=answer.value,
                        other_rows=[r for r in rows if r != answer.row],
                    )
            ranks = {a.value for a in answers}
            missing = sorted(set(range(1, len(answers) + 1)) - ranks)
            if answers and missing and not duplicated:
                check.add(
                    min(a.row for a in answers),
                    "value",
                    "rank_gap",
                    participant=ballot.participant,
                    count=len(answers),
                    missing=missing[0],
                )
        ballot.answers = answers

    result.ballots = list(ballots.values())
    seen: set[str] = set()
    for participant_key, ballot in ballots.items():
        if ballot.new and ballot.group and participant_key not in seen:
            seen.add(participant_key)
            result.new_participants.append(
                NewParticipant(ballot.participant, ballot.group, ballot.rows[0])
            )
    result.problems = sort_problems(result.problems)
    return result
