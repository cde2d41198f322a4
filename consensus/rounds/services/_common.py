"""Helpers shared by the parts of :mod:`consensus.rounds.services`: the error, the
dialect, the actor, what counts as a vote and the guard on a round's outcome."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from ...extensions import db
from ...messages import Gettext, swedish
from ..lifecycle import Status
from ..messages import ERRORS
from ..models import Answer, Round


class RoundError(ValueError):
    """A refused action; ``code`` selects the message in ``rounds/messages.py`` (``ERRORS``),
    ``params`` fill it; :meth:`render` words it.

    Codes: ``unknown_method``, ``max_selections_required``, ``invalid_settings``,
    ``study_archived``, ``round_in_progress``, ``previous_not_confirmed``,
    ``final_round_done``, ``no_items``, ``closes_at_past``, ``illegal_transition``,
    ``round_changed``, ``next_round_opened``, ``reason_required``, ``round_not_open``,
    ``round_closed``, ``round_not_closed``, ``not_on_panel``, ``not_on_ballot``,
    ``duplicate_indicator``, ``invalid_value``, ``too_many_selections``, ``duplicate_rank``,
    ``comment_too_long``, ``invalid_decision``, ``ties_unresolved``, ``import_invalid``,
    ``invalid_participant_code``, ``reserved_participant_code``, ``group_required``,
    ``group_mismatch``, ``unknown_group``, ``code_taken``, ``not_in_study``, ``round_rule_method``,
    ``round_rule_param``, ``round_rule_count``, ``round_rule_locked``,
    ``text_required``, ``too_few``, ``top_m_too_large``.
    """

    def __init__(self, code: str, /, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params

    def render(self, gettext: Gettext = swedish) -> str:
        """The message in ``gettext``'s language (Swedish by default: the command line)."""
        return ERRORS.render(self.code, self.params, gettext)


def _actor_id(actor) -> int | None:
    return getattr(actor, "id", None)


def _require_no_later_round_opened(round: Round) -> None:
    """A round's outcome can change only until the next round has opened."""
    later_opened = db.session.scalar(
        select(Round.number).where(
            Round.study_id == round.study_id,
            Round.number > round.number,
            Round.status != Status.DRAFT,
        )
    )
    if later_opened is not None:
        raise RoundError("next_round_opened", number=later_opened)


_VOTE = or_(Answer.value.is_not(None), Answer.unable)
