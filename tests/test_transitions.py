"""Every status changes through a table of moves; anything else is refused."""

import pytest

from consensus.measures import lifecycle as measures
from consensus.rounds import lifecycle as rounds
from consensus.studies import lifecycle as studies
from consensus.transitions import IllegalTransition


@pytest.mark.parametrize(
    ("machine", "current", "action", "after"),
    [
        (studies.transition, "setup", "start", "running"),
        (studies.transition, "running", "archive", "archived"),
        (studies.transition, "archived", "restore_running", "running"),
        (rounds.transition, "draft", "open", "open"),
        (rounds.transition, "open", "close", "closed"),
        (rounds.transition, "closed", "reopen", "open"),
        (measures.transition, "draft", "open", "open"),
        (measures.rating_transition, "none", "open_rating", "open"),
    ],
)
def test_allowed_moves(machine, current, action, after):
    assert machine(current, action) == after


@pytest.mark.parametrize(
    ("machine", "current", "action"),
    [
        (studies.transition, "running", "start"),
        (studies.transition, "setup", "restore_setup"),
        (rounds.transition, "draft", "close"),
        (rounds.transition, "closed", "close"),
        (rounds.transition, "open", "open"),
        (rounds.transition, "unknown-state", "open"),
        (measures.transition, "closed", "close"),
        (measures.rating_transition, "open", "open_rating"),
    ],
)
def test_other_moves_are_refused(machine, current, action):
    with pytest.raises(IllegalTransition) as refused:
        machine(current, action)
    assert (refused.value.current, refused.value.action) == (current, action)
    # The lifecycle modules re-export the one exception class.
    assert studies.IllegalTransition is rounds.IllegalTransition is IllegalTransition


def test_actions_are_listed_once_in_order():
    assert rounds.ACTIONS == ("open", "close", "reopen")
