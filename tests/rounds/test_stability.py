"""Between-round stability and Cohen's kappa on a small hand-computed case."""

import dataclasses
import json

import pytest

from consensus.rounds.stability import band, crossed_band, stability
from consensus.rounds.stats import votes_frame


def frame(rows):
    return votes_frame([(p, "G", code, v, v is None) for p, code, v in rows])


PREVIOUS = frame(
    [
        ("p1", "A", 8),
        ("p1", "B", 2),
        ("p1", "X", 5),  # X was dropped: not on the current ballot
        ("p2", "A", 5),
        ("p2", "B", 3),
        ("p3", "A", 9),
        ("p3", "B", None),  # kan ej bedöma
        ("p4", "A", 2),  # p4 did not answer the current round
    ]
)
CURRENT = frame(
    [
        ("p1", "A", 7),
        ("p1", "B", 5),
        ("p2", "A", 7),
        ("p2", "B", 3),
        ("p3", "A", 9),
        ("p3", "B", 4),
        ("p5", "A", 8),  # new panelist
    ]
)


def test_stability_by_hand():
    result = stability(PREVIOUS, CURRENT, ["A", "B", "C"])
    # Pairs rated in both rounds (previous -> current, bands 1-3 | 4-6 | 7-9):
    #   p1 A 8 -> 7 (3 -> 3)   p2 A 5 -> 7 (2 -> 3, up)   p3 A 9 -> 9 (3 -> 3)
    #   p1 B 2 -> 5 (1 -> 2, up)   p2 B 3 -> 3 (1 -> 1)
    #   p3 B: kan ej bedöma before -> no pair; p4 and p5 answered only one round
    a, b, c = (result.items[k] for k in "ABC")
    assert (a.n_both, a.moved, a.moved_up, a.moved_down) == (3, 1, 1, 0)
    assert a.moved_share == pytest.approx(1 / 3)
    assert (b.n_both, b.moved, b.moved_share) == (2, 1, 0.5)
    assert (c.n_both, c.moved, c.moved_share) == (0, 0, None)

    # A: previous 2 5 8 9 -> median 6.5, p_high 2/4; current 7 7 8 9 -> 7.5, 4/4
    assert (a.median_previous, a.median_current, a.median_change) == (6.5, 7.5, 1.0)
    assert (a.p_high_previous, a.p_high_current, a.p_high_change) == (0.5, 1.0, 0.5)
    # B: previous 2 3 -> 2.5; current 3 4 5 -> 4; p_high 0 -> 0
    assert (b.median_previous, b.median_current, b.median_change) == (2.5, 4.0, 1.5)
    assert b.p_high_change == 0.0
    # C: on neither ballot's votes
    assert (c.median_change, c.p_high_change) == (None, None)

    # Confusion (rows previous band, columns current band):
    #   band 1: [1 1 0]   (p2 B stays, p1 B moves up)
    #   band 2: [0 0 1]   (p2 A)
    #   band 3: [0 0 2]   (p1 A, p3 A)
    # N = 5, p_o = (1 + 0 + 2) / 5 = 0.6; rows 2 1 2, columns 1 1 3:
    # p_e = (2*1 + 1*1 + 2*3) / 25 = 0.36; kappa = 0.24 / 0.64 = 0.375
    assert result.confusion == ((1, 1, 0), (0, 0, 1), (0, 0, 2))
    assert (result.n_pairs, result.n_panelists) == (5, 3)
    assert result.p_observed == pytest.approx(0.6)
    assert result.p_expected == pytest.approx(0.36)
    assert result.kappa == pytest.approx(0.375)
    json.dumps(dataclasses.asdict(result), allow_nan=False)


def test_kappa_none_without_pairs_or_without_variation():
    nobody = stability(PREVIOUS, frame([("p9", "A", 7)]), ["A"])
    assert (nobody.n_pairs, nobody.kappa, nobody.p_observed) == (0, None, None)
    assert nobody.items["A"].moved_share is None

    # everyone in band 3 both times: p_o = p_e = 1 -> kappa undefined
    same = stability(
        frame([("p1", "A", 7), ("p2", "A", 9)]), frame([("p1", "A", 8), ("p2", "A", 9)]), ["A"]
    )
    assert (same.p_observed, same.p_expected, same.kappa) == (1.0, 1.0, None)


def test_perfect_agreement_across_bands_is_kappa_one():
    prev = frame([("p1", "A", 2), ("p2", "A", 5), ("p3", "A", 8)])
    cur = frame([("p1", "A", 1), ("p2", "A", 6), ("p3", "A", 9)])
    assert stability(prev, cur, ["A"]).kappa == pytest.approx(1.0)


def test_panelist_ids_of_mixed_types_do_not_collide():
    prev = votes_frame([(1, "G", "A", 2), ("1", "G", "A", 8)])
    cur = votes_frame([(1, "G", "A", 8), ("1", "G", "A", 8)])
    result = stability(prev, cur, ["A"])
    # panelist 1 moved 2 -> 8, panelist "1" stayed 8 -> 8
    assert (result.items["A"].n_both, result.items["A"].moved_up) == (2, 1)


@pytest.mark.parametrize(
    ("rating", "expected"),
    [(1, 1), (3, 1), (4, 2), (6, 2), (7, 3), (9, 3), (None, None), (float("nan"), None)],
)
def test_band(rating, expected):
    assert band(rating) == expected


@pytest.mark.parametrize(
    ("previous", "current", "crossed"),
    [
        (3, 4, True),
        (4, 3, True),
        (6, 7, True),
        (7, 6, True),
        (4, 6, False),
        (7, 9, False),
        (1, 9, True),
        (None, 9, False),
        (5, None, False),
    ],
)
def test_crossed_band(previous, current, crossed):
    assert crossed_band(previous, current) is crossed


def test_attrition_compares_round_one_scores_of_completers_and_dropouts():
    from consensus.rounds.stability import attrition
    from consensus.rounds.stats import votes_frame

    # Round 1: panelists 1 and 2 stay, 3 drops out; "kan ej bedöma" is not a rating.
    # Completers: A: 9, 3 -> 1/2 high; B: 8 -> 1/1 high; mean (0.5 + 1.0) / 2 = 0.75.
    # Drop-out:   A: 2 -> 0/1 high; B: unable (left out)  -> mean 0.0. Difference 0.75.
    frame = votes_frame(
        [
            (1, "g", "A", 9, False),
            (2, "g", "A", 3, False),
            (1, "g", "B", 8, False),
            (3, "g", "A", 2, False),
            (3, "g", "B", None, True),
        ]
    )
    result = attrition(frame, completers={1, 2, 99})
    assert (result.n_completers, result.n_dropouts) == (2, 1)
    assert result.mean_p_high_completers == pytest.approx(0.75)
    assert result.mean_p_high_dropouts == pytest.approx(0.0)
    assert result.difference == pytest.approx(0.75)
    nobody_left = attrition(frame, completers={1, 2, 3})
    assert nobody_left.n_dropouts == 0 and nobody_left.difference is None
