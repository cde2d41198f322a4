"""The states of the measures survey and its parts (pure). Each status changes only through
its transition function, which raises :class:`IllegalTransition` on any other move.

survey (``transition``)
    draft --open--> open --close--> closed --reopen--> open
rating of the measures (``rating_transition``)
    none --open_rating--> open --close_rating--> closed --reopen_rating--> open
a respondent's proposal (``proposal_transition``)
    draft --submit--> submitted --edit--> draft (edited after submitting: submit again)
a canonical measure (``measure_transition``)
    candidate --accept--> accepted, candidate --reject--> rejected, either --reset--> candidate;
    accepted and rejected may be decided again (the other way, or anew with a new reason)
"""

from enum import StrEnum

from ..transitions import IllegalTransition, Transitions

__all__ = [
    "ACTIONS",
    "DECISION_ACTIONS",
    "IllegalTransition",
    "MeasureStatus",
    "ProposalStatus",
    "RatingStatus",
    "Status",
    "accepts_proposals",
    "measure_transition",
    "proposal_transition",
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


class ProposalStatus(StrEnum):
    """A respondent's proposed measure."""

    DRAFT = "draft"  # saved, can be resumed; not seen by the review
    SUBMITTED = "submitted"  # sent in; reviewed and exported


proposal_transition = Transitions(
    "proposal",
    ProposalStatus,
    {
        (ProposalStatus.DRAFT, "submit"): ProposalStatus.SUBMITTED,
        (ProposalStatus.SUBMITTED, "edit"): ProposalStatus.DRAFT,
    },
)


class MeasureStatus(StrEnum):
    """A canonical measure, merged from submitted proposals by the review."""

    CANDIDATE = "candidate"  # not decided (yet, or again)
    ACCEPTED = "accepted"  # selected; may be the indicator's recommended measure
    REJECTED = "rejected"  # turned down, with a reason


measure_transition = Transitions(
    "measure",
    MeasureStatus,
    {
        (MeasureStatus.CANDIDATE, "accept"): MeasureStatus.ACCEPTED,
        (MeasureStatus.CANDIDATE, "reject"): MeasureStatus.REJECTED,
        (MeasureStatus.ACCEPTED, "accept"): MeasureStatus.ACCEPTED,
        (MeasureStatus.ACCEPTED, "reject"): MeasureStatus.REJECTED,
        (MeasureStatus.ACCEPTED, "reset"): MeasureStatus.CANDIDATE,
        (MeasureStatus.REJECTED, "accept"): MeasureStatus.ACCEPTED,
        (MeasureStatus.REJECTED, "reject"): MeasureStatus.REJECTED,
        (MeasureStatus.REJECTED, "reset"): MeasureStatus.CANDIDATE,
    },
)

#: the review's decision (the status it asks for) -> the action of :data:`measure_transition`
DECISION_ACTIONS = {
    MeasureStatus.ACCEPTED: "accept",
    MeasureStatus.REJECTED: "reject",
    MeasureStatus.CANDIDATE: "reset",
}
