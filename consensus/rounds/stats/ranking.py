"""Ranking: normalised ranks, mean rank, Borda score, competition rank and Kendall's W."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .agreement import kendall_w
from .approval import competition_rank
from .descriptive import _optional
from .frame import _ballot, _check_columns, _check_unique_votes, _factorize, _indicator_codes
from .records import RankingRound, RankingStats


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
