"""Stability between two consecutive rating rounds.

A pure module (no Flask, no SQLAlchemy). Both rounds' votes come in the long format of
:mod:`consensus.rounds.stats` (columns ``panelist``, ``group``, ``indicator``, ``value``,
``unable``); the indicators compared are the current round's ballot. Votes in either round
for indicators not on that ballot (items dropped as OUT, say) are ignored.

Bands (GRADE): 1 = ratings 1-3 ("inte viktig"), 2 = 4-6, 3 = 7-9 ("avgörande"). Moving across
a band means crossing the 3|4 or the 6|7 boundary (the "3 or 7 boundary" of the method text).

Per indicator (:class:`ItemStability`)
    ``median_change`` = current median - previous median, ``p_high_change`` likewise (each
    ``None`` when either round has no rating of the indicator); ``n_both`` = panelists who
    rated it in both rounds ("kan ej bedöma" in either round does not count); ``moved`` /
    ``moved_up`` / ``moved_down`` = how many of them changed band (up = to a higher band);
    ``moved_share`` = moved / n_both (``None`` when n_both = 0).

Per round (:class:`RoundStability`)
    Cohen's kappa (unweighted, three bands) between the previous and current band over every
    (panelist, indicator) pair rated in both rounds, pooled across indicators:
    kappa = (p_o - p_e) / (1 - p_e) with p_o the share of pairs in the same band and
    p_e = sum_k (row_k / N)(col_k / N). ``None`` when there is no pair or p_e = 1.
    ``confusion[a][b]`` counts pairs with previous band a + 1 and current band b + 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .stats.descriptive import _summaries
from .stats.frame import _rating_counts, _rating_data, _RatingData

__all__ = ["ItemStability", "RoundStability", "band", "crossed_band", "stability"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemStability:
    code: str
    median_previous: float | None
    median_current: float | None
    median_change: float | None
    p_high_previous: float | None
    p_high_current: float | None
    p_high_change: float | None
    n_both: int
    moved: int
    moved_up: int
    moved_down: int
    moved_share: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundStability:
    items: Mapping[str, ItemStability]
    n_pairs: int
    n_panelists: int
    p_observed: float | None
    p_expected: float | None
    kappa: float | None
    confusion: tuple[tuple[int, ...], ...]


def band(rating: float | None) -> int | None:
    """The band (1, 2 or 3) of a rating 1-9; ``None`` for "kan ej bedöma"."""
    if rating is None or rating != rating:
        return None
    if not 1 <= rating <= 9:
        raise ValueError("a rating must be from 1 to 9")
    return 1 if rating < 4 else 2 if rating < 7 else 3


def crossed_band(previous: float | None, current: float | None) -> bool:
    """Whether a panelist's rating moved across the 3 or the 7 boundary between rounds."""
    a, b = band(previous), band(current)
    return a is not None and b is not None and a != b


def _cohen_kappa(confusion: np.ndarray) -> tuple[float | None, float | None, float | None]:
    total = confusion.sum()
    if total == 0:
        return None, None, None
    p_o = float(np.trace(confusion) / total)
    p_e = float((confusion.sum(axis=1) * confusion.sum(axis=0)).sum() / total**2)
    if p_e >= 1:
        return p_o, p_e, None
    return p_o, p_e, (p_o - p_e) / (1 - p_e)


def _medians_and_p_high(data: _RatingData) -> tuple[list[float | None], list[float | None]]:
    counts, unable = _rating_counts(data)
    summaries = _summaries(counts, unable)
    return [s["median"] for s in summaries], [s["p_high"] for s in summaries]


def _change(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None:
        return None
    return round(current - previous, 12)


def stability(
    previous: pd.DataFrame,
    current: pd.DataFrame,
    indicators: Sequence[str],
) -> RoundStability:
    """Stability of every indicator on the current ballot, and Cohen's kappa for the round."""
    ballot = list(indicators)
    prev = _rating_data(previous, ballot, strict=False)
    cur = _rating_data(current, ballot, strict=False)
    n_ind = len(ballot)

    # The previous band (0, 1, 2; -1 = not rated) of every (panelist, indicator), looked up for
    # each current rating of a panelist who took part in the previous round. Dense: one byte
    # per previous panelist and indicator.
    width = max(n_ind, 1)
    prev_rated = prev.rating >= 0
    prev_band = np.full(len(prev.panelists) * width, -1, dtype=np.int8)
    prev_band[prev.panelist[prev_rated] * width + prev.indicator[prev_rated]] = (
        prev.rating[prev_rated] // 3
    )
    cur_rated = cur.rating >= 0
    to_prev = pd.Index(prev.panelists).get_indexer(pd.Index(cur.panelists))[cur.panelist[cur_rated]]
    item = cur.indicator[cur_rated]
    band_cur = cur.rating[cur_rated] // 3
    known = to_prev >= 0
    to_prev, item, band_cur = to_prev[known], item[known], band_cur[known]
    band_prev = prev_band[to_prev * width + item].astype(np.int64)
    both = band_prev >= 0
    to_prev, item, band_cur, band_prev = to_prev[both], item[both], band_cur[both], band_prev[both]

    n_both = np.bincount(item, minlength=n_ind)
    up = np.bincount(item[band_cur > band_prev], minlength=n_ind)
    down = np.bincount(item[band_cur < band_prev], minlength=n_ind)
    confusion = np.bincount(band_prev * 3 + band_cur, minlength=9).reshape(3, 3)
    p_o, p_e, kappa = _cohen_kappa(confusion)

    med_prev, hi_prev = _medians_and_p_high(prev)
    med_cur, hi_cur = _medians_and_p_high(cur)
    items = {}
    for i, code in enumerate(ballot):
        moved = int(up[i] + down[i])
        items[code] = ItemStability(
            code=code,
            median_previous=med_prev[i],
            median_current=med_cur[i],
            median_change=_change(med_cur[i], med_prev[i]),
            p_high_previous=hi_prev[i],
            p_high_current=hi_cur[i],
            p_high_change=_change(hi_cur[i], hi_prev[i]),
            n_both=int(n_both[i]),
            moved=moved,
            moved_up=int(up[i]),
            moved_down=int(down[i]),
            moved_share=moved / int(n_both[i]) if n_both[i] else None,
        )
    pairs_panelists = np.count_nonzero(np.bincount(to_prev, minlength=len(prev.panelists)))
    return RoundStability(
        items=items,
        n_pairs=int(confusion.sum()),
        n_panelists=int(pairs_panelists),
        p_observed=p_o,
        p_expected=p_e,
        kappa=kappa,
        confusion=tuple(tuple(int(c) for c in row) for row in confusion.tolist()),
    )


@dataclass(frozen=True)
class Attrition:
    """Round-1 scores of those who stayed against those who dropped out (delphi-method.md).

    ``mean_p_high_*``: the mean over indicators of the share of 7-9 among that subgroup's
    round-1 ratings ("kan ej bedöma" excluded; indicators nobody in the subgroup rated are
    left out). ``difference`` = completers - drop-outs (None when either side is empty).
    """

    n_completers: int
    n_dropouts: int
    mean_p_high_completers: float | None
    mean_p_high_dropouts: float | None
    difference: float | None


def _mean_p_high(votes: pd.DataFrame) -> float | None:
    rated = votes[votes["value"].notna()]
    if rated.empty:
        return None
    per_indicator = (rated["value"] >= 7).groupby(rated["indicator"], observed=True).mean()
    return float(per_indicator.mean())


def attrition(first_round: pd.DataFrame, completers: set) -> Attrition:
    """``first_round``: round 1's votes frame (``stats.votes_frame``); ``completers``: the
    panelists who also voted in the last round. Everyone else who voted in round 1 dropped out."""
    voted = set(first_round["panelist"].unique())
    stayed = voted & set(completers)
    left = voted - stayed
    mean_stayed = _mean_p_high(first_round[first_round["panelist"].isin(stayed)])
    mean_left = _mean_p_high(first_round[first_round["panelist"].isin(left)])
    difference = None
    if mean_stayed is not None and mean_left is not None:
        difference = mean_stayed - mean_left
    return Attrition(len(stayed), len(left), mean_stayed, mean_left, difference)
