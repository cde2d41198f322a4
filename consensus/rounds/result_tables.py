"""The tables built from a round's results document (pure: no Flask, no SQLAlchemy): the
results page's sortable rows and the CSV/XLSX tables of results and of answers in long format.

The document itself is built by :mod:`consensus.rounds.result_document`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .result_document import RATING_FIELDS
from .stats import APPROVAL, RANKING, RATING

SORT_KEYS = ("position", "code", "title", "rank", "decision", *RATING_FIELDS[:10], "votes")
_DECISION_ORDER = {"in": 0, "undecided": 1, "out": 2}


def results_rows(
    document: Mapping[str, Any], *, sort: str = "position", descending: bool = False
) -> list[dict[str, Any]]:
    """The indicators of a stored document for the results table, sorted by ``sort``.

    Missing numbers sort last in either direction. Returns the stored dicts (not copies).
    """
    rows = list(document["indicators"])
    if sort == "position" or sort not in SORT_KEYS:
        return rows[::-1] if descending else rows

    def key(item: Mapping[str, Any]) -> Any:
        if sort == "decision":
            return _DECISION_ORDER.get(item.get("decision") or "", 3)
        return item.get(sort)

    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    present.sort(key=key, reverse=descending)
    return present + missing


CSV_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    RATING: (
        ("code", "Kod"),
        ("title", "Indikator"),
        ("n", "n"),
        ("unable", "Kan ej bedöma"),
        ("median", "Median"),
        ("q1", "Q1"),
        ("q3", "Q3"),
        ("iqr", "IQR"),
        ("mean", "Medelvärde"),
        ("sd", "SD"),
        ("p_high", "Andel 7–9"),
        ("p_low", "Andel 1–3"),
        ("mad_m", "MAD-M"),
        ("cv", "CV"),
        ("gic", "GIC"),
        ("ipr", "IPR"),
        ("ipras", "IPRAS"),
        ("rank", "Rang"),
        ("decision", "Beslut"),
    ),
    APPROVAL: (
        ("code", "Kod"),
        ("title", "Indikator"),
        ("n", "Röstande"),
        ("votes", "Röster"),
        ("share", "Andel"),
        ("rank", "Rang"),
        ("decision", "Beslut"),
    ),
    RANKING: (
        ("code", "Kod"),
        ("title", "Indikator"),
        ("n_ranked", "Rangordnad av"),
        ("mean_rank", "Medelrang"),
        ("borda", "Borda"),
        ("rank", "Rang"),
        ("decision", "Beslut"),
    ),
}


def results_table(document: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """One row per indicator (headers, rows) for ``tabular.write_csv``/``write_xlsx``: the
    overall numbers, the distribution 1-9 (rating), and the decision under every rule."""
    method = document["method"]
    columns = CSV_COLUMNS[method]
    rules = list(document["sensitivity_summary"]["rules"])
    headers = [label for _, label in columns]
    if method == RATING:
        headers += [f"Antal {k}" for k in range(1, 10)]
    headers += [f"Beslut: {name}" for name in rules]
    rows = []
    for item in document["indicators"]:
        row = [item.get(key) for key, _ in columns]
        if method == RATING:
            row += list(item.get("distribution") or [0] * 9)
        row += [item["sensitivity"].get(name) for name in rules]
        rows.append(row)
    return headers, rows


ANSWER_HEADERS = (
    "Pseudonym",
    "Intressentgrupp",
    "Omgång",
    "Indikatorkod",
    "Värde",
    "Kan ej bedöma",
    "Kommentar",
    "Motivering",
)


def answers_table(rows: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """The long-format answers export (``services.answers_long``) as headers and rows."""
    keys = ("pseudonym", "group", "round", "indicator", "value", "unable", "comment", "reason")
    return list(ANSWER_HEADERS), [[row.get(k) for k in keys] for row in rows]
