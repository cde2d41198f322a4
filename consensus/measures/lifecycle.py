"""The states of a measures survey (pure). ``transition`` is the only way its status changes.

draft --open--> open --close--> closed --reopen--> open
"""

from enum import StrEnum

from ..transitions import IllegalTransition, Transitions

__all__ = [
    "ACTIONS",
    "IllegalTransition",
    "RatingStatus",
    "Status",
    "rating_transition",
    "transition",
]


class Status(StrEnum):
    DRAFT = "draft"  # being prepared: indicators, texts and workshops can change
    OPEN = "open"  # respondents propose measures, save drafts and submit
    CLOSED = "closed"  # submissions are refused; drafts are kept; review goes on


transition = Transitions(
    "measures survey",
    Status,
    {
        (Status.DRAFT, "open"): Status.OPEN,
        (Status.OPEN, "close"): Status.CLOSED,
        (Status.CLOSED, "reopen"): Status.OPEN,
    },
)

ACTIONS = transition.actions()


def accepts_proposals(status: str) -> bool:
    return status == Status.OPEN


class RatingStatus(StrEnum):
    """The optional expert rating of the candidate measures (relevance, feasibility 1-9)."""

    NONE = "none"  # not started
    OPEN = "open"  # appointed experts rate
    CLOSED = "closed"  # ratings are final; the statistics stand


rating_transition = Transitions(
    "rating of measures",
    RatingStatus,
    {
        (RatingStatus.NONE, "open_rating"): RatingStatus.OPEN,
        (RatingStatus.OPEN, "close_rating"): RatingStatus.CLOSED,
        (RatingStatus.CLOSED, "reopen_rating"): RatingStatus.OPEN,
    },
)
