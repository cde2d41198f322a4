import copy

import pytest

from consensus.protocol.diffs import (
    bump_kind,
    check_version_bump,
    diff,
    next_version,
    version_key,
)
from consensus.protocol.example import example_protocol


@pytest.fixture
def old():
    return example_protocol()


@pytest.fixture
def new(old):
    return copy.deepcopy(old)


def test_identical_versions(old, new):
    new["version"], new["publishedAt"], new["checksum"] = "1.0.1", None, "sha256:" + "0" * 64
    result = diff(old, new)
    assert result.is_empty and not result.breaks_comparability
    assert result.required_bump == "patch"


def test_added_indicator_is_minor(old, new):
    extra = copy.deepcopy(new["indicators"][0])
    extra["id"] = "I16"
    extra["measures"][0]["id"] = "I16-M1"
    new["indicators"].append(extra)
    result = diff(old, new)
    assert result.indicators.added == ["I16"] and result.measures.added == ["I16-M1"]
    assert result.indicators.removed == [] and result.indicators.changed == []
    assert not result.breaks_comparability
    assert result.required_bump == "minor"


def test_removed_indicator_breaks_comparability(old, new):
    del new["indicators"][14]
    result = diff(old, new)
    assert result.indicators.removed == ["I15"] and result.measures.removed == ["I15-M1"]
    assert result.breaks_comparability
    assert {b.code for b in result.breaks} == {"indicator_removed", "measure_removed"}
    assert result.required_bump == "major"


def test_changed_description_only_is_minor(old, new):
    new["indicators"][2]["description"]["sv"] = "En tydligare beskrivning."
    result = diff(old, new)
    [changed] = result.indicators.changed
    assert changed.id == "I03"
    [field] = changed.fields
    assert field.field == "description.sv"
    assert field.old == old["indicators"][2]["description"]["sv"]
    assert field.new == "En tydligare beskrivning."
    assert not result.breaks_comparability
    assert result.required_bump == "minor"
    assert check_version_bump("1.0.0", "1.1.0", result) == []
    [problem] = check_version_bump("1.0.0", "1.0.1", result)
    assert problem.code == "bump_too_small" and problem.path == "$.version"
    assert "delversion, till exempel 1.1.0" in problem.message


def test_changed_item_wording_requires_major(old, new):
    new["items"][0]["text"]["sv"] = "Insatserna passar mig."
    result = diff(old, new)
    [changed] = result.items.changed
    assert changed.id == "D01" and changed.field_names() == ["text.sv"]
    assert [b.code for b in result.breaks] == ["item_wording"]
    assert result.required_bump == "major"
    for version in ("1.1.0", "1.0.1"):
        [problem] = check_version_bump("1.0.0", version, result)
        assert problem.code == "bump_breaks_comparability"
        assert "frågan ”D01” har fått en ny formulering" in problem.message
        assert "huvudversion, till exempel 2.0.0" in problem.message
    assert check_version_bump("1.0.0", "2.0.0", result) == []


def test_adding_a_translation_does_not_break(old, new):
    new["items"][0]["text"]["en"] = "The services are planned around my needs."
    result = diff(old, new)
    assert result.items.changed and not result.breaks_comparability
    assert result.required_bump == "minor"


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (lambda d: d["items"][1].__setitem__("type", "text"), "item_type"),
        (
            lambda d: d["responseScales"][0]["categories"][4]["label"].__setitem__("sv", "Helt"),
            "scale_changed",
        ),
        (
            lambda d: d["indicators"][0]["measures"][0]["numerator"]["rule"].__setitem__(
                "values", [5]
            ),
            "measure_numerator",
        ),
        (
            lambda d: d["indicators"][10]["measures"][0]["denominator"]["description"].__setitem__(
                "sv", "Alla"
            ),
            "measure_denominator",
        ),
        (
            lambda d: d["indicators"][0]["measures"][0].__setitem__("scoring", "mean"),
            "measure_scoring",
        ),
        (lambda d: d["indicators"][0]["measures"][0]["items"].pop(), "measure_items"),
        (lambda d: d["items"].pop(), "item_removed"),
    ],
)
def test_comparability_breaks(old, new, edit, code):
    edit(new)
    result = diff(old, new)
    assert code in {b.code for b in result.breaks}
    assert result.required_bump == "major"


def test_measure_fields_and_sections(old, new):
    new["indicators"][0]["measures"][0]["target"]["value"] = 75
    new["reporting"]["minCellSize"] = 10
    result = diff(old, new)
    [changed] = result.measures.changed
    assert changed.id == "I01-M1" and changed.field_names() == ["target.value"]
    assert [(c.field, c.old, c.new) for c in result.sections] == [("reporting.minCellSize", 5, 10)]
    assert result.required_bump == "minor"


def test_metadata_only_is_patch(old, new):
    new["title"]["sv"] = "Kärnindikatorer (rättad)"
    new["owner"]["contact"] = "kansli@nnsfinsam.se"
    new["changelog"].append({"version": "1.0.1", "changes": {"sv": "Rättat stavfel."}})
    result = diff(old, new)
    assert result.required_bump == "patch"
    assert {c.field for c in result.sections} >= {"title.sv", "owner.contact"}


def test_reordering_measures_changes_the_recommended_one(old, new):
    new["indicators"][4]["measures"].reverse()
    result = diff(old, new)
    [changed] = result.indicators.changed
    assert changed.field_names() == ["measures"]
    assert result.measures.changed == [] and result.required_bump == "minor"


def test_version_numbers():
    assert version_key("1.0.0-rc.1") < version_key("1.0.0") < version_key("1.0.1")
    assert version_key("1.10.0") > version_key("1.9.9")
    assert bump_kind("1.2.3", "2.0.0") == "major"
    assert bump_kind("1.2.3", "1.3.0") == "minor"
    assert bump_kind("1.2.3", "1.2.4") == "patch"
    assert bump_kind("1.2.3", "1.2.3") is None
    assert next_version("1.2.3", "major") == "2.0.0"
    empty = diff(example_protocol(), example_protocol())
    assert [p.code for p in check_version_bump("1.2.3", "1.2.3", empty)] == ["version_not_newer"]
    assert [p.code for p in check_version_bump("1.2.3", "1.2", empty)] == ["invalid_version"]
    assert check_version_bump("1.2.3", "1.2.4", empty) == []


def _m(doc):
    return doc["indicators"][0]["measures"][0]


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d: _m(d)["target"].__setitem__("value", 80), "target.value"),
        (lambda d: _m(d)["target"].__setitem__("nearMargin", 2), "target.nearMargin"),
        (lambda d: _m(d).pop("target"), "target.value"),
        (lambda d: _m(d).__setitem__("direction", "decrease"), "direction"),
        (lambda d: _m(d).__setitem__("disaggregations", ["kon"]), "disaggregations"),
    ],
)
def test_a_changed_target_direction_or_disaggregation_is_minor(old, new, edit, field):
    """Follow-up's goals may move between versions without breaking comparability."""
    edit(new)
    result = diff(old, new)
    assert result.breaks == []
    [changed] = result.measures.changed
    assert field in changed.field_names()
    assert result.required_bump == "minor"
    assert check_version_bump("1.0.0", "1.1.0", result) == []


def test_a_changed_codelist_is_minor(old, new):
    new["codelists"][0]["codes"].append({"code": "X", "label": {"sv": "Annat"}})
    result = diff(old, new)
    assert result.breaks == [] and result.required_bump == "minor"
    assert [c.field for c in result.sections] == ["codelists"]


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (lambda d: d["items"][0].__setitem__("scale", "ja-nej"), "item_scale"),
        (
            lambda d: _m(d)["numerator"]["rule"].__setitem__("values", [5]),
            "measure_numerator",
        ),
    ],
)
def test_a_changed_scale_or_numerator_rule_with_a_new_target_is_major(old, new, edit, code):
    _m(new)["target"]["value"] = 80
    edit(new)
    result = diff(old, new)
    assert code in {b.code for b in result.breaks}
    assert result.required_bump == "major"
    [problem] = check_version_bump("1.0.0", "1.1.0", result)
    assert problem.code == "bump_breaks_comparability"
