"""The refusal every measures service raises, and the small helpers they share."""

from __future__ import annotations

from typing import Any

from ...messages import Gettext, swedish
from ..messages import CATALOGUE


class MeasuresError(ValueError):
    """A refused change; ``code`` selects the message in the measures' catalogue
    (``measures/messages.py``): :meth:`render` in the reader's language, :attr:`message` in
    Swedish.

    Codes: survey_exists, survey_not_draft, survey_closed (a late submission or edit),
    no_indicators, indicator_not_in_survey, not_own_proposal, proposal_submitted, invalid
    (``problems``: {proposal id or "new": [FieldProblem]}), email_taken, invalid_email,
    level_unknown, reason_required, not_accepted, wrong_indicator, no_proposals,
    import_invalid, rating_invalid, too_many_questions (``limit``), question_too_long
    (``line``, ``limit``).
    """

    def __init__(self, code: str, /, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params

    def render(self, gettext: Gettext = swedish) -> str:
        if self.code == "invalid":  # the proposal's own problems say more
            found = [
                problem.render(gettext)
                for group in self.params.get("problems", {}).values()
                for problem in group
            ]
            if found:
                return " ".join(found)
        return CATALOGUE.render(self.code, self.params, gettext)

    @property
    def message(self) -> str:
        return self.render()


def _actor_id(actor) -> int | None:
    return getattr(actor, "id", None)
