"""Statistics of a round against hand-computed tables (expected values worked out in comments)."""

import ast
import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from consensus.rounds import stats as stats_module
from consensus.rounds.stats import (
    approval_alpha,
    approval_stats,
    check_approval_ballot,
    chi2_sf,
    competition_rank,
    describe,
    kendall_w,
    krippendorff_alpha,
    ranking_stats,
    rating_alpha,
    rating_stats,
    votes_frame,
)

approx = pytest.approx


def rows_for(indicator, ratings, *, group="A", start=0):
    """Vote rows (panelist, group, indicator, value, unable); None = "kan ej bedöma"."""
    return [(f"p{start + i}", group, indicator, r, r is None) for i, r in enumerate(ratings)]


def as_json(obj):
    return json.dumps(dataclasses.asdict(obj), allow_nan=False)


# --------------------------------------------------------------------------------------------
# One list of ratings
# --------------------------------------------------------------------------------------------


def test_percentiles_by_linear_interpolation_on_1_2_3_4():
    s = describe([1, 2, 3, 4])
    # h = (n - 1) p = 3p: Q1 at 0.75 -> 1 + 0.75 = 1.75; median at 1.5 -> 2.5; Q3 at 2.25 -> 3.25
    assert (s.q1, s.median, s.q3, s.iqr) == (1.75, 2.5, 3.25, 1.5)
    # P30 at 0.9 -> 1.9; P70 at 2.1 -> 3.1
    assert (s.p30, s.p70) == (approx(1.9), approx(3.1))
    assert s.mean == 2.5
    # deviations -1.5 -0.5 0.5 1.5: squares sum 5, / (n - 1) = 5/3
    assert s.sd == approx(math.sqrt(5 / 3))
    assert s.cv == approx(math.sqrt(5 / 3) / 2.5)
    # |x - 2.5| = 1.5 0.5 0.5 1.5 -> mean 1.0
    assert s.mad_m == 1.0
    assert (s.p_low, s.p_high) == (0.75, 0.0)
    assert s.distribution == (1, 1, 1, 1, 0, 0, 0, 0, 0)
    assert (s.n, s.unable) == (4, 0)


@pytest.mark.parametrize(
    "values",
    [[1, 9], [5], [2, 2, 3, 9, 9, 9, 4], [7, 8, 8, 9, 1, 1, 6, 5, 3, 3, 3], list(range(1, 10)) * 3],
)
def test_percentiles_equal_numpy_default(values):
    s = describe(values)
    for p, got in [(25, s.q1), (50, s.median), (75, s.q3), (30, s.p30), (70, s.p70)]:
        assert got == approx(float(np.percentile(values, p)))
    assert s.mean == approx(float(np.mean(values)))
    if len(values) > 1:
        assert s.sd == approx(float(np.std(values, ddof=1)))


def test_kan_ej_bedoma_is_excluded_from_n_but_counted():
    s = describe([7, 8, None, float("nan"), 9])
    assert (s.n, s.unable) == (3, 2)
    assert s.median == 8  # of 7 8 9 only
    assert s.p_high == 1.0  # 3/3, not 3/5


def test_empty_set_gives_none_never_nan():
    s = describe([None, None])
    assert (s.n, s.unable) == (2 - 2, 2)
    for name in ("median", "q1", "q3", "iqr", "mean", "sd", "p_high", "p_low", "mad_m", "cv"):
        assert getattr(s, name) is None
    assert s.disagreement is None
    as_json(s)


def test_one_rating_has_no_sd():
    s = describe([6])
    assert (s.median, s.q1, s.q3, s.iqr, s.mean) == (6, 6, 6, 0, 6)
    assert s.sd is None and s.cv is None
    assert s.mad_m == 0


def test_ram_ipras_hand_worked():
    # 1 2 5 6 7 7 8 8 9 9 (n = 10): P30 at h = 9 * 0.3 = 2.7 -> x2 + 0.7 (x3 - x2) = 5 + 0.7 = 5.7
    # P70 at h = 6.3 -> x6 + 0.3 (x7 - x6) = 8 + 0 = 8.0
    # IPR = 2.3, IPRCP = (5.7 + 8) / 2 = 6.85, AI = |5 - 6.85| = 1.85,
    # IPRAS = 2.35 + 1.5 * 1.85 = 5.125; 2.3 > 5.125 is false: no disagreement
    s = describe([1, 2, 5, 6, 7, 7, 8, 8, 9, 9])
    assert (s.p30, s.p70) == (approx(5.7), approx(8.0))
    assert s.ipr == approx(2.3)
    assert s.iprcp == approx(6.85)
    assert s.ai == approx(1.85)
    assert s.ipras == approx(5.125)
    assert s.disagreement is False
    assert s.median == 7


def test_ram_disagreement():
    # 1 1 1 1 7 8 9 9 9 9: P30 at 2.7 -> 1, P70 at 6.3 -> 9: IPR 8, IPRCP 5, AI 0, IPRAS 2.35
    s = describe([1, 1, 1, 1, 7, 8, 9, 9, 9, 9])
    assert (s.ipr, s.iprcp, s.ai, s.ipras) == (8, 5, 0, approx(2.35))
    assert s.disagreement is True


def test_ram_ipr_equal_to_ipras_is_not_disagreement():
    # 4 4 4 7 7 9 9 (n = 7): P30 at h = 1.8 -> 4 + 0.8 * 0 = 4; P70 at h = 4.2 -> 7 + 0.2 * 2 = 7.4
    # IPR = 3.4, IPRCP = 5.7, AI = 0.7, IPRAS = 2.35 + 1.05 = 3.4 = IPR: not "IPR > IPRAS"
    # (in binary floats 7.4 - 4 and 2.35 + 1.5 * 0.7 both come out as 3.4000000000000004)
    s = describe([4, 4, 4, 7, 7, 9, 9])
    assert s.ipr == 3.4 and s.ipras == 3.4
    assert s.disagreement is False
    # 4 4 4 7 8 9 9: P70 = 8 + 0.2 = 8.2, IPR 4.2, IPRCP 6.1, AI 1.1, IPRAS 4.0 -> disagreement
    s = describe([4, 4, 4, 7, 8, 9, 9])
    assert (s.ipr, s.ipras) == (approx(4.2), approx(4.0))
    assert s.disagreement is True


@pytest.mark.parametrize("bad", [[0], [10], [7.5], [-1]])
def test_describe_rejects_ratings_outside_1_to_9(bad):
    with pytest.raises(ValueError):
        describe(bad)


# --------------------------------------------------------------------------------------------
# A rating round
# --------------------------------------------------------------------------------------------


def test_round_per_indicator_with_unable_and_an_indicator_nobody_rated():
    rows = rows_for("K1", [8, 9, 2, None, 7]) + rows_for("K2", [None, None])
    result = rating_stats(votes_frame(rows), ["K1", "K2", "K3"], min_group_size=1)
    assert list(result.items) == ["K1", "K2", "K3"]
    k1 = result.items["K1"]
    # 2 7 8 9: median 7.5, p_high 3/4, p_low 1/4
    assert (k1.code, k1.n, k1.unable, k1.median) == ("K1", 4, 1, 7.5)
    assert (k1.p_high, k1.p_low) == (0.75, 0.25)
    k2, k3 = result.items["K2"], result.items["K3"]
    assert (k2.n, k2.unable, k2.median) == (0, 2, None)
    assert (k3.n, k3.unable, k3.median, k3.gic) == (0, 0, None, None)
    assert k3.distribution == (0,) * 9
    assert result.respondents == 5
    json.dumps(dataclasses.asdict(result), allow_nan=False)


def test_groups_and_suppression():
    # group A: five panelists rate 9 9 8 7 5; group B: one panelist rates 1.
    rows = rows_for("K1", [9, 9, 8, 7, 5]) + rows_for("K1", [1], group="B", start=10)
    votes = votes_frame(rows)

    suppressed = rating_stats(votes, ["K1"], min_group_size=5).items["K1"]
    assert suppressed.n == 6  # B's vote is inside the total
    assert suppressed.distribution == (1, 0, 0, 0, 1, 0, 1, 1, 2)
    a, b = suppressed.groups["A"], suppressed.groups["B"]
    assert (a.suppressed, a.n, a.median, a.p_high) == (False, 5, 8, 0.8)
    assert b.suppressed is True
    assert (b.n, b.unable, b.median, b.p_high, b.distribution) == (None,) * 5

    visible = rating_stats(votes, ["K1"], min_group_size=1).items["K1"]
    b = visible.groups["B"]
    assert (b.suppressed, b.n, b.median, b.p_low, b.sd) == (False, 1, 1, 1.0, None)


def test_group_size_counts_people_not_ratings():
    # five panelists in A answered the round, one cannot judge K1: the group has five
    # members, so it is shown (issue 15: people, not ratings), with n 4 for K1.
    rows = rows_for("K1", [9, 9, 8, 7, None])
    item = rating_stats(votes_frame(rows), ["K1"], min_group_size=5).items["K1"]
    assert item.groups["A"].suppressed is False
    assert (item.groups["A"].n, item.groups["A"].unable) == (4, 1)
    assert (item.n, item.unable) == (4, 1)
    # six members needed: hidden
    item = rating_stats(votes_frame(rows), ["K1"], min_group_size=6).items["K1"]
    assert item.groups["A"].suppressed is True


def test_listed_group_without_votes_appears_suppressed():
    rows = rows_for("K1", [9, 9, 8, 7, 5])
    result = rating_stats(votes_frame(rows), ["K1"], groups=["A", "Z"], min_group_size=1)
    assert result.groups == ("A", "Z")
    assert result.items["K1"].groups["Z"].suppressed is True  # n = 0 < 1
    assert result.group_respondents == {"A": 5, "Z": 0}


def test_gic_per_indicator():
    # A: 8 8 2 -> agree 2 of 3, P = 3/5; B: 9 -> agree 1 of 1, P = 2/3;
    # C: only "kan ej bedöma" -> n = 0, left out. GIC = 3/5 * 2/3 = 0.4
    rows = (
        rows_for("K1", [8, 8, 2])
        + rows_for("K1", [9], group="B", start=10)
        + rows_for("K1", [None], group="C", start=20)
    )
    item = rating_stats(votes_frame(rows), ["K1"]).items["K1"]
    assert item.gic == approx(0.4)


def test_json_of_a_suppressed_round_has_no_nan():
    rows = rows_for("K1", [5]) + rows_for("K2", [None])
    result = rating_stats(votes_frame(rows), ["K1", "K2", "K3"])
    text = json.dumps(dataclasses.asdict(result), allow_nan=False)
    assert "NaN" not in text


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("p1", "A", "X", 5, False)], "not on the ballot"),
        ([("p1", "A", "K1", 10, False)], "1 to 9"),
        ([("p1", "A", "K1", 6.5, False)], "1 to 9"),
        ([("p1", "A", "K1", 5, True)], "must not carry a value"),
        ([("p1", "A", "K1", None, False)], "must be marked"),
        ([("p1", "A", "K1", 5, False), ("p1", "A", "K1", 6, False)], "more than one vote"),
        ([("p1", "A", "K1", 5, False), ("p1", "B", "K2", 6, False)], "more than one group"),
    ],
)
def test_malformed_votes_are_rejected(rows, message):
    with pytest.raises(ValueError, match=message):
        rating_stats(votes_frame(rows), ["K1", "K2"])


def test_votes_frame_from_four_tuples_and_empty():
    frame = votes_frame([("p1", "A", "K1", 7), ("p2", "A", "K1", None)])
    assert frame["unable"].tolist() == [False, True]
    assert list(frame.columns) == ["panelist", "group", "indicator", "value", "unable"]
    empty = rating_stats(votes_frame([]), ["K1"])
    assert empty.items["K1"].n == 0 and empty.respondents == 0 and empty.groups == ()


def test_plain_string_columns_work_too():
    frame = pd.DataFrame(
        {
            "panelist": [1, 2, 3],
            "group": ["A", "A", "B"],
            "indicator": ["K1", "K1", "K1"],
            "value": [7.0, 8.0, np.nan],
            "unable": [False, False, True],
        }
    )
    item = rating_stats(frame, ["K1"], min_group_size=1).items["K1"]
    assert (item.n, item.unable, item.median) == (2, 1, 7.5)


# --------------------------------------------------------------------------------------------
# Krippendorff's alpha
# --------------------------------------------------------------------------------------------

NAN = float("nan")
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the 4 observers x 12 units
# example with missing values.
REFERENCE = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_reference_example(level, expected):
    assert krippendorff_alpha(REFERENCE, level, value_domain=range(1, 6)) == approx(
        expected, abs=5e-4
    )


def test_rating_alpha_reproduces_the_reference_from_votes():
    # coders = panelists (observers), units = indicators; the 1-9 domain adds unused values,
    # which change none of the three levels
    rows = [
        (f"obs{c}", "A", f"u{u:02d}", value, False)
        for c, row in enumerate(REFERENCE)
        for u, value in enumerate(row)
        if not math.isnan(value)
    ]
    units = [f"u{u:02d}" for u in range(12)]
    alpha = rating_alpha(votes_frame(rows), units)
    assert alpha.nominal == approx(0.743, abs=5e-4)
    assert alpha.ordinal == approx(0.815, abs=5e-4)
    assert alpha.interval == approx(0.849, abs=5e-4)
    assert rating_stats(votes_frame(rows), units).alpha == alpha


@pytest.mark.parametrize(
    "rows",
    [
        [],  # nothing rated
        [("p1", "A", "K1", 5, False), ("p1", "A", "K2", 7, False)],  # one panelist
        [("p1", "A", "K1", 5, False), ("p2", "A", "K1", 5, False)],  # unanimous
    ],
)
def test_alpha_not_computable_is_none(rows):
    alpha = rating_alpha(votes_frame(rows), ["K1", "K2"])
    assert alpha == stats_module.Alpha(nominal=None, ordinal=None, interval=None)


# --------------------------------------------------------------------------------------------
# Approval
# --------------------------------------------------------------------------------------------


def approval_rows():
    # p1: a b; p2: a c; p3: b; p4 selected nothing (a 0 row)
    return votes_frame(
        [
            ("p1", "A", "a", 1),
            ("p1", "A", "b", 1),
            ("p2", "A", "a", 1),
            ("p2", "A", "c", 1),
            ("p3", "B", "b", 1),
            ("p4", "B", "a", 0),
        ]
    )


def test_approval_votes_share_and_tied_ranks():
    result = approval_stats(approval_rows(), ["a", "b", "c", "d"])
    # voting panelists: p1 p2 p3 = 3. votes a 2, b 2, c 1, d 0
    assert result.n_voting == 3
    got = {c: (s.votes, s.share, s.rank) for c, s in result.items.items()}
    assert got == {
        "a": (2, approx(2 / 3), 1),
        "b": (2, approx(2 / 3), 1),  # tie shares rank 1
        "c": (1, approx(1 / 3), 3),  # competition ranking skips 2
        "d": (0, 0.0, 4),
    }


def test_approval_with_nobody_voting():
    result = approval_stats(votes_frame([]), ["a"])
    assert result.n_voting == 0 and result.items["a"].share is None


def test_competition_rank_1224():
    assert competition_rank([10, 7, 7, 3]) == [1, 2, 2, 4]
    assert competition_rank([1.5, 1.5, 1.5]) == [1, 1, 1]
    assert competition_rank([3, 1, 2], descending=False) == [3, 1, 2]


@pytest.mark.parametrize(
    ("selected", "k", "problems"),
    [
        (["a", "b"], 2, []),
        (["a", "b", "c"], 2, ["too_many"]),
        (["a", "a"], 2, ["duplicate"]),
        (["a", "x"], 2, ["unknown"]),
        ([], 2, []),
    ],
)
def test_check_approval_ballot(selected, k, problems):
    assert check_approval_ballot(selected, k, ["a", "b", "c"]) == problems


def test_approval_alpha_nominal():
    # coders p1 p2 p3 (the voting panelists), units a b: p1 and p2 select a, p3 selects b.
    # unit a: values 1 1 0, unit b: 0 0 1. Each unit has 3 values, so each ordered pair of
    # values from different coders weighs 1/(3 - 1):
    #   unit a: (1,1) x2 -> o11 += 1; (1,0) x2 -> o10 += 1; (0,1) x2 -> o01 += 1
    #   unit b: (0,0) x2 -> o00 += 1; (0,1) x2 -> o01 += 1; (1,0) x2 -> o10 += 1
    # o00 = 1, o11 = 1, o01 = o10 = 2; n0 = n1 = 3, n = 6.
    # alpha = 1 - (n - 1) (o01 + o10) / (n0 n1 + n1 n0) = 1 - 5 * 4 / 18 = -1/9
    frame = votes_frame([("p1", "A", "a", 1), ("p2", "A", "a", 1), ("p3", "A", "b", 1)])
    assert approval_alpha(frame, ["a", "b"]) == approx(-1 / 9)


# --------------------------------------------------------------------------------------------
# Ranking and Kendall's W
# --------------------------------------------------------------------------------------------


def test_chi2_sf_against_closed_forms():
    for x in (0.5, 3.0, 7.7586, 25.0):
        assert chi2_sf(x, 2) == approx(math.exp(-x / 2), rel=1e-12)
        assert chi2_sf(x, 1) == approx(math.erfc(math.sqrt(x / 2)), rel=1e-12)
        assert chi2_sf(x, 4) == approx(math.exp(-x / 2) * (1 + x / 2), rel=1e-12)
    assert chi2_sf(3.841458820694124, 1) == approx(0.05, rel=1e-9)
    assert chi2_sf(0, 3) == 1.0


def chi2_sf_df3(x):
    # closed form for 3 degrees of freedom
    return math.erfc(math.sqrt(x / 2)) + math.sqrt(2 * x / math.pi) * math.exp(-x / 2)


def test_kendall_w_with_a_tie_by_hand():
    # m = 3 raters, n = 4 items A B C D.
    #   rater 1: A 1, B 2, C 3, D 4
    #   rater 2: A 1, C 2, B 3, D 4
    #   rater 3: A and B tied first (1.5 each), C 3, D 4  (given as values 1 1 2 3)
    # R = A 3.5, B 6.5, C 8, D 12 (sum 30 = m n (n+1) / 2); mean R = 7.5
    # S = 16 + 1 + 0.25 + 20.25 = 37.5; T_3 = 2^3 - 2 = 6
    # W = 12 S / (m^2 (n^3 - n) - m sum T) = 450 / (9 * 60 - 18) = 450 / 522 = 25/29
    # chi2 = m (n - 1) W = 225/29 with 3 df
    frame = votes_frame(
        [
            *[("r1", "G", c, r) for c, r in zip("ABCD", (1, 2, 3, 4), strict=True)],
            *[("r2", "G", c, r) for c, r in zip("ABCD", (1, 3, 2, 4), strict=True)],
            *[("r3", "G", c, r) for c, r in zip("ABCD", (1, 1, 2, 3), strict=True)],
        ]
    )
    result = ranking_stats(frame, list("ABCD"))
    w = result.kendall
    assert (w.m, w.n, w.df) == (3, 4, 3)
    assert w.w == approx(25 / 29)
    assert w.chi2 == approx(225 / 29)
    assert w.p == approx(chi2_sf_df3(225 / 29))
    # Borda, n - r points: A 3 + 3 + 2.5 = 8.5; B 2 + 1 + 2.5 = 5.5; C 1 + 2 + 1 = 4; D 0
    got = {c: (s.borda, s.mean_rank, s.rank, s.n_ranked) for c, s in result.items.items()}
    assert got == {
        "A": (8.5, approx(3.5 / 3), 1, 3),
        "B": (5.5, approx(6.5 / 3), 2, 3),
        "C": (4.0, approx(8 / 3), 3, 3),
        "D": (0.0, approx(4.0), 4, 3),
    }


def test_kendall_w_without_the_tie_correction_differs():
    # same rank sums without the tie: W = 450 / 540
    assert kendall_w([3.5, 6.5, 8, 12], m=3).w == approx(450 / 540)
    assert kendall_w([3.5, 6.5, 8, 12], m=3, tie_sum=6).w == approx(25 / 29)


def test_kendall_w_top_m_ballots():
    # m = 3, n = 4, each panelist ranks a top 2; the 2 unranked share rank (2 + 1 + 4) / 2 = 3.5
    #   r1: A 1, B 2 (C D 3.5)   r2: A 1, C 2 (B D 3.5)   r3: B 1, A 2 (C D 3.5)
    # R = A 4, B 6.5, C 9, D 10.5; S = 12.25 + 1 + 2.25 + 9 = 24.5
    # each ballot has one tie group of 2: sum T = 3 * 6 = 18
    # W = 12 * 24.5 / (540 - 54) = 294 / 486 = 49/81; chi2 = 9 * 49/81 = 49/9
    frame = votes_frame(
        [
            ("r1", "G", "A", 1),
            ("r1", "G", "B", 2),
            ("r2", "G", "A", 1),
            ("r2", "G", "C", 2),
            ("r3", "G", "B", 1),
            ("r3", "G", "A", 2),
        ]
    )
    result = ranking_stats(frame, list("ABCD"))
    assert result.kendall.w == approx(49 / 81)
    assert result.kendall.chi2 == approx(49 / 9)
    # Borda (unranked 0): A 3 + 3 + 2 = 8; B 2 + 0 + 3 = 5; C 0 + 2 + 0 = 2; D 0
    got = {c: (s.borda, s.mean_rank, s.n_ranked, s.rank) for c, s in result.items.items()}
    assert got == {
        "A": (8.0, approx(4 / 3), 3, 1),
        "B": (5.0, approx(6.5 / 3), 2, 2),
        "C": (2.0, approx(3.0), 1, 3),
        "D": (0.0, approx(3.5), 0, 4),
    }


def test_kendall_w_undefined_for_one_rater():
    frame = votes_frame([("r1", "G", "A", 1), ("r1", "G", "B", 2)])
    w = ranking_stats(frame, ["A", "B"]).kendall
    assert (w.w, w.chi2, w.p, w.m, w.n) == (None, None, None, 1, 2)


def test_kendall_w_perfect_agreement_is_one():
    frame = votes_frame(
        [(r, "G", c, k) for r in ("r1", "r2") for c, k in zip("ABC", (1, 2, 3), strict=True)]
    )
    assert ranking_stats(frame, list("ABC")).kendall.w == approx(1.0)


# --------------------------------------------------------------------------------------------
# Purity
# --------------------------------------------------------------------------------------------


STATS_PACKAGE = Path(stats_module.__file__).parent
PURE_FILES = [
    *sorted(f"stats/{p.name}" for p in STATS_PACKAGE.glob("*.py")),
    "rules.py",
    "stability.py",
]


@pytest.mark.parametrize("name", PURE_FILES)
def test_module_imports_neither_flask_nor_sqlalchemy(name):
    path = STATS_PACKAGE.parent / name
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not imported & {"flask", "flask_sqlalchemy", "sqlalchemy", "scipy"}
