"""The canonical JSON form of a protocol document and its checksum.

A pure module (plain Python, no Flask or SQLAlchemy).

Canonical JSON
    The JSON Canonicalization Scheme, RFC 8785 (JCS), through the maintained ``rfc8785``
    package: keys sorted by their UTF-16 code units, no insignificant whitespace, strings with
    the minimal escapes (non-ASCII written as itself), numbers as ECMAScript writes them
    (``7.0`` is ``7``, ``1e21`` is ``1e+21``, ``-0`` is ``0``), UTF-8 without a byte order
    mark. NaN, Infinity and integers beyond 2**53 are refused (JCS cannot write them). Any JCS
    implementation (JavaScript, Go, R, Java ...) gives the same bytes, so anyone can check a
    checksum without this platform: ``docs/checksums.md``. A document parsed with
    :func:`json.loads` and serialised again gives the same bytes.

Checksum
    ``"sha256:" + sha256(canonical JSON of the document without its "checksum" member)``
    (lowercase hex). Removing the member first means the checksum can be stored inside the
    document it checks: :func:`with_checksum` adds it, :func:`verify_checksum` recomputes it.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from typing import Any

import rfc8785

CHECKSUM_FIELD = "checksum"
CHECKSUM_PREFIX = "sha256:"


def canonical_json(doc: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of ``doc`` (any JSON value).

    Raises ``ValueError`` (``rfc8785.CanonicalizationError``) for what JCS cannot write.
    """
    return rfc8785.dumps(doc)


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
