"""The result types: frozen dataclasses whose :func:`dataclasses.asdict` is the results JSON
(``None``, never NaN, for an undefined statistic)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .frame import APPROVAL, RANKING, RATING


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
