"""The refusal every follow-up service raises: a code of the follow-up's catalogue."""

from __future__ import annotations

from typing import Any

from ...messages import Gettext, swedish
from .. import messages


class FollowupError(ValueError):
    """A refused action; ``code`` (see :data:`..messages.CATALOGUE`) selects the message.
    Nothing was written. ``render(gettext)`` gives it in the page's language."""

    def __init__(self, code: str, /, **params: Any):
        self.code = code
        self.params = params
        super().__init__(self.message)

    def render(self, gettext: Gettext = swedish) -> str:
        return messages.render(self.code, self.params, gettext)

    @property
    def message(self) -> str:
        return self.render()
