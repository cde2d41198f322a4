"""Complete, partial or not started: what a round's method asks of a panelist (hand-made
table), and the round page's counts of a panel of four."""

import pytest

from consensus.rounds.services.completion import needed_answers, state


@pytest.mark.parametrize(
    ("method", "items", "top_m", "answered", "expected"),
    [
        ("rating", 20, None, 0, "not_started"),
        ("rating", 20, None, 8, "partial"),  # 8 of 20: was "har svarat", and no reminder
        ("rating", 20, None, 19, "partial"),
        ("rating", 20, None, 20, "complete"),
        ("approval", 12, None, 1, "complete"),  # choosing up to K: one choice is a ballot
        ("approval", 12, None, 0, "not_started"),
        ("ranking", 10, 3, 2, "partial"),  # top 3 of 10
        ("ranking", 10, 3, 3, "complete"),
        ("ranking", 5, None, 4, "partial"),  # a full ranking of 5
        ("ranking", 2, 3, 2, "complete"),  # top 3 of only 2 items
    ],
)
def test_state_by_method(method, items, top_m, answered, expected):
    assert state(answered, needed_answers(method, items, top_m)) == expected


def test_an_empty_ballot_needs_nothing():
    assert needed_answers("rating", 0, None) == 0
