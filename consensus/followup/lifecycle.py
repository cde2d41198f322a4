"""The states of a wave and of a questionnaire (pure). ``wave_transition`` and
``response_transition`` are the only ways their statuses change.

A wave (mätning):          draft --open--> open --close--> closed
A questionnaire (svar):    draft --submit--> submitted

A closed wave refuses answers and keeps what was saved; a submitted questionnaire is never
submitted again (a second submit is refused kindly by the service).
"""

from enum import StrEnum

from ..transitions import IllegalTransition, Transitions

__all__ = [
    "IllegalTransition",
    "ResponseStatus",
    "Source",
    "WaveStatus",
    "accepts_answers",
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

WAVE_ACTIONS = wave_transition.actions()


def accepts_answers(status: str) -> bool:
    return status == WaveStatus.OPEN
