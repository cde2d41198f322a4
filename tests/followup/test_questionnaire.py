"""The questionnaire generated from a protocol, and answers checked against it (pure)."""

import pytest

from consensus.followup import questionnaire as qn
from consensus.followup.lifecycle import (
    IllegalTransition,
    ResponseStatus,
    WaveStatus,
    response_transition,
    wave_transition,
)
from consensus.followup.messages import CATALOGUE, FollowupMessage
from consensus.protocol.example import example_protocol


def hand_made() -> dict:
    """A small protocol: two respondent groups, one scale with "vet inte", items out of the
    indicators' order, a yes/no item and a free-text item, kön as a disaggregation."""
    scale = {
        "id": "s3",
        "categories": [
            {"value": 1, "label": {"sv": "Nej"}},
            {"value": 2, "label": {"sv": "Delvis"}},
            {"value": 3, "label": {"sv": "Ja"}},
        ],
        "missingValues": [{"value": 9, "label": {"sv": "Vet inte"}}],
    }
    item = lambda i, text, groups, **kw: {  # noqa: E731
        "id": i,
        "text": {"sv": text},
        "type": kw.get("type", "choice"),
        **({"scale": "s3"} if kw.get("type", "choice") == "choice" else {}),
        "respondentGroups": groups,
        "local": False,
    }
    return {
        "respondentGroups": [{"id": "deltagare"}, {"id": "personal"}],
        "codelists": [
            {
                "id": "kon",
                "name": {"sv": "Kön"},
                "total": {"code": "_T", "label": {"sv": "Totalt"}},
                "codes": [
                    {"code": "K", "label": {"sv": "Kvinna"}},
                    {"code": "M", "label": {"sv": "Man"}},
                ],
            }
        ],
        "responseScales": [scale],
        "items": [
            item("Q2", "Andra frågan", ["deltagare"]),
            item("Q1", "Första frågan", ["deltagare"]),
            item("Q3", "Fick du stöd?", ["deltagare"], type="boolean"),
            item("P1", "Personalens fråga", ["personal"]),
            item("Q4", "Något mer?", ["deltagare"], type="text"),
        ],
        "indicators": [
            {
                "id": "I1",
                "name": {"sv": "Delaktighet"},
                "measures": [
                    {
                        "id": "I1-M1",
                        "method": "survey",
                        "dataSource": {"respondentGroups": ["deltagare"]},
                        "items": ["Q1", "Q2"],
                        "disaggregations": ["kon"],
                    }
                ],
            },
            {
                "id": "I2",
                "name": {"sv": "Stöd"},
                "measures": [
                    {"id": "I2-M1", "method": "survey", "items": ["Q3"]},
                    {"id": "I2-M2", "method": "register", "disaggregations": ["alder"]},
                ],
            },
            {
                "id": "I3",
                "name": {"sv": "Personal"},
                "measures": [{"id": "I3-M1", "method": "survey", "items": ["P1"]}],
            },
        ],
    }


LOCAL = [
    {"id": "L1", "text": "Hur hittade du hit?", "type": "choice", "options": ["Vän", "Annons"]},
    {"id": "L2", "text": "Egen kommentar", "type": "text"},
]
GROUPS = [("7", "Steget"), ("8", "Vägen")]


def test_sections_items_order_scales_and_locked_wording():
    q = qn.build(hand_made(), "deltagare", LOCAL, GROUPS)
    assert [s.id for s in q.sections] == ["I1", "I2", "ovriga", "lokala", "bakgrund"]
    assert [s.title for s in q.sections[:2]] == ["Delaktighet", "Stöd"]
    # within a section the protocol's item order (Q2 before Q1), with the wording as written
    assert [(x.id, x.text) for x in q.sections[0].questions] == [
        ("Q2", "Andra frågan"),
        ("Q1", "Första frågan"),
    ]
    first = q.sections[0].questions[0]
    assert [(o.value, o.label) for o in first.options] == [
        ("1", "Nej"),
        ("2", "Delvis"),
        ("3", "Ja"),
    ]
    assert [(o.value, o.label) for o in first.missing] == [("9", "Vet inte")]
    assert first.kind == "protocol" and first.required and first.scale == "s3"
    yes_no = q.sections[1].questions[0]
    assert (yes_no.type, [o.label for o in yes_no.options]) == ("boolean", ["Ja", "Nej"])
    # an item of the group that no measure asks comes last among the protocol's
    assert [x.id for x in q.sections[2].questions] == ["Q4"]
    assert not q.sections[2].questions[0].required  # free text is never required
    # the other group's items are not asked
    assert q.question("P1") is None


def test_local_questions_are_marked_and_a_choice_has_its_options():
    q = qn.build(hand_made(), "deltagare", LOCAL, GROUPS)
    local = q.sections[3]
    assert local.kind == "local" and local.title == qn.LOCAL_SECTION_TITLE
    assert [(x.id, x.local, x.required) for x in local.questions] == [
        ("L1", True, False),
        ("L2", True, False),
    ]
    assert [(o.value, o.label) for o in local.questions[0].options] == [
        ("1", "Vän"),
        ("2", "Annons"),
    ]


def test_background_questions_follow_the_disaggregations():
    q = qn.build(hand_made(), "deltagare", LOCAL, GROUPS)
    background = q.sections[-1]
    assert [x.id for x in background.questions] == ["bakgrund.kon", "bakgrund.grupp"]
    kon = background.questions[0]
    assert [o.label for o in kon.choices] == ["Kvinna", "Man", "Vill inte ange"]
    assert kon.missing[0].value == qn.DECLINED
    assert [(o.value, o.label) for o in background.questions[1].options] == list(
        (v, label) for v, label in GROUPS
    )
    # "alder" belongs to a register measure, not to the questionnaire; no kön for personal
    personal = qn.build(hand_made(), "personal")
    assert [s.id for s in personal.sections] == ["I3"]


def test_the_example_protocol_for_participants():
    q = qn.build(example_protocol(), "deltagare")
    ids = [x.id for x in q.questions]
    assert ids[:2] == ["D01", "D02"] and "M01" not in ids
    assert {"bakgrund.kon", "bakgrund.alder"} <= set(ids)


@pytest.mark.parametrize(
    ("answers", "codes"),
    [
        ({"Q2": "3", "Q1": "9"}, []),  # "vet inte" is an answer
        ({"Q2": "4", "Q1": "1"}, ["answer_not_in_scale"]),
        ({"Q2": "3"}, ["answer_required"]),
        ({"Q2": "3", "Q1": "1", "X9": "1"}, ["answer_unknown_item"]),
        ({"Q2": ["1", "2"], "Q1": "1"}, ["answer_one_only"]),
        ({"Q2": "  ", "Q1": "2"}, ["answer_required"]),
    ],
)
def test_validate_one_section(answers, codes):
    q = qn.build(hand_made(), "deltagare", LOCAL, GROUPS)
    checked = qn.validate(q, answers, section=0)
    assert [p.code for p in checked.problems] == codes


def test_validate_cleans_values_numbers_and_missing_codes():
    q = qn.build(hand_made(), "deltagare", LOCAL, GROUPS)
    checked = qn.validate(q, {"Q2": "3", "Q1": "9"}, section=0)
    assert checked.answers == {
        "Q2": qn.Cleaned(value="3", number=3.0),
        "Q1": qn.Cleaned(missing="9"),
    }
    background = qn.validate(
        q, {"bakgrund.kon": qn.DECLINED, "bakgrund.grupp": "9"}, section=len(q.sections) - 1
    )
    assert [(p.code, p.item) for p in background.problems] == [
        ("answer_not_in_scale", "bakgrund.grupp")
    ]
    assert background.answers["bakgrund.kon"] == qn.Cleaned(missing=qn.DECLINED)


def test_typed_local_answers():
    local = [
        {"id": "L1", "text": "Antal möten", "type": "integer"},
        {"id": "L2", "text": "Timmar", "type": "decimal"},
        {"id": "L3", "text": "Startdatum", "type": "date"},
    ]
    q = qn.build(hand_made(), "personal", local)
    section = [s.id for s in q.sections].index("lokala")
    good = qn.validate(q, {"L1": "3", "L2": "2,5", "L3": "2026-10-01"}, section=section)
    assert good.ok and good.answers["L2"] == qn.Cleaned(value="2.5", number=2.5)
    bad = qn.validate(q, {"L1": "3,5", "L2": "mycket", "L3": "1 okt"}, section=section)
    assert [p.code for p in bad.problems] == [
        "answer_not_integer",
        "answer_not_number",
        "answer_not_date",
    ]


def test_problems_render_in_swedish_with_the_question():
    message = FollowupMessage("answer_not_in_scale", {"question": "Första frågan", "value": "7"})
    assert message.text == "”7” är inget av svarsalternativen på frågan ”Första frågan”."
    assert all(code in CATALOGUE for code in ("wave_closed", "code_used", "code_unknown"))


def test_unanswered_sections():
    q = qn.build(hand_made(), "deltagare", LOCAL, GROUPS)
    assert qn.unanswered_sections(q, {"Q1", "Q2", "Q3", "bakgrund.kon", "bakgrund.grupp"}) == []
    assert qn.unanswered_sections(q, {"Q1", "Q3"}) == [0, 4]


@pytest.mark.parametrize(
    ("current", "action", "after"),
    [
        (WaveStatus.DRAFT, "open", WaveStatus.OPEN),
        (WaveStatus.OPEN, "close", WaveStatus.CLOSED),
        (WaveStatus.DRAFT, "close", None),
        (WaveStatus.OPEN, "open", None),
        (WaveStatus.CLOSED, "open", None),
        (WaveStatus.CLOSED, "close", None),
        ("unknown", "open", None),
    ],
)
def test_wave_transitions(current, action, after):
    if after is None:
        with pytest.raises(IllegalTransition):
            wave_transition(current, action)
    else:
        assert wave_transition(current, action) == after


def test_a_questionnaire_is_submitted_once():
    assert response_transition(ResponseStatus.DRAFT, "submit") == ResponseStatus.SUBMITTED
    with pytest.raises(IllegalTransition):
        response_transition(ResponseStatus.SUBMITTED, "submit")
