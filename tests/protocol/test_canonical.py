import copy
import json

import pytest

from consensus.protocol.canonical import (
    canonical_json,
    checksum,
    verify_checksum,
    with_checksum,
)
from consensus.protocol.example import example_protocol
from consensus.protocol.validate import SCHEMA_ID, load_schema, validate


def test_example_is_valid_and_published():
    doc = example_protocol()
    assert validate(doc) == []
    assert validate(canonical_json(doc)) == []
    assert doc["status"] == "active"
    assert len(doc["indicators"]) == 15
    assert all(1 <= len(i["measures"]) <= 2 for i in doc["indicators"])
    assert [t["offset"] for t in doc["schedules"][0]["timepoints"]] == [
        "P0D",
        "P6M",
        "P12M",
        "P18M",
    ]
    assert doc["reporting"]["minCellSize"] == 5


def test_schema_is_draft_2020_12_with_stable_id():
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    assert "checksum" in schema["description"]


def test_canonical_form():
    assert canonical_json({"b": 1, "a": [1, 2], "å": "ö"}) == '{"a":[1,2],"b":1,"å":"ö"}'.encode()
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_round_trip_is_byte_identical():
    doc = example_protocol()
    first = canonical_json(doc)
    again = canonical_json(json.loads(first.decode("utf-8")))
    assert first == again
    assert b"\n" not in first
    pretty = json.dumps(doc, indent=2, ensure_ascii=True)
    assert canonical_json(json.loads(pretty)) == first  # whitespace and escapes do not count
    assert "Kärnindikatorer".encode() in first  # UTF-8, not \u escapes


def test_checksum_is_over_the_document_without_checksum():
    doc = example_protocol()
    assert doc["checksum"].startswith("sha256:") and len(doc["checksum"]) == 7 + 64
    assert verify_checksum(doc)
    assert checksum(doc) == checksum({k: v for k, v in doc.items() if k != "checksum"})
    assert with_checksum(doc) == doc
    assert checksum(json.loads(canonical_json(doc))) == doc["checksum"]


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["title"].__setitem__("sv", d["title"]["sv"] + "."),
        lambda d: d["indicators"][14]["measures"][0].__setitem__("schedule", "inskrivning"),
        lambda d: d["reporting"].__setitem__("minCellSize", 6),
        lambda d: d["items"][0]["text"].__setitem__("en", "Needs-based."),
        lambda d: d["indicators"].reverse(),
    ],
)
def test_checksum_changes_on_any_edit(edit):
    doc = example_protocol()
    changed = copy.deepcopy(doc)
    edit(changed)
    assert checksum(changed) != doc["checksum"]
    assert not verify_checksum(changed)


def test_with_checksum_does_not_touch_its_argument():
    doc = example_protocol()
    del doc["checksum"]
    out = with_checksum(doc)
    assert "checksum" not in doc and verify_checksum(out)
