"""Step 1 of a protocol check: the file's bytes to a JSON document (a pure module).

Size (checked before anything is decoded), UTF-8, JSON syntax (line and column),
NaN/Infinity and keys repeated in one object. A file that is not JSON stops here.
"""

from __future__ import annotations

import json
from typing import Any

from ..messages import JSON_REASONS, JSON_SYNTAX_ERROR, size
from .problems import Problem
from .problems import problem as _problem

DEFAULT_MAX_BYTES = 10_000_000


class _DuplicateKey(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


class _NonFinite(Exception):
    def __init__(self, value: str) -> None:
        self.value = value


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _constant(value: str) -> Any:
    raise _NonFinite(value)


def parse(
    data: bytes | bytearray | memoryview | str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[Any, list[Problem]]:
    """Parse the bytes of a protocol file: ``(document, [])`` or ``(None, problems)``."""
    if isinstance(data, str):
        raw = data.encode("utf-8")
    else:
        raw = bytes(data)
    if len(raw) > max_bytes:
        return None, [_problem((), "too_large", size=len(raw), limit=size(max_bytes))]
    if raw.startswith(b"\xef\xbb\xbf"):  # a BOM from a Windows editor is harmless
        raw = raw[3:]
    if not raw.strip():
        return None, [_problem((), "empty")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [_problem((), "not_utf8", position=exc.start)]
    try:
        doc = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        reason = next((sv for en, sv in JSON_REASONS if exc.msg.startswith(en)), JSON_SYNTAX_ERROR)
        return None, [
            _problem((), "invalid_json", reason=reason, line=exc.lineno, column=exc.colno)
        ]
    except _DuplicateKey as exc:
        return None, [_problem((), "duplicate_key", name=exc.name)]
    except _NonFinite as exc:
        return None, [_problem((), "non_finite", value=exc.value)]
    except RecursionError:
        return None, [_problem((), "too_deep")]
    return doc, []
