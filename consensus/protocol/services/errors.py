"""The refusals of the protocol services and their Swedish messages (one catalogue)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..validate import Problem, render_message

MESSAGES: dict[str, str] = {
    "published_immutable": (
        "Version {version} är publicerad och kan inte ändras. Publicera en ny version i stället."
    ),
    "version_exists": "Version {version} finns redan. Välj ett högre versionsnummer.",
    "nothing_changed": (
        "Ingenting har ändrats sedan version {version}: en ny version behövs inte. Ändra "
        "protokollets texter eller studien först (till exempel ändringsloggen)."
    ),
    "no_indicators": (
        "Protokollet har inga kärnindikatorer med godtagna mått ännu. Bekräfta slutomgångens "
        "kärnuppsättning och godta minst ett mått per indikator först."
    ),
    "invalid_document": "Protokollet blev inte giltigt: {summary}",
    "unknown_setting": "Okänt fält i protokollets texter: {names}.",
}


class ProtocolError(ValueError):
    """A refused action; ``code`` (see :data:`MESSAGES`) selects the Swedish message."""

    def __init__(self, code: str, /, problems: Sequence[Problem] = (), **params: Any):
        self.code = code
        self.params = params
        self.problems = list(problems)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self.code in MESSAGES:
            try:
                return MESSAGES[self.code].format(**self.params)
            except (KeyError, IndexError, ValueError):
                return MESSAGES[self.code]
        return render_message(self.code, self.params)


@dataclass(frozen=True)
class ServiceProblem(Problem):
    """A problem found by this module (its message from :data:`MESSAGES`)."""

    @property
    def message(self) -> str:
        template = MESSAGES.get(self.code)
        if template is None:
            return render_message(self.code, self.params)
        try:
            return template.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return template
