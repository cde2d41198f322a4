"""A protocol version's status moves only along its table: draft → active → retired."""

import pytest

from consensus.protocol.lifecycle import ACTIONS, Status, transition
from consensus.protocol.models import STATUSES
from consensus.transitions import IllegalTransition


@pytest.mark.parametrize(
    ("current", "action", "after"),
    [("draft", "publish", Status.ACTIVE), ("active", "retire", Status.RETIRED)],
)
def test_allowed_moves(current, action, after):
    assert transition(current, action) == after


@pytest.mark.parametrize(
    ("current", "action"),
    [
        ("active", "publish"),
        ("retired", "publish"),
        ("retired", "retire"),
        ("draft", "retire"),
        ("unknown-state", "publish"),
    ],
)
def test_other_moves_are_refused(current, action):
    with pytest.raises(IllegalTransition):
        transition(current, action)


def test_the_stored_strings_are_the_enum():
    assert STATUSES == ("draft", "active", "retired") and ACTIONS == ("publish", "retire")
