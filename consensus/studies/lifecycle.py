"""The phases of a study (pure). ``transition`` is the only way a phase changes."""

from enum import StrEnum

from ..transitions import IllegalTransition, Transitions

__all__ = ["IllegalTransition", "Phase", "settings_locked", "transition"]


class Phase(StrEnum):
    SETUP = "setup"  # pool, groups, panel and rules are prepared; settings editable
    RUNNING = "running"  # round 1 has opened: a-priori settings are locked
    ARCHIVED = "archived"  # finished or withdrawn: personal links stop working


transition = Transitions(
    "study",
    Phase,
    {
        (Phase.SETUP, "start"): Phase.RUNNING,
        (Phase.SETUP, "archive"): Phase.ARCHIVED,
        (Phase.RUNNING, "archive"): Phase.ARCHIVED,
        (Phase.ARCHIVED, "restore_setup"): Phase.SETUP,
        (Phase.ARCHIVED, "restore_running"): Phase.RUNNING,
    },
)


def settings_locked(phase: str) -> bool:
    return Phase(phase) != Phase.SETUP
