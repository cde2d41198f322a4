import copy
import json

import pytest

from consensus.protocol.canonical import canonical_json, with_checksum
from consensus.protocol.example import example_protocol
from consensus.protocol.validate import Problem, json_path, load, validate


def doc_bytes(doc):
    return canonical_json(doc)


def edited(edit, *, rechecksum=True):
    doc = example_protocol()
    edit(doc)
    return with_checksum(doc) if rechecksum else doc


def only(problems, code):
    found = [p for p in problems if p.code == code]
    assert found, [str(p) for p in problems]
    return found


def test_json_path():
    assert json_path(["indicators", 3, "measures", 0, "method"]) == (
        "$.indicators[3].measures[0].method"
    )
    assert json_path(["$schema"]) == "$['$schema']"
    assert json_path(["title", "en-GB"]) == "$.title['en-GB']"


def test_valid_document_has_no_problems_and_loads():
    doc, problems = load(doc_bytes(example_protocol()))
    assert problems == [] and doc["id"] == "nns-karnindikatorer"


def test_invalid_json_reports_line_and_column():
    data = b'{\n  "id": "x",\n  "version" "1.0.0"\n}'
    [problem] = validate(data)
    assert problem.code == "invalid_json"
    assert problem.path == "$"
    assert problem.params["line"] == 3 and problem.params["column"] == 13
    assert problem.message == (
        "Filen är inte giltig JSON: ett kolon (:) saknas (rad 3, kolumn 13)."
    )


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"\xff\xfe{}", "not_utf8"),
        (b'{"a": NaN}', "non_finite"),
        (b'{"a": 1, "a": 2}', "duplicate_key"),
        (b"[1, 2]", "not_object"),
        (b"[" * 100_000 + b"]" * 100_000, "too_deep"),
    ],
)
def test_other_file_problems(data, code):
    problems = validate(data)
    assert [p.code for p in problems] == [code]
    assert problems[0].message[0].isupper()


def test_a_bom_is_accepted():
    assert validate(b"\xef\xbb\xbf" + doc_bytes(example_protocol())) == []


def test_a_20_mb_file_is_refused_before_parsing():
    data = b'{"padding": "' + b"x" * 20_000_000 + b'"}'
    [problem] = validate(data)
    assert problem.code == "too_large" and problem.path == "$"
    assert problem.message == "Filen är för stor (20 MB). Den får vara högst 10 MB."


def test_wrong_schema_version_stops_there():
    doc = example_protocol()
    doc["$schema"] = "https://consensus.example/schema/protocol/2.0"
    doc["indicators"] = "nonsense"  # not reported: a 2.0 document follows other rules
    [problem] = validate(doc_bytes(doc))
    assert problem.code == "wrong_schema_version"
    assert problem.path == "$['$schema']"
    assert "version 2.0" in problem.message and "version 1.0" in problem.message


def test_unknown_schema():
    [problem] = validate(edited(lambda d: d.__setitem__("$schema", "urn:x")))
    assert problem.code == "unknown_schema"


def test_missing_required_field():
    doc = edited(lambda d: d["indicators"][3].pop("name"))
    [problem] = validate(doc_bytes(doc))
    assert problem.code == "required"
    assert problem.path == "$.indicators[3].name"
    assert problem.message == "Fältet ”name” saknas. Det måste finnas här."


def test_missing_schema_field_is_a_required_problem():
    problems = validate(edited(lambda d: d.pop("$schema")))
    assert [(p.path, p.code) for p in problems] == [("$['$schema']", "required")]


def test_enum_names_field_and_allowed_values():
    doc = edited(lambda d: d["indicators"][3]["measures"][0].__setitem__("method", "enkät"))
    [problem] = validate(doc)
    assert problem.path == "$.indicators[3].measures[0].method"
    assert problem.message == (
        "”enkät” är inte ett tillåtet värde för ”method”. Tillåtna värden: survey, register, "
        "document-review, interview, focus-group, case-study, observation."
    )


def test_type_pattern_min_items_and_additional_properties():
    def edit(d):
        d["reporting"]["minCellSize"] = "fem"
        d["version"] = "1.0"
        d["indicators"][0]["measures"] = []
        d["indicators"][1]["colour"] = "blå"
        d["title"]["Svenska"] = "x"
        d["schedules"][0]["timepoints"][1]["offset"] = "6 månader"

    problems = validate(edited(edit))
    by_path = {p.path: p for p in problems}
    assert by_path["$.reporting.minCellSize"].message == (
        "”minCellSize” ska vara ett heltal, men är en text."
    )
    assert by_path["$.version"].code == "pattern"
    assert "semantisk versionering" in by_path["$.version"].message
    assert by_path["$.indicators[0].measures"].message == (
        "Listan ”measures” måste innehålla minst 1 element, men innehåller 0."
    )
    assert by_path["$.indicators[1].colour"].code == "additional_property"
    assert by_path["$.indicators[1].colour"].message.startswith(
        "Fältet ”colour” är inte tillåtet här. Tillåtna fält: id, name, description,"
    )
    assert by_path["$.title.Svenska"].code == "language_code"
    assert "P6M" in by_path["$.schedules[0].timepoints[1].offset"].message


def test_conditional_requirements():
    def edit(d):
        d["indicators"][8]["measures"][0].pop("guidance")  # qualitative needs guidance
        d["items"][0].pop("scale")  # a choice needs a scale
        d["status"] = "active"
        d.pop("publishedAt")

    problems = validate(edited(edit))
    paths = {p.path for p in only(problems, "required")}
    assert paths == {
        "$.indicators[8].measures[0].guidance",
        "$.items[0].scale",
        "$.publishedAt",
    }


def test_a_published_version_needs_a_checksum_but_a_draft_does_not():
    doc = example_protocol()
    del doc["checksum"]
    assert [p.path for p in validate(doc)] == ["$.checksum"]
    doc["status"] = "draft"
    assert validate(doc) == []


def test_wrong_checksum():
    doc = example_protocol()
    doc["title"]["sv"] = "Ändrad efter publicering"
    [problem] = validate(doc_bytes(doc))
    assert problem.code == "checksum_mismatch"
    assert problem.path == "$.checksum"
    assert problem.message.startswith("Kontrollsumman stämmer inte med innehållet")


@pytest.mark.parametrize(
    ("edit", "path", "entity"),
    [
        (
            lambda d: d["indicators"][4].__setitem__("id", "I01"),
            "$.indicators[4].id",
            "en annan indikator",
        ),
        (
            lambda d: d["indicators"][6]["measures"][1].__setitem__("id", "I01-M1"),
            "$.indicators[6].measures[1].id",
            "ett annat mått",
        ),
        (lambda d: d["items"].append(dict(d["items"][0])), "$.items[12].id", "en annan fråga"),
    ],
)
def test_duplicate_ids(edit, path, entity):
    problems = validate(doc_bytes(edited(edit)))
    [problem] = only(problems, "duplicate_id")
    assert problem.path == path
    assert entity in problem.message
    assert "Varje" in problem.message and "måste ha ett eget id" in problem.message


def test_measure_refers_to_unknown_item():
    doc = edited(lambda d: d["indicators"][1]["measures"][0]["items"].append("D99"))
    [problem] = validate(doc_bytes(doc))
    assert problem.code == "unknown_item"
    assert problem.path == "$.indicators[1].measures[0].items[1]"
    assert problem.message.startswith(
        "Frågan ”D99” finns inte bland protokollets frågor (items). Kända frågor: D01, D02,"
    )


def test_numerator_rule_checks():
    def edit(d):
        measure = d["indicators"][0]["measures"][0]
        measure["numerator"]["rule"]["values"] = [4, 6]
        measure["denominator"]["rule"]["item"] = "D05"

    problems = validate(edited(edit))
    assert {(p.path, p.code) for p in problems} == {
        ("$.indicators[0].measures[0].numerator.rule.values[1]", "unknown_scale_value"),
        ("$.indicators[0].measures[0].denominator.rule.item", "rule_item_not_in_measure"),
    }


def test_unknown_codelist_values():
    def edit(d):
        d["indicators"][2]["perspective"] = "ekonomi"
        d["indicators"][2]["measures"][0]["disaggregations"] = ["kon", "lan"]
        d["items"][1]["respondentGroups"] = ["chefer"]
        d["items"][2]["scale"] = "ja-nej"
        d["indicators"][0]["measures"][0]["schedule"] = "varannan-vecka"
        d["provenance"]["steps"][1]["participants"][0]["group"] = "okand"

    problems = validate(doc_bytes(edited(edit)))
    found = {(p.path, p.code) for p in problems}
    assert found == {
        ("$.indicators[2].perspective", "unknown_perspective"),
        ("$.indicators[2].measures[0].disaggregations[1]", "unknown_codelist"),
        ("$.items[1].respondentGroups[0]", "unknown_respondent_group"),
        ("$.items[2].scale", "unknown_scale"),
        ("$.indicators[0].measures[0].schedule", "unknown_schedule"),
        ("$.provenance.steps[1].participants[0].group", "unknown_stakeholder_group"),
    }
    perspective = next(p for p in problems if p.code == "unknown_perspective")
    assert perspective.message == (
        "”ekonomi” är inget perspektiv i protokollets kodlista (perspectives). "
        "Tillåtna värden: deltagare, medarbetare, organisation, samhalle."
    )


def test_combines_and_codelist_checks():
    def edit(d):
        m = d["indicators"][6]["measures"][0]
        m["combines"] = {"measures": ["I07-M2", "I99-M1", "I07-M1"], "how": {"sv": "Medel"}}
        d["codelists"][0]["codes"].append({"code": "_T", "label": {"sv": "Totalt"}})
        d["codelists"][1]["codes"].append({"code": "16-29", "label": {"sv": "igen"}})
        d["provenance"]["steps"][1]["participants"][0]["responding"] = 99

    problems = validate(edited(edit))
    found = {(p.path, p.code) for p in problems}
    assert found == {
        ("$.indicators[6].measures[0].combines.measures[1]", "unknown_measure"),
        ("$.indicators[6].measures[0].combines.measures[2]", "self_combine"),
        ("$.codelists[0].total.code", "total_code_clash"),
        ("$.codelists[1].codes[3].code", "duplicate_code"),
        ("$.provenance.steps[1].participants[0].responding", "responding_exceeds_invited"),
    }


def test_every_problem_is_collected_in_document_order():
    def edit(d):
        d["indicators"][10].pop("type")
        d["indicators"][2]["perspective"] = "ekonomi"
        d["items"].append(dict(d["items"][0]))
        d["reporting"]["minCellSize"] = 0

    doc = edited(edit, rechecksum=False)
    problems = validate(json.dumps(doc, indent=2))
    assert [p.path for p in problems] == [
        "$.checksum",
        "$.indicators[2].perspective",
        "$.indicators[10].type",
        "$.items[12].id",
        "$.reporting.minCellSize",
    ]
    assert all(isinstance(p, Problem) and p.message for p in problems)
    assert str(problems[0]).startswith("$.checksum: Kontrollsumman")


def test_semantic_checks_survive_a_badly_typed_document():
    doc = example_protocol()
    doc["items"] = {"D01": "?"}
    doc["indicators"][0]["measures"][0]["dataSource"] = "enkät"
    doc["provenance"] = []
    problems = validate(copy.deepcopy(doc))
    assert {p.code for p in problems} >= {"type", "checksum_mismatch"}


def test_same_version_at_another_address_is_an_unknown_schema():
    doc = edited(lambda d: d.__setitem__("$schema", d["$schema"] + "/"))
    [problem] = validate(doc)
    assert problem.code == "unknown_schema" and problem.path == "$['$schema']"


def test_every_text_has_a_length_limit():
    """A 9.5 MB title once imported and made every förbund page weigh 9-19 MB: titles, names
    and labels are at most 300 characters, other texts 5,000, plain strings bounded too."""

    def edit(d):
        d["title"]["sv"] = "T" * 301
        d["indicators"][0]["description"]["sv"] = "x" * 5_001
        d["owner"]["name"] = "n" * 301

    problems = validate(doc_bytes(edited(edit)))
    assert sorted((p.path, p.code, p.message) for p in problems) == [
        ("$.indicators[0].description.sv", "max_length", "”sv” får vara högst 5000 tecken långt."),
        ("$.owner.name", "max_length", "”name” får vara högst 300 tecken långt."),
        ("$.title.sv", "max_length", "”sv” får vara högst 300 tecken långt."),
    ]
    at_the_limits = edited(
        lambda d: (
            d["title"].update(sv="T" * 300),
            d["indicators"][0]["description"].update(sv="x" * 5_000),
        )
    )
    assert validate(doc_bytes(at_the_limits)) == []


def test_every_string_in_the_schema_is_bounded():
    """Each string the schema allows has a maxLength, a bounded pattern or an enum."""
    from consensus.protocol.validate.schema import load_schema

    unbounded = []

    def walk(node, path):
        if isinstance(node, dict):
            types = node.get("type")
            if "string" in (types if isinstance(types, list) else [types]):
                if not ("maxLength" in node or "pattern" in node or "enum" in node):
                    unbounded.append(path)
            for key, value in node.items():
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    walk(load_schema(), "")
    assert unbounded == []
