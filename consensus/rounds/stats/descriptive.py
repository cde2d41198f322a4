"""Rating statistics, all computed from the 1-9 counts of each unit: median, quartiles, mean,
SD, shares, RAND/UCLA percentiles and disagreement, per group and the group-informed consensus."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd

from .agreement import _alpha_from_counts
from .frame import _rating_counts, _rating_data
from .records import GroupStats, IndicatorStats, RatingRound, RatingSummary, _RatingNumbers

_SCALE = np.arange(1, 10, dtype=np.float64)

# Percentiles as exact fractions num/den of the way through the sorted values.
_PERCENTILES: Final = {"q1": (1, 4), "median": (1, 2), "q3": (3, 4), "p30": (3, 10), "p70": (7, 10)}
_DECIMALS: Final = 10


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
    # A group's size is its members who answered the round (people, not ratings): a
    # "kan ej bedöma" neither shrinks a group below the minimum nor removes its veto.
    sizes = np.bincount(data.panelist_group, minlength=n_grp)
    suppressed = np.broadcast_to(sizes < min_group_size, (n_ind, n_grp)).tolist()

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
