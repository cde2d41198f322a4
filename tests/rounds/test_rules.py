"""Consensus rules and the sensitivity table, against hand-computed decisions."""

import dataclasses
import json

import pytest

from consensus.rounds.rules import (
    DEFAULT_RULES,
    IN,
    OUT,
    REGISTRY,
    UNDECIDED,
    decide,
    gic,
    rules_for,
    sensitivity,
    top_k,
)
from consensus.rounds.stats import approval_stats, ranking_stats, rating_stats, votes_frame


def rating_round(ratings_by_code, *, min_group_size=1, group="A"):
    """A rating round with one row per rating; None is "kan ej bedöma"."""
    rows = []
    for code, ratings in ratings_by_code.items():
        rows += [(f"p{i}", group, code, r, r is None) for i, r in enumerate(ratings)]
    return rating_stats(votes_frame(rows), list(ratings_by_code), min_group_size=min_group_size)


def ratings(high=0, mid=0, low=0, unable=0):
    """``high`` 8s, ``mid`` 5s, ``low`` 2s and ``unable`` "kan ej bedöma"."""
    return [8] * high + [5] * mid + [2] * low + [None] * unable


# --------------------------------------------------------------------------------------------
# COMET 70/15
# --------------------------------------------------------------------------------------------

COMET_CASES = [
    # (high, mid, low, unable) of 20 ratings -> p_high, p_low -> decision
    pytest.param((14, 3, 3, 0), UNDECIDED, id="70% high, exactly 15% low: not p_low < 0.15"),
    pytest.param((13, 5, 2, 0), UNDECIDED, id="65% high"),
    pytest.param((14, 4, 2, 0), IN, id="exactly 70% high, 10% low"),
    pytest.param((15, 2, 3, 0), UNDECIDED, id="75% high, 15% low"),
    pytest.param((20, 0, 0, 0), IN, id="all high"),
    pytest.param((3, 3, 14, 0), UNDECIDED, id="70% low, exactly 15% high"),
    pytest.param((2, 5, 13, 0), UNDECIDED, id="65% low"),
    pytest.param((2, 4, 14, 0), OUT, id="exactly 70% low, 10% high"),
    pytest.param((0, 0, 20, 0), OUT, id="all low"),
    pytest.param((0, 20, 0, 0), UNDECIDED, id="all in the middle"),
    # 14/20 high with 5 "kan ej bedöma": n = 20, so 70 % (14/25 = 56 % would be wrong)
    pytest.param((14, 4, 2, 5), IN, id="kan ej bedoma excluded from n"),
    pytest.param((0, 0, 0, 3), UNDECIDED, id="only kan ej bedoma"),
]


@pytest.mark.parametrize(("counts", "expected"), COMET_CASES)
def test_comet_70_15(counts, expected):
    stats = rating_round({"K": ratings(*counts)})
    assert decide(stats, "comet_70_15").decisions == {"K": expected}


def test_comet_thresholds_are_configurable():
    stats = rating_round({"K": ratings(14, 4, 2)})  # 70 % high, 10 % low
    assert decide(stats, "comet_70_15", {"high": 0.75}).decisions["K"] == UNDECIDED
    assert decide(stats, "comet_70_15", {"low": 0.10}).decisions["K"] == UNDECIDED
    assert decide(stats, "comet_70_15", {"low": 0.11}).decisions["K"] == IN
    with pytest.raises(ValueError, match="no parameter"):
        decide(stats, "comet_70_15", {"hi": 0.8})


def test_an_indicator_nobody_rated_is_undecided_under_every_rating_rule():
    stats = rating_round({"K": ratings(20), "EMPTY": []})
    table = sensitivity(stats)
    assert set(table.decisions["EMPTY"].values()) == {UNDECIDED}


# --------------------------------------------------------------------------------------------
# COMET in every stakeholder group
# --------------------------------------------------------------------------------------------


def group_round(min_group_size):
    # groups A (5 panelists), B (5), C (1); indicators X, Y, Z
    plan = {
        #      A                 B                  C
        "X": ([9, 9, 9, 8, 8], [9, 8, 8, 7, 5], [2]),
        "Y": ([9, 9, 9, 8, 8], [9, 8, 7, 5, 5], [2]),
        "Z": ([1, 1, 2, 2, 3], [1, 2, 3, 3, 3], [9]),
    }
    rows = []
    for code, by_group in plan.items():
        for group, values in zip("ABC", by_group, strict=True):
            rows += [(f"{group}{i}", group, code, v, False) for i, v in enumerate(values)]
    return rating_stats(votes_frame(rows), list(plan), min_group_size=min_group_size)


def test_comet_in_every_group_with_small_group_suppressed():
    stats = group_round(min_group_size=5)
    # X overall: 9 of 11 high (0.82), 1 low (0.09) -> IN; A 5/5, B 4/5 = 0.8 -> IN; C suppressed
    # Y overall: 8/11 = 0.73 high, 1/11 low -> IN, but B 3/5 = 0.6 high -> not IN in B
    # Z overall: 10/11 low, 1/11 high (0.09 < 0.15) -> OUT; A and B 5/5 low -> OUT
    assert decide(stats, "comet_70_15").decisions == {"X": IN, "Y": IN, "Z": OUT}
    assert decide(stats, "comet_70_15_all_groups").decisions == {
        "X": IN,
        "Y": UNDECIDED,
        "Z": OUT,
    }


def test_comet_in_every_group_counts_a_visible_group_of_one():
    stats = group_round(min_group_size=1)
    # C is now visible: its one panelist rates X 2 (p_low 1.0) -> X is not IN in C
    assert decide(stats, "comet_70_15_all_groups").decisions == {
        "X": UNDECIDED,
        "Y": UNDECIDED,
        "Z": UNDECIDED,
    }


def test_comet_in_every_group_falls_back_to_overall_when_all_groups_suppressed():
    stats = rating_round({"K": ratings(4)}, min_group_size=5)  # one group of 4: suppressed
    assert decide(stats, "comet_70_15_all_groups").decisions == {"K": IN}


# --------------------------------------------------------------------------------------------
# Median / IQR
# --------------------------------------------------------------------------------------------

MEDIAN_IQR_CASES = [
    # n = 3: Q1 at h = 0.5, median at 1, Q3 at 1.5
    pytest.param([6, 7, 8], IN, id="median 7, Q1 6.5, Q3 7.5: IQR exactly 1"),
    pytest.param([6, 7, 9], UNDECIDED, id="median 7, Q3 8: IQR 1.5"),
    pytest.param([6, 7], UNDECIDED, id="median 6.5 < 7 (IQR 0.5)"),
    pytest.param([6, 7, 7, 7, 8], IN, id="median 7, IQR 0"),
    pytest.param([9, 9, 9], IN, id="median 9"),
    pytest.param([2, 3, 4], OUT, id="median 3, IQR 1: out by symmetry"),
    pytest.param([3, 4, 5], UNDECIDED, id="median 4"),
    pytest.param([1, 3, 5], UNDECIDED, id="median 3, IQR 2"),
    pytest.param([], UNDECIDED, id="nobody rated"),
]


@pytest.mark.parametrize(("values", "expected"), MEDIAN_IQR_CASES)
def test_median_iqr(values, expected):
    assert decide(rating_round({"K": values}), "median_iqr").decisions == {"K": expected}


def test_median_iqr_parameters():
    stats = rating_round({"K": [6, 7, 8], "L": [2, 3, 4]})
    assert decide(stats, "median_iqr", {"median_min": 8}).decisions["K"] == UNDECIDED
    assert decide(stats, "median_iqr", {"iqr_max": 0.5}).decisions["K"] == UNDECIDED
    assert decide(stats, "median_iqr", {"out_median_max": None}).decisions["L"] == UNDECIDED


# --------------------------------------------------------------------------------------------
# RAND/UCLA with IPRAS
# --------------------------------------------------------------------------------------------

RAM_CASES = [
    # median 7; P30 5.7, P70 8: IPR 2.3 <= IPRAS 5.125 -> appropriate
    pytest.param([1, 2, 5, 6, 7, 7, 8, 8, 9, 9], IN, id="appropriate"),
    # median 7.5 but IPR 8 > IPRAS 2.35 -> uncertain
    pytest.param([1, 1, 1, 1, 7, 8, 9, 9, 9, 9], UNDECIDED, id="disagreement"),
    # median 7, IPR 3.4 = IPRAS 3.4 (not >) -> appropriate
    pytest.param([4, 4, 4, 7, 7, 9, 9], IN, id="IPR equal to IPRAS"),
    # median 7, IPR 4.2 > IPRAS 4.0 -> uncertain
    pytest.param([4, 4, 4, 7, 8, 9, 9], UNDECIDED, id="IPR just above IPRAS"),
    # 2 2 3 3 3: median 3; P30 at 1.2 -> 2.2, P70 at 2.8 -> 3: IPR 0.8, IPRCP 2.6, AI 2.4,
    # IPRAS 5.95 -> inappropriate
    pytest.param([2, 2, 3, 3, 3], OUT, id="inappropriate"),
    # 5 6 7 8: median 6.5 -> uncertain
    pytest.param([5, 6, 7, 8], UNDECIDED, id="median 6.5"),
    # 3 4: median 3.5 -> uncertain
    pytest.param([3, 4], UNDECIDED, id="median 3.5"),
    pytest.param([], UNDECIDED, id="nobody rated"),
]


@pytest.mark.parametrize(("values", "expected"), RAM_CASES)
def test_ram_ipras(values, expected):
    assert decide(rating_round({"K": values}), "ram_ipras").decisions == {"K": expected}


# --------------------------------------------------------------------------------------------
# Group-informed consensus
# --------------------------------------------------------------------------------------------


def test_gic_helper():
    # (agree, n): (2, 3) -> 3/5; (1, 1) -> 2/3; (0, 0) left out -> 0.4
    assert gic([(2, 3), (1, 1), (0, 0)]) == pytest.approx(0.4)
    assert gic([(0, 0)]) is None
    assert gic([]) is None


GIC_CASES = [
    # A 9 9 9 9 -> 5/6; B 8 8 8 -> 4/5: GIC 2/3 -> IN
    pytest.param(([9, 9, 9, 9], [8, 8, 8]), 2 / 3, IN, id="above"),
    # A 8 8 -> 3/4; B 9 -> 2/3: GIC exactly 0.5 -> IN (>=)
    pytest.param(([8, 8], [9]), 0.5, IN, id="exactly at threshold"),
    # A 8 2 -> 2/4; B 9 -> 2/3: GIC 1/3 -> UNDECIDED
    pytest.param(([8, 2], [9]), 1 / 3, UNDECIDED, id="below"),
    # A 8 8 -> 3/4; B only "kan ej bedöma" (n = 0): left out, GIC 3/4 -> IN
    pytest.param(([8, 8], [None]), 3 / 4, IN, id="group without ratings left out"),
    # A 1 1 -> 1/4; B 1 -> 1/3: GIC 1/12 -> UNDECIDED (GIC never says OUT)
    pytest.param(([1, 1], [1]), 1 / 12, UNDECIDED, id="low agreement is not OUT"),
]


@pytest.mark.parametrize(("by_group", "expected_gic", "expected"), GIC_CASES)
def test_gic_rule(by_group, expected_gic, expected):
    rows = []
    for group, values in zip("AB", by_group, strict=True):
        rows += [(f"{group}{i}", group, "K", v, v is None) for i, v in enumerate(values)]
    stats = rating_stats(votes_frame(rows), ["K"])
    assert stats.items["K"].gic == pytest.approx(expected_gic)
    assert decide(stats, "gic").decisions == {"K": expected}
    assert decide(stats, "gic", {"threshold": 0.9}).decisions == {"K": UNDECIDED}


# --------------------------------------------------------------------------------------------
# Approval and ranking rules
# --------------------------------------------------------------------------------------------


def approval_round():
    # p0..p4 select a; p0..p3 select b, c and d; p0 selects e; p7 selects f
    rows = [(f"p{i}", "G", "a", 1) for i in range(5)]
    rows += [(f"p{i}", "G", code, 1) for code in "bcd" for i in range(4)]
    rows += [("p0", "G", "e", 1), ("p7", "G", "f", 1)]
    return approval_stats(votes_frame(rows), list("abcdef"))


def test_approval_round_fixture():
    stats = approval_round()
    # p0..p4 vote a; p0..p3 vote b, c, d; p0 votes e; p7 votes f -> voting p0..p4, p7 = 6
    assert stats.n_voting == 6
    assert {c: s.votes for c, s in stats.items.items()} == {
        "a": 5,
        "b": 4,
        "c": 4,
        "d": 4,
        "e": 1,
        "f": 1,
    }


def test_approval_threshold():
    stats = approval_round()
    # shares of 6: a 5/6, b c d 4/6, e f 1/6
    assert decide(stats, "approval_threshold", {"threshold": 4 / 6}).decisions == {
        "a": IN,
        "b": IN,
        "c": IN,
        "d": IN,
        "e": OUT,
        "f": OUT,
    }
    assert decide(stats, "approval_threshold").decisions["b"] == IN  # 0.67 >= 0.5
    assert decide(stats, "approval_threshold", {"threshold": 0.7}).decisions["b"] == OUT


@pytest.mark.parametrize(
    ("k", "expected", "ties"),
    [
        # a above the cut; b c d tied on 4 votes for places 2-4: taking all exceeds k = 2
        (
            2,
            {"a": IN, "b": UNDECIDED, "c": UNDECIDED, "d": UNDECIDED, "e": OUT, "f": OUT},
            ("b", "c", "d"),
        ),
        (
            3,
            {"a": IN, "b": UNDECIDED, "c": UNDECIDED, "d": UNDECIDED, "e": OUT, "f": OUT},
            ("b", "c", "d"),
        ),
        # all three fit exactly: no tie at the cut
        (4, {"a": IN, "b": IN, "c": IN, "d": IN, "e": OUT, "f": OUT}, ()),
        (1, {"a": IN, "b": OUT, "c": OUT, "d": OUT, "e": OUT, "f": OUT}, ()),
        # e and f tied on 1 vote for place 5 of 5
        (5, {"a": IN, "b": IN, "c": IN, "d": IN, "e": UNDECIDED, "f": UNDECIDED}, ("e", "f")),
        (6, dict.fromkeys("abcdef", IN), ()),
        (10, dict.fromkeys("abcdef", IN), ()),
    ],
)
def test_approval_top_k_reports_ties_at_the_cut(k, expected, ties):
    result = decide(approval_round(), "approval_top_k", {"k": k})
    assert result.decisions == expected
    assert result.tie_at_cut == ties


def test_top_k_when_nobody_voted_is_undecided():
    empty = approval_stats(votes_frame([]), ["a", "b"])
    assert decide(empty, "approval_top_k", {"k": 5}).decisions == {"a": UNDECIDED, "b": UNDECIDED}
    assert decide(empty, "approval_threshold").decisions == {"a": UNDECIDED, "b": UNDECIDED}
    nobody = ranking_stats(votes_frame([]), ["a", "b"])
    assert decide(nobody, "ranking_top_n").decisions == {"a": UNDECIDED, "b": UNDECIDED}


def test_top_k_rejects_k_below_one():
    with pytest.raises(ValueError):
        top_k({"a": 1}, 0)


def test_ranking_top_n_on_borda():
    # Borda from test_stats: A 8.5, B 5.5, C 4, D 0
    frame = votes_frame(
        [
            *[("r1", "G", c, r) for c, r in zip("ABCD", (1, 2, 3, 4), strict=True)],
            *[("r2", "G", c, r) for c, r in zip("ABCD", (1, 3, 2, 4), strict=True)],
            *[("r3", "G", c, r) for c, r in zip("ABCD", (1, 1, 2, 3), strict=True)],
        ]
    )
    stats = ranking_stats(frame, list("ABCD"))
    result = decide(stats, "ranking_top_n", {"n": 2})
    assert result.decisions == {"A": IN, "B": IN, "C": OUT, "D": OUT}
    assert result.tie_at_cut == ()


# --------------------------------------------------------------------------------------------
# Registry and sensitivity table
# --------------------------------------------------------------------------------------------


def test_registry_names_labels_and_methods():
    assert set(REGISTRY) >= {
        "comet_70_15",
        "comet_70_15_all_groups",
        "median_iqr",
        "ram_ipras",
        "approval_threshold",
        "approval_top_k",
        "gic",
    }
    for name, rule in REGISTRY.items():
        assert rule.name == name and rule.label_sv and rule.label_en
    assert [r.name for r in rules_for("approval")] == ["approval_threshold", "approval_top_k"]
    assert DEFAULT_RULES["rating"] == "comet_70_15"


def test_a_rule_refuses_another_method():
    with pytest.raises(ValueError, match="does not apply"):
        decide(approval_round(), "ram_ipras")
    with pytest.raises(ValueError, match="no consensus rule"):
        decide(approval_round(), "nope")


def test_sensitivity_table():
    stats = rating_round(
        {
            # p_high 2/3 -> COMET undecided; median 7, IQR 1 -> IN; RAM: P30 6.6, P70 7.4,
            # IPR 0.8 <= IPRAS 5.35 -> IN; GIC (one group) 3/5 -> IN
            "k1": [6, 7, 8],
            # all 8-9: IN under every rule (IQR 8..9 = 1; RAM IPR 0.8 <= 7.75; GIC 6/7)
            "k2": [8, 8, 9, 9, 9],
            "k3": [],
            # p_low 0.75 but p_high 0.25 -> COMET undecided; median 1.5, IQR 2.75 -> undecided;
            # RAM: P30 1, P70 2.7, IPR 1.7 <= IPRAS 7.075, median <= 3 -> OUT; GIC 2/6
            "k4": [1, 1, 2, 9],
        }
    )
    table = sensitivity(stats, REGISTRY, "comet_70_15")
    assert table.rules == (
        "comet_70_15",
        "comet_70_15_all_groups",
        "median_iqr",
        "ram_ipras",
        "gic",
    )
    d = table.decisions
    assert d["k1"] == {
        "comet_70_15": UNDECIDED,
        "comet_70_15_all_groups": UNDECIDED,
        "median_iqr": IN,
        "ram_ipras": IN,
        "gic": IN,
    }
    assert set(d["k2"].values()) == {IN}
    assert set(d["k3"].values()) == {UNDECIDED}
    assert d["k4"]["ram_ipras"] == OUT and d["k4"]["median_iqr"] == UNDECIDED
    assert table.differs == ("k1", "k4")
    assert table.differs_by_rule == {
        "comet_70_15": (),
        "comet_70_15_all_groups": (),
        "median_iqr": ("k1",),
        "ram_ipras": ("k1", "k4"),
        "gic": ("k1",),
    }
    assert table.counts["ram_ipras"] == {IN: 2, OUT: 1, UNDECIDED: 1}
    json.dumps(dataclasses.asdict(table), allow_nan=False)


def test_sensitivity_with_another_primary_and_parameters():
    stats = rating_round({"k1": [6, 7, 8], "k2": [8, 8, 9, 9, 9]})
    table = sensitivity(stats, primary="median_iqr", params={"comet_70_15": {"high": 0.6}})
    assert table.rules[0] == "median_iqr"
    # with high = 0.6, k1's 2/3 high is IN under COMET too
    assert table.decisions["k1"]["comet_70_15"] == IN
    assert table.params["comet_70_15"] == {"high": 0.6, "low": 0.15}
    assert table.differs_by_rule["comet_70_15_all_groups"] == ("k1",)


def test_sensitivity_skips_rules_of_other_methods_and_reports_ties():
    table = sensitivity(
        approval_round(), primary="approval_top_k", params={"approval_top_k": {"k": 2}}
    )
    assert table.rules == ("approval_top_k", "approval_threshold")
    assert table.tie_at_cut["approval_top_k"] == ("b", "c", "d")
    # threshold 0.5: b c d (4/6) IN where top-2 leaves them undecided
    assert table.differs == ("b", "c", "d")
    with pytest.raises(ValueError, match="does not apply"):
        sensitivity(approval_round(), primary="comet_70_15")
    with pytest.raises(ValueError, match="unknown rule"):
        sensitivity(approval_round(), params={"nope": {}})
