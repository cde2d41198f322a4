"""The votes of one round in long format (:func:`votes_frame`), its checks, and the 1-9 counts
of each unit that the rating statistics and alpha are computed from."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Final

import numpy as np
import pandas as pd

RATING: Final = "rating"
APPROVAL: Final = "approval"
RANKING: Final = "ranking"
VOTE_COLUMNS: Final = ("panelist", "group", "indicator", "value", "unable")
RATING_DOMAIN: Final = tuple(range(1, 10))

# Tolerance for comparisons at a boundary: a value within 1e-9 of the threshold counts as equal
# to it (shares and percentiles of at most millions of ratings never differ by that little
# unless they are equal).
EPS: Final = 1e-9


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


def votes_frame_from_arrays(
    panelist: np.ndarray,
    group: np.ndarray,
    indicator: np.ndarray,
    value: np.ndarray,
    unable: np.ndarray,
) -> pd.DataFrame:
    """:func:`votes_frame` from columns already read into arrays (integer ids, values as
    floats with NaN for none, ``unable`` as bools): the same frame without Python rows."""
    return pd.DataFrame(
        {
            "panelist": pd.Series(np.asarray(panelist, dtype=np.int64)),
            "group": _categorical(group),
            "indicator": _categorical(indicator),
            "value": np.asarray(value, dtype=np.float64),
            "unable": np.asarray(unable, dtype=bool),
        }
    )


def _panelist_ids(values: list[Any]) -> pd.Series:
    """Integer ids as int64 (fast to factorize), anything else as objects, unchanged."""
    if values and all(type(v) is int for v in values):
        return pd.Series(np.array(values, dtype=np.int64))
    return pd.Series(np.array(values, dtype=object))


def _categorical(values: list[Any] | np.ndarray) -> pd.Categorical:
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
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
