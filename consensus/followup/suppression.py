"""Which cells of a results table may be shown, and which free texts (a pure module).

A **cell** is any figure of a wave × breakdown (kön K, M, "vill inte ange" and their total
``_T``; local groups A, B, C and the förbund's total; their crossings). :func:`suppress` takes
every cell's count n (the respondents behind it: a share's denominator, a mean's n; see
:attr:`.scoring.MeasureValue.cell_size`) and the table's **additive groupings** (a total and
the parts that add up to it: :class:`Grouping`, or :func:`table_groupings` for a crossed table
with total codes), and returns a :class:`Suppression`: for every suppressed cell, why.

The rules
---------
1. **Primary**: a cell with ``0 < n < minCellSize`` is suppressed. A cell with **n = 0 is
   shown** (as 0 respondents, with no value): an empty cell tells nothing about anyone, and
   SDC practice protects the counts 1 .. min − 1. A zero is never chosen as a complementary
   cell either (its value would be guessed).
2. **Complementary**: a grouping with exactly one suppressed cell gives it away by
   subtraction (total − shown parts, or the parts' sum). Its partner is the grouping's
   **smallest shown cell with n > 0**, parts before the total (the total is the most
   useful figure), ties in the order the cells were given. This is repeated until no grouping
   has exactly one suppressed cell; a cell in several groupings (a crossed table, or a total
   that is a part of a higher total) is handled because every grouping is checked again after
   each new suppression.
3. **No recovery by combining subtractions**: one suppressed cell per grouping is not the only
   leak; in a crossed table, sums and differences of several rows and columns can pin a cell
   down although every row and column has two suppressed cells. After rule 2, the table's
   equations (``total = sum of parts`` for every grouping, with shown cells as known numbers)
   are solved exactly (rational Gaussian elimination): a suppressed cell with n > 0 that the
   equations fix to one value gets a further complementary partner (the smallest shown cell
   with n > 0 in its groupings) until none is fixed. :func:`recoverable` is that check, for
   tests and for any output built elsewhere.

Call it **once per measure and wave with every breakdown shown** (kön, local groups, their
crossing), so that a total shared by several breakdowns is one cell: suppressing the
breakdowns apart could hide a total in one and show it in another. :func:`suppress_values`
does this for scored cells and blanks the hidden ones.

The groupings must be additive (the parts' n add up to the total's n): a table where they
don't would be protected against the wrong equations, so :func:`suppress` refuses it
(callers put respondents without an answer in a part of their own, e.g. "ej angivet").

Free text
---------
:func:`release_free_text`: the texts of a cell are released only when the cell has at least
``freeTextMinimum`` respondents (``reporting.freeTextMinimum``, else ``minCellSize``) and is
not suppressed; otherwise none of them is passed on. Each released text is checked for what
looks like a name, an e-mail address, a Swedish phone number or a personnummer
(:func:`text_flags`); a flagged text needs review before it is shown (:attr:`FreeText.needs_review`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import product
from typing import Any

from .messages import CATALOGUE, FLAG_TEXTS, REASON_TEXTS
from .scoring import MeasureValue

__all__ = [
    "CATALOGUE",
    "FLAG_TEXTS",
    "REASON_TEXTS",
    "Flag",
    "FreeText",
    "FreeTextRelease",
    "Grouping",
    "Reason",
    "Reporting",
    "Suppressed",
    "Suppression",
    "SuppressionError",
    "recoverable",
    "release_free_text",
    "suppress",
    "suppress_values",
    "table_groupings",
    "text_flags",
]

DEFAULT_MIN_CELL_SIZE = 5


class Reason(StrEnum):
    PRIMARY = "primary"
    COMPLEMENTARY = "complementary"


class Flag(StrEnum):
    NAME = "name"
    EMAIL = "email"
    PHONE = "phone"
    PERSONAL_NUMBER = "personal_number"


class SuppressionError(ValueError):
    """Bad input: a code of :data:`CATALOGUE` with its parameters (``str()`` is Swedish)."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(CATALOGUE.render(code, params))


@dataclass(frozen=True)
class Reporting:
    """The protocol's ``reporting`` settings."""

    min_cell_size: int = DEFAULT_MIN_CELL_SIZE
    primary: bool = True
    complementary: bool = True
    free_text_minimum: int = DEFAULT_MIN_CELL_SIZE

    @classmethod
    def from_protocol(cls, document: Mapping[str, Any]) -> Reporting:
        reporting = document.get("reporting") or {}
        minimum = reporting.get("minCellSize", DEFAULT_MIN_CELL_SIZE)
        if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1:
            raise SuppressionError("bad_minimum", value=minimum)
        rules = reporting.get("suppression") or {}
        return cls(
            min_cell_size=minimum,
            primary=bool(rules.get("primary", True)),
            complementary=bool(rules.get("complementary", True)),
            free_text_minimum=int(reporting.get("freeTextMinimum") or minimum),
        )


@dataclass(frozen=True)
class Grouping:
    """An additive grouping: ``total`` is the sum of ``parts``."""

    total: Hashable
    parts: tuple[Hashable, ...]

    @property
    def cells(self) -> tuple[Hashable, ...]:
        return (*self.parts, self.total)


@dataclass(frozen=True)
class Suppressed:
    cell: Hashable
    reason: Reason
    #: for a complementary cell: the suppressed cell it keeps from being recovered
    protects: Hashable | None = None
    #: True when several groupings together fixed the protected cell (rule 3)
    combined: bool = False


@dataclass(frozen=True)
class Suppression:
    """The suppressed cells in the order they were decided, each with why."""

    cells: Mapping[Hashable, Suppressed]
    min_cell_size: int

    def __contains__(self, cell: object) -> bool:
        return cell in self.cells

    def reason(self, cell: Hashable) -> Reason | None:
        entry = self.cells.get(cell)
        return None if entry is None else entry.reason

    @property
    def primary(self) -> list[Hashable]:
        return [c for c, s in self.cells.items() if s.reason is Reason.PRIMARY]

    @property
    def complementary(self) -> list[Hashable]:
        return [c for c, s in self.cells.items() if s.reason is Reason.COMPLEMENTARY]


def table_groupings(
    dimensions: Sequence[tuple[Sequence[Hashable], Hashable]],
) -> list[Grouping]:
    """The groupings of a crossed table whose cells are keyed by tuples, one position per
    dimension; each dimension is ``(codes, total_code)``. For every dimension and every
    choice of the other positions (codes or totals), the key with the total code is the sum
    of the keys with each code: kön × group gives one grouping per group row (K + M + U = _T),
    one per kön column (A + B + C = _T) and the two margins."""
    groupings = []
    for position, (codes, total) in enumerate(dimensions):
        others = [(*c, t) for i, (c, t) in enumerate(dimensions) if i != position]
        for rest in product(*others):
            before, after = rest[:position], rest[position:]
            groupings.append(
                Grouping(
                    total=(*before, total, *after),
                    parts=tuple((*before, code, *after) for code in codes),
                )
            )
    return groupings


def _check(cells: Mapping[Hashable, int], groupings: Sequence[Grouping]) -> None:
    for cell, n in cells.items():
        if n < 0:
            raise SuppressionError("negative_count", cell=cell, n=n)
    for grouping in groupings:
        for cell in grouping.cells:
            if cell not in cells:
                raise SuppressionError("unknown_cell", cell=cell)
        total = sum(cells[p] for p in grouping.parts)
        if total != cells[grouping.total]:
            raise SuppressionError(
                "not_additive",
                parts=", ".join(str(p) for p in grouping.parts),
                sum=total,
                total=grouping.total,
                n=cells[grouping.total],
            )


def recoverable(groupings: Sequence[Grouping], suppressed: Iterable[Hashable]) -> set[Hashable]:
    """The suppressed cells that the groupings' equations fix to one value, given every other
    cell (the check behind rule 3).

    Each grouping is the equation ``total - sum(parts) = known``; over the suppressed cells it
    is reduced exactly (fraction-free Gauss-Jordan elimination on integers). A cell is fixed
    when its pivot row has no free cell left in it."""
    unknown = list(dict.fromkeys(suppressed))
    column = {cell: i for i, cell in enumerate(unknown)}
    rows: list[list[int]] = []
    for grouping in groupings:
        row = [0] * len(unknown)
        for cell, sign in ((grouping.total, 1), *((p, -1) for p in grouping.parts)):
            if cell in column:
                row[column[cell]] += sign
        if any(row):
            rows.append(row)
    pivots: list[int] = []
    for col in range(len(unknown)):
        rank = len(pivots)
        pivot = next((r for r in range(rank, len(rows)) if rows[r][col]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        lead = rows[rank]
        for r in range(len(rows)):
            factor = rows[r][col]
            if r != rank and factor:
                row = [a * lead[col] - factor * b for a, b in zip(rows[r], lead, strict=True)]
                divisor = math.gcd(*row)
                rows[r] = [x // divisor for x in row] if divisor > 1 else row
        pivots.append(col)
    free = [c for c in range(len(unknown)) if c not in set(pivots)]
    return {unknown[col] for r, col in enumerate(pivots) if all(rows[r][f] == 0 for f in free)}


def suppress(
    cells: Mapping[Hashable, int],
    groupings: Sequence[Grouping] = (),
    *,
    reporting: Reporting | None = None,
    min_cell_size: int | None = None,
) -> Suppression:
    """The cells to suppress (see the module docstring for the rules and their order)."""
    reporting = reporting or Reporting()
    minimum = reporting.min_cell_size if min_cell_size is None else min_cell_size
    if minimum < 1:
        raise SuppressionError("bad_minimum", value=minimum)
    _check(cells, groupings)
    order = {cell: i for i, cell in enumerate(cells)}
    out: dict[Hashable, Suppressed] = {}
    if reporting.primary:
        for cell, n in cells.items():
            if 0 < n < minimum:
                out[cell] = Suppressed(cell, Reason.PRIMARY)
    if not reporting.complementary or not out:
        return Suppression(out, minimum)
    member: dict[Hashable, list[Grouping]] = {}
    for grouping in groupings:
        for cell in grouping.cells:
            member.setdefault(cell, []).append(grouping)

    def partner(options: Iterable[Grouping]) -> Hashable | None:
        candidates = []
        for grouping in options:
            for cell in grouping.cells:
                if cell not in out and cells[cell] > 0:
                    is_total = cell == grouping.total
                    candidates.append((is_total, cells[cell], order[cell], cell))
        return min(candidates)[3] if candidates else None

    while True:
        added = False
        for grouping in groupings:
            hidden = [c for c in grouping.cells if c in out]
            if len(hidden) == 1:
                chosen = partner([grouping])
                if chosen is not None:
                    out[chosen] = Suppressed(chosen, Reason.COMPLEMENTARY, protects=hidden[0])
                    added = True
                    break
        if added:
            continue
        fixed = [c for c in recoverable(groupings, out) if cells[c] > 0]
        if not fixed:
            break
        target = min(fixed, key=order.__getitem__)
        chosen = partner(member.get(target, ()))
        if chosen is None:  # its groupings are all hidden: widen to any grouping with a hidden cell
            chosen = partner(g for g in groupings if any(c in out for c in g.cells))
        if chosen is None:
            break
        out[chosen] = Suppressed(chosen, Reason.COMPLEMENTARY, protects=target, combined=True)
    return Suppression(out, minimum)


def suppress_values(
    values: Mapping[Hashable, MeasureValue],
    groupings: Sequence[Grouping] = (),
    *,
    reporting: Reporting | None = None,
) -> tuple[dict[Hashable, MeasureValue], Suppression]:
    """One measure's table of cells with the suppressed ones blanked
    (:meth:`.scoring.MeasureValue.suppressed`), and the :class:`Suppression` that says why.

    The count of a cell is its :attr:`~.scoring.MeasureValue.cell_size` (a cell without one,
    such as a narrative, counts as 0: it has no figure to hide)."""
    cells = {key: value.cell_size or 0 for key, value in values.items()}
    decided = suppress(cells, groupings, reporting=reporting)
    shown = {key: value.suppressed() if key in decided else value for key, value in values.items()}
    return shown, decided


# --- free text ----------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: +46 / 0046 / 0, then an area code or mobile prefix and 6-10 more digits, with optional
#: spaces, hyphens or an "(0)": 070-123 45 67, 08-123 456 78, +46 (0)31 12 34 56
_PHONE = re.compile(r"(?<![\d+])(?:\+46|0046|0)[\s-]*(?:\(0\)[\s-]*)?[1-9](?:[\s-]?\d){5,9}(?!\d)")
#: YYMMDD-NNNN or YYYYMMDDNNNN (with - or + or nothing before the last four)
_PERSONAL_NUMBER = re.compile(r"(?<!\d)(?:19|20)?\d{2}[01]\d[0-3]\d[-+]?\d{4}(?!\d)")
_WORD = re.compile(r"[A-Za-zÅÄÖÉÜåäöéü][\wÅÄÖÉÜåäöéü'-]*")
_SENTENCE = re.compile(r"(?<=[.!?:;])\s+|\n+|[\"”“(]\s*")
#: words after which a name usually follows
_NAME_CUES = frozenset({"heter", "hette", "kallas", "kallades"})
#: capitalised words that are no one's name (agencies, places of care, programme words)
_NOT_NAMES = frozenset(
    w.casefold()
    for w in (
        "Försäkringskassan Arbetsförmedlingen Kommunen Kommun Regionen Region Socialtjänsten "
        "Socialtjänst Samordningsförbundet Samordningsförbund Finsam Jobbtorg Jobbtorget "
        "Vårdcentralen Vårdcentral Psykiatrin Psykiatri Habiliteringen Hälsocentralen "
        "Sjukvården Sverige Svenska Svenskt Jag Vi Ni Han Hon De Den Det Ok OK Tack"
    ).split()
)
#: common Swedish first names (Statistics Sweden's most common), caught even first in a sentence
_FIRST_NAMES = frozenset(
    n.casefold()
    for n in (
        "Anna Eva Maria Karin Sara Lena Kerstin Emma Marie Ingrid Malin Jenny Annika Hanna "
        "Linda Elin Susanne Johanna Sofia Monica Birgitta Inger Lisa Ida Camilla Helena Carina "
        "Erik Lars Karl Anders Johan Per Nils Mikael Jan Hans Peter Olof Lennart Gunnar Sven "
        "Fredrik Daniel Bengt Bo Magnus Stefan Mats Jonas Thomas Andreas Mohammed Mohamed Ali "
        "Ahmed Fatima Leila Omar Hassan"
    ).split()
)


def _name_like(text: str) -> bool:
    for sentence in _SENTENCE.split(text):
        words = _WORD.findall(sentence)
        for i, word in enumerate(words):
            folded = word.casefold()
            if folded in _FIRST_NAMES:
                return True
            if i > 0 and words[i - 1].casefold() in _NAME_CUES and word[0].isalpha():
                return True
            if i > 0 and word[0].isupper() and not word.isupper() and folded not in _NOT_NAMES:
                return True
    return False


def text_flags(text: str) -> frozenset[Flag]:
    """What in ``text`` may identify a person (heuristics: they flag for review, not reject)."""
    flags = set()
    if _EMAIL.search(text):
        flags.add(Flag.EMAIL)
    if _PERSONAL_NUMBER.search(text):
        flags.add(Flag.PERSONAL_NUMBER)
    if _PHONE.search(_EMAIL.sub(" ", text)):
        flags.add(Flag.PHONE)
    if _name_like(_EMAIL.sub(" ", text)):
        flags.add(Flag.NAME)
    return frozenset(flags)


@dataclass(frozen=True)
class FreeText:
    text: str
    flags: frozenset[Flag]

    @property
    def needs_review(self) -> bool:
        return bool(self.flags)


@dataclass(frozen=True)
class FreeTextRelease:
    """A cell's free texts: none unless ``released``; ``withheld`` says why not."""

    released: bool
    cell_n: int
    minimum: int
    texts: tuple[FreeText, ...] = ()
    #: "below_minimum" or "suppressed" when not released
    withheld: str | None = None

    @property
    def shown(self) -> list[str]:
        """The texts that may be shown without review."""
        return [t.text for t in self.texts if not t.needs_review]

    @property
    def for_review(self) -> list[FreeText]:
        return [t for t in self.texts if t.needs_review]


def release_free_text(
    texts: Iterable[str],
    *,
    cell_n: int,
    minimum: int = DEFAULT_MIN_CELL_SIZE,
    suppressed: bool = False,
) -> FreeTextRelease:
    """The cell's texts when the cell reaches ``minimum`` respondents and is not suppressed,
    each with its flags; otherwise none (see the module docstring)."""
    if suppressed:
        return FreeTextRelease(False, cell_n, minimum, withheld="suppressed")
    if cell_n < minimum:
        return FreeTextRelease(False, cell_n, minimum, withheld="below_minimum")
    kept = tuple(
        FreeText(text.strip(), text_flags(text)) for text in texts if text and text.strip()
    )
    return FreeTextRelease(True, cell_n, minimum, kept)
