"""Approval voting: votes, shares and competition ranks, one ballot's check, and nominal alpha."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

import numpy as np
import pandas as pd

from .agreement import krippendorff_alpha
from .frame import _ballot, _check_columns, _check_unique_votes, _factorize, _indicator_codes
from .records import ApprovalRound, ApprovalStats


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
