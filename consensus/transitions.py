"""State machines by table (pure): every status in the product changes through one of these.

Each lifecycle module (studies, rounds, measures) declares its states and its allowed moves
``{(state, action): next state}``; ``Transitions`` checks a move and refuses any other.
"""

from enum import StrEnum
from typing import Generic, TypeVar

S = TypeVar("S", bound=StrEnum)


class IllegalTransition(ValueError):
    """The move is not in the table: nothing may change."""

    def __init__(self, thing: str, current: str, action: str):
        super().__init__(f"cannot {action!r} a {thing} in state {current!r}")
        self.thing = thing
        self.current = current
        self.action = action


class Transitions(Generic[S]):
    def __init__(self, thing: str, states: type[S], moves: dict[tuple[S, str], S]):
        self.thing = thing
        self.states = states
        self.moves = dict(moves)

    def __call__(self, current: str, action: str) -> S:
        """The state after ``action``; raises :class:`IllegalTransition` for any other move."""
        try:
            return self.moves[(self.states(current), action)]
        except (KeyError, ValueError):
            raise IllegalTransition(self.thing, current, action) from None

    def actions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(action for _, action in self.moves))
