"""The study's stage and next step (studies/cockpit.py): hand-written tables."""

import pytest

from consensus.studies.cockpit import NextStep, Progress, RoundState, Stage, next_step, stage

R = RoundState
READY = {"indicators": 20, "groups": 3, "panelists": 12}
R1_CLOSED = R(1, "closed", confirmed=True)
FINAL_CONFIRMED = R(2, "closed", is_final=True, confirmed=True)

# (case, progress, expected stage, expected next step)
CASES = [
    ("empty study", Progress(), Stage.PREPARATION, NextStep("import_indicators")),
    ("pool, no groups", Progress(indicators=20), Stage.PREPARATION, NextStep("add_groups")),
    (
        "pool and groups, no panel",
        Progress(indicators=20, groups=3),
        Stage.PREPARATION,
        NextStep("add_panel"),
    ),
    ("ready, no round", Progress(**READY), Stage.PREPARATION, NextStep("create_round", 1)),
    (
        "round 1 drafted",
        Progress(**READY, rounds=(R(1, "draft"),)),
        Stage.PREPARATION,
        NextStep("open_round", 1),
    ),
    (
        "round 1 open",
        Progress(**READY, rounds=(R(1, "open"),)),
        Stage.DELPHI,
        NextStep("follow_round", 1),
    ),
    (
        "round 1 closed, decisions not confirmed",
        Progress(**READY, rounds=(R(1, "closed"),)),
        Stage.DELPHI,
        NextStep("confirm_decisions", 1),
    ),
    (
        "round 1 confirmed, no round 2",
        Progress(**READY, rounds=(R1_CLOSED,)),
        Stage.DELPHI,
        NextStep("create_round", 2),
    ),
    (
        "round 2 (final) drafted",
        Progress(**READY, rounds=(R1_CLOSED, R(2, "draft", is_final=True))),
        Stage.DELPHI,
        NextStep("open_round", 2),
    ),
    (
        "final round closed, core set not confirmed",
        Progress(**READY, rounds=(R1_CLOSED, R(2, "closed", is_final=True))),
        Stage.DELPHI,
        NextStep("confirm_decisions", 2),
    ),
    (
        "a confirmed round that is not final is no core set",
        Progress(**READY, rounds=(R(1, "closed", confirmed=True), R(2, "closed", confirmed=True))),
        Stage.DELPHI,
        NextStep("create_round", 3),
    ),
    (
        "core set confirmed, no survey",
        Progress(**READY, rounds=(R1_CLOSED, FINAL_CONFIRMED)),
        Stage.CORE_SET,
        NextStep("create_survey"),
    ),
    (
        "core set confirmed, survey drafted",
        Progress(**READY, rounds=(R1_CLOSED, FINAL_CONFIRMED), survey="draft"),
        Stage.CORE_SET,
        NextStep("open_survey"),
    ),
    (
        "survey open",
        Progress(**READY, rounds=(R1_CLOSED, FINAL_CONFIRMED), survey="open"),
        Stage.MEASURES,
        NextStep("follow_survey"),
    ),
    (
        "survey closed, no protocol draft",
        Progress(**READY, rounds=(R1_CLOSED, FINAL_CONFIRMED), survey="closed"),
        Stage.MEASURES,
        NextStep("draft_protocol"),
    ),
    (
        "survey closed, protocol drafted",
        Progress(
            **READY, rounds=(R1_CLOSED, FINAL_CONFIRMED), survey="closed", protocol_draft=True
        ),
        Stage.MEASURES,
        NextStep("publish_protocol"),
    ),
    (
        "protocol published",
        Progress(
            **READY, rounds=(R1_CLOSED, FINAL_CONFIRMED), survey="closed", protocol_published=True
        ),
        Stage.PROTOCOL,
        NextStep("archive"),
    ),
    (
        "survey reopened after publishing: still the protocol stage",
        Progress(
            **READY, rounds=(R1_CLOSED, FINAL_CONFIRMED), survey="open", protocol_published=True
        ),
        Stage.PROTOCOL,
        NextStep("archive"),
    ),
    ("archived in preparation", Progress(archived=True), Stage.FINISHED, NextStep("restore")),
    (
        "archived with a round open",
        Progress(**READY, archived=True, rounds=(R(1, "open"),)),
        Stage.FINISHED,
        NextStep("restore"),
    ),
    (
        "rounds given out of order",
        Progress(**READY, rounds=(R(2, "draft"), R(1, "closed", confirmed=True))),
        Stage.DELPHI,
        NextStep("open_round", 2),
    ),
]


@pytest.mark.parametrize(
    ("progress", "expected_stage", "expected_step"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_stage_and_next_step(progress, expected_stage, expected_step):
    assert stage(progress) is expected_stage
    assert next_step(progress) == expected_step


def test_every_stage_is_reached_by_a_case():
    assert {case[2] for case in CASES} == set(Stage)
