"""Statistics for one Delphi round: ratings 1-9, approval voting and ranking.

The package: :mod:`.frame` (the votes frame), :mod:`.records` (the result types),
:mod:`.descriptive` (rating statistics), :mod:`.agreement` (Krippendorff's alpha, Kendall's W),
:mod:`.approval` and :mod:`.ranking`.

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
    *suppressed* in the round when fewer than ``min_group_size`` of its members answered the
    round (a rating or "kan ej bedöma" of at least one indicator: people, not ratings; the
    same groups for every indicator): it is then reported as ``suppressed=True`` with every
    number ``None``. Its votes still count in the indicator's total. Every group of the round
    appears for every indicator. (Complementary suppression, so that a hidden group cannot be
    recovered as the total minus the shown ones, is applied where figures are shown:
    :mod:`consensus.rounds.suppression`.)

    ``gic`` is the group-informed consensus (Pol.is): P_g = (agree_g + 1) / (n_g + 2) with
    agree = ratings 7-9, GIC = product of P_g over the groups with n_g >= 1 (a group with no
    rating for the indicator would contribute an uninformative 1/2 and is left out, a choice
    recorded in ``docs/delphi-choices.md``, since it would lower GIC for every indicator some
    group could not assess and make the threshold depend on "kan ej bedöma"; suppressed
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

from .agreement import chi2_sf, kendall_w, krippendorff_alpha, rating_alpha
from .approval import approval_alpha, approval_stats, check_approval_ballot, competition_rank
from .descriptive import describe, rating_stats
from .frame import (
    APPROVAL,
    EPS,
    RANKING,
    RATING,
    RATING_DOMAIN,
    VOTE_COLUMNS,
    votes_frame,
    votes_frame_from_arrays,
)
from .ranking import ranking_stats
from .records import (
    Alpha,
    ApprovalRound,
    ApprovalStats,
    GroupStats,
    IndicatorStats,
    KendallW,
    RankingRound,
    RankingStats,
    RatingRound,
    RatingSummary,
)

__all__ = [
    "APPROVAL",
    "EPS",
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
    "votes_frame_from_arrays",
]
