"""Steps 2 and 3 of a protocol check: the schema version, then the JSON Schema (pure).

``$schema`` must name a schema this module knows (:data:`SCHEMA_ID`); a document for another
schema version stops there, since its other "problems" would only be noise. Then every error
of the JSON Schema (draft 2020-12, ``schema/protocol-1.0.schema.json``) becomes a
:class:`~.problems.Problem` that names the field and the allowed values.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ..messages import ELEMENTS, PATTERN_DESCRIPTIONS
from .problems import Path, Problem, field_name, json_path, type_of
from .problems import problem as _problem

SCHEMA_VERSION = "1.0"
# A name, not a location (docs/decisions.md); served at /schema/protocol/1.0.
SCHEMA_ID = "urn:uuid:0e4e5088-5a57-4a9f-9009-b80669ef32a9"
SCHEMA_FILE = "protocol-1.0.schema.json"

_SCHEMA_VERSION_IN_URL = re.compile(r"/schema/protocol/(\d+(?:\.\d+)*)/?$")


@functools.cache
def load_schema() -> dict[str, Any]:
    """The protocol JSON Schema shipped with the package (parsed once)."""
    text = resources.files("consensus.protocol").joinpath("schema", SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


@functools.cache
def validator() -> Draft202012Validator:
    return Draft202012Validator(load_schema())


def schema_version_problem(doc: Mapping[str, Any]) -> Problem | None:
    declared = doc.get("$schema")
    if declared is None or declared == SCHEMA_ID:
        return None  # a missing $schema is reported by the schema ("required")
    if isinstance(declared, str):
        match = _SCHEMA_VERSION_IN_URL.search(declared)
        if match and match.group(1) != SCHEMA_VERSION:
            return _problem(
                ("$schema",),
                "wrong_schema_version",
                found=match.group(1),
                supported=SCHEMA_VERSION,
            )
    return _problem(("$schema",), "unknown_schema", value=declared, expected=SCHEMA_ID)


@functools.cache
def _pattern_names() -> dict[str, str]:
    defs = load_schema().get("$defs", {})
    names = {d["pattern"]: name for name, d in defs.items() if "pattern" in d}
    published = load_schema()["properties"]["publishedAt"].get("pattern")
    if published:
        names[published] = "dateTime"
    return names


def schema_problems(error: ValidationError) -> Iterator[Problem]:
    parts: Path = tuple(error.absolute_path)
    kind = error.validator
    value = error.validator_value
    instance = error.instance
    name = field_name(parts)
    if kind == "required":
        present = instance if isinstance(instance, dict) else {}
        for missing in value:
            if missing not in present:
                yield _problem((*parts, missing), "required", field=missing)
    elif kind == "enum":
        yield _problem(parts, "enum", field=name, value=instance, allowed=list(value))
    elif kind == "const":
        yield _problem(parts, "const", field=name, expected=value, value=instance)
    elif kind == "type":
        expected = value if isinstance(value, list) else [value]
        yield _problem(parts, "type", field=name, expected=expected, actual=type_of(instance))
    elif kind == "pattern":
        pattern_name = _pattern_names().get(value)
        shown = (
            {"description": pattern_name}
            if pattern_name in PATTERN_DESCRIPTIONS
            else {"pattern": value}
        )
        yield Problem(json_path(parts), "pattern", {"field": name, "value": instance, **shown})
    elif kind in ("minItems", "maxItems"):
        yield _problem(
            parts,
            "min_items" if kind == "minItems" else "max_items",
            field=name,
            limit=value,
            count=len(instance),
            noun=ELEMENTS,
        )
    elif kind == "uniqueItems":
        yield _problem(parts, "unique_items", field=name)
    elif kind == "minLength":
        if value == 1:
            yield _problem(parts, "empty_text", field=name)
        else:
            yield _problem(parts, "min_length", field=name, limit=value)
    elif kind == "maxLength":
        yield _problem(parts, "max_length", field=name, limit=value)
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        code = {
            "minimum": "minimum",
            "maximum": "maximum",
            "exclusiveMinimum": "exclusive_minimum",
            "exclusiveMaximum": "exclusive_maximum",
        }[kind]
        yield _problem(parts, code, field=name, limit=value, value=instance)
    elif kind == "minProperties":
        yield _problem(parts, "min_properties", field=name)
    elif kind == "additionalProperties" and isinstance(instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = list(schema.get("properties", {}))
        patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
        for key in instance:
            if key in allowed or any(p.search(key) for p in patterns):
                continue
            if patterns and not allowed:  # a language map
                yield _problem((*parts, key), "language_code", name=key)
            else:
                yield _problem((*parts, key), "additional_property", name=key, allowed=allowed)
    else:
        yield _problem(parts, "schema_other", field=name, detail=error.message)
