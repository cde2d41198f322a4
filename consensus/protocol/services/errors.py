"""The refusals of the protocol services; their texts are in the protocol's one catalogue
(``consensus/protocol/messages.py``, ``SERVICE``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...messages import Gettext, swedish
from ..messages import CATALOGUE, SERVICE
from ..validate import Problem

#: The services' refusals (kept under this name for callers; the catalogue holds them).
MESSAGES = SERVICE


class ProtocolError(ValueError):
    """A refused action; ``code`` selects the message in the protocol catalogue.
    :meth:`render` in the reader's language, :attr:`message` in Swedish."""

    def __init__(self, code: str, /, problems: Sequence[Problem] = (), **params: Any):
        self.code = code
        self.params = params
        self.problems = list(problems)
        super().__init__(self.message)

    def render(self, gettext: Gettext = swedish) -> str:
        return CATALOGUE.render(self.code, self.params, gettext)

    @property
    def message(self) -> str:
        return self.render()


@dataclass(frozen=True)
class ServiceProblem(Problem):
    """A problem found by the services (its code in the catalogue's ``SERVICE`` part)."""
