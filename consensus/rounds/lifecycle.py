"""The states of a round (pure). ``transition`` is the only way a round's status changes.

draft --open--> open --close--> closed --reopen--> open

Whether a closed round may be reopened (only until the next round has opened) is checked by
the service, which knows the other rounds; this module knows only the moves.
"""

from enum import StrEnum

from ..transitions import IllegalTransition, Transitions

__all__ = ["ACTIONS", "IllegalTransition", "Status", "accepts_answers", "transition"]


class Status(StrEnum):
    DRAFT = "draft"  # being prepared: ballot and settings can change, nobody can answer
    OPEN = "open"  # panelists answer; answers can be changed until the round closes
    CLOSED = "closed"  # results computed and cached; answers are refused


transition = Transitions(
    "round",
    Status,
    {
        (Status.DRAFT, "open"): Status.OPEN,
        (Status.OPEN, "close"): Status.CLOSED,
        (Status.CLOSED, "reopen"): Status.OPEN,
    },
)

ACTIONS = transition.actions()


def accepts_answers(status: str) -> bool:
    return status == Status.OPEN
