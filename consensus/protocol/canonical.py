"""The canonical JSON form of a protocol document and its checksum.

A pure module (plain Python, no Flask or SQLAlchemy).

Canonical JSON
    ``json.dumps`` with keys sorted (by code point), no insignificant whitespace
    (``separators=(",", ":")``), non-ASCII characters written as themselves
    (``ensure_ascii=False``) and encoded as UTF-8 without a byte order mark; NaN and
    Infinity are refused (they are not JSON). Numbers are written the way Python writes them,
    so a document parsed with :func:`json.loads` and serialised again gives the same bytes.

Checksum
    ``"sha256:" + sha256(canonical JSON of the document without its "checksum" member)``
    (lowercase hex). Removing the member first means the checksum can be stored inside the
    document it checks: :func:`with_checksum` adds it, :func:`verify_checksum` recomputes it.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from typing import Any

CHECKSUM_FIELD = "checksum"
CHECKSUM_PREFIX = "sha256:"


def canonical_json(doc: Any) -> bytes:
    """The canonical UTF-8 bytes of ``doc`` (any JSON value)."""
    return json.dumps(
        doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _without_checksum(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in doc.items() if key != CHECKSUM_FIELD}


def checksum(doc: Mapping[str, Any]) -> str:
    """``"sha256:<hex>"`` over the canonical JSON of ``doc`` without its checksum member."""
    digest = hashlib.sha256(canonical_json(_without_checksum(doc))).hexdigest()
    return CHECKSUM_PREFIX + digest


def with_checksum(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``doc`` with its checksum set (replacing any old one)."""
    out = copy.deepcopy(_without_checksum(doc))
    out[CHECKSUM_FIELD] = checksum(out)
    return out


def verify_checksum(doc: Mapping[str, Any]) -> bool:
    """True when ``doc`` carries a checksum and it matches its content."""
    return doc.get(CHECKSUM_FIELD) == checksum(doc)


def dumps(doc: Mapping[str, Any]) -> bytes:
    """The published file: the canonical JSON of ``doc`` as it is (checksum included)."""
    return canonical_json(doc)
