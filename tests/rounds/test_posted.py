import pytest

from consensus.rounds.posted import read_ballot


@pytest.mark.parametrize(
    ("method", "form", "whole", "answers", "problems"),
    [
        # A rating, "kan ej bedöma", an emptied rating, and an untouched indicator.
        (
            "rating",
            {"value-1": "7", "value-2": "unable", "value-3": "", "comment-3": " Otydlig "},
            True,
            [
                {"indicator_id": 1, "value": 7, "unable": False},
                {"indicator_id": 2, "value": None, "unable": True},
                {"indicator_id": 3, "value": None, "unable": False, "comment": "Otydlig"},
            ],
            {},
        ),
        (
            "rating",
            {"value-1": "10", "value-2": "x", "value-3": "0"},
            True,
            [],
            {1: "invalid_value", 2: "invalid_value", 3: "invalid_value"},
        ),
        (
            "rating",
            {"reason-2": "Ändrade mig"},
            False,
            [{"indicator_id": 2, "reason": "Ändrade mig"}],
            {},
        ),
        # Approval: a whole form clears what is not ticked; one field at a time touches one.
        (
            "approval",
            {"value-2": "1"},
            True,
            [
                {"indicator_id": 1, "value": None},
                {"indicator_id": 2, "value": 1},
                {"indicator_id": 3, "value": None},
            ],
            {},
        ),
        ("approval", {"value-3": ""}, False, [{"indicator_id": 3, "value": None}], {}),
        (
            "approval",
            {"value-1": "2"},
            True,
            [{"indicator_id": 2, "value": None}, {"indicator_id": 3, "value": None}],
            {1: "invalid_value"},
        ),
        # Ranking.
        (
            "ranking",
            {"value-1": "2", "value-2": "1", "value-3": ""},
            True,
            [
                {"indicator_id": 1, "value": 2},
                {"indicator_id": 2, "value": 1},
                {"indicator_id": 3, "value": None},
            ],
            {},
        ),
        ("ranking", {"value-1": "-1"}, True, [], {1: "invalid_value"}),
    ],
)
def test_read_ballot(method, form, whole, answers, problems):
    result = read_ballot(method, form, [1, 2, 3], whole_ballot=whole)
    assert result.answers == answers
    assert result.problems == problems


def test_read_decisions():
    from consensus.rounds.posted import read_decisions

    proposed = {1: "carry", 2: "drop", 3: "carry", 4: "carry"}
    form = {
        "decision-1": "carry",
        "decision-2": "carry",
        "reason-2": "Gruppen ville diskutera den igen.",
        "decision-3": "drop",
        "decision-4": "core",
    }
    result = read_decisions(form, proposed, ["carry", "drop"])
    # Every posted decision is passed on (1 unchanged, no reason: how an override is undone).
    assert result.overrides == {1: ("carry", ""), 2: ("carry", "Gruppen ville diskutera den igen.")}
    assert result.problems == {3: "reason_required", 4: "invalid_decision"}
