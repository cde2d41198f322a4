"""Each codelist is written once; the JSON Schema keeps its enums, and they agree."""

import pytest

from consensus.measures import codelists as measures_codelists
from consensus.protocol import codelists
from consensus.protocol.validate import load_schema


def schema_enum(*path: str) -> list[str]:
    node = load_schema()
    for key in path:
        node = node[key]
    return node["enum"]


@pytest.mark.parametrize(
    ("codelist", "path"),
    [
        (measures_codelists.KINDS, ("$defs", "measure", "properties", "kind")),
        (measures_codelists.METHODS, ("$defs", "measure", "properties", "method")),
        (codelists.SCORINGS, ("$defs", "measure", "properties", "scoring")),
        (codelists.ITEM_TYPES, ("$defs", "item", "properties", "type")),
        (codelists.LABELS["status"], ("properties", "status")),
        (codelists.LABELS["type"], ("$defs", "indicator", "properties", "type")),
        (codelists.LABELS["direction"], ("$defs", "measure", "properties", "direction")),
        (codelists.LABELS["scheduleType"], ("$defs", "schedule", "properties", "type")),
        (codelists.LABELS["frequency"], ("$defs", "calendarRule", "properties", "frequency")),
        (codelists.LABELS["step"], ("$defs", "step", "properties", "kind")),
    ],
)
def test_codelist_equals_the_schema_enum(codelist, path):
    assert list(codelist) == schema_enum(*path)


def test_decisions_cover_both_decision_enums():
    rounds = schema_enum("$defs", "roundStatistics", "properties", "decision")
    outcome = schema_enum(
        "$defs", "indicatorProvenance", "properties", "decision", "properties", "outcome"
    )
    assert set(codelists.LABELS["decision"]) == set(rounds) | set(outcome)


def test_the_protocol_shows_the_measures_codelists():
    assert codelists.LABELS["kind"] is measures_codelists.KINDS
    assert codelists.LABELS["method"] is measures_codelists.METHODS
    assert codelists.label("method", "focus-group") == "Fokusgrupp"
    assert codelists.label("itemType", "choice", {"Ett svarsalternativ": "Single choice"}.get) == (
        "Single choice"
    )
    assert codelists.label("method", "telepathy") == "telepathy"
    assert codelists.label("method", None) is None


def test_forms_derive_their_choices_from_the_codelists(app):
    from consensus.measures import forms

    with app.test_request_context("/"):
        assert [c.value for c in forms.METHOD_CHOICES][1:] == list(measures_codelists.METHODS)
        assert [c.value for c in forms.KIND_CHOICES] == list(measures_codelists.KINDS)
        assert [c.value for c in forms.FREQUENCY_CHOICES] == list(measures_codelists.FREQUENCIES)
        assert [str(c.label) for c in forms.KIND_CHOICES] == ["Kvantitativt", "Kvalitativt"]
