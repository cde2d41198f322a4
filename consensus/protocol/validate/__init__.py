"""Validating a protocol document: the JSON Schema, then what a schema cannot express.

A pure package (plain Python, no Flask or SQLAlchemy). :func:`validate` takes the bytes of an
uploaded file (or an already parsed document) and returns *every* problem it finds, each a
:class:`Problem` with a JSON path (``$.indicators[3].measures[0].method``), a stable ``code``
and parameters; its sentence comes from the protocol's one catalogue
(:mod:`consensus.protocol.messages`): ``problem.render(gettext)`` in the reader's language,
``problem.message`` in Swedish. An empty list means the document can be imported.

Order of the checks, one module each
    1. :mod:`.parsing`: the file: size (``max_bytes``, checked before anything is decoded),
       UTF-8, JSON syntax (line and column), NaN/Infinity, keys repeated in one object. A file
       that is not JSON stops here.
    2. :mod:`.schema`: the schema version: ``$schema`` must name a schema this package knows
       (:data:`SCHEMA_ID`). A document for another schema version stops here.
    3. :mod:`.schema`: the JSON Schema (draft 2020-12, ``schema/protocol-1.0.schema.json``),
       every error mapped to a sentence that names the field and the allowed values.
    4. :mod:`.references`: semantic checks, run even when the schema found errors: duplicate
       ids, references to unknown things, answer values not on the item's scale, totals that
       clash with codes, more responding than invited.
    5. :mod:`.references`: the checksum (see :mod:`consensus.protocol.canonical`), when the
       document carries one.

:mod:`.checks` runs them in that order; :mod:`.problems` holds the problem type.
"""

from .checks import load, validate, validate_document
from .parsing import DEFAULT_MAX_BYTES, parse
from .problems import Path, Problem, json_path, render_message, sort_problems
from .schema import SCHEMA_FILE, SCHEMA_ID, SCHEMA_VERSION, load_schema

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SCHEMA_FILE",
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "Path",
    "Problem",
    "json_path",
    "load",
    "load_schema",
    "parse",
    "render_message",
    "sort_problems",
    "validate",
    "validate_document",
]
