"""The measures' one message catalogue: every code has a template, every template an English
translation with the same placeholders; problems render in the reader's language."""

import pathlib

import pytest

from consensus.measures import codelists, messages
from consensus.measures.codelists import FieldProblem, validate_proposal
from consensus.measures.services import MeasuresError
from tests.catalogues import codes_used, english, english_catalogue, placeholders

MEASURES = pathlib.Path(messages.__file__).parent


def test_every_code_the_measures_use_is_in_their_catalogue():
    used = codes_used(MEASURES.rglob("*.py"), {"FieldProblem": 1, "MeasuresError": 0})
    assert len(used) > 25
    assert sorted(code for code in used if code not in messages.CATALOGUE) == []
    assert set(messages.EXPERT_ROW_CODES.values()) <= set(messages.CATALOGUE.messages)


def msgids() -> list[str]:
    ids = list(messages.CATALOGUE.messages.values()) + list(messages.FIELD_LABELS.values())
    ids += [label for table in codelists.CODELISTS.values() for label in table.values()]
    return list(dict.fromkeys(ids))


def test_every_template_and_label_has_an_english_translation():
    catalogue = english_catalogue()
    assert [m for m in msgids() if not catalogue.get(m)] == []
    for msgid in msgids():
        assert placeholders(catalogue[msgid]) == placeholders(msgid), msgid


def test_field_problems_render_in_english_with_translated_labels():
    en = english(english_catalogue())
    checked = validate_proposal(
        {"name": "x" * 201, "method": "telepati", "kind": "kvantitativ", "unit": "antal"},
        indicator_id=1,
    )
    by_code = {p.code: p for p in checked.problems}
    too_long = by_code["too_long"]
    assert too_long.message == "Namn: texten är 201 tecken lång men får vara högst 200 tecken."
    assert too_long.render(en) == (
        "Name: the text is 201 characters long but may be at most 200 characters."
    )
    method = by_code["method_unknown"]
    assert method.message.endswith(
        "Tillåtna metoder: enkät, register, dokumentgranskning, "
        "intervju, fokusgrupp, fallstudie, observation."
    )
    assert method.render(en) == (
        "”telepati” is not a method in the list. Allowed methods: survey, register, document "
        "review, interview, focus group, case study, observation."
    )


def test_refusals_render_in_both_languages_and_invalid_shows_its_problems():
    en = english(english_catalogue())
    assert MeasuresError("survey_closed").message == "Enkäten är stängd."
    assert MeasuresError("survey_closed").render(en) == "The survey is closed."
    error = MeasuresError("too_many_questions", limit=12)
    assert error.render(en) == "A measure can have at most 12 questions."
    invalid = MeasuresError("invalid", problems={"new": [FieldProblem("name", "name_required")]})
    assert invalid.message == "Ge måttet ett namn."
    assert invalid.render(en) == "Give the measure a name."
    assert MeasuresError("invalid").message == "Uppgifterna är inte giltiga."


@pytest.mark.parametrize("code", sorted(messages.CATALOGUE.messages))
def test_no_template_breaks_with_its_parameters_missing(code):
    assert messages.CATALOGUE.render(code, {"unrelated": 1})
