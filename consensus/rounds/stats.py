"""Statistics for one Delphi round: ratings 1-9, approval voting and ranking.

A pure module (plain Python, numpy, pandas, krippendorff; no Flask, no SQLAlchemy). The
definitions follow ``docs/delphi-method.md``; every number here is unit-tested against
hand-computed tables in ``tests/rounds/test_stats.py``.

Input: the votes of one round in long format
--------------------------------------------
A :class:`pandas.DataFrame` with one row per (panelist, indicator) and the columns
:data:`VOTE_COLUMNS`:

``panelist``  any hashable id.
``group``     the panelist's stakeholder group code (str); one group per panelist.
``indicator`` the indicator code (str); must be on the ballot passed alongside.
``value``     float. Rating: 1-9 (whole numbers), NaN for "kan ej bedöma".
              Approval: 1 for a selected indicator (0 or NaN rows are ignored).
              Ranking: the rank given, 1 = first (NaN rows are ignored).
``unable``    bool, True for "kan ej bedöma" (rating only; its value must be NaN).

:func:`votes_frame` builds that frame from rows read from the database. The ballot (the list
of indicator codes) is always passed separately, so that an indicator nobody rated still
appears, with ``n == 0`` and every statistic ``None``.

Output
------
Frozen dataclasses whose :func:`dataclasses.asdict` is the results JSON: only ``int``,
``float``, ``bool``, ``str``, ``None``, lists/tuples and dicts; a statistic that is undefined
(an empty set, an SD of one value) is ``None``, never NaN, so ``json.dumps(..., allow_nan=False)``
works.

Rating (:func:`rating_stats` -> :class:`RatingRound` of :class:`IndicatorStats`)
    ``n`` ratings (excluding "kan ej bedöma"), ``unable`` (count of "kan ej bedöma"),
    ``median``, ``q1``, ``q3``, ``iqr``, ``mean``, ``sd`` (sample SD, ddof=1, ``None`` if n < 2),
    ``p_high`` (share of 7-9, a fraction 0-1), ``p_low`` (share of 1-3), ``mad_m``
    (mean |x - median|), ``cv`` (sd / mean), ``distribution`` (a 9-tuple: ``distribution[k - 1]``
    is the count of rating k), and for RAND/UCLA: ``p30``, ``p70``, ``ipr`` = P70 - P30,
    ``iprcp`` = (P30 + P70) / 2, ``ai`` = |5 - IPRCP|, ``ipras`` = 2.35 + 1.5 AI, and
    ``disagreement`` = IPR > IPRAS. Percentiles use linear interpolation between order
    statistics (numpy's default, Excel PERCENTILE.INC): with the n sorted values x[0..n-1], the
    p-th percentile is at position h = (n - 1) p, x[floor h] + (h - floor h)(x[floor h + 1] -
    x[floor h]). They are computed from the 1-9 counts with h as an exact fraction, and
    P30, P70 and the RAM numbers derived from them (short decimals) are rounded to 10 decimals,
    so a boundary (IQR <= 1, IPR > IPRAS) is never flipped by binary rounding.

    ``groups`` holds the same numbers per stakeholder group (:class:`GroupStats`). A group is
    *suppressed* for an indicator when fewer than ``min_group_size`` of its panelists rated
    that indicator (``n_g < min_group_size``, "kan ej bedöma" not counted): it is then
    reported as ``suppressed=True`` with every number ``None``. Its votes still count in the
    indicator's total. Every group of the round appears for every indicator.

    ``gic`` is the group-informed consensus (Pol.is): P_g = (agree_g + 1) / (n_g + 2) with
    agree = ratings 7-9, GIC = product of P_g over the groups with n_g >= 1 (a group with no
    rating for the indicator would contribute an uninformative 1/2 and is left out; suppressed
    groups with n_g >= 1 *are* included, like their votes in the total). ``None`` when no group
    has a rating.

Agreement: ``RatingRound.alpha`` (also :func:`rating_alpha`) -> :class:`Alpha`, Krippendorff's
alpha nominal, ordinal and interval (units = indicators, coders = panelists, "kan ej bedöma" and
missing ballots missing; ``None`` when not computable), computed from the units x 1-9 counts,
which is the same as from the coders x units matrix; :func:`approval_alpha` (nominal, 1 =
selected, 0 = not selected by a voting panelist) and the general :func:`krippendorff_alpha`.

Approval (:func:`approval_stats` -> :class:`ApprovalRound` of :class:`ApprovalStats`)
    ``votes``, ``share`` = votes / voting panelists (panelists who selected at least one
    indicator in the round), ``rank`` = competition ranking by votes ("1224": ties share the
    best rank, the next rank skips). :func:`check_approval_ballot` validates one ballot.

Ranking (:func:`ranking_stats` -> :class:`RankingRound`: :class:`RankingStats`, :class:`KendallW`)
    Notation: **m raters** (panelists who ranked at least one candidate), **n items** (the
    candidates on the ballot). Each ballot is first normalised to ranks 1..k by the order of the
    values given (ties get their average rank); in a top-M ballot the n - k candidates left
    unranked share the average of the remaining ranks, (k + 1 + n) / 2.
    ``mean_rank`` = sum of those ranks / m (so a candidate only a few panelists ranked is not
    favoured). ``borda``: with n candidates a rank r gives n - r points; an unranked candidate
    gets 0. ``rank``: competition ranking by Borda score (highest first).
    Kendall's W with tie correction: R_i = sum of item i's ranks, S = sum_i (R_i - m(n + 1)/2)^2,
    T_j = sum over the tie groups of rater j of (t^3 - t) (the unranked rest of a top-M ballot
    is one tie group), W = 12 S / (m^2 (n^3 - n) - m sum_j T_j), chi2 = m (n - 1) W with
    n - 1 degrees of freedom, p = P(chi2_{n-1} >= chi2) (:func:`chi2_sf`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Final, Literal

import krippendorff
import numpy as np
import pandas as pd

__all__ = [
    "APPROVAL",
    "RANKING",
    "RATING",
    "RATING_DOMAIN",
    "VOTE_COLUMNS",
    "Alpha",
    "ApprovalRound",
    "ApprovalStats",
    "GroupStats",
    "IndicatorStats",
    "KendallW",
    "RankingRound",
    "RankingStats",
    "RatingRound",
    "RatingSummary",
    "approval_alpha",
    "approval_stats",
    "check_approval_ballot",
    "chi2_sf",
    "competition_rank",
    "describe",
    "kendall_w",
    "krippendorff_alpha",
    "ranking_stats",
    "rating_alpha",
    "rating_stats",
    "votes_frame",
]

RATING: Final = "rating"
APPROVAL: Final = "approval"
RANKING: Final = "ranking"

VOTE_COLUMNS: Final = ("panelist", "group", "indicator", "value", "unable")
RATING_DOMAIN: Final = tuple(range(1, 10))
Level = Literal["nominal", "ordinal", "interval", "ratio"]
_SCALE = np.arange(1, 10, dtype=np.float64)

# Percentiles as exact fractions num/den of the way through the sorted values.
_PERCENTILES: Final = {"q1": (1, 4), "median": (1, 2), "q3": (3, 4), "p30": (3, 10), "p70": (7, 10)}

# Tolerance for comparisons at a boundary: a value within 1e-9 of the threshold counts as equal
# to it (shares and percentiles of at most millions of ratings never differ by that little
# unless they are equal).
EPS: Final = 1e-9
_DECIMALS: Final = 10


# --------------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _RatingNumbers:
    median: float | None
    q1: float | None
    q3: float | None
    iqr: float | None
    mean: float | None
    sd: float | None
    p_high: float | None
    p_low: float | None
    mad_m: float | None
    cv: float | None
    distribution: tuple[int, ...] | None
    p30: float | None
    p70: float | None
    ipr: float | None
    iprcp: float | None
    ai: float | None
    ipras: float | None
    disagreement: bool | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RatingSummary(_RatingNumbers):
    """The numbers for one set of ratings (see the module docstring)."""

    n: int
    unable: int


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupStats(_RatingNumbers):
    """One stakeholder group's numbers for one indicator; all ``None`` when suppressed."""

    group: str
    suppressed: bool
    n: int | None
    unable: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorStats(_RatingNumbers):
    """One indicator's numbers in a rating round, overall and per group."""

    code: str
    n: int
    unable: int
    gic: float | None
    groups: Mapping[str, GroupStats]


@dataclass(frozen=True, slots=True, kw_only=True)
class Alpha:
    """Krippendorff's alpha of a round at three levels of measurement (``None``: not computable)."""

    nominal: float | None
    ordinal: float | None
    interval: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RatingRound:
    """Per-indicator statistics of a rating round, in ballot order.

    ``respondents`` counts panelists with at least one row (a rating or "kan ej bedöma"),
    ``group_respondents`` the same per group; ``alpha`` is Krippendorff's alpha of the round
    (as :func:`rating_alpha`).
    """

    items: Mapping[str, IndicatorStats]
    groups: tuple[str, ...]
    min_group_size: int
    respondents: int
    group_respondents: Mapping[str, int]
    alpha: Alpha
    method: str = field(default=RATING, init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ApprovalStats:
    code: str
    votes: int
    share: float | None
    rank: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ApprovalRound:
    """Approval statistics in ballot order; ``n_voting`` is the denominator of every share."""

    items: Mapping[str, ApprovalStats]
    n_voting: int
    method: str = field(default=APPROVAL, init=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class RankingStats:
    code: str
    n_ranked: int
    mean_rank: float | None
    borda: float
    rank: int


@dataclass(frozen=True, slots=True, kw_only=True)
class KendallW:
    """Kendall's W for m raters and n items (see the module docstring); ``None`` if undefined."""

    w: float | None
    chi2: float | None
    df: int
    p: float | None
    m: int
    n: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RankingRound:
    items: Mapping[str, RankingStats]
    kendall: KendallW
    method: str = field(default=RANKING, init=False)


# --------------------------------------------------------------------------------------------
# Building and checking the votes frame
# --------------------------------------------------------------------------------------------


def votes_frame(rows: Iterable[Sequence[Any]]) -> pd.DataFrame:
    """Build the long-format votes frame from rows ``(panelist, group, indicator, value, unable)``.

    Rows of four items ``(panelist, group, indicator, value)`` are accepted too: ``unable`` is
    then True where ``value`` is None/NaN. ``None`` values become NaN. Group and indicator
    become categoricals (cheap to group by); panelist ids are kept as they are.
    """
    rows = rows if isinstance(rows, Sequence) else list(rows)
    widths = set(map(len, rows))
    if not rows:
        widths = {5}
    if len(widths) != 1 or not widths <= {4, 5}:
        raise ValueError(
            "every vote row must have 4 or 5 items: panelist, group, indicator, value[, unable]"
        )
    # One pass per column with itemgetter is several times faster than zip(*rows).
    columns = [list(map(itemgetter(k), rows)) for k in range(widths.pop())]
    value = np.array(columns[3], dtype=np.float64)
    unable = np.array(columns[4], dtype=bool) if len(columns) == 5 else np.isnan(value)
    return pd.DataFrame(
        {
            "panelist": _panelist_ids(columns[0]),
            "group": _categorical(columns[1]),
            "indicator": _categorical(columns[2]),
            "value": value,
            "unable": unable,
        }
    )


def _panelist_ids(values: list[Any]) -> pd.Series:
    """Integer ids as int64 (fast to factorize), anything else as objects, unchanged."""
    if values and all(type(v) is int for v in values):
        return pd.Series(np.array(values, dtype=np.int64))
    return pd.Series(np.array(values, dtype=object))


def _categorical(values: list[Any]) -> pd.Categorical:
    codes, uniques = pd.factorize(np.array(values, dtype=object))
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniques))


def _check_columns(votes: pd.DataFrame, needed: Collection[str]) -> None:
    missing = [c for c in needed if c not in votes.columns]
    if missing:
        raise ValueError(f"votes frame lacks column(s): {', '.join(missing)}")


def _ballot(indicators: Sequence[str]) -> list[str]:
    ballot = list(indicators)
    if len(set(ballot)) != len(ballot):
        raise ValueError("the ballot lists an indicator more than once")
    return ballot


def _positions(values: pd.Series, labels: Sequence[Any]) -> np.ndarray:
    """Position of each value in ``labels`` (-1 when absent); fast for categoricals."""
    index = pd.Index(labels)
    if isinstance(values.dtype, pd.CategoricalDtype):
        lookup = np.append(index.get_indexer(values.cat.categories), -1)
        return lookup[values.cat.codes.to_numpy()].astype(np.int64)  # code -1 -> last -> -1
    return index.get_indexer(values).astype(np.int64)


def _indicator_codes(votes: pd.DataFrame, ballot: list[str], *, strict: bool = True) -> np.ndarray:
    """Position of each row's indicator on the ballot (-1 when not on it, if not ``strict``)."""
    codes = _positions(votes["indicator"], ballot)
    if strict and (codes < 0).any():
        unknown = sorted(map(str, pd.unique(votes["indicator"][codes < 0])))
        raise ValueError(f"votes for indicator(s) not on the ballot: {', '.join(unknown[:10])}")
    return codes


def _factorize(values: pd.Series, *, sort: bool = False) -> tuple[np.ndarray, list[Any]]:
    """Dense codes 0..k-1 and the k distinct values (in order of appearance unless ``sort``)."""
    codes, uniques = pd.factorize(values, sort=sort)
    return codes.astype(np.int64), list(uniques)


def _check_unique_votes(panelist: np.ndarray, indicator: np.ndarray, n_indicators: int) -> None:
    if not len(panelist):
        return
    width = max(n_indicators, 1)
    key = panelist * width + indicator
    space = int(panelist.max() + 1) * width
    if space <= 16 * len(key) + 2**20:  # a dense count costs no more than a few sorts
        duplicate = bool(np.bincount(key, minlength=space).max() > 1)
    else:
        key = np.sort(key)
        duplicate = bool((key[1:] == key[:-1]).any())
    if duplicate:
        raise ValueError("a panelist has more than one vote for the same indicator")


@dataclass(frozen=True, slots=True)
class _RatingData:
    ballot: list[str]
    groups: list[str]
    indicator: np.ndarray  # ballot position per row
    group: np.ndarray  # position in ``groups`` per row
    panelist: np.ndarray  # position in ``panelists`` per row
    panelists: list[Any]  # the panelist ids
    panelist_group: np.ndarray  # position in ``groups`` per panelist
    rating: np.ndarray  # 0..8 for rated rows, -1 for "kan ej bedöma"


def _rating_data(
    votes: pd.DataFrame,
    indicators: Sequence[str],
    groups: Sequence[str] | None = None,
    *,
    strict: bool = True,
) -> _RatingData:
    """Validate a rating round's votes and code them as integer arrays.

    With ``strict=False`` votes for indicators not on the ballot are dropped instead of
    rejected (a previous round's ballot is larger than the current one's).
    """
    _check_columns(votes, VOTE_COLUMNS)
    ballot = _ballot(indicators)
    ind = _indicator_codes(votes, ballot, strict=strict)
    keep = ind >= 0
    if not keep.all():
        votes = votes.loc[keep]
        ind = ind[keep]

    if votes["group"].isna().any():
        raise ValueError("every vote needs the panelist's group")
    if groups is None:
        grp, group_names = _factorize(votes["group"], sort=True)
        group_names = [str(g) for g in group_names]
    else:
        group_names = list(groups)
        if len(set(group_names)) != len(group_names):
            raise ValueError("a group is listed more than once")
        grp = _positions(votes["group"], group_names)
        if (grp < 0).any():
            raise ValueError("votes from a group not in the list of groups")
    pan, panelists = _factorize(votes["panelist"])

    value = votes["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    unable = votes["unable"].to_numpy(dtype=bool)
    if not np.isnan(value[unable]).all():
        raise ValueError('a "kan ej bedöma" vote must not carry a value')
    rated = value[~unable]
    if np.isnan(rated).any():
        raise ValueError('a vote without a value must be marked "kan ej bedöma" (unable)')
    if ((rated != np.floor(rated)) | (rated < 1) | (rated > 9)).any():
        raise ValueError("a rating must be a whole number from 1 to 9")

    _check_unique_votes(pan, ind, len(ballot))
    panelist_group = np.zeros(len(panelists), dtype=np.int64)
    panelist_group[pan] = grp
    if (panelist_group[pan] != grp).any():
        raise ValueError("a panelist appears in more than one group")

    rating = np.full(len(value), -1, dtype=np.int64)
    rating[~unable] = rated.astype(np.int64) - 1
    return _RatingData(ballot, group_names, ind, grp, pan, panelists, panelist_group, rating)


# --------------------------------------------------------------------------------------------
# Rating statistics (all computed from the 1-9 counts of each unit)
# --------------------------------------------------------------------------------------------


def _rating_counts(data: _RatingData, *, by_group: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Counts of ratings 1-9 and of "kan ej bedöma" per indicator (and group).

    Returns ``(counts, unable)`` of shapes ``(I, 9)`` and ``(I,)``, or ``(I, G, 9)`` and
    ``(I, G)`` with ``by_group``.
    """
    n_ind = len(data.ballot)
    n_grp = len(data.groups) if by_group else 1
    unit = data.indicator * n_grp + (data.group if by_group else 0)
    rated = data.rating >= 0
    counts = np.bincount(unit[rated] * 9 + data.rating[rated], minlength=n_ind * n_grp * 9)
    unable = np.bincount(unit[~rated], minlength=n_ind * n_grp)
    if by_group:
        return counts.reshape(n_ind, n_grp, 9), unable.reshape(n_ind, n_grp)
    return counts.reshape(n_ind, 9), unable


def _percentile(cum: np.ndarray, n: np.ndarray, num: int, den: int) -> np.ndarray:
    """The num/den percentile (linear interpolation) of each row of cumulative 1-9 counts."""
    h = np.maximum(n - 1, 0) * num  # position (n - 1) * num / den, kept as a fraction
    lo = h // den
    frac = (h % den) / den
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    # The k-th smallest value (0-based) is 1 + the number of ratings r with cum(r) <= k.
    x_lo = 1 + (cum <= lo[:, None]).sum(axis=1)
    x_hi = 1 + (cum <= hi[:, None]).sum(axis=1)
    return x_lo + frac * (x_hi - x_lo)


def _optional(values: np.ndarray, valid: np.ndarray) -> list[float | None]:
    return [float(v) if ok else None for v, ok in zip(values.tolist(), valid.tolist(), strict=True)]


def _summaries(counts: np.ndarray, unable: np.ndarray) -> list[dict[str, Any]]:
    """Every rating statistic for each row of ``counts`` (U x 9) as a list of dicts."""
    counts = counts.astype(np.int64)
    n = counts.sum(axis=1)
    has = n > 0
    has2 = n > 1
    safe_n = np.where(has, n, 1)
    cum = counts.cumsum(axis=1)

    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (counts @ _SCALE) / safe_n
        var = (counts * (_SCALE[None, :] - mean[:, None]) ** 2).sum(axis=1) / np.where(
            has2, n - 1, 1
        )
        sd = np.sqrt(var)
        pct = {
            name: np.round(_percentile(cum, n, num, den), _DECIMALS)
            for name, (num, den) in _PERCENTILES.items()
        }
        median = pct["median"]
        mad_m = (counts * np.abs(_SCALE[None, :] - median[:, None])).sum(axis=1) / safe_n
        p_high = counts[:, 6:].sum(axis=1) / safe_n
        p_low = counts[:, :3].sum(axis=1) / safe_n
        cv = sd / np.where(has, mean, 1.0)
        # The RAM numbers are short decimals (P30 and P70 are whole tenths): rounding to
        # _DECIMALS removes binary noise (8.7 - 8.3 = 0.39999999999999858) so that
        # IPR > IPRAS compares the true decimal values.
        ipr = np.round(pct["p70"] - pct["p30"], _DECIMALS)
        iprcp = np.round((pct["p30"] + pct["p70"]) / 2, _DECIMALS)
        ai = np.round(np.abs(5 - iprcp), _DECIMALS)
        ipras = np.round(2.35 + 1.5 * ai, _DECIMALS)
        disagreement = ipr > ipras

    columns: dict[str, list[Any]] = {
        "n": n.tolist(),
        "unable": unable.astype(np.int64).tolist(),
        "median": _optional(median, has),
        "q1": _optional(pct["q1"], has),
        "q3": _optional(pct["q3"], has),
        "iqr": _optional(pct["q3"] - pct["q1"], has),
        "mean": _optional(mean, has),
        "sd": _optional(sd, has2),
        "p_high": _optional(p_high, has),
        "p_low": _optional(p_low, has),
        "mad_m": _optional(mad_m, has),
        "cv": _optional(cv, has2),
        "distribution": [tuple(row) for row in counts.tolist()],
        "p30": _optional(pct["p30"], has),
        "p70": _optional(pct["p70"], has),
        "ipr": _optional(ipr, has),
        "iprcp": _optional(iprcp, has),
        "ai": _optional(ai, has),
        "ipras": _optional(ipras, has),
        "disagreement": [
            bool(d) if ok else None
            for d, ok in zip(disagreement.tolist(), has.tolist(), strict=True)
        ],
    }
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


_SUPPRESSED: Final = {
    name: None for name in (*(f for f in _RatingNumbers.__dataclass_fields__), "n", "unable")
}


def describe(values: Iterable[float | None]) -> RatingSummary:
    """Statistics of one plain list of ratings; ``None``/NaN entries count as "kan ej bedöma"."""
    array = np.array(list(values), dtype=np.float64)
    unable = np.isnan(array)
    rated = array[~unable]
    if ((rated != np.floor(rated)) | (rated < 1) | (rated > 9)).any():
        raise ValueError("a rating must be a whole number from 1 to 9")
    counts = np.bincount(rated.astype(np.int64) - 1, minlength=9)[None, :]
    (summary,) = _summaries(counts, np.array([unable.sum()]))
    return RatingSummary(**summary)


def rating_stats(
    votes: pd.DataFrame,
    indicators: Sequence[str],
    *,
    groups: Sequence[str] | None = None,
    min_group_size: int = 5,
) -> RatingRound:
    """Per-indicator statistics of a rating round, overall and per stakeholder group.

    ``indicators`` is the ballot (order kept); ``groups`` optionally lists every group of the
    panel (default: the groups that occur in ``votes``, sorted), so that a group without any
    vote still appears, suppressed. Raises ``ValueError`` on malformed votes (an indicator not
    on the ballot, a rating outside 1-9, two votes by one panelist for one indicator ...).
    """
    if min_group_size < 1:
        raise ValueError("min_group_size must be at least 1")
    data = _rating_data(votes, indicators, groups)
    counts, unable = _rating_counts(data)
    g_counts, g_unable = _rating_counts(data, by_group=True)
    n_ind, n_grp = len(data.ballot), len(data.groups)

    overall = _summaries(counts, unable)
    per_group = _summaries(g_counts.reshape(n_ind * n_grp, 9), g_unable.reshape(-1))
    g_n = g_counts.sum(axis=2)
    suppressed = (g_n < min_group_size).tolist()

    # Group-informed consensus over the groups with at least one rating of the indicator.
    agree = g_counts[:, :, 6:].sum(axis=2)
    p_g = np.where(g_n >= 1, (agree + 1) / (g_n + 2), 1.0)
    gic = _optional(p_g.prod(axis=1), (g_n >= 1).any(axis=1))

    items: dict[str, IndicatorStats] = {}
    for i, code in enumerate(data.ballot):
        group_stats = {}
        for g, name in enumerate(data.groups):
            if suppressed[i][g]:
                group_stats[name] = GroupStats(group=name, suppressed=True, **_SUPPRESSED)
            else:
                group_stats[name] = GroupStats(
                    group=name, suppressed=False, **per_group[i * n_grp + g]
                )
        items[code] = IndicatorStats(code=code, gic=gic[i], groups=group_stats, **overall[i])

    sizes = np.bincount(data.panelist_group, minlength=n_grp)
    respondents = len(data.panelists)
    group_respondents = dict(zip(data.groups, sizes.tolist(), strict=True))
    return RatingRound(
        items=items,
        groups=tuple(data.groups),
        min_group_size=min_group_size,
        respondents=respondents,
        group_respondents=group_respondents,
        alpha=_alpha_from_counts(counts),
    )


# --------------------------------------------------------------------------------------------
# Krippendorff's alpha
# --------------------------------------------------------------------------------------------


def krippendorff_alpha(
    reliability_data: Any = None,
    level: Level = "ordinal",
    value_domain: Sequence[float] = RATING_DOMAIN,
    *,
    value_counts: Any = None,
) -> float | None:
    """Krippendorff's alpha via the ``krippendorff`` package, ``None`` when not computable.

    Pass either ``reliability_data`` (coders x units, NaN = missing) or ``value_counts``
    (units x values, aligned with ``value_domain``). Not computable: no unit with two values,
    a single value in the domain, or no variation at all (0/0).
    """
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            if value_counts is not None:
                result = krippendorff.alpha(
                    value_counts=np.asarray(value_counts),
                    value_domain=list(value_domain),
                    level_of_measurement=level,
                )
            else:
                result = krippendorff.alpha(
                    reliability_data=np.asarray(reliability_data, dtype=np.float64),
                    value_domain=list(value_domain),
                    level_of_measurement=level,
                )
    except ValueError:
        return None
    result = float(result)
    return result if math.isfinite(result) else None


def rating_alpha(votes: pd.DataFrame, indicators: Sequence[str]) -> Alpha:
    """Krippendorff's alpha of a rating round (units = indicators, coders = panelists).

    Computed from the units x values counts, which is the same as the coders x units matrix
    with "kan ej bedöma" and missing ballots as NaN.
    """
    counts, _ = _rating_counts(_rating_data(votes, indicators))
    return _alpha_from_counts(counts)


def _alpha_from_counts(counts: np.ndarray) -> Alpha:
    return Alpha(
        nominal=krippendorff_alpha(level="nominal", value_counts=counts),
        ordinal=krippendorff_alpha(level="ordinal", value_counts=counts),
        interval=krippendorff_alpha(level="interval", value_counts=counts),
    )


# --------------------------------------------------------------------------------------------
# Approval voting
# --------------------------------------------------------------------------------------------


def competition_rank(scores: Sequence[float] | np.ndarray, *, descending: bool = True) -> list[int]:
    """Competition ranking ("1224"): 1 + the number of strictly better scores."""
    s = np.asarray(scores, dtype=np.float64)
    if descending:
        s = -s
    ordered = np.sort(s)
    return [int(r) + 1 for r in np.searchsorted(ordered, s, side="left")]


def _selections(votes: pd.DataFrame, ballot: list[str]) -> tuple[np.ndarray, np.ndarray]:
    _check_columns(votes, ("panelist", "indicator", "value"))
    value = votes["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    given = ~np.isnan(value)
    if not np.isin(value[given], (0.0, 1.0)).all():
        raise ValueError("an approval vote must be 1 (selected) or 0/NaN (not selected)")
    chosen = votes.loc[value == 1]
    ind = _indicator_codes(chosen, ballot)
    pan, _ = _factorize(chosen["panelist"])
    _check_unique_votes(pan, ind, len(ballot))
    return pan, ind


def approval_stats(
    votes: pd.DataFrame, indicators: Sequence[str], *, n_voting: int | None = None
) -> ApprovalRound:
    """Votes, share of voting panelists and competition rank per indicator (ballot order).

    ``n_voting`` defaults to the number of panelists who selected at least one indicator.
    """
    ballot = _ballot(indicators)
    pan, ind = _selections(votes, ballot)
    if n_voting is None:
        n_voting = int(pan.max() + 1) if len(pan) else 0
    counts = np.bincount(ind, minlength=len(ballot))
    ranks = competition_rank(counts)
    items = {
        code: ApprovalStats(
            code=code,
            votes=int(c),
            share=(c / n_voting) if n_voting else None,
            rank=r,
        )
        for code, c, r in zip(ballot, counts.tolist(), ranks, strict=True)
    }
    return ApprovalRound(items=items, n_voting=n_voting)


def check_approval_ballot(
    selected: Iterable[str], k: int, indicators: Collection[str] | None = None
) -> list[str]:
    """Problems with one approval ballot, as codes (an empty list means valid).

    ``"too_many"``: more than ``k`` indicators selected; ``"duplicate"``: an indicator selected
    twice; ``"unknown"``: an indicator not on the ballot (when ``indicators`` is given).
    """
    chosen = list(selected)
    problems = []
    if len(set(chosen)) != len(chosen):
        problems.append("duplicate")
    if len(set(chosen)) > k:
        problems.append("too_many")
    if indicators is not None and not set(chosen) <= set(indicators):
        problems.append("unknown")
    return problems


def approval_alpha(votes: pd.DataFrame, indicators: Sequence[str]) -> float | None:
    """Nominal Krippendorff's alpha of an approval round.

    Coders are the voting panelists, units the indicators, values 1 (selected) and 0 (not
    selected); panelists who selected nothing are left out (missing ballots).
    """
    ballot = _ballot(indicators)
    pan, ind = _selections(votes, ballot)
    n_voting = int(pan.max() + 1) if len(pan) else 0
    selected = np.bincount(ind, minlength=len(ballot))
    counts = np.column_stack([n_voting - selected, selected])
    return krippendorff_alpha(level="nominal", value_domain=(0, 1), value_counts=counts)


# --------------------------------------------------------------------------------------------
# Ranking
# --------------------------------------------------------------------------------------------


def chi2_sf(x: float, df: int) -> float:
    """P(X >= x) for X chi-square with ``df`` degrees of freedom (regularized upper gamma).

    Series for x < a + 1, Lentz's continued fraction otherwise (Numerical Recipes 6.2),
    accurate to about 1e-14.
    """
    if df <= 0:
        raise ValueError("df must be positive")
    if x <= 0:
        return 1.0
    a, z = df / 2, x / 2
    log_front = -z + a * math.log(z) - math.lgamma(a)
    if z < a + 1:
        term = total = 1 / a
        denom = a
        for _ in range(10_000):
            denom += 1
            term *= z / denom
            total += term
            if abs(term) < abs(total) * 1e-16:
                break
        return max(0.0, 1 - total * math.exp(log_front))
    tiny = 1e-300
    b = z + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16:
            break
    return min(1.0, math.exp(log_front) * h)


def kendall_w(rank_sums: Sequence[float], m: int, tie_sum: float = 0.0) -> KendallW:
    """Kendall's W from the items' rank sums R_i, m raters and sum_j T_j (module docstring)."""
    r = np.asarray(rank_sums, dtype=np.float64)
    n = len(r)
    df = max(n - 1, 0)
    denominator = m * m * (n**3 - n) - m * tie_sum
    if m < 2 or n < 2 or denominator <= 0:
        return KendallW(w=None, chi2=None, df=df, p=None, m=m, n=n)
    s = float(((r - m * (n + 1) / 2) ** 2).sum())
    w = 12 * s / denominator
    chi2 = m * (n - 1) * w
    return KendallW(w=w, chi2=chi2, df=df, p=chi2_sf(chi2, df), m=m, n=n)


def ranking_stats(votes: pd.DataFrame, indicators: Sequence[str]) -> RankingRound:
    """Mean rank, Borda score, rank per candidate, and Kendall's W for the round."""
    _check_columns(votes, ("panelist", "indicator", "value"))
    ballot = _ballot(indicators)
    n = len(ballot)
    value = votes["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    given = votes.loc[~np.isnan(value)]
    value = value[~np.isnan(value)]
    ind = _indicator_codes(given, ballot)
    pan, _ = _factorize(given["panelist"])
    _check_unique_votes(pan, ind, n)
    m = int(pan.max() + 1) if len(pan) else 0

    # Normalise each ballot to ranks 1..k (average ranks for ties).
    rank = pd.Series(value).groupby(pan).rank(method="average").to_numpy(dtype=np.float64)
    k = np.bincount(pan, minlength=m).astype(np.float64)
    rest = (k + 1 + n) / 2  # shared rank of a ballot's unranked candidates
    ranked_sum = np.bincount(ind, weights=rank, minlength=n)
    rest_of_rankers = np.bincount(ind, weights=rest[pan], minlength=n)
    rank_sums = ranked_sum + (rest.sum() - rest_of_rankers)
    n_ranked = np.bincount(ind, minlength=n)
    borda = np.bincount(ind, weights=n - rank, minlength=n)

    # Tie correction: tie groups among the given values, plus the unranked rest of each ballot.
    tie_sum = 0.0
    if len(pan):
        sizes = pd.DataFrame({"p": pan, "v": value}).groupby(["p", "v"], sort=False).size()
        t = sizes.to_numpy(dtype=np.float64)
        u = n - k
        tie_sum = float((t**3 - t).sum() + (u**3 - u).sum())

    mean_rank = _optional(rank_sums / max(m, 1), np.full(n, m > 0))
    positions = competition_rank(borda)
    items = {
        code: RankingStats(
            code=code,
            n_ranked=int(n_ranked[i]),
            mean_rank=mean_rank[i],
            borda=float(borda[i]),
            rank=positions[i],
        )
        for i, code in enumerate(ballot)
    }
    return RankingRound(items=items, kendall=kendall_w(rank_sums, m, tie_sum))
