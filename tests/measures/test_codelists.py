"""Proposal validation (pure): required fields per kind, limits, combinations, Swedish words."""

import pytest

from consensus.measures import codelists as p

BASE = {"name": "Upplevt inflytande", "description": "Enkätfråga till deltagare", "method": "enkät"}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({**BASE, "name": ""}, "name", "Ge måttet ett namn."),
        ({**BASE, "kind": ""}, "kind", "Välj om måttet är kvantitativt eller kvalitativt."),
        (
            {**BASE, "kind": "kvantitativ"},
            "unit",
            "Ett kvantitativt mått behöver en enhet, till exempel andel (%), antal eller dagar.",
        ),
        (
            {**BASE, "kind": "kvantitativ", "unit": "andel (%)", "numerator": "svar 4-5"},
            "denominator",
            "En andel behöver en nämnare: beskriv vad andelen räknas av, till exempel alla "
            "deltagare som svarat på frågan.",
        ),
        (
            {**BASE, "kind": "kvantitativ", "unit": "procent", "denominator": "alla svar"},
            "numerator",
            "En andel behöver en täljare: beskriv vad som räknas, till exempel deltagare som "
            "svarat 4 eller 5.",
        ),
        (
            {**BASE, "kind": "kvalitativ", "description": "Intervju"},
            "description",
            "Ett kvalitativt mått behöver en beskrivning av vad berättelsen ska ta upp "
            "(minst 30 tecken).",
        ),
        (
            {**BASE, "kind": "kvantitativ", "unit": "antal", "name": "x" * 201},
            "name",
            "Namn: texten är 201 tecken lång men får vara högst 200 tecken.",
        ),
        (
            {**BASE, "kind": "kvantitativ", "unit": "antal", "method": "telepati"},
            "method",
            "”telepati” är ingen metod i listan. Tillåtna metoder: enkät, register, "
            "dokumentgranskning, intervju, fokusgrupp, fallstudie, observation.",
        ),
        (
            {**BASE, "kind": "kvantitativ", "unit": "antal", "combines": [7]},
            "combines",
            "Ett mått kan inte kombineras med sig självt.",
        ),
        (
            {**BASE, "kind": "kvantitativ", "unit": "antal", "combines": [8]},
            "combines",
            "Ett mått kan bara kombineras med förslag till samma indikator.",
        ),
        (
            {**BASE, "kind": "kvantitativ", "unit": "antal", "combines": [99]},
            "combines",
            "Måttet som ska kombineras finns inte bland förslagen.",
        ),
        (
            {
                **BASE,
                "kind": "kvantitativ",
                "unit": "antal",
                "frequency": "vid start, varannan vecka",
            },
            "frequency",
            "”varannan vecka” är ingen tidpunkt i listan. Tillåtna tidpunkter: vid start "
            "(inskrivning), efter 6 månader, efter 12 månader, efter 18 månader, en gång om året, "
            "löpande.",
        ),
    ],
)
def test_validation_messages(data, field, message):
    checked = p.validate_proposal(data, indicator_id=1, proposal_id=7, known_proposals={7: 1, 8: 2})
    assert not checked.ok
    assert message in checked.messages()[field]


@pytest.mark.parametrize(
    "data",
    [
        {**BASE, "kind": "kvantitativ", "unit": "antal"},
        {**BASE, "kind": "Kvantitativt", "unit": "andel", "numerator": "a", "denominator": "b"},
        {
            **BASE,
            "kind": "kvalitativ",
            "description": "Berättelsen tar upp delaktighet i planering",
        },
        {
            **BASE,
            "kind": "kvantitativ",
            "unit": "dagar",
            "combines": [{"proposal_id": 8, "how": "medel"}],
        },
    ],
)
def test_valid_proposals(data):
    checked = p.validate_proposal(data, indicator_id=1, proposal_id=7, known_proposals={8: 1})
    assert checked.ok, checked.messages()


def test_draft_skips_required_but_not_limits():
    assert p.validate_proposal({"name": ""}, indicator_id=1, draft=True).ok
    assert not p.validate_proposal({"unit": "x" * 101}, indicator_id=1, draft=True).ok


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("Enkät", "survey"),
        ("fokusgrupper", "focus-group"),
        ("Dokumentgranskning", "document-review"),
        ("intervjuer", "interview"),
        ("registerdata", "register"),
        ("fallstudie", "case-study"),
    ],
)
def test_method_words(word, code):
    assert p.normalise_method(word) == code


def test_frequencies():
    assert p.normalise_frequencies("vid start, 6 och 12 mån") == (["P0D", "P6M", "P12M"], [])
    assert p.normalise_frequencies(["årligen", "löpande"]) == (["yearly", "continuous"], [])
    assert p.normalise_kind("kvalitativt") == "qualitative"
    assert p.normalise_respondent_group("Styrelsen") == "styrelse"


def test_personal_data_flags():
    assert p.personal_data_flags("Fråga anna.svensson@kommun.se", []) == ["email"]
    assert p.personal_data_flags("Som Jonas Wells sa", ["Jonas Wells"]) == ["name"]
    assert p.personal_data_flags("Andel deltagare", ["Jonas Wells"]) == []
