"""The phases of a study (pure). ``transition`` is the only way a phase changes."""

from enum import StrEnum


class Phase(StrEnum):
    SETUP = "setup"  # pool, groups, panel and rules are prepared; settings editable
    RUNNING = "running"  # round 1 has opened: a-priori settings are locked
    ARCHIVED = "archived"  # finished or withdrawn: personal links stop working


class IllegalTransition(ValueError):
    def __init__(self, current: str, action: str):
        super().__init__(f"cannot {action!r} a study in phase {current!r}")
        self.current = current
        self.action = action


_MOVES: dict[tuple[Phase, str], Phase] = {
    (Phase.SETUP, "start"): Phase.RUNNING,
    (Phase.SETUP, "archive"): Phase.ARCHIVED,
    (Phase.RUNNING, "archive"): Phase.ARCHIVED,
    (Phase.ARCHIVED, "restore_setup"): Phase.SETUP,
    (Phase.ARCHIVED, "restore_running"): Phase.RUNNING,
}


def transition(current: str, action: str) -> Phase:
    try:
        return _MOVES[(Phase(current), action)]
    except (KeyError, ValueError):
        raise IllegalTransition(current, action) from None


def settings_locked(phase: str) -> bool:
    return Phase(phase) != Phase.SETUP
