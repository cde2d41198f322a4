"""The method as it was applied, for the study report (pure: no Flask, no SQLAlchemy).

:func:`method_block` gathers every a-priori setting with its effective values: the primary
rule with all its parameters (the registry's defaults updated with the study's own, so a study
using 80/10 reads 80/10), the rule each round actually used (approval and ranking rounds have
their own: the K most-voted or the N highest ranked, with K and N as used), the voting method
and scale of each round, the minimum group size and how suppression works, the minimum number
of ratings, the carry-over rule, how "kan ej bedöma" is handled, the percentile definition,
the kappa computed, and how group-informed consensus treats a group without ratings. The
template words it; every code here has one fixed meaning documented in
``docs/delphi-choices.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .round_rule import applied_rule
from .stats import RATING

__all__ = ["method_block"]

# The fixed choices of the product (each worded in the report and docs/delphi-choices.md).
CHOICES = (
    "unable_excluded",  # "kan ej bedöma" counted and reported, excluded from n and statistics
    "percentiles_linear",  # linear interpolation, numpy default = Excel PERCENTILE.INC
    "group_size_people",  # a group's size = its members who answered the round
    "complementary_suppression",  # next smallest group hidden too, or "övriga"
    "gic_rated_groups",  # GIC over the groups with at least one rating of the indicator
    "carry_over",  # IN and no consensus carry over, OUT dropped, overrides need a reason
    "core_from_primary_rule",  # only IN items are proposed; fewer: accept or add with reason
    "shares_not_rounded_across",  # one decimal when a whole percent would be rounded
    "kappa_unweighted_bands",  # Cohen's kappa, unweighted, three bands, both-round panelists
)


def _effective(method: str, primary_rule: str, rule_params: Mapping[str, Any], target, round_):
    if round_ is not None and round_.get("document_rule"):
        return dict(round_["document_rule"])  # what the round's stored results used
    return applied_rule(
        method,
        primary_rule,
        dict(rule_params or {}),
        target,
        round_rule=(round_ or {}).get("rule"),
        round_rule_params=(round_ or {}).get("rule_params"),
    )


def method_block(
    *,
    primary_rule: str,
    rule_params: Mapping[str, Any] | None,
    min_group_size: int,
    min_ratings: int,
    target_core_size: int | None,
    invitation_policy: str,
    ask_reason_on_band_cross: bool,
    rounds: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The report's method section as plain data.

    ``rounds``: per round ``number``, ``method``, ``is_final``, ``max_selections``,
    ``top_m``, the round's own a-priori ``rule`` and ``rule_params`` (approval and ranking;
    ``None``: the method's default) and optionally ``document_rule`` (the stored results'
    ``primary_rule``, which wins: it is what was applied).
    """
    rule_params = dict(rule_params or {})
    primary = _effective(RATING, primary_rule, rule_params, target_core_size, None)
    per_round = []
    for r in rounds:
        rule = _effective(r["method"], primary_rule, rule_params, target_core_size, r)
        per_round.append(
            {
                "number": r["number"],
                "method": r["method"],
                "is_final": bool(r.get("is_final")),
                "max_selections": r.get("max_selections"),
                "top_m": r.get("top_m"),
                "rule": rule,
            }
        )
    methods = sorted({r["method"] for r in per_round}) or [RATING]
    return {
        "primary_rule": primary,
        "rounds": per_round,
        "methods": methods,
        "min_group_size": min_group_size,
        "min_ratings": min_ratings,
        "target_core_size": target_core_size,
        "invitation_policy": invitation_policy,
        "ask_reason_on_band_cross": ask_reason_on_band_cross,
        "choices": list(CHOICES),
    }
