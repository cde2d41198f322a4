"""The results document (consensus.rounds.result_document, pure) against hand-computed rounds."""

import json
from dataclasses import replace

import pytest

from consensus.rounds.result_document import (
    NO_GROUP,
    RoundFacts,
    competition_rank_by,
    compute_results,
    core_set,
    response_block,
    rule_plan,
    select_core,
)
from consensus.rounds.result_tables import results_rows, results_table
from consensus.rounds.stats import votes_frame

approx = pytest.approx

FACTS = RoundFacts(
    number=1,
    method="rating",
    indicators=[("I1", "Ett"), ("I2", "Två"), ("I3", "Tre")],
    groups=[("a", "A"), ("b", "B")],
    min_group_size=3,
    min_ratings=1,  # this test is about the statistics, not the minimum
)


def rows(table):
    """{(panelist, group): {indicator: rating or None}} -> vote rows."""
    out = []
    for (panelist, group), ratings in table.items():
        for indicator, value in ratings.items():
            out.append((panelist, group, indicator, value, value is None))
    return out


SMALL = {
    (1, "a"): {"I1": 7, "I2": 1, "I3": 5},
    (2, "a"): {"I1": 8, "I2": 2, "I3": 7},
    (3, "a"): {"I1": 9, "I2": 3, "I3": 9},
    (4, "b"): {"I1": 9, "I2": 1, "I3": 2},
    (5, "b"): {"I1": None, "I2": 5, "I3": 8},
}


def test_hand_computed_rating_round():
    doc = compute_results(FACTS, votes_frame(rows(SMALL)), computed_at="2026-01-01T00:00:00")
    json.dumps(doc, allow_nan=False)
    assert doc["n_panelists"] == 5 and doc["groups"] == [
        {"code": "a", "name": "A"},
        {"code": "b", "name": "B"},
    ]
    i1, i2, i3 = doc["indicators"]
    assert (i1["code"], i1["title"], i1["n"], i1["unable"]) == ("I1", "Ett", 4, 1)
    assert (i1["q1"], i1["median"], i1["q3"], i1["iqr"], i1["mean"]) == (7.75, 8.5, 9, 1.25, 8.25)
    # MAD-M: |7-8.5| + |8-8.5| + 2|9-8.5| = 1.5 + .5 + 1 = 3, / 4
    assert i1["mad_m"] == 0.75
    assert i1["cv"] == approx(i1["sd"] / 8.25)
    assert (i1["decision"], i2["decision"], i3["decision"]) == ("in", "out", "undecided")
    assert [i["rank"] for i in (i1, i2, i3)] == [1, 3, 2]
    # b (2 members) is under the minimum 3; a alone shown would give b away as the total
    # minus a, so a is hidden too (complementary suppression); together 5 but nothing else is
    # shown, so there is no "övriga" either.
    assert i1["groups"]["a"] == i1["groups"]["b"] == {"suppressed": True}
    assert doc["suppression"] == {"hidden": ["a", "b"], "combined": []}
    at_two = compute_results(replace(FACTS, min_group_size=2), votes_frame(rows(SMALL)))
    assert at_two["indicators"][0]["groups"]["a"]["distribution"] == [0, 0, 0, 0, 0, 0, 1, 1, 1]
    assert at_two["indicators"][0]["groups"]["b"]["n"] == 1  # two members, one rating of I1
    # Approval and ranking numbers do not apply to a rating round.
    assert (i1["votes"], i1["share"], i1["borda"]) == (None, None, None)
    # GIC over the groups with ratings: a (3 of 3 agree) 4/5, b (1 of 1) 2/3.
    assert i1["gic"] == approx(4 / 5 * 2 / 3)
    assert doc["sensitivity_summary"]["primary"] == "comet_70_15"
    assert set(doc["sensitivity_summary"]["rules"]) == {
        "comet_70_15",
        "comet_70_15_all_groups",
        "median_iqr",
        "ram_ipras",
        "gic",
    }
    assert i1["sensitivity"]["median_iqr"] == "undecided"  # IQR 1.25 > 1
    assert "I1" in doc["sensitivity_summary"]["differs"]
    assert doc["ties_at_cut"] == {}


def test_panelists_without_group_get_their_own_bucket():
    table = {(1, "a"): {"I1": 9}, (2, NO_GROUP): {"I1": 8}}
    doc = compute_results(FACTS, votes_frame(rows(table)))
    assert doc["groups"][-1] == {"code": NO_GROUP, "name": "Utan intressentgrupp"}
    assert doc["indicators"][0]["groups"][NO_GROUP] == {"suppressed": True}
    with pytest.raises(ValueError):
        compute_results(FACTS, votes_frame(rows({(1, "zz"): {"I1": 9}})))


def test_stability_against_the_previous_round():
    previous = votes_frame(rows(SMALL))
    current = votes_frame(rows({key: {"I1": 9, "I3": 9} for key in SMALL}))
    facts = RoundFacts(
        number=2,
        method="rating",
        indicators=[("I1", "Ett"), ("I3", "Tre")],
        groups=[("a", "A"), ("b", "B")],
        min_group_size=3,
        min_ratings=1,  # this test is about the statistics, not the minimum
        previous_number=1,
    )
    doc = compute_results(facts, current, previous_votes=previous)
    assert doc["stability"]["previous_round"] == 1
    i3 = doc["indicators"][1]["stability"]
    # I3 before: 5 7 9 2 8 -> bands 2 3 3 1 3; now all 9 (band 3): 2 moved up.
    assert (i3["n_both"], i3["moved"], i3["moved_up"], i3["median_change"]) == (5, 2, 2, 2.0)


def test_approval_round_document():
    facts = RoundFacts(
        number=1,
        method="approval",
        indicators=[("I1", "Ett"), ("I2", "Två"), ("I3", "Tre")],
        groups=[("a", "A"), ("b", "B")],
        min_group_size=2,
        min_ratings=1,  # this test is about the statistics, not the minimum
        target_core_size=1,
        is_final=True,
        max_selections=2,
    )
    picks = {1: "a", 2: "a", 3: "b"}
    chosen = {1: ["I1", "I2"], 2: ["I1"], 3: ["I2"]}
    votes = votes_frame(
        [(p, picks[p], code, 1, False) for p, codes in chosen.items() for code in codes]
    )
    doc = compute_results(facts, votes)
    by = {i["code"]: i for i in doc["indicators"]}
    assert (by["I1"]["votes"], by["I1"]["share"], by["I1"]["rank"]) == (2, approx(2 / 3), 1)
    assert (by["I3"]["votes"], by["I3"]["rank"]) == (0, 3)
    # b (one voter) is under the minimum 2, and a would give it away: both hidden.
    assert by["I1"]["groups"]["a"] == by["I1"]["groups"]["b"] == {"suppressed": True}
    # Top-1 at the target size: I1 and I2 both have 2 votes -> tie at the cut, reported.
    assert doc["primary_rule"] == {"name": "approval_top_k", "params": {"k": 1}}
    assert doc["ties_at_cut"] == {"approval_top_k": ["I1", "I2"]}
    assert doc["core_set"]["tied"] == ["I1", "I2"] and doc["core_set"]["excluded"] == ["I3"]
    assert doc["krippendorff_alpha"]["ordinal"] is None


def test_ranking_round_document():
    facts = RoundFacts(
        number=3,
        method="ranking",
        indicators=[("I1", "Ett"), ("I2", "Två"), ("I3", "Tre")],
        groups=[("a", "A")],
        min_group_size=1,
        min_ratings=1,  # this test is about the statistics, not the minimum
        target_core_size=2,
    )
    ranks = {1: {"I1": 1, "I2": 2, "I3": 3}, 2: {"I1": 1, "I2": 3, "I3": 2}}
    votes = votes_frame(
        [(p, "a", code, r, False) for p, order in ranks.items() for code, r in order.items()]
    )
    doc = compute_results(facts, votes)
    by = {i["code"]: i for i in doc["indicators"]}
    # Borda: n - rank -> I1 2 + 2, I2 1 + 0, I3 0 + 1.
    assert [by[c]["borda"] for c in ("I1", "I2", "I3")] == [4.0, 1.0, 1.0]
    assert [by[c]["mean_rank"] for c in ("I1", "I2", "I3")] == [1.0, 2.5, 2.5]
    assert [by[c]["decision"] for c in ("I1", "I2", "I3")] == ["in", "undecided", "undecided"]
    assert doc["ties_at_cut"] == {"ranking_top_n": ["I2", "I3"]}
    assert doc["kendall_w"]["m"] == 2 and doc["kendall_w"]["n"] == 3
    assert doc["core_set"] is None  # not the final round
    assert by["I1"]["groups"]["a"]["borda"] == 4.0


@pytest.mark.parametrize(
    ("method", "primary", "params", "target", "expected"),
    [
        ("rating", "comet_70_15", {}, 15, ("comet_70_15", {})),
        (
            "rating",
            "comet_70_15",
            {"high": 0.8},
            None,
            ("comet_70_15", {"comet_70_15": {"high": 0.8}}),
        ),
        (
            "rating",
            "median_iqr",
            {"iqr_max": 2, "gic": {"threshold": 0.6}},
            None,
            ("median_iqr", {"median_iqr": {"iqr_max": 2}, "gic": {"threshold": 0.6}}),
        ),
        (
            "approval",
            "comet_70_15",
            {"high": 0.8},
            15,
            ("approval_top_k", {"approval_top_k": {"k": 15}}),
        ),
        (
            "approval",
            "comet_70_15",
            {"approval_top_k": {"k": 5}},
            15,
            ("approval_top_k", {"approval_top_k": {"k": 5}}),
        ),
        ("ranking", "comet_70_15", {}, 10, ("ranking_top_n", {"ranking_top_n": {"n": 10}})),
        ("ranking", "comet_70_15", {}, None, ("ranking_top_n", {})),
        ("rating", "no_such_rule", {}, None, ("comet_70_15", {})),
    ],
)
def test_rule_plan(method, primary, params, target, expected):
    assert rule_plan(method, primary, params, target) == expected


@pytest.mark.parametrize(
    ("keys", "target", "selected", "tied", "excluded"),
    [
        ({"a": (3,), "b": (2,), "c": (1,)}, 2, ["a", "b"], [], ["c"]),
        ({"a": (3,), "b": (2,), "c": (2,), "d": (1,)}, 2, ["a"], ["b", "c"], ["d"]),
        ({"a": (3,), "b": (2,), "c": (2,), "d": (1,)}, 3, ["a", "b", "c"], [], ["d"]),
        ({"a": (2,), "b": (2,), "c": (2,)}, 1, [], ["a", "b", "c"], []),
        ({"a": (0.8, 7.0), "b": (0.8, 8.0), "c": (0.6, 9.0)}, 1, ["b"], [], ["a", "c"]),
        ({"a": (0.8, 8.0), "b": (0.8, 8.0), "c": (0.6, 9.0)}, 1, [], ["a", "b"], ["c"]),
        ({"a": (1,), "b": (2,)}, 5, ["b", "a"], [], []),
    ],
)
def test_select_core_reports_ties_at_the_cut(keys, target, selected, tied, excluded):
    order, got_selected, got_tied, got_excluded = select_core(keys, target)
    assert (got_selected, got_tied, got_excluded) == (selected, tied, excluded)
    assert sorted(order) == sorted(keys)


def test_select_core_needs_a_target():
    with pytest.raises(ValueError):
        select_core({"a": (1,)}, 0)


def test_core_set_without_target_is_the_in_items():
    items = [{"code": "a", "decision": "in"}, {"code": "b", "decision": "undecided"}]
    block = core_set(items, "rating", None)
    assert (block["selected"], block["tied"], block["excluded"]) == (["a"], [], ["b"])


def test_rating_core_order_missing_numbers_last():
    items = [
        {"code": "a", "p_high": None, "median": None, "decision": "undecided"},
        {"code": "b", "p_high": 0.5, "median": 6.0, "decision": "undecided"},
    ]
    block = core_set(items, "rating", 1)
    # Nothing is IN under the primary rule, so nothing is proposed (issue 15).
    assert (block["selected"], block["status"], block["shortfall"]) == ([], "fewer", 1)
    assert block["order"] == ["b", "a"]


def test_competition_rank_by_tuples():
    assert competition_rank_by({"a": (1, 2), "b": (1, 3), "c": (1, 3), "d": (0, 9)}) == {
        "b": 1,
        "c": 1,
        "a": 3,
        "d": 4,
    }


@pytest.mark.parametrize(
    ("suppress", "expected_a", "expected_b"),
    [
        # b (2 invited) is under 3, and a shown would give b away as total minus a.
        (True, {"suppressed": True}, {"suppressed": True}),
        (
            False,
            {"invited": 5, "answered": 4, "rate": 0.8},
            {"invited": 2, "answered": 1, "rate": 0.5},
        ),
    ],
)
def test_response_block(suppress, expected_a, expected_b):
    block = response_block(
        [("a", "A"), ("b", "B")],
        {"a": 5, "b": 2},
        {"a": 4, "b": 1},
        min_group_size=3,
        suppress=suppress,
    )
    assert (block["invited"], block["answered"], block["rate"]) == (7, 5, 5 / 7)
    assert block["groups"]["a"] == expected_a
    assert block["groups"]["b"] == expected_b


def test_response_block_with_nobody_invited():
    block = response_block([("a", "A")], {}, {}, min_group_size=1, suppress=False)
    assert block["rate"] is None and block["groups"]["a"]["rate"] is None


def test_results_rows_sort_with_missing_last():
    doc = compute_results(FACTS, votes_frame(rows({(1, "a"): {"I1": 9, "I3": 4}})))
    assert [r["code"] for r in results_rows(doc)] == ["I1", "I2", "I3"]
    assert [r["code"] for r in results_rows(doc, sort="median")] == ["I3", "I1", "I2"]
    assert [r["code"] for r in results_rows(doc, sort="median", descending=True)] == [
        "I1",
        "I3",
        "I2",
    ]
    assert [r["code"] for r in results_rows(doc, sort="no_such_key")] == ["I1", "I2", "I3"]


def test_results_table_one_row_per_indicator():
    doc = compute_results(FACTS, votes_frame(rows(SMALL)))
    headers, table = results_table(doc)
    assert headers[:4] == ["Kod", "Indikator", "n", "Kan ej bedöma"]
    assert "Antal 9" in headers and "Beslut: comet_70_15" in headers
    assert len(table) == 3 and all(len(r) == len(headers) for r in table)
    assert table[0][0] == "I1" and table[0][headers.index("Beslut")] == "in"
