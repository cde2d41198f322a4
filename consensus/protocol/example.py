"""A realistic example protocol: the 15 NNS core indicators (seed 001) made measurable.

A pure module. :func:`example_protocol` returns a fresh, valid, published (``active``)
document with its checksum, used by the tests, the demo and as documentation of the format.
The document itself is data, ``examples/nns-example.json`` beside this module (without
``$schema``, which is the schema this version validates against, and without the checksum,
which is computed on every call). The indicator names follow the consensus conference's
protocol; the measures, items, dates and vote counts are illustrative.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from .canonical import with_checksum
from .validate import SCHEMA_ID

EXAMPLE_FILE = "nns-example.json"


@cache
def _example_text() -> str:
    return resources.files(__package__).joinpath("examples", EXAMPLE_FILE).read_text("utf-8")


def example_protocol() -> dict[str, Any]:
    """A fresh copy of the example document (valid, published, with checksum)."""
    doc: dict[str, Any] = {"$schema": SCHEMA_ID, **json.loads(_example_text())}
    return with_checksum(doc)
