"""The problem type of a protocol check: where (a JSON path), what (a code), the details.

A pure module. A :class:`Problem` renders from the protocol's one catalogue
(:mod:`consensus.protocol.messages`): ``render(gettext)`` in the reader's language,
:attr:`Problem.message` in Swedish (the command line, logs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...messages import Gettext, swedish
from ..messages import CATALOGUE, DOCUMENT

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Path = tuple[str | int, ...]


def render_message(code: str, params: Mapping[str, Any], gettext: Gettext = swedish) -> str:
    """The sentence for ``code`` from the protocol catalogue (Swedish unless ``gettext``)."""
    return CATALOGUE.render(code, params, gettext)


def json_path(parts: Iterable[str | int]) -> str:
    """``$.indicators[3].measures[0].method`` (RFC 9535 normalised style for odd names)."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _NAME.match(part):
            out.append(f".{part}")
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            out.append(f"['{escaped}']")
    return "".join(out)


@dataclass(frozen=True)
class Problem:
    """One thing that stops an import: where (``path``, a JSON path), what (``code``, stable)
    and the details (``params``). :meth:`render` gives the sentence in the reader's language,
    :attr:`message` the Swedish one."""

    path: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, gettext: Gettext = swedish) -> str:
        if self.code not in CATALOGUE and type(self).message is not Problem.message:
            # a subclass that still keeps its own (Swedish) messages
            return str(self.message)
        return CATALOGUE.render(self.code, self.params, gettext)

    @property
    def message(self) -> str:
        return self.render()

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def problem(parts: Path, code: str, /, **params: Any) -> Problem:
    return Problem(json_path(parts), code, params)


def field_name(parts: Path) -> str:
    """The field a message talks about: the last name, with any list indexes after it."""
    tail: list[str] = []
    for part in reversed(parts):
        if isinstance(part, int):
            tail.insert(0, f"[{part}]")
        else:
            return part + "".join(tail)
    return DOCUMENT + "".join(tail)


def type_of(value: Any) -> str:
    """The JSON type of a parsed value (``string``, ``integer`` ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _sort_key(path: str) -> list[tuple[int, Any]]:
    key: list[tuple[int, Any]] = []
    for token in re.findall(r"\[(\d+)\]|\.([A-Za-z_][A-Za-z0-9_]*)|\['((?:[^'\\]|\\.)*)'\]", path):
        index, name, quoted = token
        key.append((0, int(index)) if index else (1, name or quoted))
    return key


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in the order of the document (by path; list positions numerically)."""
    return sorted(problems, key=lambda p: (_sort_key(p.path), p.code))
