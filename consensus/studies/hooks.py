"""Where studies meets the floors around it, wired once in ``create_app``.

Below: auth finds participants through the loader studies registers here (``init_app``).
Above: studies may not import rounds, measures or protocol, so what its pages show of them is
filled in by those floors at app start (``rounds/hooks.py`` ...) through ``hooks(app)``:

- ``rules``: the consensus rules a study may name. The registry of rules lives in
  ``rounds/rules.py`` (with their functions); study settings need only their names and labels.
  Choice (see the layers report): the rounds floor hands the codelist to studies here, rather
  than a second copy of the names moving down, so the codelist stays written in one place.
- ``participant_home``: sections of the participant's start page (``studies.participant_home``)
  that belong to a higher floor, e.g. the rounds to answer.
- ``panel_progress``: how far each panelist has come in the open round, for the panel page
  (``{"round": number, "counts": {...}, "states": {participant id: (answered, needed,
  state)}}`` or None).
- ``due_work``: what falls due by the clock and is done lazily whenever a study page loads
  (``studies/views/study_loader.py``): rounds open and close at their times, the measures survey
  closes at its time. Each function takes the study, writes through its services (which flush)
  and returns whether it changed anything; the page commits that once with the request.
- ``progress``: what each floor knows of where the study stands (its fields of
  ``cockpit.Progress``: rounds, the survey, the protocol), read by the study overview;
- ``overview``: the sections of the study overview (the cockpit) from the higher floors.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from ..auth import access
from . import links, services

EXTENSION = "consensus.studies"


@dataclass(frozen=True)
class RuleName:
    """A consensus rule as study settings know it: its stored name and its labels.
    ``primary``: it may be a study's primary rule (it applies to the rating scale)."""

    name: str
    label_sv: str
    label_en: str
    primary: bool


@dataclass(frozen=True)
class Section:
    """A part of a study page from a higher floor: the view renders ``template`` with
    ``section`` set to ``context(study)``."""

    template: str
    context: Callable[[Any], dict]


@dataclass
class StudyHooks:
    rules: dict[str, RuleName] = field(default_factory=dict)
    participant_home: list[Section] = field(default_factory=list)
    due_work: list[Callable[[Any], bool]] = field(default_factory=list)
    panel_progress: Callable[[Any], dict | None] = lambda study: None
    progress: list[Callable[[Any], dict]] = field(default_factory=list)
    overview: list[Section] = field(default_factory=list)

    def add_rules(self, rules: list[RuleName]) -> None:
        self.rules.update((rule.name, rule) for rule in rules)

    def prepare_study(self, study) -> bool:
        """Do the study's due work (every registered function, in order); True when any of
        it changed something (flushed, not committed)."""
        changed = False
        for work in self.due_work:
            changed = bool(work(study)) or changed
        return changed


def hooks(app: Flask | None = None) -> StudyHooks:
    app = app or current_app
    return app.extensions.setdefault(EXTENSION, StudyHooks())


def init_app(app: Flask) -> None:
    hooks(app)
    access.register_participant_loader(
        app,
        access.ParticipantLoader(
            by_id=services.participant_with_study,
            by_token_hash=links.holder_of,
            add_link=links.add_link,
            revoke_links=links.revoke_links,
        ),
    )
