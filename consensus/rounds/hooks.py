"""What rounds adds to the studies floor below it, wired once in ``create_app``.

Studies may not import rounds (``tests/test_layers.py``), so rounds hands it the consensus
rules' names and labels for study settings, its section of the participant's start page, and
its due work: rounds open and close at their times when a study page loads, and its part of
the study overview (the rounds' progress and response status).
"""

from flask import Flask

from ..studies.cockpit import RoundState
from ..studies.hooks import RuleName, Section, hooks
from . import services
from .lifecycle import Status
from .rules import REGISTRY, rules_for


def rule_names() -> list[RuleName]:
    """Every registered rule, in registry order; a rating rule may be a study's primary rule."""
    primary = {rule.name for rule in rules_for("rating", REGISTRY)}
    return [
        RuleName(rule.name, rule.label_sv, rule.label_en, rule.name in primary)
        for rule in REGISTRY.values()
    ]


def run_schedule(study) -> bool:
    """Rounds open and close themselves on time, lazily when a study page loads (and by
    ``consensus round tick``). True when a round moved."""
    moved = services.run_schedule(study=study)
    return bool(moved["opened"] or moved["closed"])


def participant_rounds(study) -> dict:
    """The rounds a participant sees (not drafts), for ``rounds/_participant_home.html``."""
    return {"rounds": [r for r in services.rounds(study) if r.status != Status.DRAFT]}


def panel_progress(study) -> dict | None:
    """The open round's progress per panelist, for the studies' panel page."""
    r = services.rounds(study)
    open_round = next((x for x in r if x.status == Status.OPEN), None)
    if open_round is None:
        return None
    states = services.panel_progress(open_round)
    return {
        "round": open_round.number,
        "counts": services.progress_counts(open_round),
        "states": {pid: (p.answered, p.needed, p.state) for pid, p in states.items()},
    }


def round_progress(study) -> dict:
    """The rounds' part of the study's ``cockpit.Progress``."""
    return {
        "rounds": tuple(
            RoundState(
                r.number,
                r.status,
                is_final=r.is_final,
                confirmed=r.decisions_confirmed_at is not None,
            )
            for r in services.rounds(study)
        )
    }


def overview_rounds(study) -> dict:
    """Each round with its response status, for ``rounds/_overview.html`` (the cockpit)."""
    return {
        "rounds": [
            {"round": r, "counts": services.response_counts(r)} for r in services.rounds(study)
        ]
    }


def init_app(app: Flask) -> None:
    study_hooks = hooks(app)
    study_hooks.add_rules(rule_names())
    study_hooks.participant_home.append(
        Section(
            "rounds/_participant_home.html",
            context=participant_rounds,
        )
    )
    study_hooks.due_work.append(run_schedule)
    study_hooks.panel_progress = panel_progress
    study_hooks.progress.append(round_progress)
    study_hooks.overview.append(Section("rounds/_overview.html", context=overview_rounds))
