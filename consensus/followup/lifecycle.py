"""The states of a wave and of a questionnaire (pure). ``wave_transition`` and
``response_transition`` are the only ways their statuses change.

A wave (mätning):          draft --open--> open --close--> closed
A questionnaire (svar):    draft --submit--> submitted
A flagged free text:       pending --approve--> approved, pending --hide--> hidden,
                           approved --hide--> hidden, hidden --approve--> approved

A wave's opening and closing dates do not move it: answers are accepted only while its status
is open (:func:`accepts_answers`), whatever the date. The dates are what respondents are told,
and :func:`date_notice` reminds staff when the status and the dates disagree.

A closed wave refuses answers and keeps what was saved; a submitted questionnaire is never
submitted again (a second submit is refused kindly by the service).
"""

import datetime as dt
from enum import StrEnum

from ..transitions import IllegalTransition, Transitions

__all__ = [
    "IllegalTransition",
    "ResponseStatus",
    "Source",
    "FreeTextStatus",
    "WaveStatus",
    "accepts_answers",
    "free_text_transition",
    "date_notice",
    "response_transition",
    "wave_transition",
]


class WaveStatus(StrEnum):
    DRAFT = "draft"  # being prepared: nobody can answer yet
    OPEN = "open"  # respondents answer by the open link or a longitudinal code
    CLOSED = "closed"  # answers are refused; what was saved is kept


class ResponseStatus(StrEnum):
    DRAFT = "draft"  # started: pages saved as the respondent goes
    SUBMITTED = "submitted"  # sent in once; never again


class Source(StrEnum):
    """How a questionnaire reached the platform."""

    WEB = "web"
    PAPER = "paper"
    IMPORT = "import"


wave_transition = Transitions(
    "wave",
    WaveStatus,
    {
        (WaveStatus.DRAFT, "open"): WaveStatus.OPEN,
        (WaveStatus.OPEN, "close"): WaveStatus.CLOSED,
    },
)

response_transition = Transitions(
    "response",
    ResponseStatus,
    {(ResponseStatus.DRAFT, "submit"): ResponseStatus.SUBMITTED},
)


class FreeTextStatus(StrEnum):
    """A free text that looks like it names someone waits for a staff decision."""

    PENDING = "pending"  # flagged: not shown until someone approves it
    APPROVED = "approved"  # reviewed: may be shown (where its cell reaches the minimum)
    HIDDEN = "hidden"  # reviewed: never shown


free_text_transition = Transitions(
    "free_text",
    FreeTextStatus,
    {
        (FreeTextStatus.PENDING, "approve"): FreeTextStatus.APPROVED,
        (FreeTextStatus.PENDING, "hide"): FreeTextStatus.HIDDEN,
        (FreeTextStatus.APPROVED, "hide"): FreeTextStatus.HIDDEN,
        (FreeTextStatus.HIDDEN, "approve"): FreeTextStatus.APPROVED,
    },
)

WAVE_ACTIONS = wave_transition.actions()


def accepts_answers(status: str) -> bool:
    return status == WaveStatus.OPEN


def date_notice(status: str, opens_on: dt.date, closes_on: dt.date, today: dt.date) -> str | None:
    """The code of a staff notice when a wave's status and dates disagree (a message of
    :data:`.messages.CATALOGUE`), or ``None``: an open wave past its closing date still takes
    answers until it is closed; a draft whose opening date has come takes none until opened."""
    if status == WaveStatus.OPEN and today > closes_on:
        return "wave_open_past_closing"
    if status == WaveStatus.DRAFT and today >= opens_on:
        return "wave_draft_past_opening"
    return None
