"""Comparing two versions of a protocol, and the version number the changes require.

A pure module (plain Python, no Flask or SQLAlchemy).

:func:`diff` lists the indicators, measures and items that were added, removed or changed
(field by field, nested objects flattened to dotted names such as ``numerator.rule.values``),
the other sections that changed, and the changes that **break comparability** with results
collected under the old version:

* a removed indicator, measure or item;
* an item whose wording changed (a text in a language the old version already had; adding a
  translation does not break), whose answer type changed, or whose scale changed;
* a response scale, used by an item in both versions, whose categories or missing values
  changed (values, labels or order);
* a measure whose numerator, denominator, scoring, method or list of items changed.

:attr:`Diff.required_bump` is ``major`` when comparability breaks; ``minor`` when indicators,
measures or items were added or changed, or codelists, perspectives, respondent groups,
response scales, schedules, reporting rules or ``owner.lockedWording`` changed; otherwise
``patch`` (title, description, owner, provenance, changelog). ``version``, ``checksum``,
``publishedAt``, ``status``, ``derivedFrom`` and ``$schema`` are not compared.
:func:`check_version_bump` refuses a new version number smaller than that.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..messages import Gettext, swedish
from .messages import BREAKS, CATALOGUE
from .validate import Problem

BUMPS = ("patch", "minor", "major")

#: Sections that are not content: never compared.
IGNORED = ("$schema", "version", "checksum", "publishedAt", "status", "derivedFrom")
#: Sections whose change needs at least a minor version (the rest need a patch).
MINOR_SECTIONS = (
    "perspectives",
    "respondentGroups",
    "codelists",
    "responseScales",
    "schedules",
    "reporting",
    "owner.lockedWording",
)
#: Measure fields whose change breaks comparability.
MEASURE_BREAKING = ("numerator", "denominator", "scoring", "method", "items")

#: The reasons comparability breaks, in the protocol's catalogue (``messages.BREAKS``).
BREAK_MESSAGES = BREAKS


@dataclass(frozen=True)
class FieldChange:
    field: str  # dotted: "name.sv", "numerator.rule.values"
    old: Any
    new: Any


@dataclass(frozen=True)
class Changed:
    id: str
    fields: tuple[FieldChange, ...]

    def field_names(self) -> list[str]:
        return [f.field for f in self.fields]


@dataclass
class EntityDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def get(self, id: str) -> Changed | None:
        return next((c for c in self.changed if c.id == id), None)


@dataclass(frozen=True)
class Break:
    """One reason comparability breaks: ``code`` (see :data:`BREAK_MESSAGES`) and the id;
    :meth:`render` in the reader's language, :attr:`message` in Swedish."""

    code: str
    id: str

    def render(self, gettext: Gettext = swedish) -> str:
        return CATALOGUE.render(self.code, {"id": self.id}, gettext)

    @property
    def message(self) -> str:
        return self.render()

    def __str__(self) -> str:
        return self.message


@dataclass
class Diff:
    indicators: EntityDiff = field(default_factory=EntityDiff)
    measures: EntityDiff = field(default_factory=EntityDiff)
    items: EntityDiff = field(default_factory=EntityDiff)
    #: changes outside indicators, measures and items (dotted section names)
    sections: list[FieldChange] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)

    @property
    def breaks_comparability(self) -> bool:
        return bool(self.breaks)

    @property
    def is_empty(self) -> bool:
        return not (self.indicators or self.measures or self.items or self.sections)

    @property
    def required_bump(self) -> str:
        if self.breaks:
            return "major"
        if self.indicators or self.measures or self.items:
            return "minor"
        for change in self.sections:
            if any(change.field == s or change.field.startswith(s + ".") for s in MINOR_SECTIONS):
                return "minor"
        return "patch"


# --------------------------------------------------------------------------------------------


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested objects to dotted names; lists and scalars are leaves."""
    if isinstance(value, Mapping) and (value or not prefix):
        out: dict[str, Any] = {}
        for key in sorted(value):
            out.update(_flatten(value[key], f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def _field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    a, b = _flatten(old), _flatten(new)
    changes = []
    for name in sorted(set(a) | set(b)):
        if a.get(name, _MISSING) != b.get(name, _MISSING) or (name in a) != (name in b):
            changes.append(FieldChange(name, a.get(name), b.get(name)))
    return tuple(changes)


_MISSING = object()


def _by_id(entries: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                out.setdefault(entry["id"], entry)
    return out


def _measures(doc: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Measures by id, each with the id of its indicator added as ``indicator``."""
    out: dict[str, dict[str, Any]] = {}
    for indicator in _by_id(doc.get("indicators")).values():
        for mid, measure in _by_id(indicator.get("measures")).items():
            out.setdefault(mid, {**measure, "indicator": indicator["id"]})
    return out


def _indicator_fields(indicator: Mapping[str, Any]) -> dict[str, Any]:
    """An indicator without its measures, but with the order of their ids (the first is the
    recommended one)."""
    out = {k: v for k, v in indicator.items() if k != "measures"}
    out["measures"] = list(_by_id(indicator.get("measures")))
    return out


def _entity_diff(
    old: Mapping[str, dict[str, Any]], new: Mapping[str, dict[str, Any]], shape=lambda e: e
) -> EntityDiff:
    result = EntityDiff(
        added=[i for i in new if i not in old], removed=[i for i in old if i not in new]
    )
    for id_ in old:
        if id_ in new:
            changes = _field_changes(shape(old[id_]), shape(new[id_]))
            if changes:
                result.changed.append(Changed(id_, changes))
    return result


def _text_changed(change: FieldChange) -> bool:
    """A wording change: a text in a language the old version had, now different or gone."""
    return change.old is not None


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> Diff:
    """What changed from ``old`` to ``new`` (two protocol documents)."""
    result = Diff(
        indicators=_entity_diff(
            _by_id(old.get("indicators")), _by_id(new.get("indicators")), _indicator_fields
        ),
        measures=_entity_diff(_measures(old), _measures(new)),
        items=_entity_diff(_by_id(old.get("items")), _by_id(new.get("items"))),
    )
    skip = {"indicators", "items", *IGNORED}
    result.sections = list(
        _field_changes(
            {k: v for k, v in old.items() if k not in skip},
            {k: v for k, v in new.items() if k not in skip},
        )
    )

    breaks = result.breaks
    breaks.extend(Break("indicator_removed", i) for i in result.indicators.removed)
    breaks.extend(Break("measure_removed", i) for i in result.measures.removed)
    breaks.extend(Break("item_removed", i) for i in result.items.removed)
    for changed in result.items.changed:
        names = changed.fields
        if any(c.field.startswith("text.") and _text_changed(c) for c in names):
            breaks.append(Break("item_wording", changed.id))
        if any(c.field == "type" for c in names):
            breaks.append(Break("item_type", changed.id))
        if any(c.field == "scale" for c in names):
            breaks.append(Break("item_scale", changed.id))

    old_scales, new_scales = _by_id(old.get("responseScales")), _by_id(new.get("responseScales"))
    old_items, new_items = _by_id(old.get("items")), _by_id(new.get("items"))
    used = {
        item.get("scale")
        for iid, item in new_items.items()
        if iid in old_items and old_items[iid].get("scale") == item.get("scale")
    }
    for sid in sorted(s for s in used if isinstance(s, str)):
        if sid in old_scales and sid in new_scales:
            a, b = old_scales[sid], new_scales[sid]
            if a.get("categories") != b.get("categories") or a.get("missingValues") != b.get(
                "missingValues"
            ):
                breaks.append(Break("scale_changed", sid))

    for changed in result.measures.changed:
        for name in MEASURE_BREAKING:
            if any(c.field == name or c.field.startswith(name + ".") for c in changed.fields):
                breaks.append(Break(f"measure_{name}", changed.id))
    return result


# --------------------------------------------------------------------------------------------
# Version numbers
# --------------------------------------------------------------------------------------------

_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)


def parse_version(text: str) -> tuple[int, int, int, tuple[Any, ...]] | None:
    """``(major, minor, patch, prerelease)``, or None when ``text`` is not semver."""
    match = _SEMVER.match(text) if isinstance(text, str) else None
    if not match:
        return None
    pre = (
        tuple(
            (0, int(p), "") if p.isdigit() else (1, 0, p) for p in (match.group(4) or "").split(".")
        )
        if match.group(4)
        else ()
    )
    return int(match.group(1)), int(match.group(2)), int(match.group(3)), pre


def version_key(text: str) -> tuple[Any, ...]:
    """A sort key with semver precedence (a pre-release sorts before its release)."""
    parsed = parse_version(text)
    if parsed is None:
        raise ValueError(f"not a semantic version: {text!r}")
    major, minor, patch, pre = parsed
    return (major, minor, patch, 0 if pre else 1, pre)


def bump_kind(old_version: str, new_version: str) -> str | None:
    """``major``, ``minor`` or ``patch``: the highest part that went up (None if not newer)."""
    if version_key(new_version) <= version_key(old_version):
        return None
    a, b = version_key(old_version), version_key(new_version)
    if b[0] > a[0]:
        return "major"
    if b[1] > a[1]:
        return "minor"
    return "patch"


def next_version(old_version: str, bump: str) -> str:
    major, minor, patch, _ = parse_version(old_version) or (0, 0, 0, ())
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def check_version_bump(old_version: str, new_version: str, diff: Diff) -> list[Problem]:
    """Problems with ``new_version`` as the successor of ``old_version`` ([] when fine):
    not semver, not newer, or a smaller step than the changes require (a version that breaks
    comparability must be a new major version)."""
    for value in (old_version, new_version):
        if parse_version(value) is None:
            return [Problem("$.version", "invalid_version", {"value": value})]
    kind = bump_kind(old_version, new_version)
    if kind is None:
        return [Problem("$.version", "version_not_newer", {"new": new_version, "old": old_version})]
    required = diff.required_bump
    if BUMPS.index(kind) >= BUMPS.index(required):
        return []
    params: dict[str, Any] = {
        "new": new_version,
        "old": old_version,
        "required": required,  # shown as its name in BUMP_NAMES
        "actual": kind,
        "suggestion": next_version(old_version, required),
    }
    if required == "major":
        params["breaks"] = [(b.code, b.id) for b in diff.breaks]  # shown as "reasons"
        return [Problem("$.version", "bump_breaks_comparability", params)]
    return [Problem("$.version", "bump_too_small", params)]
