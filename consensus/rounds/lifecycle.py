"""The states of a round (pure). ``transition`` is the only way a round's status changes.

draft --open--> open --close--> closed --reopen--> open

Whether a closed round may be reopened (only until the next round has opened) is checked by
the service, which knows the other rounds; this module knows only the moves.
"""

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"  # being prepared: ballot and settings can change, nobody can answer
    OPEN = "open"  # panelists answer; answers can be changed until the round closes
    CLOSED = "closed"  # results computed and cached; answers are refused


class IllegalTransition(ValueError):
    def __init__(self, current: str, action: str):
        super().__init__(f"cannot {action!r} a round in status {current!r}")
        self.current = current
        self.action = action


_MOVES: dict[tuple[Status, str], Status] = {
    (Status.DRAFT, "open"): Status.OPEN,
    (Status.OPEN, "close"): Status.CLOSED,
    (Status.CLOSED, "reopen"): Status.OPEN,
}

ACTIONS = ("open", "close", "reopen")


def transition(current: str, action: str) -> Status:
    """The status after ``action``; raises :class:`IllegalTransition` for any other move."""
    try:
        return _MOVES[(Status(current), action)]
    except (KeyError, ValueError):
        raise IllegalTransition(current, action) from None


def accepts_answers(status: str) -> bool:
    return status == Status.OPEN
