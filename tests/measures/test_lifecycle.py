"""The proposal and canonical-measure status tables: every legal move, every other one refused."""

import itertools

import pytest

from consensus.measures import lifecycle
from consensus.measures.lifecycle import MeasureStatus, ProposalStatus

# Every (state, action) pair of each machine: the state it leads to, or None (refused).
PROPOSAL_MOVES = {
    ("draft", "submit"): "submitted",
    ("draft", "edit"): None,
    ("submitted", "submit"): None,
    ("submitted", "edit"): "draft",
}
MEASURE_MOVES = {
    ("candidate", "accept"): "accepted",
    ("candidate", "reject"): "rejected",
    ("candidate", "reset"): None,  # already undecided: nothing to reset
    ("accepted", "accept"): "accepted",  # decided again (a new reason, a new date)
    ("accepted", "reject"): "rejected",
    ("accepted", "reset"): "candidate",
    ("rejected", "accept"): "accepted",
    ("rejected", "reject"): "rejected",
    ("rejected", "reset"): "candidate",
}


def test_the_tables_cover_every_state_and_action():
    for moves, states, machine in (
        (PROPOSAL_MOVES, ProposalStatus, lifecycle.proposal_transition),
        (MEASURE_MOVES, MeasureStatus, lifecycle.measure_transition),
    ):
        pairs = set(itertools.product([s.value for s in states], machine.actions()))
        assert set(moves) == pairs


@pytest.mark.parametrize(
    ("machine", "current", "action", "after"),
    [(lifecycle.proposal_transition, *move, after) for move, after in PROPOSAL_MOVES.items()]
    + [(lifecycle.measure_transition, *move, after) for move, after in MEASURE_MOVES.items()],
)
def test_moves(machine, current, action, after):
    if after is None:
        with pytest.raises(lifecycle.IllegalTransition) as refused:
            machine(current, action)
        assert (refused.value.current, refused.value.action) == (current, action)
    else:
        assert machine(current, action) == after
        assert isinstance(machine(current, action), machine.states)


@pytest.mark.parametrize(
    ("machine", "current", "action"),
    [
        (lifecycle.proposal_transition, "draft", "accept"),
        (lifecycle.proposal_transition, "archived", "submit"),
        (lifecycle.measure_transition, "submitted", "accept"),
        (lifecycle.measure_transition, "candidate", "submit"),
        (lifecycle.measure_transition, "", "reset"),
    ],
)
def test_unknown_states_and_actions_are_refused(machine, current, action):
    with pytest.raises(lifecycle.IllegalTransition):
        machine(current, action)


def test_every_decision_has_its_action():
    assert set(lifecycle.DECISION_ACTIONS) == set(MeasureStatus)
    assert set(lifecycle.DECISION_ACTIONS.values()) == set(lifecycle.measure_transition.actions())


def test_statuses_are_stored_as_their_strings():
    assert [s.value for s in ProposalStatus] == ["draft", "submitted"]
    assert [s.value for s in MeasureStatus] == ["candidate", "accepted", "rejected"]
    assert ProposalStatus.SUBMITTED == "submitted"
