"""build.build_protocol from hand-made facts: every document validates, fields map to codes."""

import copy

import pytest

from consensus.protocol.build import AGREE_SCALE, build_protocol, identifier
from consensus.protocol.canonical import with_checksum
from consensus.protocol.validate import validate_document

FACTS = {
    "protocol": {"id": "pilot", "version": "1.0.0"},
    "study": {
        "slug": "pilot",
        "title": "Pilotstudie",
        "description": "En studie",
        "min_group_size": 4,
        "scale": "rating_1_9",
        "primary_rule": "comet_70_15",
    },
    "groups": [{"code": "politiker", "name": "Politiker"}, {"code": "chefer", "name": "Chefer"}],
    "rounds": [
        {
            "number": 1,
            "method": "rating",
            "start": "2030-01-01",
            "end": "2030-01-14",
            "participants": [
                {"group": "politiker", "invited": 5, "responding": 4},
                {"group": "chefer", "invited": 6, "responding": 6},
                {"group": "okand", "invited": 1, "responding": 1},
            ],
        }
    ],
    "indicators": [
        {
            "code": "P01",
            "title": "Deltagare är delaktiga",
            "description": "",
            "perspective": "samhälle",
            "type": "process",
            "merged_from": ["P09"],
            "rounds": [
                {
                    "round": 1,
                    "method": "rating",
                    "n": 11,
                    "unable": 0,
                    "mean": 8.1,
                    "sd": 0.7,
                    "median": 8,
                    "q1": 7,
                    "q3": 9,
                    "iqr": 2,
                    "p_high": 0.91,
                    "p_low": 0.0,
                    "rank": 1,
                    "decision": "core",
                    "overridden": False,
                }
            ],
            "decision": {"round": 1, "date": "2030-01-15", "overridden": False, "reason": ""},
            "measures": [
                {"id": "M1", "name": "Intervju om delaktighet", "method": "interview"},
                {
                    "id": "M2",
                    "name": "Upplevt inflytande",
                    "kind": "quantitative",
                    "method": "survey",
                    "unit": "andel (%)",
                    "respondent_group": "deltagare",
                    "frequency": ["P0D", "P12M"],
                    "recommended": True,
                },
            ],
        },
        {
            "code": "E01",
            "title": "Utan mått",
            "perspective": "deltagare",
            "type": "effect",
            "measures": [],
        },
    ],
    "measure_survey": {"invited": 10, "respondents": 7, "submitted": 6, "proposals": 12},
}


def measure(doc, mid):
    return next(m for i in doc["indicators"] for m in i["measures"] if m["id"] == mid)


def with_measure(**fields):
    facts = copy.deepcopy(FACTS)
    facts["indicators"][0]["measures"] = [{"id": "MX", "name": "Måttet", **fields}]
    return facts


def test_the_facts_build_a_valid_document():
    doc = build_protocol(FACTS)
    assert validate_document(doc) == []
    assert (
        validate_document(
            with_checksum({**doc, "status": "active", "publishedAt": "2030-02-01T10:00:00Z"})
        )
        == []
    )
    # An indicator without accepted measures is left out; recommended first.
    assert [i["id"] for i in doc["indicators"]] == ["P01"]
    assert [m["id"] for m in doc["indicators"][0]["measures"]] == ["M2", "M1"]
    assert doc["indicators"][0]["perspective"] == "samhalle"
    assert doc["reporting"]["minCellSize"] == 4
    assert doc["owner"]["lockedWording"] is True and doc["owner"]["licence"] == "CC-BY-4.0"


def test_provenance_from_the_facts():
    doc = build_protocol(FACTS)
    prov = doc["provenance"]
    assert [g["id"] for g in prov["stakeholderGroups"]] == ["politiker", "chefer"]
    round_step = prov["steps"][0]
    assert round_step["kind"] == "delphi-round" and round_step["round"] == 1
    # An unknown group is left out (the schema needs known stakeholder groups).
    assert [p["group"] for p in round_step["participants"]] == ["politiker", "chefer"]
    survey_step = prov["steps"][1]
    assert (
        survey_step["kind"] == "measure-survey"
        and "Förslag på mått: 12" in survey_step["note"]["sv"]
    )
    assert prov["scale"]["code"] == "rating_1_9" and prov["consensusRule"]["code"] == "comet_70_15"
    ind = doc["indicators"][0]["provenance"]
    assert ind["mergedFrom"] == ["P09"]
    assert ind["rounds"][0]["pHigh"] == 0.91 and ind["rounds"][0]["decision"] == "in"
    assert ind["decision"] == {"outcome": "included", "round": 1, "date": "2030-01-15"}


def test_a_survey_measure_without_items_gets_a_derived_item():
    doc = build_protocol(FACTS)
    m2 = measure(doc, "M2")
    assert m2["items"] == ["M2-F1"]
    item = next(i for i in doc["items"] if i["id"] == "M2-F1")
    assert item["text"] == {"sv": "Upplevt inflytande"} and item["scale"] == AGREE_SCALE
    assert item["respondentGroups"] == ["deltagare"]
    assert [s["id"] for s in doc["responseScales"]] == [AGREE_SCALE]
    assert m2["numerator"]["rule"] == {"item": "M2-F1", "values": [4, 5]}
    assert doc["respondentGroups"] == [{"id": "deltagare", "name": {"sv": "Deltagare"}}]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"method": "interview"}, {"kind": "qualitative", "scoring": "narrative"}),
        ({"kind": "qualitative"}, {"method": "document-review", "scoring": "narrative"}),
        ({"unit": "antal"}, {"kind": "quantitative", "method": "register", "scoring": "count"}),
        ({"numerator": "a", "denominator": "b"}, {"scoring": "proportion"}),
        ({"unit": "dagar"}, {"scoring": "mean"}),
        (
            {"method": "focus-group"},
            {"dataSource": {"name": {"sv": "Fokusgrupper"}, "mode": "face-to-face"}},
        ),
        (
            {"method": "register", "data_source": "Uppföljning Finsam"},
            {"dataSource": {"name": {"sv": "Uppföljning Finsam"}, "mode": "register-extract"}},
        ),
        (
            {"frequency": ["P0D", "P6M", "P12M", "P18M"]},
            {"schedule": "inskrivning-p0d-p6m-p12m-p18m"},
        ),
        ({"frequency": ["yearly"]}, {"schedule": "arlig"}),
        ({"frequency": ["continuous"]}, {"schedule": "lopande"}),
        ({"frequency": ["P6M", "yearly"]}, {"schedule": "inskrivning-p6m"}),
        (
            {"method": "survey", "items": [{"id": "Q1", "text": "Hur?", "type": "text"}]},
            {"items": ["Q1"], "scoring": "mean"},
        ),
    ],
)
def test_measure_fields_map_to_the_codelists(fields, expected):
    doc = build_protocol(with_measure(**fields))
    assert validate_document(doc) == [], [str(p) for p in validate_document(doc)]
    got = measure(doc, "MX")
    for key, value in expected.items():
        assert got[key] == value, key


@pytest.mark.parametrize(
    ("frequency", "kind", "detail"),
    [
        (["P0D", "P12M"], "event", ["P0D", "P12M"]),
        (["yearly"], "calendar", "yearly"),
        (["continuous"], "calendar", "monthly"),
    ],
)
def test_schedules_from_frequencies(frequency, kind, detail):
    doc = build_protocol(with_measure(frequency=frequency))
    (schedule,) = doc["schedules"]
    assert schedule["type"] == kind
    if kind == "event":
        assert [t["offset"] for t in schedule["timepoints"]] == detail
        assert schedule["anchor"]["code"] == "inskrivning"
    else:
        assert schedule["calendar"]["frequency"] == detail


@pytest.mark.parametrize(
    ("meta", "path", "expected"),
    [
        ({"title": "Eget namn"}, ("title",), {"sv": "Eget namn"}),
        ({"owner": {"name": "NNS", "lockedWording": False}}, ("owner", "lockedWording"), False),
        ({"owner": {"licence": "CC0-1.0"}}, ("owner", "licence"), "CC0-1.0"),
        (
            {"changelog": [{"version": "1.0.0", "date": "2030-02-01", "changes": "Först"}]},
            ("changelog",),
            [{"version": "1.0.0", "date": "2030-02-01", "changes": {"sv": "Först"}}],
        ),
    ],
)
def test_protocol_texts(meta, path, expected):
    facts = copy.deepcopy(FACTS)
    facts["protocol"].update(meta)
    doc = build_protocol(facts)
    assert validate_document(doc) == []
    value = doc
    for key in path:
        value = value[key]
    assert value == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("P01", "P01"), ("a b/c", "a-b-c"), ("-x", "x"), ("", "x"), ("å", "x"), ("y" * 80, "y" * 64)],
)
def test_identifier(value, expected):
    assert identifier(value) == expected


KON = {
    "id": "kon",
    "name": "Kön",
    "total": {"code": "_T", "label": "Totalt"},
    "codes": [{"code": "K", "label": "Kvinna"}, {"code": "M", "label": "Man"}],
}
AGE = {
    "id": "alder",
    "name": "Ålder",
    "total": {"code": "_T", "label": "Alla"},
    "codes": [{"code": "U", "label": "Ung"}, {"code": "G", "label": "Gammal"}],
}


def test_targets_directions_and_used_codelists_go_into_the_document():
    facts = with_measure(
        kind="quantitative",
        method="survey",
        unit="andel (%)",
        direction="increase",
        target={"value": 80.0, "nearMargin": 2.5},
        disaggregations=["kon"],
    )
    facts["codelists"] = [KON, AGE]
    doc = build_protocol(facts)
    assert validate_document(doc) == []
    m = measure(doc, "MX")
    assert m["direction"] == "increase"
    assert m["target"] == {"value": 80, "nearMargin": 2.5}
    assert isinstance(m["target"]["value"], int)
    assert m["disaggregations"] == ["kon"]
    assert [c["id"] for c in doc["codelists"]] == ["kon"]  # only the used ones
    assert doc["codelists"][0] == {
        "id": "kon",
        "name": {"sv": "Kön"},
        "total": {"code": "_T", "label": {"sv": "Totalt"}},
        "codes": [
            {"code": "K", "label": {"sv": "Kvinna"}},
            {"code": "M", "label": {"sv": "Man"}},
        ],
    }


def test_without_targets_nothing_is_added_and_qualitative_measures_carry_none():
    doc = build_protocol(with_measure(kind="quantitative", method="register", unit="antal"))
    m = measure(doc, "MX")
    assert not {"direction", "target", "disaggregations"} & set(m)
    assert doc["codelists"] == []
    doc = build_protocol(
        with_measure(
            kind="qualitative",
            method="interview",
            description="Vad berättelsen ska ta upp om samverkan i vardagen.",
            direction="increase",
            target={"value": 3},
        )
    )
    assert not {"direction", "target"} & set(measure(doc, "MX"))


def test_a_disaggregation_without_its_codelist_is_named_by_validation():
    facts = with_measure(kind="quantitative", method="register", disaggregations=["lan"])
    facts["codelists"] = [KON]
    problems = validate_document(build_protocol(facts))
    assert [p.code for p in problems] == ["unknown_codelist"]
    assert "disaggregations" in problems[0].path
