"""The results document of a round (pure: no Flask, no SQLAlchemy); its tables are in
:mod:`consensus.rounds.result_tables`.

:func:`compute_results` takes one round's votes (the long-format frame of
:mod:`consensus.rounds.stats`) and plain facts about the round, runs the statistics
(:mod:`~consensus.rounds.stats`), the consensus rules and the sensitivity table
(:mod:`~consensus.rounds.rules`) and stability against the previous round
(:mod:`~consensus.rounds.stability`), and returns the **results document**: a plain dict that
``json.dumps(..., allow_nan=False)`` accepts. It is stored at close (``RoundResult.data``), so
the results page, the JSON/CSV downloads and the feedback to panelists never recompute.

Nothing in the document identifies a panelist: no participant ids, no pseudonyms, no comments.
A stakeholder group with fewer members who answered the round than the study's minimum group
size is reported as ``{"suppressed": true}`` (its votes still count in the totals), and so is
the next smallest group when that alone would let the total minus the shown groups give the
hidden one away; hidden groups that together reach the minimum are shown as one combined
group ``ovriga`` (:mod:`consensus.rounds.suppression`). ``suppression`` {hidden, combined}
names them. The response block follows the same plan on the invited counts.

The document (``SCHEMA`` 1)
---------------------------
``round``, ``method``, ``is_final``, ``max_selections``, ``top_m``, ``computed_at`` (ISO 8601),
``n_items``, ``n_panelists`` (rating: panelists with at least one answer, "kan ej bedöma"
included; approval: panelists who selected at least one indicator; ranking: panelists who
ranked at least one), ``min_group_size``, ``groups`` ([{code, name}]),
``krippendorff_alpha`` {nominal, ordinal, interval} (``null``: not computable or not
applicable; approval has only nominal), ``kendall_w`` (ranking only), ``primary_rule``
{name, params}, ``indicators`` (ballot order, below), ``sensitivity_summary`` {rules, params,
counts, differs, differs_by_rule}, ``ties_at_cut`` {rule: [codes]} (rules with a tie at their
cut), ``core_set`` (final round, below), ``stability`` (rating after a rating round) and
``response`` {invited, answered, rate, groups: {code: {invited, answered, rate} | {suppressed}}},
``min_ratings`` (an indicator with fewer ratings is undecided under every rule) and
``suppression`` {hidden, combined}. ``groups`` lists ``ovriga`` last (with ``combined``: the
codes inside it) when hidden groups are shown combined.

Each indicator: ``code``, ``title``, ``n``, ``unable``, the rating numbers ``median``, ``q1``,
``q3``, ``iqr``, ``mean``, ``sd``, ``p_high``, ``p_low``, ``mad_m``, ``cv``, ``distribution``
(counts of 1..9), ``p30``, ``p70``, ``ipr``, ``iprcp``, ``ai``, ``ipras``, ``disagreement``,
``gic``; the approval numbers ``votes``, ``share``; the ranking numbers ``n_ranked``,
``mean_rank``, ``borda``; ``rank`` (1 = best, ties share a rank: rating by p_high then
median, approval by votes, ranking by Borda score); ``decision`` (``in``, ``out`` or
``undecided`` under the primary rule); ``groups`` {code: the same numbers, or
``{"suppressed": true}``}; ``sensitivity`` {rule: decision}; ``stability`` (per item, or
``null``). Numbers that do not apply to the method are ``null``; shares are fractions 0-1.

The core set (final round)
--------------------------
The primary rule decides: only indicators it puts IN are proposed as core. ``n_in`` counts
them and ``status`` compares them with ``target_core_size``:

``fewer``  fewer IN than the target: all of them are selected and ``shortfall`` says how many
           are missing; the projektledare accepts the smaller set or adds named indicators,
           each with a reason (an override, printed in the report). Indicators the primary rule
           left tied at its own cut (top-K, top-N) are listed in ``tied``.
``equal``  exactly the target: all selected.
``more``   more IN than the target: they are ordered by the primary rule's order (rating:
           p_high, then median; approval: votes; ranking: Borda score; highest first) and the
           first ``target_core_size`` selected. IN items tied (same key) across the cut are
           neither selected nor excluded: they are listed in ``tied`` and need a recorded
           decision (``services.confirm_decisions``).

Without a target size the IN items form the core set (``status`` ``null``). ``order`` lists
every code by key; ``excluded`` every code neither selected nor tied.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from . import suppression
from .round_rule import rule_plan
from .rules import IN, REGISTRY, SensitivityTable, sensitivity
from .stability import RoundStability, stability
from .stats import (
    APPROVAL,
    RANKING,
    RATING,
    ApprovalRound,
    RankingRound,
    RatingRound,
    approval_alpha,
    approval_stats,
    krippendorff_alpha,
    ranking_stats,
    rating_stats,
)

SCHEMA = 1
NO_GROUP = "utan-grupp"  # the group code of panelists without a stakeholder group
NO_GROUP_NAME = "Utan intressentgrupp"

RATING_FIELDS = (
    "median",
    "q1",
    "q3",
    "iqr",
    "mean",
    "sd",
    "p_high",
    "p_low",
    "mad_m",
    "cv",
    "distribution",
    "p30",
    "p70",
    "ipr",
    "iprcp",
    "ai",
    "ipras",
    "disagreement",
)
INDICATOR_FIELDS = (
    "code",
    "title",
    "n",
    "unable",
    *RATING_FIELDS,
    "gic",
    "votes",
    "share",
    "n_ranked",
    "mean_rank",
    "borda",
    "rank",
    "decision",
)
CORE_ORDER = {RATING: ("p_high", "median"), APPROVAL: ("votes",), RANKING: ("borda",)}


@dataclass(frozen=True)
class RoundFacts:
    """What :func:`compute_results` needs to know about the round besides its votes."""

    number: int
    method: str
    indicators: Sequence[tuple[str, str]]  # (code, title) in ballot order
    groups: Sequence[tuple[str, str]]  # (code, name) of the study's stakeholder groups
    min_group_size: int = 5
    min_ratings: int = 5
    primary_rule: str = "comet_70_15"
    rule_params: Mapping[str, Any] = field(default_factory=dict)
    round_rule: str | None = None  # an approval or ranking round's own a-priori rule
    round_rule_params: Mapping[str, Any] = field(default_factory=dict)
    is_final: bool = False
    target_core_size: int | None = None
    max_selections: int | None = None
    top_m: int | None = None
    previous_number: int | None = None  # the previous round, for stability


# --------------------------------------------------------------------------------------------
# Ordering and the core set
# --------------------------------------------------------------------------------------------


def competition_rank_by(keys: Mapping[str, tuple]) -> dict[str, int]:
    """Rank 1 + the number of strictly greater keys ("1224"), for tuple keys."""
    ordered = sorted(keys.values(), reverse=True)
    position: dict[tuple, int] = {}
    for i, key in enumerate(ordered):
        position.setdefault(key, i + 1)
    return {code: position[key] for code, key in keys.items()}


def order_key(item: Mapping[str, Any], method: str) -> tuple:
    """The key the core set is cut on (higher is better); a missing number sorts last."""
    return tuple(-math.inf if item.get(name) is None else item[name] for name in CORE_ORDER[method])


def select_core(
    keys: Mapping[str, tuple], target: int
) -> tuple[list[str], list[str], list[str], list[str]]:
    """Cut at ``target``: (order, selected, tied, excluded), codes in order of their key.

    Items whose key equals the key at the cut are tied when taking all of them would exceed
    ``target``; they are neither selected nor excluded. Never breaks a tie.
    """
    if target < 1:
        raise ValueError("the target size must be at least 1")
    order = sorted(keys, key=lambda code: keys[code], reverse=True)
    if len(order) <= target:
        return order, list(order), [], []
    cut = keys[order[target - 1]]
    above = [c for c in order if keys[c] > cut]
    at_cut = [c for c in order if keys[c] == cut]
    below = [c for c in order if keys[c] < cut]
    if len(above) + len(at_cut) <= target:
        return order, above + at_cut, [], below
    return order, above, at_cut, below


def core_set(
    items: Sequence[Mapping[str, Any]],
    method: str,
    target: int | None,
    rule_ties: Sequence[str] = (),
) -> dict[str, Any]:
    """The ``core_set`` block of the document from its indicator entries (see the module
    docstring). ``rule_ties``: the indicators the primary rule left tied at its own cut."""
    keys = {i["code"]: order_key(i, method) for i in items}
    order = sorted(keys, key=lambda code: keys[code], reverse=True)
    in_keys = {i["code"]: keys[i["code"]] for i in items if i["decision"] == IN}
    in_order = [code for code in order if code in in_keys]
    status: str | None
    if not target:
        status, selected, tied = None, [i["code"] for i in items if i["decision"] == IN], []
    elif len(in_keys) < target:
        status, selected = "fewer", in_order
        tied = [code for code in order if code in set(rule_ties) and code not in in_keys]
    elif len(in_keys) == target:
        status, selected, tied = "equal", in_order, []
    else:
        status = "more"
        _, selected, tied, _ = select_core(in_keys, target)
    chosen = set(selected) | set(tied)
    return {
        "target": target or None,
        "order_by": list(CORE_ORDER[method]),
        "order": order,
        "n_in": len(in_keys),
        "status": status,
        "shortfall": max(target - len(in_keys), 0) if target else 0,
        "selected": selected,
        "tied": tied,
        "excluded": [code for code in order if code not in chosen],
    }


# --------------------------------------------------------------------------------------------
# Computing the document
# --------------------------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    """Tuples to lists, NaN/inf to None: what JSON with allow_nan=False accepts."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _empty_item(code: str, title: str) -> dict[str, Any]:
    item: dict[str, Any] = dict.fromkeys(INDICATOR_FIELDS)
    item.update(code=code, title=title, groups={}, sensitivity={}, stability=None)
    return item


def _rating_numbers(s: Any) -> dict[str, Any]:
    out = {name: getattr(s, name) for name in ("n", "unable", *RATING_FIELDS)}
    if out["distribution"] is not None:
        out["distribution"] = list(out["distribution"])
    return out


SUPPRESSED = {"suppressed": True}


def _group_subsets(votes: pd.DataFrame, groups: Sequence[str]) -> dict[str, pd.DataFrame]:
    group = votes["group"].astype(object)
    return {code: votes.loc[(group == code).to_numpy()] for code in groups}


def _combined_votes(votes: pd.DataFrame, codes: Sequence[str]) -> pd.DataFrame:
    """The votes of the groups ``codes``, all relabelled as the combined group."""
    subset = votes.loc[votes["group"].astype(object).isin(list(codes)).to_numpy()].copy()
    subset["group"] = suppression.OTHER
    return subset


def _combined_rating(
    votes: pd.DataFrame, ballot: Sequence[str], plan: suppression.SuppressionPlan
) -> dict[str, dict[str, Any]] | None:
    """Each indicator's numbers for the hidden groups combined ("övriga"), or None."""
    if not plan.combined:
        return None
    combined = rating_stats(
        _combined_votes(votes, plan.combined),
        ballot,
        groups=[suppression.OTHER],
        min_group_size=1,
    )
    return {code: _rating_numbers(s) for code, s in combined.items.items()}


def _round_groups(facts: RoundFacts, votes: pd.DataFrame) -> list[tuple[str, str]]:
    """The study's groups, plus the no-group bucket when some panelist has no group."""
    groups = list(facts.groups)
    present = set(votes["group"].astype(object).unique()) if len(votes) else set()
    known = {code for code, _ in groups}
    if present - known - {NO_GROUP}:
        raise ValueError(f"votes from unknown group(s): {sorted(map(str, present - known))}")
    if NO_GROUP in present and NO_GROUP not in known:
        groups.append((NO_GROUP, NO_GROUP_NAME))
    return groups


def compute_results(
    facts: RoundFacts,
    votes: pd.DataFrame,
    *,
    previous_votes: pd.DataFrame | None = None,
    response: Mapping[str, Any] | None = None,
    computed_at: str | None = None,
) -> dict[str, Any]:
    """Every statistic, rule decision and the sensitivity table of a round, as the document.

    ``votes`` is the round's long-format votes frame (``stats.votes_frame``), only rows that
    are votes (a value, or "kan ej bedöma" in a rating round). ``previous_votes``: the previous
    round's votes, when that round was a rating round too (stability). ``response``: the block
    built by :func:`response_block`.
    """
    method = facts.method
    ballot = [code for code, _ in facts.indicators]
    titles = dict(facts.indicators)
    groups = _round_groups(facts, votes)
    group_codes = [code for code, _ in groups]
    primary, params = rule_plan(
        method,
        facts.primary_rule,
        facts.rule_params,
        facts.target_core_size,
        round_rule=facts.round_rule,
        round_rule_params=facts.round_rule_params,
    )
    items = {code: _empty_item(code, titles[code]) for code in ballot}
    alpha: dict[str, float | None] = {"nominal": None, "ordinal": None, "interval": None}
    kendall = None
    stats_obj: RatingRound | ApprovalRound | RankingRound

    if method == RATING:
        stats_obj = rating_stats(
            votes, ballot, groups=group_codes, min_group_size=facts.min_group_size
        )
        n_panelists = stats_obj.respondents
        alpha = asdict(stats_obj.alpha)
        plan = suppression.plan(dict(stats_obj.group_respondents), facts.min_group_size)
        combined = _combined_rating(votes, ballot, plan)
        for code, s in stats_obj.items.items():
            items[code].update(_rating_numbers(s), gic=s.gic)
            items[code]["groups"] = {
                g: SUPPRESSED if plan.is_hidden(g) else _rating_numbers(gs)
                for g, gs in s.groups.items()
            }
            if combined is not None:
                items[code]["groups"][suppression.OTHER] = combined[code]
        keys = {code: order_key(items[code], RATING) for code in ballot}
        for code, rank in competition_rank_by(keys).items():
            items[code]["rank"] = rank
    elif method == APPROVAL:
        stats_obj = approval_stats(votes, ballot)
        n_panelists = stats_obj.n_voting
        alpha["nominal"] = approval_alpha(votes, ballot)
        for code, a in stats_obj.items.items():
            items[code].update(n=stats_obj.n_voting, unable=0, votes=a.votes, share=a.share)
            items[code]["rank"] = a.rank
        per_group = {
            g: approval_stats(subset, ballot)
            for g, subset in _group_subsets(votes, group_codes).items()
        }
        plan = suppression.plan({g: a.n_voting for g, a in per_group.items()}, facts.min_group_size)
        if plan.combined:
            per_group[suppression.OTHER] = approval_stats(
                _combined_votes(votes, plan.combined), ballot
            )
        for g, group_approval in per_group.items():
            for code, a in group_approval.items.items():
                items[code]["groups"][g] = (
                    SUPPRESSED
                    if plan.is_hidden(g)
                    else {
                        "n": group_approval.n_voting,
                        "votes": a.votes,
                        "share": a.share,
                        "rank": a.rank,
                    }
                )
    elif method == RANKING:
        stats_obj = ranking_stats(votes, ballot)
        n_panelists = stats_obj.kendall.m
        kendall = asdict(stats_obj.kendall)
        alpha = _ranking_alpha(votes, ballot)
        for code, r in stats_obj.items.items():
            items[code].update(
                n=r.n_ranked,
                unable=0,
                n_ranked=r.n_ranked,
                mean_rank=r.mean_rank,
                borda=r.borda,
                rank=r.rank,
            )
        per_group_ranking = {
            g: ranking_stats(subset, ballot)
            for g, subset in _group_subsets(votes, group_codes).items()
        }
        plan = suppression.plan(
            {g: r.kendall.m for g, r in per_group_ranking.items()}, facts.min_group_size
        )
        if plan.combined:
            per_group_ranking[suppression.OTHER] = ranking_stats(
                _combined_votes(votes, plan.combined), ballot
            )
        for g, group_ranking in per_group_ranking.items():
            for code, r in group_ranking.items.items():
                items[code]["groups"][g] = (
                    SUPPRESSED
                    if plan.is_hidden(g)
                    else {
                        "n": group_ranking.kendall.m,
                        "n_ranked": r.n_ranked,
                        "mean_rank": r.mean_rank,
                        "borda": r.borda,
                        "rank": r.rank,
                    }
                )
    else:
        raise ValueError(f"unknown method {method!r}")

    table = sensitivity(stats_obj, REGISTRY, primary, params=params, min_ratings=facts.min_ratings)
    for code in ballot:
        items[code]["decision"] = table.decisions[code][primary]
        items[code]["sensitivity"] = dict(table.decisions[code])

    stability_block = None
    if method == RATING and previous_votes is not None:
        st = stability(previous_votes, votes, ballot)
        stability_block = _stability_block(st, facts.previous_number)
        for code, change in st.items.items():
            item_stability = asdict(change)
            item_stability.pop("code")
            items[code]["stability"] = item_stability

    item_list = [items[code] for code in ballot]
    document = {
        "schema": SCHEMA,
        "round": facts.number,
        "method": method,
        "is_final": facts.is_final,
        "max_selections": facts.max_selections,
        "top_m": facts.top_m,
        "computed_at": computed_at,
        "n_items": len(ballot),
        "n_panelists": n_panelists,
        "min_group_size": facts.min_group_size,
        "groups": [{"code": code, "name": name} for code, name in groups]
        + (
            [
                {
                    "code": suppression.OTHER,
                    "name": suppression.OTHER_NAME,
                    "combined": list(plan.combined),
                }
            ]
            if plan.combined
            else []
        ),
        "min_ratings": facts.min_ratings,
        "suppression": {"hidden": list(plan.hidden), "combined": list(plan.combined)},
        "krippendorff_alpha": alpha,
        "kendall_w": kendall,
        "primary_rule": {"name": primary, "params": dict(table.params[primary])},
        "indicators": item_list,
        "sensitivity_summary": _sensitivity_summary(table),
        "ties_at_cut": {name: list(codes) for name, codes in table.tie_at_cut.items() if codes},
        "core_set": (
            core_set(item_list, method, facts.target_core_size, table.tie_at_cut[primary])
            if facts.is_final
            else None
        ),
        "stability": stability_block,
        "response": dict(response) if response is not None else None,
    }
    return _clean(document)


def _ranking_alpha(votes: pd.DataFrame, ballot: Sequence[str]) -> dict[str, float | None]:
    """Krippendorff's alpha on the ranks (coders = panelists, units = candidates, unranked
    candidates missing)."""
    given = votes.loc[votes["value"].notna()]
    if given.empty or len(ballot) < 2:
        return {"nominal": None, "ordinal": None, "interval": None}
    matrix = given.pivot_table(
        index="panelist", columns="indicator", values="value", aggfunc="first", observed=False
    ).reindex(columns=list(ballot))
    data = matrix.to_numpy(dtype=float)
    domain = sorted({int(v) for v in given["value"].tolist()})
    if len(domain) < 2:
        return {"nominal": None, "ordinal": None, "interval": None}
    return {
        level: krippendorff_alpha(data, level, value_domain=domain)  # type: ignore[arg-type]
        for level in ("nominal", "ordinal", "interval")
    }


def _sensitivity_summary(table: SensitivityTable) -> dict[str, Any]:
    return {
        "primary": table.primary,
        "rules": list(table.rules),
        "params": {name: dict(p) for name, p in table.params.items()},
        "counts": {name: dict(c) for name, c in table.counts.items()},
        "differs": list(table.differs),
        "differs_by_rule": {name: list(codes) for name, codes in table.differs_by_rule.items()},
    }


def _stability_block(st: RoundStability, previous_number: int | None) -> dict[str, Any]:
    return {
        "previous_round": previous_number,
        "kappa": st.kappa,
        "p_observed": st.p_observed,
        "p_expected": st.p_expected,
        "n_pairs": st.n_pairs,
        "n_panelists": st.n_panelists,
        "confusion": [list(row) for row in st.confusion],
    }


def response_block(
    groups: Sequence[tuple[str, str]],
    invited: Mapping[str, int],
    answered: Mapping[str, int],
    *,
    min_group_size: int,
    suppress: bool = True,
) -> dict[str, Any]:
    """Invited and answered overall and per group (code -> count).

    With ``suppress`` (for what panelists or the public may see) a group with fewer than
    ``min_group_size`` invited panelists is ``{"suppressed": true}``, with complementary
    suppression on the invited counts (:mod:`consensus.rounds.suppression`; hidden groups
    that together reach the minimum appear as ``ovriga``); staff may see every count
    (``suppress=False``). ``rate`` is answered / invited (``None`` when none invited).
    """
    codes = [code for code, _ in groups]
    extra = [g for g in list(invited) + list(answered) if g not in codes]
    for code in extra:
        if code not in codes:
            codes.append(code)
    total_invited = sum(invited.values())
    total_answered = sum(answered.values())
    per_group: dict[str, Any] = {}
    plan = suppression.plan({code: invited.get(code, 0) for code in codes}, min_group_size)
    for code in codes:
        i, a = invited.get(code, 0), answered.get(code, 0)
        if suppress and plan.is_hidden(code):
            per_group[code] = dict(SUPPRESSED)
        else:
            per_group[code] = {"invited": i, "answered": a, "rate": a / i if i else None}
    if suppress and plan.combined:
        i = sum(invited.get(code, 0) for code in plan.combined)
        a = sum(answered.get(code, 0) for code in plan.combined)
        per_group[suppression.OTHER] = {"invited": i, "answered": a, "rate": a / i if i else None}
    return {
        "invited": total_invited,
        "answered": total_answered,
        "rate": total_answered / total_invited if total_invited else None,
        "groups": per_group,
    }
