"""The example protocol is data (examples/nns-example.json); the module adds schema and checksum."""

import json
from importlib import resources

from consensus.protocol.canonical import CHECKSUM_FIELD, verify_checksum
from consensus.protocol.example import EXAMPLE_FILE, example_protocol
from consensus.protocol.validate import SCHEMA_ID


def test_the_data_file_stores_neither_checksum_nor_schema():
    path = resources.files("consensus.protocol").joinpath("examples", EXAMPLE_FILE)
    data = json.loads(path.read_text("utf-8"))
    assert CHECKSUM_FIELD not in data and "$schema" not in data
    assert len(data["indicators"]) == 15


def test_every_call_returns_a_fresh_document_with_its_checksum():
    first = example_protocol()
    assert first["$schema"] == SCHEMA_ID and next(iter(first)) == "$schema"
    assert verify_checksum(first)
    first["indicators"].clear()
    assert len(example_protocol()["indicators"]) == 15
