"""The states of a measures survey (pure). ``transition`` is the only way its status changes.

draft --open--> open --close--> closed --reopen--> open
"""

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"  # being prepared: indicators, texts and workshops can change
    OPEN = "open"  # respondents propose measures, save drafts and submit
    CLOSED = "closed"  # submissions are refused; drafts are kept; review goes on


class IllegalTransition(ValueError):
    def __init__(self, current: str, action: str):
        super().__init__(f"cannot {action!r} a measures survey in status {current!r}")
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


def accepts_proposals(status: str) -> bool:
    return status == Status.OPEN


class RatingStatus(StrEnum):
    """The optional expert rating of the candidate measures (relevance, feasibility 1-9)."""

    NONE = "none"  # not started
    OPEN = "open"  # appointed experts rate
    CLOSED = "closed"  # ratings are final; the statistics stand


_RATING_MOVES: dict[tuple[RatingStatus, str], RatingStatus] = {
    (RatingStatus.NONE, "open_rating"): RatingStatus.OPEN,
    (RatingStatus.OPEN, "close_rating"): RatingStatus.CLOSED,
    (RatingStatus.CLOSED, "reopen_rating"): RatingStatus.OPEN,
}


def rating_transition(current: str, action: str) -> RatingStatus:
    """The rating status after ``action``; the only way it changes."""
    try:
        return _RATING_MOVES[(RatingStatus(current), action)]
    except (KeyError, ValueError):
        raise IllegalTransition(current, action) from None
