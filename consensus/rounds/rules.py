"""Consensus rules: a registry keyed by a stored name, and the round's sensitivity table.

A pure module (no Flask, no SQLAlchemy). The definitions follow ``docs/delphi-method.md``.
A rule reads the statistics of one round (:class:`~consensus.rounds.stats.RatingRound`,
:class:`~consensus.rounds.stats.ApprovalRound` or :class:`~consensus.rounds.stats.RankingRound`)
and returns, for every indicator on the ballot, one of the decision codes :data:`IN`,
:data:`OUT` or :data:`UNDECIDED` ("no consensus" / "uncertain"). An indicator with no votes
is always :data:`UNDECIDED` under the rating rules.

Boundaries are exactly as written (``>=`` and ``<``); a value within :data:`EPS` (1e-9) of a
threshold counts as equal to it, so that binary rounding (0.1 * 3 != 0.3) never flips a
decision.

Registered rules (name: parameters with defaults)
-------------------------------------------------
``comet_70_15`` (rating): ``high=0.70, low=0.15``. IN if p_high >= high and p_low < low;
    OUT if p_low >= high and p_high < low; otherwise UNDECIDED.
``comet_70_15_all_groups`` (rating): same parameters. IN only if the COMET IN condition holds
    overall *and* in every stakeholder group that is not suppressed in the round (a group
    with at least ``min_group_size`` members who answered the round: people, not ratings);
    OUT likewise with the OUT condition; otherwise UNDECIDED. A group's condition is read on
    its ratings of the indicator, so a "kan ej bedöma" does not remove a group's veto (four
    2s and one "kan ej bedöma" in a group of five: p_high 0 in the group, no consensus); a
    group with no rating of the indicator at all has nothing to veto with and is skipped.
    When every group is suppressed only the overall condition is left.
``median_iqr`` (rating): ``median_min=7, iqr_max=1, out_median_max=3``. IN if median >=
    median_min and IQR <= iqr_max. The method text defines only IN; by symmetry OUT if median
    <= out_median_max and IQR <= iqr_max (``out_median_max=None`` turns OUT off).
``ram_ipras`` (rating): no parameters. IN ("appropriate") if 7 <= median without
    disagreement (IPR > IPRAS), OUT ("inappropriate") if median <= 3 without disagreement,
    otherwise UNDECIDED ("uncertain"). A median of 6.5 or 3.5 is uncertain.
``gic`` (rating): ``threshold=0.5``. IN if GIC >= threshold, otherwise UNDECIDED (GIC measures
    agreement only, it never puts an indicator OUT). GIC is a product over groups, so the same
    threshold is stricter with more groups: 0.5 needs on average P_g >= 0.5^(1/G), e.g. 0.89
    with 6 groups, 0.79 with 3.
``approval_threshold`` (approval): ``threshold=0.5``. IN if share >= threshold, else OUT;
    UNDECIDED when nobody voted.
``approval_top_k`` (approval): ``k=15``. The k most-voted indicators are IN, the rest OUT.
    Indicators tied on the k-th place's vote count, when taking all of them would exceed k,
    are UNDECIDED and listed in ``tie_at_cut``: ties are never broken silently. With at most k
    indicators on the ballot all are IN; when nobody voted all are UNDECIDED.
``ranking_top_n`` (ranking): ``n=15``. The same on the Borda score, to reach exactly N
    (UNDECIDED for all when nobody ranked).
``ranking_mean_rank`` (ranking): ``max_mean_rank=3``. IN if the mean rank (over every
    panelist who ranked, an unranked candidate counted at the shared rank of the rest, see
    :mod:`~consensus.rounds.stats`) is <= max_mean_rank, else OUT; UNDECIDED when nobody
    ranked.

Minimum number of ratings
-------------------------
``min_ratings`` (an a-priori study setting, default 5; 1 turns it off): an indicator rated by
fewer panelists is UNDECIDED under every rule, whatever its shares (one rating of 8 is not a
consensus). Rating: its ``n`` (ratings 1-9, "kan ej bedöma" not counted); approval: the
round's voting panelists; ranking: the panelists who ranked it. It is applied after the rule,
so it never moves another indicator across a top-K cut; it only takes decisions away.

Applying a rule
---------------
``decide(stats, "comet_70_15", {"high": 0.8}, min_ratings=5)`` -> :class:`RuleResult`.
``sensitivity(stats, REGISTRY, primary)`` -> :class:`SensitivityTable`: every rule of the
registry that applies to the round's voting method (others are skipped), the decision of each
indicator under each, and the indicators whose decision differs from the primary rule's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Protocol

import numpy as np

from .stats import APPROVAL, EPS, RANKING, RATING

__all__ = [
    "DEFAULT_RULES",
    "IN",
    "OUT",
    "REGISTRY",
    "UNDECIDED",
    "Rule",
    "RuleResult",
    "SensitivityTable",
    "decide",
    "gic",
    "rating_count",
    "rules_for",
    "sensitivity",
    "too_few_ratings",
    "top_k",
]

IN: Final = "in"
OUT: Final = "out"
UNDECIDED: Final = "undecided"
DECISIONS: Final = (IN, OUT, UNDECIDED)

Params = Mapping[str, Any]
Decisions = dict[str, str]


class RoundStats(Protocol):
    """What a rule reads: the voting method and the per-indicator statistics in ballot order."""

    @property
    def method(self) -> str: ...

    @property
    def items(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class RuleResult:
    """The decision per indicator (ballot order) under one rule with its parameters."""

    rule: str
    params: Mapping[str, Any]
    decisions: Mapping[str, str]
    tie_at_cut: tuple[str, ...] = ()


RuleFunction = Callable[[RoundStats, Params], tuple[Decisions, tuple[str, ...]]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A named consensus rule. ``decide`` gets the round's stats and the full parameters."""

    name: str
    label_sv: str
    label_en: str
    methods: frozenset[str]
    defaults: Mapping[str, Any]
    decide: RuleFunction = field(repr=False)

    def applies_to(self, method: str) -> bool:
        return method in self.methods

    def params(self, overrides: Params | None = None) -> dict[str, Any]:
        """The defaults updated with ``overrides``; an unknown parameter raises ValueError."""
        overrides = dict(overrides or {})
        unknown = set(overrides) - set(self.defaults)
        if unknown:
            raise ValueError(f"rule {self.name!r} has no parameter(s) {sorted(unknown)}")
        return {**self.defaults, **overrides}

    def apply(
        self, stats: RoundStats, overrides: Params | None = None, *, min_ratings: int = 1
    ) -> RuleResult:
        if not self.applies_to(stats.method):
            raise ValueError(f"rule {self.name!r} does not apply to {stats.method} rounds")
        params = self.params(overrides)
        decisions, ties = self.decide(stats, params)
        too_few = set(too_few_ratings(stats, min_ratings))
        if too_few:
            decisions = {c: UNDECIDED if c in too_few else d for c, d in decisions.items()}
            ties = tuple(c for c in ties if c not in too_few)
        return RuleResult(rule=self.name, params=params, decisions=decisions, tie_at_cut=ties)


def rating_count(stats: RoundStats, code: str) -> int:
    """How many panelists gave the indicator a rating, a vote or a rank in the round."""
    s = stats.items[code]
    if stats.method == APPROVAL:
        return int(getattr(stats, "n_voting", 0))
    if stats.method == RANKING:
        return int(s.n_ranked)
    return int(s.n or 0)


def too_few_ratings(stats: RoundStats, min_ratings: int) -> list[str]:
    """The indicators (ballot order) with fewer than ``min_ratings`` ratings."""
    if min_ratings < 1:
        raise ValueError("min_ratings must be at least 1")
    return [code for code in stats.items if rating_count(stats, code) < min_ratings]


# --------------------------------------------------------------------------------------------
# Comparisons at a boundary
# --------------------------------------------------------------------------------------------


def _ge(value: float | None, threshold: float) -> bool:
    return value is not None and value >= threshold - EPS


def _lt(value: float | None, threshold: float) -> bool:
    return value is not None and value < threshold - EPS


def _le(value: float | None, threshold: float) -> bool:
    return value is not None and value <= threshold + EPS


# --------------------------------------------------------------------------------------------
# Rating rules
# --------------------------------------------------------------------------------------------


def _comet(p_high: float | None, p_low: float | None, high: float, low: float) -> str:
    if _ge(p_high, high) and _lt(p_low, low):
        return IN
    if _ge(p_low, high) and _lt(p_high, low):
        return OUT
    return UNDECIDED


def _comet_rule(stats: RoundStats, params: Params) -> tuple[Decisions, tuple[str, ...]]:
    high, low = params["high"], params["low"]
    return {code: _comet(s.p_high, s.p_low, high, low) for code, s in stats.items.items()}, ()


def _comet_all_groups_rule(stats: RoundStats, params: Params) -> tuple[Decisions, tuple[str, ...]]:
    high, low = params["high"], params["low"]
    decisions = {}
    for code, s in stats.items.items():
        decision = _comet(s.p_high, s.p_low, high, low)
        for group in s.groups.values():
            if decision == UNDECIDED:
                break
            if group.suppressed or not group.n:
                continue  # too small a group, or no rating of this indicator in it
            if _comet(group.p_high, group.p_low, high, low) != decision:
                decision = UNDECIDED
        decisions[code] = decision
    return decisions, ()


def _median_iqr_rule(stats: RoundStats, params: Params) -> tuple[Decisions, tuple[str, ...]]:
    decisions = {}
    out_max = params["out_median_max"]
    for code, s in stats.items.items():
        decision = UNDECIDED
        if _le(s.iqr, params["iqr_max"]):
            if _ge(s.median, params["median_min"]):
                decision = IN
            elif out_max is not None and _le(s.median, out_max):
                decision = OUT
        decisions[code] = decision
    return decisions, ()


def _ram_rule(stats: RoundStats, params: Params) -> tuple[Decisions, tuple[str, ...]]:
    decisions = {}
    for code, s in stats.items.items():
        decision = UNDECIDED
        if s.n and not s.disagreement:
            if _ge(s.median, 7):
                decision = IN
            elif _le(s.median, 3):
                decision = OUT
        decisions[code] = decision
    return decisions, ()


def gic(groups: Sequence[tuple[int, int]]) -> float | None:
    """Group-informed consensus from ``(agree_g, n_g)`` pairs: product of (a + 1) / (n + 2).

    Only groups with n_g >= 1 count; ``None`` when there is none. (The same number is in
    :attr:`~consensus.rounds.stats.IndicatorStats.gic`; this helper documents and tests it.)
    """
    factors = [(agree + 1) / (n + 2) for agree, n in groups if n >= 1]
    return float(np.prod(factors)) if factors else None


def _gic_rule(stats: RoundStats, params: Params) -> tuple[Decisions, tuple[str, ...]]:
    threshold = params["threshold"]
    return {code: IN if _ge(s.gic, threshold) else UNDECIDED for code, s in stats.items.items()}, ()


# --------------------------------------------------------------------------------------------
# Approval and ranking rules
# --------------------------------------------------------------------------------------------


def top_k(scores: Mapping[str, float], k: int) -> tuple[Decisions, tuple[str, ...]]:
    """IN for the ``k`` highest scores, OUT for the rest; a tie across the cut is UNDECIDED.

    Returns the decisions and the codes tied at the cut (in the order of ``scores``). With
    fewer than ``k`` candidates every one is IN.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    values = sorted(scores.values(), reverse=True)
    if len(values) <= k:
        return dict.fromkeys(scores, IN), ()
    cut = values[k - 1]
    above = sum(1 for v in values if v > cut)
    at_cut = sum(1 for v in values if v == cut)
    tied = above + at_cut > k
    decisions = {}
    for code, value in scores.items():
        if value > cut:
            decisions[code] = IN
        elif value < cut:
            decisions[code] = OUT
        else:
            decisions[code] = UNDECIDED if tied else IN
    ties = tuple(code for code, value in scores.items() if tied and value == cut)
    return decisions, ties


def _approval_threshold_rule(
    stats: RoundStats, params: Params
) -> tuple[Decisions, tuple[str, ...]]:
    threshold = params["threshold"]
    decisions = {}
    for code, s in stats.items.items():
        if s.share is None:
            decisions[code] = UNDECIDED
        else:
            decisions[code] = IN if _ge(s.share, threshold) else OUT
    return decisions, ()


def _approval_top_k_rule(stats: RoundStats, params: Params) -> tuple[Decisions, tuple[str, ...]]:
    if not any(s.votes for s in stats.items.values()):  # nobody voted
        return dict.fromkeys(stats.items, UNDECIDED), ()
    return top_k({code: s.votes for code, s in stats.items.items()}, params["k"])


def _ranking_top_n_rule(stats: RoundStats, params: Params) -> tuple[Decisions, tuple[str, ...]]:
    if not any(s.n_ranked for s in stats.items.values()):  # nobody ranked
        return dict.fromkeys(stats.items, UNDECIDED), ()
    return top_k({code: s.borda for code, s in stats.items.items()}, params["n"])


def _ranking_mean_rank_rule(stats: RoundStats, params: Params) -> tuple[Decisions, tuple[str, ...]]:
    if not any(s.n_ranked for s in stats.items.values()):  # nobody ranked
        return dict.fromkeys(stats.items, UNDECIDED), ()
    limit = params["max_mean_rank"]
    return {code: IN if _le(s.mean_rank, limit) else OUT for code, s in stats.items.items()}, ()


# --------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------

_RATING_ONLY = frozenset({RATING})

REGISTRY: Final[Mapping[str, Rule]] = MappingProxyType(
    {
        rule.name: rule
        for rule in (
            Rule(
                "comet_70_15",
                "COMET 70/15",
                "COMET 70/15",
                _RATING_ONLY,
                MappingProxyType({"high": 0.70, "low": 0.15}),
                _comet_rule,
            ),
            Rule(
                "comet_70_15_all_groups",
                "COMET 70/15 i varje intressentgrupp",
                "COMET 70/15 in every stakeholder group",
                _RATING_ONLY,
                MappingProxyType({"high": 0.70, "low": 0.15}),
                _comet_all_groups_rule,
            ),
            Rule(
                "median_iqr",
                "Median och kvartilavstånd",
                "Median and interquartile range",
                _RATING_ONLY,
                MappingProxyType({"median_min": 7, "iqr_max": 1, "out_median_max": 3}),
                _median_iqr_rule,
            ),
            Rule(
                "ram_ipras",
                "RAND/UCLA (RAM) med IPRAS",
                "RAND/UCLA (RAM) with IPRAS",
                _RATING_ONLY,
                MappingProxyType({}),
                _ram_rule,
            ),
            Rule(
                "gic",
                "Gruppinformerad konsensus (GIC)",
                "Group-informed consensus (GIC)",
                _RATING_ONLY,
                MappingProxyType({"threshold": 0.5}),
                _gic_rule,
            ),
            Rule(
                "approval_threshold",
                "Andel röster över tröskel",
                "Share of votes above a threshold",
                frozenset({APPROVAL}),
                MappingProxyType({"threshold": 0.5}),
                _approval_threshold_rule,
            ),
            Rule(
                "approval_top_k",
                "De K mest röstade",
                "The K most-voted",
                frozenset({APPROVAL}),
                MappingProxyType({"k": 15}),
                _approval_top_k_rule,
            ),
            Rule(
                "ranking_top_n",
                "De N högst rangordnade (Borda)",
                "The N highest ranked (Borda)",
                frozenset({RANKING}),
                MappingProxyType({"n": 15}),
                _ranking_top_n_rule,
            ),
            Rule(
                "ranking_mean_rank",
                "Medelrang högst en gräns",
                "Mean rank at most a limit",
                frozenset({RANKING}),
                MappingProxyType({"max_mean_rank": 3.0}),
                _ranking_mean_rank_rule,
            ),
        )
    }
)

DEFAULT_RULES: Final[Mapping[str, str]] = MappingProxyType(
    {RATING: "comet_70_15", APPROVAL: "approval_top_k", RANKING: "ranking_top_n"}
)


def rules_for(method: str, registry: Mapping[str, Rule] = REGISTRY) -> list[Rule]:
    """The rules of ``registry`` that apply to a voting method, in registry order."""
    return [rule for rule in registry.values() if rule.applies_to(method)]


def _rule(name: str, registry: Mapping[str, Rule]) -> Rule:
    try:
        return registry[name]
    except KeyError:
        raise ValueError(f"no consensus rule named {name!r}") from None


def decide(
    stats: RoundStats,
    rule: str,
    params: Params | None = None,
    registry: Mapping[str, Rule] = REGISTRY,
    *,
    min_ratings: int = 1,
) -> RuleResult:
    """Apply the rule stored under ``rule`` with optional parameter overrides."""
    return _rule(rule, registry).apply(stats, params, min_ratings=min_ratings)


# --------------------------------------------------------------------------------------------
# Sensitivity table
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SensitivityTable:
    """Every applicable rule's decisions for a round, against the primary rule.

    ``rules``: the applicable rule names, primary first. ``decisions[code][rule]``: the
    decision. ``differs``: indicators (ballot order) whose decision under some rule differs
    from the primary's; ``differs_by_rule[rule]``: the same per rule (empty for the primary).
    ``counts[rule]``: number of IN/OUT/UNDECIDED. ``params`` and ``tie_at_cut`` per rule.
    """

    method: str
    primary: str
    rules: tuple[str, ...]
    decisions: Mapping[str, Mapping[str, str]]
    differs: tuple[str, ...]
    differs_by_rule: Mapping[str, tuple[str, ...]]
    counts: Mapping[str, Mapping[str, int]]
    params: Mapping[str, Mapping[str, Any]]
    tie_at_cut: Mapping[str, tuple[str, ...]]


def sensitivity(
    stats: RoundStats,
    registry: Mapping[str, Rule] = REGISTRY,
    primary: str | None = None,
    *,
    params: Mapping[str, Params] | None = None,
    min_ratings: int = 1,
) -> SensitivityTable:
    """Re-run the round's ballots under every applicable rule of ``registry``.

    ``primary`` defaults to :data:`DEFAULT_RULES` for the method; it must be in the registry
    and apply to the method. ``params`` maps rule names to parameter overrides;
    ``min_ratings`` holds for every rule.
    """
    method = stats.method
    primary = primary or DEFAULT_RULES[method]
    primary_rule = _rule(primary, registry)
    if not primary_rule.applies_to(method):
        raise ValueError(f"primary rule {primary!r} does not apply to {method} rounds")
    params = params or {}
    unknown = set(params) - set(registry)
    if unknown:
        raise ValueError(f"parameters for unknown rule(s) {sorted(unknown)}")

    rules = [primary_rule] + [r for r in rules_for(method, registry) if r.name != primary]
    results = {
        rule.name: rule.apply(stats, params.get(rule.name), min_ratings=min_ratings)
        for rule in rules
    }
    names = tuple(results)
    base = results[primary].decisions

    decisions = {
        code: {name: results[name].decisions[code] for name in names} for code in stats.items
    }
    differs_by_rule = {
        name: tuple(code for code in stats.items if results[name].decisions[code] != base[code])
        for name in names
    }
    changed = {code for codes in differs_by_rule.values() for code in codes}
    counts = {
        name: {d: sum(1 for v in results[name].decisions.values() if v == d) for d in DECISIONS}
        for name in names
    }
    return SensitivityTable(
        method=method,
        primary=primary,
        rules=names,
        decisions=decisions,
        differs=tuple(code for code in stats.items if code in changed),
        differs_by_rule=differs_by_rule,
        counts=counts,
        params={name: results[name].params for name in names},
        tie_at_cut={name: results[name].tie_at_cut for name in names},
    )
