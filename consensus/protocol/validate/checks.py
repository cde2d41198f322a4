"""The entry points of a protocol check: every step in its order (a pure module)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .parsing import DEFAULT_MAX_BYTES, parse
from .problems import Problem, sort_problems, type_of
from .problems import problem as _problem
from .references import check_references
from .schema import schema_problems, schema_version_problem, validator


def validate_document(doc: Any) -> list[Problem]:
    """Every problem of an already parsed document (schema, semantics, checksum)."""
    if not isinstance(doc, dict):
        return [_problem((), "not_object", actual=type_of(doc))]
    wrong_version = schema_version_problem(doc)
    if wrong_version is not None:
        return [wrong_version]
    problems: list[Problem] = []
    for error in validator().iter_errors(doc):
        problems.extend(schema_problems(error))
    problems.extend(check_references(doc))
    unique: dict[tuple[str, str, str], Problem] = {}
    for problem in problems:
        unique.setdefault((problem.path, problem.code, repr(problem.params)), problem)
    return sort_problems(unique.values())


def validate(
    document_or_bytes: bytes | bytearray | memoryview | str | Mapping[str, Any] | Sequence[Any],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[Problem]:
    """Every problem that stops ``document_or_bytes`` from being imported ([] when valid).

    Bytes and text are parsed first (size, UTF-8, JSON); a parsed document is checked as it
    is."""
    if isinstance(document_or_bytes, bytes | bytearray | memoryview | str):
        doc, problems = parse(document_or_bytes, max_bytes=max_bytes)
        if problems:
            return problems
    else:
        doc = document_or_bytes
    return validate_document(doc)


def load(
    data: bytes | bytearray | memoryview | str, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """For an importer: ``(document, [])`` when the file is a valid protocol, else
    ``(None, problems)``."""
    doc, problems = parse(data, max_bytes=max_bytes)
    if problems:
        return None, problems
    problems = validate_document(doc)
    return (doc, []) if not problems else (None, problems)
