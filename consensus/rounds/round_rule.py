"""The a-priori rule of an approval or ranking round, and the plan of rules a round applies.

A pure module (no Flask, no SQLAlchemy). The projektledare chooses, when creating an approval
or ranking round (before it opens; nothing changes it after), the rule that decides it:

- approval: ``approval_top_k`` (the K most voted; K defaults to the study's target core size)
  or ``approval_threshold`` (IN when the share of the voting panelists who selected the
  indicator is >= the threshold, e.g. 0.70; otherwise OUT);
- ranking: ``ranking_top_n`` (the N highest Borda scores; N defaults to the target) or
  ``ranking_mean_rank`` (IN when the mean rank is <= the limit, e.g. 3.0; otherwise OUT).

A rating round uses the study's primary rule. The round's rule is stored on the round
(``Round.rule``, ``Round.rule_params``); a round without one (created before the choice
existed) uses the method's default rule. :func:`rule_plan` gives what a round applies:
its primary rule and the parameter overrides of every rule applicable to the method (the
sensitivity table reruns them all). The study's minimum number of ratings holds for every
rule (:mod:`consensus.rounds.rules`).

:func:`check_round_rule` validates a choice (returns an error code of the rounds' catalogue
or ``None``); :func:`describe_sv` words a rule with its parameters in Swedish, for the
protocol's provenance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .rules import DEFAULT_RULES, REGISTRY, rules_for
from .stats import APPROVAL, RANKING, RATING

__all__ = [
    "ROUND_RULES",
    "applied_rule",
    "check_round_rule",
    "describe_sv",
    "round_params",
    "rule_plan",
]

#: The rules a projektledare may choose per voting method, the default first.
ROUND_RULES: Final[Mapping[str, tuple[str, ...]]] = {
    APPROVAL: ("approval_top_k", "approval_threshold"),
    RANKING: ("ranking_top_n", "ranking_mean_rank"),
}
#: The one parameter of each choosable rule, and its allowed range.
_PARAM: Final = {
    "approval_top_k": ("k", 1, 1000),
    "approval_threshold": ("threshold", 0.01, 1.0),
    "ranking_top_n": ("n", 1, 1000),
    "ranking_mean_rank": ("max_mean_rank", 1.0, 1000.0),
}


def round_params(rule: str, value: float | int | None) -> dict[str, Any]:
    """The stored parameters of a chosen rule from its one value (``None``: the default)."""
    if rule not in _PARAM:
        raise ValueError(f"no choosable round rule {rule!r}")
    name = _PARAM[rule][0]
    if value is None:
        return {}
    return {name: int(value) if name in ("k", "n") else float(value)}


def check_round_rule(
    method: str, rule: str | None, params: Mapping[str, Any] | None, n_items: int | None = None
) -> str | None:
    """``None`` when the choice is valid, otherwise the error code.

    ``round_rule_method``: the rule is not one of the method's (a rating round has none);
    ``round_rule_param``: the parameter is missing where there is no default, not a number,
    or out of range; ``round_rule_count``: K or N is larger than the number of indicators
    (``n_items``, when known).
    """
    if rule is None:
        return None
    if rule not in ROUND_RULES.get(method, ()):
        return "round_rule_method"
    params = dict(params or {})
    name, low, high = _PARAM[rule]
    if set(params) - {name}:
        return "round_rule_param"
    value = params.get(name)
    if value is None:
        return "round_rule_param" if rule in ("approval_threshold", "ranking_mean_rank") else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "round_rule_param"
    if not low <= value <= high:
        return "round_rule_param"
    if name in ("k", "n") and n_items is not None and value > n_items:
        return "round_rule_count"
    return None


def rule_plan(
    method: str,
    primary_rule: str,
    rule_params: Mapping[str, Any] | None,
    target_core_size: int | None = None,
    *,
    round_rule: str | None = None,
    round_rule_params: Mapping[str, Any] | None = None,
) -> tuple[str, dict[str, dict[str, Any]]]:
    """The primary rule of a round and the parameter overrides of every applicable rule.

    ``round_rule`` (an approval or ranking round's own a-priori rule) decides when given and
    applicable, with ``round_rule_params``. Otherwise the study's ``primary_rule`` decides when
    it applies to the round's method, else the method's default rule (approval: the K most
    voted, ranking: the N highest ranked). ``rule_params`` holds the study's primary rule's
    parameters (``{"high": 0.8}``); an entry named after a rule holds that rule's parameters
    (``{"gic": {"threshold": 0.6}}``). The top-K and top-N rules cut at the study's target
    core size unless given a ``k``/``n``.
    """
    rule_params = dict(rule_params or {})
    per_rule = {
        name: dict(value)
        for name, value in rule_params.items()
        if name in REGISTRY and isinstance(value, Mapping)
    }
    flat = {k: v for k, v in rule_params.items() if not (k in REGISTRY and isinstance(v, Mapping))}
    study_rule = REGISTRY.get(primary_rule)
    if (
        round_rule is not None
        and round_rule in REGISTRY
        and REGISTRY[round_rule].applies_to(method)
    ):
        primary = round_rule
        per_rule[primary] = {**per_rule.get(primary, {}), **dict(round_rule_params or {})}
    elif study_rule is not None and study_rule.applies_to(method):
        primary = primary_rule
        if flat:
            per_rule[primary] = {**flat, **per_rule.get(primary, {})}
    else:
        primary = DEFAULT_RULES[method]
    if target_core_size:
        per_rule.setdefault("approval_top_k", {}).setdefault("k", target_core_size)
        per_rule.setdefault("ranking_top_n", {}).setdefault("n", target_core_size)
    applicable = {r.name for r in rules_for(method)}
    return primary, {name: p for name, p in per_rule.items() if name in applicable}


def applied_rule(
    method: str,
    primary_rule: str,
    rule_params: Mapping[str, Any] | None,
    target_core_size: int | None = None,
    *,
    round_rule: str | None = None,
    round_rule_params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The rule that decides a round, with all its parameters: ``{"name", "params"}``."""
    name, per_rule = rule_plan(
        method,
        primary_rule,
        rule_params,
        target_core_size,
        round_rule=round_rule,
        round_rule_params=round_rule_params,
    )
    return {"name": name, "params": REGISTRY[name].params(per_rule.get(name))}


def _percent(share: float) -> str:
    text = f"{share * 100:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} %"


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def describe_sv(name: str, params: Mapping[str, Any]) -> str:
    """A rule with its effective parameters in one Swedish sentence (the protocol's words)."""
    p = REGISTRY[name].params(params) if name in REGISTRY else dict(params)
    if name in ("comet_70_15", "comet_70_15_all_groups"):
        text = (
            f"Konsensus när minst {_percent(p['high'])} skattar 7–9 och färre än "
            f"{_percent(p['low'])} skattar 1–3 (COMET)"
        )
        return text + (" i totalen och i varje intressentgrupp" if "all_groups" in name else "")
    if name == "median_iqr":
        return f"Konsensus när medianen är minst {p['median_min']} och kvartilavståndet högst {p['iqr_max']}"
    if name == "ram_ipras":
        return "Lämplig när medianen är 7–9 utan oenighet (RAND/UCLA, IPRAS)"
    if name == "gic":
        return f"Konsensus när gruppinformerad konsensus (GIC) är minst {_number(p['threshold'])}"
    if name == "approval_threshold":
        return f"Konsensus när minst {_percent(p['threshold'])} av de röstande väljer indikatorn"
    if name == "approval_top_k":
        return f"De {p['k']} mest röstade indikatorerna"
    if name == "ranking_top_n":
        return f"De {p['n']} högst rangordnade indikatorerna (Borda-poäng)"
    if name == "ranking_mean_rank":
        return f"Konsensus när medelrangen är högst {_number(p['max_mean_rank'])}"
    return name


SCALES_SV: Final = {
    RATING: "Skattning 1–9 (GRADE) med ”kan ej bedöma”",
    APPROVAL: "Godkännanderöstning: varje deltagare väljer högst K indikatorer",
    RANKING: "Rangordning",
}
