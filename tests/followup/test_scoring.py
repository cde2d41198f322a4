"""Measure values computed by hand (the arithmetic is in the comments): every scoring kind,
"vet inte", Wilson and t intervals against published values, the exact target edges, paired
change."""

import json
import math
import pathlib

import pytest

from consensus.followup.change import paired_change
from consensus.followup.scoring import (
    Figure,
    MeasureValue,
    Scale,
    ScoringError,
    Status,
    Target,
    scales_by_item,
    score,
    status_for,
    t_quantile,
    wilson,
)

EXAMPLE = (
    pathlib.Path(__file__).resolve().parents[2] / "consensus/protocol/examples/nns-example.json"
)
DOCUMENT = json.loads(EXAMPLE.read_text(encoding="utf-8"))
SCALES = scales_by_item(DOCUMENT)
MEASURES = {m["id"]: m for i in DOCUMENT["indicators"] for m in i["measures"]}
#: I01-M1: share answering 4 or 5 on D01 among those answering 1..5; target 70, margin 5
I01 = MEASURES["I01-M1"]


def respondents(item, values, **background):
    return [{item: v, **background} for v in values]


# --- published values ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857, table I, method 3 (Wilson score)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_against_published_values(x, n, low, high):
    got_low, got_high = wilson(x, n)
    assert round(got_low, 4) == low
    assert round(got_high, 4) == high


def test_wilson_edges_are_exact():
    assert wilson(0, 7)[0] == 0.0
    assert wilson(7, 7)[1] == 1.0


@pytest.mark.parametrize(
    ("df", "published"),
    [(1, 12.706), (2, 4.303), (4, 2.776), (10, 2.228), (29, 2.045), (120, 1.980)],
)
def test_t_quantile_against_published_tables(df, published):
    assert round(t_quantile(0.975, df), 3) == published


def test_t_quantile_matches_closed_forms():
    # df = 1 is Cauchy: tan(pi (p - 1/2)); df = 2: (2p - 1) / sqrt(2 p (1 - p))
    assert t_quantile(0.975, 1) == pytest.approx(math.tan(math.pi * 0.475), rel=1e-12)
    assert t_quantile(0.975, 2) == pytest.approx(0.95 / math.sqrt(2 * 0.975 * 0.025), rel=1e-12)
    # df = 4: t = sqrt(4 cos(arccos(sqrt(a)) / 3) / sqrt(a) - 4), a = 4 p (1 - p)
    a = 4 * 0.975 * 0.025
    closed = math.sqrt(4 * math.cos(math.acos(math.sqrt(a)) / 3) / math.sqrt(a) - 4)
    assert t_quantile(0.975, 4) == pytest.approx(closed, rel=1e-12)
    assert t_quantile(0.025, 4) == pytest.approx(-closed, rel=1e-12)
    assert t_quantile(0.975, 100_000) == pytest.approx(1.959963984540054, abs=1e-4)


# --- proportion ------------------------------------------------------------------------


def test_proportion_top_two_with_vet_inte_and_blank():
    # D01: 5 4 4 3 2 9 - 5 1 4  (9 = "Vet inte", - = not answered)
    # denominator: answered 1..5 = 5 4 4 3 2 5 1 4 -> 8 (9 and blank out of both)
    # numerator: 4 or 5 among them = 5 4 4 5 4 -> 5
    # value = 100 * 5 / 8 = 62.5
    # Wilson z = 1.959964, z^2 = 3.841459: centre = (0.625 + 3.841459/16) / (1 + 3.841459/8)
    #   = 0.865091 / 1.480182 = 0.584449; half = z sqrt(0.625*0.375/8 + 3.841459/256) / 1.480182
    #   = 1.959964 * sqrt(0.029297 + 0.015006) / 1.480182 = 0.278708 -> 30.5742 .. 86.3156 %
    # 62.5 < 70 - 5 = 65 -> not reached
    cell = respondents("D01", [5, 4, 4, 3, 2, 9, None, 5, 1, 4], kon="K")
    result = score(I01, respondents=cell, scales=SCALES)
    assert (result.numerator, result.denominator, result.n) == (5, 8, 8)
    assert result.value == 62.5
    assert result.ci_low == pytest.approx(30.5742, abs=1e-4)
    assert result.ci_high == pytest.approx(86.3156, abs=1e-4)
    assert result.target == Target(70, 5)
    assert result.status is Status.NOT_REACHED


def test_vet_inte_is_left_out_even_when_a_rule_lists_it():
    measure = {
        **I01,
        "numerator": {"description": {"sv": "x"}, "rule": {"item": "D01", "values": [5, 9]}},
        "denominator": {"description": {"sv": "x"}, "rule": {"item": "D01", "values": [1, 5, 9]}},
    }
    # answers 5 9 9 1 -> denominator 5 1 = 2, numerator 5 = 1 -> 50 %
    result = score(measure, respondents=respondents("D01", [5, 9, 9, 1]), scales=SCALES)
    assert (result.numerator, result.denominator, result.value) == (1, 2, 50.0)


def test_answers_as_text_and_numbers_are_the_same():
    # "4", 4.0, "5 ", 2 -> 3 of 4 = 75 %; "9" is vet inte
    cell = respondents("D01", ["4", 4.0, "5 ", 2, "9"])
    result = score(I01, respondents=cell, scales=SCALES)
    assert (result.numerator, result.denominator, result.value) == (3, 4, 75.0)


def test_proportion_without_denominator_rule_uses_everyone_who_answered():
    measure = {
        "id": "X",
        "scoring": "proportion",
        "items": ["D01"],
        "numerator": {"description": {"sv": "x"}, "rule": {"item": "D01", "values": [5]}},
    }
    # 5 5 3 9 -> denominator 3 (9 out), numerator 2 -> 66.67 %
    result = score(measure, respondents=respondents("D01", [5, 5, 3, 9]), scales=SCALES)
    assert (result.numerator, result.denominator) == (2, 3)
    assert result.value == pytest.approx(200 / 3)


def test_proportion_of_no_answers_has_no_value():
    result = score(I01, respondents=respondents("D01", [9, None]), scales=SCALES)
    assert (result.numerator, result.denominator, result.value) == (0, 0, None)
    assert result.status is Status.NO_DATA


def test_register_proportion_sums_the_rows():
    # I11-M1: (12 of 48) + (6 of 12) = 18 of 60 = 30 %; Wilson(18, 60) = 19.8982 .. 42.5087 %
    result = score(
        MEASURES["I11-M1"],
        figures=[Figure(numerator=12, denominator=48), {"numerator": 6, "denominator": 12}],
    )
    assert (result.numerator, result.denominator, result.value) == (18, 60, 30.0)
    assert result.ci_low == pytest.approx(19.8982, abs=1e-4)
    assert result.ci_high == pytest.approx(42.5087, abs=1e-4)
    assert result.status is Status.NO_TARGET
    assert result.cell_size == 60


# --- mean, median, count, ratio, index, narrative --------------------------------------

MEAN = {
    "id": "MEAN",
    "scoring": "mean",
    "items": ["D01"],
    "target": {"value": 4, "nearMargin": 0.5},
}
MEDIAN = {**MEAN, "id": "MEDIAN", "scoring": "median"}


def test_mean_with_t_interval():
    # 1 2 3 4 5 (9 out): n = 5, mean 3, s^2 = (4+1+0+1+4)/4 = 2.5, s = 1.581139,
    # se = s / sqrt(5) = 0.707107, t(0.975, 4) = 2.776445, half = 1.963243
    # -> 1.036757 .. 4.963243; 3 < 4 - 0.5 -> not reached
    result = score(MEAN, respondents=respondents("D01", [1, 2, 3, 4, 5, 9]), scales=SCALES)
    assert (result.n, result.value) == (5, 3.0)
    assert result.ci_low == pytest.approx(1.036757, abs=1e-6)
    assert result.ci_high == pytest.approx(4.963243, abs=1e-6)
    assert result.numerator is None and result.denominator is None
    assert result.status is Status.NOT_REACHED


def test_mean_of_two_uses_t_with_one_degree_of_freedom():
    # 2 4: mean 3, s = sqrt(2), se = 1, t(0.975, 1) = 12.706205 -> -9.706205 .. 15.706205
    result = score(MEAN, respondents=respondents("D01", [2, 4]), scales=SCALES)
    assert result.ci_low == pytest.approx(-9.706205, abs=1e-6)
    assert result.ci_high == pytest.approx(15.706205, abs=1e-6)


def test_mean_of_one_has_no_interval():
    result = score(MEAN, respondents=respondents("D01", [4, 9]), scales=SCALES)
    assert (result.n, result.value, result.ci_low, result.ci_high) == (1, 4.0, None, None)
    assert result.status is Status.REACHED


@pytest.mark.parametrize(
    ("answers", "n", "median"),
    [
        ([1, 2, 3, 4, 5, 9], 5, 3.0),  # odd: the middle one
        ([1, 2, 4, 5, 9, None], 4, 3.0),  # even: (2 + 4) / 2
        ([5, 5, 4, 1], 4, 4.5),  # sorted 1 4 5 5: (4 + 5) / 2
    ],
)
def test_median(answers, n, median):
    result = score(MEDIAN, respondents=respondents("D01", answers), scales=SCALES)
    assert (result.n, result.value, result.ci_low) == (n, median, None)


def test_count_from_answers_and_from_figures():
    survey = {
        "id": "C",
        "scoring": "count",
        "items": ["D01"],
        "numerator": {"description": {"sv": "x"}, "rule": {"item": "D01", "values": [5]}},
    }
    # 5 5 4 9 5 -> three fives
    result = score(survey, respondents=respondents("D01", [5, 5, 4, 9, 5]), scales=SCALES)
    assert (result.value, result.numerator, result.ci_low) == (3, 3, None)
    # I10-M1 register count: 3 + 4 + 5 (a row with a value counts its value) = 12
    register = score(
        MEASURES["I10-M1"], figures=[Figure(numerator=3), Figure(numerator=4), Figure(value=5)]
    )
    assert register.value == 12
    assert register.cell_size == 12


def test_ratio_of_register_figures():
    measure = {
        "id": "R",
        "scoring": "ratio",
        "method": "register",
        "numerator": {"description": {"sv": "x"}, "rule": {"expression": "a"}},
        "denominator": {"description": {"sv": "x"}, "rule": {"expression": "b"}},
        "direction": "decrease",
        "target": {"value": 0.3, "nearMargin": 0.05},
    }
    # (12 + 6) / (48 + 12) = 18 / 60 = 0.3; decrease, 0.3 <= 0.3 -> reached
    result = score(measure, figures=[Figure(12, 48), Figure(6, 12)])
    assert (result.numerator, result.denominator, result.value) == (18, 60, 0.3)
    assert (result.ci_low, result.ci_high) == (None, None)
    assert result.status is Status.REACHED
    with pytest.raises(ScoringError) as error:
        score(measure, respondents=[{"D01": 4}])
    assert error.value.code == "ratio_needs_figures"


def test_index_combining_measures_is_the_mean_of_their_values():
    index = {
        "id": "IX",
        "scoring": "index",
        "target": {"value": 66, "nearMargin": 2},
        "combines": {"measures": ["A", "B"], "how": {"sv": "medelvärdet"}},
    }
    a = MeasureValue("A", "proportion", value=62.5, numerator=5, denominator=8, n=8)
    b = MeasureValue("B", "proportion", value=70.0, numerator=14, denominator=20, n=20)
    # (62.5 + 70) / 2 = 66.25 >= 66 -> reached; n = min(8, 20) = 8
    result = score(index, components={"A": a, "B": b})
    assert (result.value, result.n, result.ci_low) == (66.25, 8, None)
    assert result.status is Status.REACHED
    # a component without a value gives no value
    empty = MeasureValue("B", "proportion", numerator=0, denominator=0, n=0)
    assert score(index, components={"A": a, "B": empty}).value is None
    with pytest.raises(ScoringError) as error:
        score(index, components={"A": a})
    assert error.value.code == "missing_component"


def test_index_of_items_averages_complete_respondents():
    index = {"id": "IX", "scoring": "index", "items": ["D01", "D02"]}
    cell = [
        {"D01": 4, "D02": 5},  # 4.5
        {"D01": 2, "D02": 3},  # 2.5
        {"D01": 3, "D02": 9},  # vet inte on D02: left out
        {"D01": 5},  # D02 not answered: left out
    ]
    # scores 4.5 and 2.5: mean 3.5, s = sqrt(2), se = 1, t(0.975, 1) = 12.706205
    result = score(index, respondents=cell, scales=SCALES)
    assert (result.n, result.value) == (2, 3.5)
    assert result.ci_low == pytest.approx(3.5 - 12.706205, abs=1e-6)


def test_narrative_has_no_value():
    result = score(MEASURES["I09-M1"])
    assert (result.value, result.n, result.status) == (None, None, Status.NO_TARGET)


def test_bad_input_is_named():
    with pytest.raises(ScoringError) as error:
        score({"id": "Q", "scoring": "average"})
    assert error.value.code == "unknown_scoring"
    assert "”Q”" in str(error.value) and "average" in str(error.value)
    with pytest.raises(ScoringError):
        score({"id": "Q", "scoring": "mean"}, respondents=[{"D01": 1}])
    with pytest.raises(ScoringError):
        score({"id": "Q", "scoring": "proportion", "direction": "up"})
    with pytest.raises(ScoringError):
        score(MEASURES["I11-M1"], figures=[Figure(-1, 10)])


# --- target status: the exact edges ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "direction", "status"),
    [
        # increase, target 70, margin 5: [70, inf) reached, [65, 70) near, below not reached
        (70.0, "increase", Status.REACHED),
        (70.5, "increase", Status.REACHED),
        (69.999, "increase", Status.NEAR),
        (65.0, "increase", Status.NEAR),
        (64.999, "increase", Status.NOT_REACHED),
        (0.0, "increase", Status.NOT_REACHED),
        # decrease, target 70, margin 5: (-inf, 70] reached, (70, 75] near, above not reached
        (70.0, "decrease", Status.REACHED),
        (69.5, "decrease", Status.REACHED),
        (70.001, "decrease", Status.NEAR),
        (75.0, "decrease", Status.NEAR),
        (75.001, "decrease", Status.NOT_REACHED),
    ],
)
def test_status_edges(value, direction, status):
    assert status_for(value, Target(70, 5), direction) is status


def test_status_without_margin_or_target_or_value():
    assert status_for(70, Target(70), "increase") is Status.REACHED
    assert status_for(69.9, Target(70), "increase") is Status.NOT_REACHED
    assert status_for(70, None) is Status.NO_TARGET
    assert status_for(None, Target(70, 5)) is Status.NO_DATA


def test_floating_point_noise_does_not_move_a_value_off_the_target():
    # 0.1 + 0.2 = 0.30000000000000004 and 0.57 * 100 = 56.99999999999999
    assert status_for(0.1 + 0.2, Target(0.3), "decrease") is Status.REACHED
    assert status_for(0.57 * 100, Target(57), "increase") is Status.REACHED


@pytest.mark.parametrize(
    ("fives", "n", "status"),
    [
        (7, 10, Status.REACHED),  # 100 * 7 / 10 = 70 exactly
        (13, 20, Status.NEAR),  # 100 * 13 / 20 = 65 = 70 - 5 exactly
        (129, 200, Status.NOT_REACHED),  # 64.5
        (139, 200, Status.NEAR),  # 69.5
    ],
)
def test_status_edges_through_a_proportion(fives, n, status):
    cell = respondents("D01", [5] * fives + [1] * (n - fives))
    assert score(I01, respondents=cell, scales=SCALES).status is status


def test_status_edges_for_a_decreasing_proportion():
    measure = {**I01, "direction": "decrease", "target": {"value": 30, "nearMargin": 5}}

    def status(fives, n):
        cell = respondents("D01", [5] * fives + [1] * (n - fives))
        return score(measure, respondents=cell, scales=SCALES).status

    assert status(3, 10) is Status.REACHED  # 30
    assert status(7, 20) is Status.NEAR  # 35 = 30 + 5
    assert status(71, 200) is Status.NOT_REACHED  # 35.5
    assert status(61, 200) is Status.NEAR  # 30.5


def test_suppressed_blanks_every_figure():
    result = score(I01, respondents=respondents("D01", [5, 4, 1]), scales=SCALES).suppressed()
    assert result.status is Status.SUPPRESSED
    row = result.as_row()
    for key in ("numerator", "denominator", "n", "value", "ci_low", "ci_high"):
        assert row[key] is None
    assert row["target"] == 70 and row["status"] == "suppressed"


# --- paired change ---------------------------------------------------------------------


def test_paired_change_counts_pairs_only():
    scale = SCALES["D01"]
    t0 = {"a": 2, "b": 3, "c": 4, "d": 1, "e": 9, "f": 2}
    t6 = {"a": 3, "b": 3, "c": 2, "d": 4, "e": 4, "g": 5}
    # pairs: a 2->3 up, b 3->3 same, c 4->2 down, d 1->4 up; e (vet inte at T0), f (no T6)
    # and g (no T0) are left out -> 2 of 4 moved up = 50 %
    # Wilson(2, 4): centre = (0.5 + 3.841459/8) / (1 + 3.841459/4) = 0.980182 / 1.960365 = 0.5
    #   half = 1.959964 sqrt(0.0625 + 3.841459/64) / 1.960365 = 0.349961 -> 15.0039 .. 84.9961 %
    change = paired_change(t0, t6, scale)
    assert (change.n, change.moved_up, change.unchanged, change.moved_down) == (4, 2, 1, 1)
    assert change.left_out == 3
    assert change.value == 50.0
    assert change.ci_low == pytest.approx(15.0039, abs=1e-4)
    assert change.ci_high == pytest.approx(84.9961, abs=1e-4)


def test_paired_change_follows_the_scale_order_not_the_numbers():
    steps = Scale(categories=("ej redo", "nära", "redo"), missing=("vet inte",))
    t0 = {"a": "ej redo", "b": "redo", "c": "nära"}
    t12 = {"a": "nära", "b": "nära", "c": "vet inte"}
    change = paired_change(t0, t12, steps)
    assert (change.n, change.moved_up, change.moved_down, change.left_out) == (2, 1, 1, 1)


def test_paired_change_without_pairs_has_no_value():
    change = paired_change({"a": 1}, {"b": 2})
    assert (change.n, change.value, change.left_out) == (0, None, 2)
