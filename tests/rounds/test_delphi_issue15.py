"""Issue 15, hand-computed: the primary rule decides the core set, group rules count people,
the minimum number of ratings, and complementary suppression (pure, no app)."""

import json

import pytest

from consensus.rounds import suppression
from consensus.rounds.result_document import RoundFacts, compute_results, response_block
from consensus.rounds.stats import votes_frame


def rating_rows(table):
    """{indicator: [(panelist, group, rating or None), ...]} -> vote rows."""
    return [(p, g, code, v, v is None) for code, votes in table.items() for p, g, v in votes]


def ten(*ratings, group="a"):
    return [(k, group, v) for k, v in enumerate(ratings, start=1)]


def facts(codes, *, method="rating", **extra):
    settings = {
        "number": 2,
        "method": method,
        "indicators": [(c, c) for c in codes],
        "groups": [("a", "A"), ("b", "B"), ("c", "C")],
        "min_group_size": 1,
        "min_ratings": 1,
        "is_final": True,
    }
    settings.update(extra)
    return RoundFacts(**settings)


# Ten panelists in group a. p_high/p_low per indicator (COMET 70/15), median and IQR:
#   H1: 9 9 9 9 9 9 9 9 9 8  p_hi 1.0                median 9, IQR 0     IN under both
#   H2: 9 9 9 9 9 9 9 9 8 8  p_hi 1.0                median 9, IQR 0     IN under both
#   H3: 8 8 8 8 8 8 8 7 7 7  p_hi 1.0                median 8, IQR 1     IN under both
#   M1: 9 9 9 9 9 9 9 5 5 5  p_hi 0.7, p_lo 0        median 9, IQR 4     COMET IN only
#   U1: 9 9 9 9 9 9 5 5 5 5  p_hi 0.6                median 9, IQR 4     neither
#   L1: 1 1 1 1 1 1 1 1 2 2  p_lo 1.0                                    OUT
RATINGS = {
    "H1": [9] * 9 + [8],
    "H2": [9] * 8 + [8, 8],
    "H3": [8] * 7 + [7] * 3,
    "M1": [9] * 7 + [5] * 3,
    "U1": [9] * 6 + [5] * 4,
    "L1": [1] * 8 + [2] * 2,
}
VOTES = votes_frame(rating_rows({code: ten(*values) for code, values in RATINGS.items()}))


@pytest.mark.parametrize(
    ("rule", "target", "status", "selected", "tied", "shortfall"),
    [
        # COMET 70/15: IN = H1 H2 H3 M1 (ordered by p_high, then median: H1 = H2 (1.0, 9)).
        ("comet_70_15", 6, "fewer", ["H1", "H2", "H3", "M1"], [], 2),
        ("comet_70_15", 4, "equal", ["H1", "H2", "H3", "M1"], [], 0),
        ("comet_70_15", 3, "more", ["H1", "H2", "H3"], [], 0),
        ("comet_70_15", 1, "more", [], ["H1", "H2"], 0),
        # Median >= 7 and IQR <= 1: IN = H1 H2 H3 only; M1 is not proposed whatever its rank.
        ("median_iqr", 4, "fewer", ["H1", "H2", "H3"], [], 1),
        ("median_iqr", 3, "equal", ["H1", "H2", "H3"], [], 0),
        ("median_iqr", 2, "more", ["H1", "H2"], [], 0),
    ],
)
def test_the_primary_rule_decides_the_core_set(rule, target, status, selected, tied, shortfall):
    doc = compute_results(facts(list(RATINGS), primary_rule=rule, target_core_size=target), VOTES)
    core = doc["core_set"]
    assert (core["status"], core["selected"], core["tied"], core["shortfall"]) == (
        status,
        selected,
        tied,
        shortfall,
    )
    # Never an indicator the primary rule did not put IN.
    decisions = {i["code"]: i["decision"] for i in doc["indicators"]}
    assert all(decisions[c] == "in" for c in core["selected"] + core["tied"])
    assert set(core["excluded"]) == set(RATINGS) - set(selected) - set(tied)
    assert core["n_in"] == sum(1 for d in decisions.values() if d == "in")


def test_approval_core_set_under_top_k_with_a_tie_at_the_rule_cut():
    # Votes: A1 3, A2 2, A3 2, A4 0 (three voters); top-2 puts A1 IN, A2/A3 tied at the cut.
    chosen = {1: ["A1", "A2"], 2: ["A1", "A3"], 3: ["A1", "A2", "A3"]}
    votes = votes_frame([(p, "a", c, 1, False) for p, codes in chosen.items() for c in codes])
    doc = compute_results(
        facts(["A1", "A2", "A3", "A4"], method="approval", target_core_size=2), votes
    )
    core = doc["core_set"]
    assert (core["status"], core["selected"], core["tied"]) == ("fewer", ["A1"], ["A2", "A3"])
    assert core["excluded"] == ["A4"]


def test_a_kan_ej_bedoma_does_not_remove_a_groups_veto():
    # Group a: twenty 9s. Group b: five members, four 2s and one "kan ej bedöma".
    # Overall 20 of 24 ratings are 7-9 (0.833), 4 of 24 are 1-3 (0.167). The all-groups rule
    # with low = 0.2: overall IN (0.833 >= 0.7, 0.167 < 0.2); group b: p_high 0 of 4, so the
    # group vetoes. Before issue 15, b (4 ratings < 5) was suppressed and K1 went IN.
    rows = [(k, "a", "K1", 9, False) for k in range(1, 21)]
    rows += [(100 + k, "b", "K1", 2, False) for k in range(4)]
    rows += [(200, "b", "K1", None, True)]
    doc = compute_results(
        facts(
            ["K1"],
            primary_rule="comet_70_15_all_groups",
            rule_params={"low": 0.2},
            min_group_size=5,
            is_final=False,
        ),
        votes_frame(rows),
    )
    item = doc["indicators"][0]
    assert item["sensitivity"]["comet_70_15"] == "undecided"  # 0.167 >= 0.15
    assert item["groups"]["b"]["n"] == 4 and item["groups"]["b"]["unable"] == 1
    assert item["decision"] == "undecided"  # b's veto holds


def test_a_group_without_any_rating_of_the_indicator_does_not_veto():
    rows = [(k, "a", "K1", 9, False) for k in range(1, 6)]
    rows += [(100 + k, "b", "K1", None, True) for k in range(5)]
    doc = compute_results(
        facts(["K1"], primary_rule="comet_70_15_all_groups", min_group_size=5, is_final=False),
        votes_frame(rows),
    )
    assert doc["indicators"][0]["decision"] == "in"


@pytest.mark.parametrize(
    ("ratings", "min_ratings", "decision"),
    [
        ([8], 5, "undecided"),  # one rating of 8 is not a consensus
        ([8], 1, "in"),
        ([8, 8, 8, 8], 5, "undecided"),
        ([8, 8, 8, 8, 8], 5, "in"),
        ([8, 8, 8, 8, None, None], 5, "undecided"),  # "kan ej bedöma" is not a rating
        ([1, 1, 1, 1, 1], 5, "out"),
        ([1, 1, 1, 1], 5, "undecided"),
    ],
)
def test_minimum_number_of_ratings(ratings, min_ratings, decision):
    doc = compute_results(
        facts(["K1"], min_ratings=min_ratings, is_final=False),
        votes_frame(rating_rows({"K1": ten(*ratings)})),
    )
    item = doc["indicators"][0]
    assert item["decision"] == decision
    assert doc["min_ratings"] == min_ratings
    if decision == "undecided":
        assert set(item["sensitivity"].values()) == {"undecided"}  # under every rule


def test_minimum_ratings_in_an_approval_round():
    votes = votes_frame([(p, "a", "A1", 1, False) for p in range(1, 4)])
    low = compute_results(facts(["A1", "A2"], method="approval", min_ratings=4), votes)
    assert [i["decision"] for i in low["indicators"]] == ["undecided", "undecided"]
    enough = compute_results(facts(["A1", "A2"], method="approval", min_ratings=3), votes)
    assert [i["decision"] for i in enough["indicators"]] == ["in", "in"]  # both within top-15


# --- complementary suppression -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sizes", "minimum", "shown", "hidden", "combined"),
    [
        ({"a": 8, "b": 6, "c": 2}, 5, ("a",), ("b", "c"), ("b", "c")),  # c, then b (smallest)
        ({"a": 8, "b": 6, "c": 6}, 5, ("a", "b", "c"), (), ()),  # nothing to hide
        ({"a": 8, "b": 3, "c": 3}, 5, ("a",), ("b", "c"), ("b", "c")),  # 3 + 3 = 6 >= 5
        ({"a": 8, "b": 3}, 5, (), ("a", "b"), ()),  # only the total
        ({"a": 8, "b": 6, "c": 0}, 5, ("a", "b"), ("c",), ()),  # an empty group hides nothing
        ({"a": 8, "b": 6, "c": 6, "d": 1}, 5, ("a", "c"), ("b", "d"), ("b", "d")),
        # a + b = 4 < 5: the smallest shown group (c, listed before d) is hidden too.
        ({"a": 2, "b": 2, "c": 9, "d": 9}, 5, ("d",), ("a", "b", "c"), ("a", "b", "c")),
    ],
)
def test_suppression_plan(sizes, minimum, shown, hidden, combined):
    plan = suppression.plan(sizes, minimum)
    assert (plan.shown, plan.hidden, plan.combined) == (shown, hidden, combined)


def _group_rows(sizes, value_of):
    rows, k = [], 0
    for group, size in sizes.items():
        for _ in range(size):
            k += 1
            rows.append((k, group, "K1", value_of(group, k), False))
    return rows


def _recoverable(doc_groups, total, field):
    """What total minus the shown groups (and övriga) gives, if exactly one group is hidden."""
    hidden = [g for g, numbers in doc_groups.items() if numbers.get("suppressed")]
    shown = [numbers for numbers in doc_groups.values() if not numbers.get("suppressed")]
    rest = total - sum(numbers[field] for numbers in shown)
    return hidden, rest


@pytest.mark.parametrize(
    "sizes", [{"a": 8, "b": 6, "c": 2}, {"a": 9, "b": 2}, {"a": 7, "b": 7, "c": 1}]
)
def test_no_hidden_group_can_be_recovered_from_the_results_document(sizes):
    groups = [(g, g.upper()) for g in sizes]
    rows = _group_rows(sizes, lambda g, k: 1 if g == "c" or (g == "b" and len(sizes) == 2) else 9)
    doc = compute_results(
        facts(["K1"], groups=groups, min_group_size=5, is_final=False), votes_frame(rows)
    )
    json.dumps(doc, allow_nan=False)
    item = doc["indicators"][0]
    hidden, rest_n = _recoverable(item["groups"], item["n"], "n")
    small = [g for g, n in sizes.items() if n < 5]
    assert set(small) <= set(hidden)
    # Whatever is left after subtracting every shown figure covers at least the minimum.
    assert rest_n == 0 or rest_n >= 5
    for g in hidden:
        assert item["groups"][g] == {"suppressed": True}
    # The combined group is never a single hidden group.
    if suppression.OTHER in item["groups"]:
        assert len(doc["suppression"]["combined"]) >= 2
        assert item["groups"][suppression.OTHER]["n"] >= 5
    # The per-indicator distribution cannot be recovered for a single small group either.
    shown = [n for g, n in item["groups"].items() if not n.get("suppressed")]
    residual = [
        t - sum(s["distribution"][k] for s in shown) for k, t in enumerate(item["distribution"])
    ]
    assert sum(residual) == 0 or sum(residual) >= 5


def test_combined_group_is_shown_as_ovriga():
    sizes = {"a": 8, "b": 3, "c": 3}
    rows = _group_rows(sizes, lambda g, k: 2 if g == "b" else 9)
    doc = compute_results(
        facts(["K1"], groups=[(g, g) for g in sizes], min_group_size=5, is_final=False),
        votes_frame(rows),
    )
    item = doc["indicators"][0]
    assert item["groups"]["b"] == item["groups"]["c"] == {"suppressed": True}
    other = item["groups"][suppression.OTHER]
    assert (other["n"], other["distribution"][1], other["distribution"][8]) == (6, 3, 3)
    assert doc["groups"][-1] == {
        "code": suppression.OTHER,
        "name": suppression.OTHER_NAME,
        "combined": ["b", "c"],
    }
    # a + övriga = total: nothing more to subtract.
    assert item["groups"]["a"]["n"] + other["n"] == item["n"]


@pytest.mark.parametrize("method", ["approval", "ranking"])
def test_approval_and_ranking_groups_are_suppressed_complementarily(method):
    sizes = {"a": 6, "b": 6, "c": 2}
    rows = []
    k = 0
    for group, size in sizes.items():
        for _ in range(size):
            k += 1
            rows.append((k, group, "X1", 1, False))
            if method == "ranking":
                rows.append((k, group, "X2", 2, False))
    doc = compute_results(
        facts(
            ["X1", "X2"],
            method=method,
            groups=[(g, g) for g in sizes],
            min_group_size=5,
            is_final=False,
        ),
        votes_frame(rows),
    )
    item = doc["indicators"][0]
    # c (2) hidden, then the smallest shown (a, listed first of the two sixes) -> a + c = 8.
    assert item["groups"]["a"] == item["groups"]["c"] == {"suppressed": True}
    assert item["groups"]["b"]["n"] == 6
    assert item["groups"][suppression.OTHER]["n"] == 8


def test_response_block_suppresses_complementarily():
    block = response_block(
        [("a", "A"), ("b", "B"), ("c", "C")],
        {"a": 8, "b": 6, "c": 2},
        {"a": 8, "b": 5, "c": 1},
        min_group_size=5,
    )
    assert block["groups"]["a"] == {"invited": 8, "answered": 8, "rate": 1.0}
    assert block["groups"]["b"] == block["groups"]["c"] == {"suppressed": True}
    assert block["groups"][suppression.OTHER] == {"invited": 8, "answered": 6, "rate": 0.75}


# --- no rounding across a boundary ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "limits", "text"),
    [
        (0.696, None, "69,6\u00a0%"),  # not "70 %" beside "ingen konsensus"
        (0.68, None, "68\u00a0%"),
        (0.7, None, "70\u00a0%"),
        (0.704, None, "70,4\u00a0%"),
        (0.704, (0.15, 0.7), "70\u00a0%"),  # rounding stays on the same side of 70 %
        (0.696, (0.15, 0.7), "69,6\u00a0%"),
        (0.6999, None, "69,99\u00a0%"),  # one decimal would print "70,0 %"
        (0.149, (0.15, 0.7), "14,9\u00a0%"),
        (0.146, (0.15, 0.7), "14,6\u00a0%"),  # "15 %" would cross 15 %
        (0.42, (0.15, 0.7), "42\u00a0%"),
        (1 / 3, None, "33,3\u00a0%"),
        (0.0, None, "0\u00a0%"),
        (None, None, "–"),
    ],
)
def test_share_percent_never_rounds_across_a_boundary(share, limits, text):
    from consensus.rounds.display import share_percent

    assert share_percent(share, limits) == text
