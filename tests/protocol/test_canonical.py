import copy
import json
import struct

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
    with pytest.raises(ValueError):
        canonical_json({"x": float("inf")})


# RFC 8785 (JSON Canonicalization Scheme), the published examples.


def test_rfc8785_section_3_2_2_example():
    # RFC 8785 section 3.2.2: the input text and its canonical form, byte for byte.
    given = (
        "{\n"
        '  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n'
        '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n'
        '  "literals": [null, true, false]\n'
        "}"
    )
    expected = (
        '{"literals":[null,true,false],'
        '"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical_json(json.loads(given)) == expected.encode("utf-8")


def test_rfc8785_section_3_2_3_sorting_by_utf16_code_units():
    given = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = list(json.loads(canonical_json(given)))
    # U+1F600 is the surrogate pair D83D DE00, so it sorts before U+FB33 (by code point after).
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


@pytest.mark.parametrize(
    ("ieee", "expected"),
    [  # RFC 8785 appendix B: IEEE 754 bit patterns and their canonical text
        ("0000000000000000", "0"),
        ("8000000000000000", "0"),  # minus zero
        ("0000000000000001", "5e-324"),
        ("8000000000000001", "-5e-324"),
        ("7fefffffffffffff", "1.7976931348623157e+308"),
        ("ffefffffffffffff", "-1.7976931348623157e+308"),
        ("4340000000000000", "9007199254740992"),
        ("c340000000000000", "-9007199254740992"),
        ("4430000000000000", "295147905179352830000"),
        ("44b52d02c7e14af5", "9.999999999999997e+22"),
        ("44b52d02c7e14af6", "1e+23"),
        ("44b52d02c7e14af7", "1.0000000000000001e+23"),
        ("444b1ae4d6e2ef4e", "999999999999999700000"),
        ("444b1ae4d6e2ef4f", "999999999999999900000"),
        ("444b1ae4d6e2ef50", "1e+21"),
        ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
        ("3eb0c6f7a0b5ed8d", "0.000001"),
        ("41b3de4355555553", "333333333.3333332"),
        ("41b3de4355555554", "333333333.33333325"),
        ("41b3de4355555555", "333333333.3333333"),
        ("41b3de4355555556", "333333333.3333334"),
        ("41b3de4355555557", "333333333.33333343"),
        ("becbf647612f3696", "-0.0000033333333333333333"),
        ("43143ff3c1cb0959", "1424953923781206.2"),
    ],
)
def test_rfc8785_appendix_b_numbers(ieee, expected):
    (number,) = struct.unpack(">d", bytes.fromhex(ieee))
    assert canonical_json(number) == expected.encode("ascii")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (7.0, "7"),  # what the demo's "median" used to be written as (7.0)
        (1.0, "1"),
        (-0.0, "0"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (0.5, "0.5"),
        ('ö\u2028\x0f"\\/', '"ö\u2028\\u000f\\"\\\\/"'),
        ("\b\f\n\r\t", '"\\b\\f\\n\\r\\t"'),
    ],
)
def test_rfc8785_values(value, expected):
    assert canonical_json(value) == expected.encode("utf-8")


def test_checksum_does_not_depend_on_how_a_number_was_typed():
    # A JavaScript, Go or R parser does not keep 7.0 apart from 7: neither may the checksum.
    doc = {"median": 7.0, "share": 0.5, "n": 12}
    assert checksum(doc) == checksum({"median": 7, "share": 0.5, "n": 12.0})
    assert canonical_json(doc) == b'{"median":7,"n":12,"share":0.5}'


def test_integers_beyond_what_every_language_reads_exactly_are_refused():
    assert canonical_json(2**53 - 1) == b"9007199254740991"
    with pytest.raises(ValueError):
        canonical_json(2**60)


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
