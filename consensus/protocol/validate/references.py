"""Steps 4 and 5 of a protocol check: what a schema cannot express, then the checksum (pure).

Run even when the schema found errors (they skip what has the wrong type): duplicate ids,
references to unknown items, measures, scales, schedules, codelists, perspectives, respondent
groups and stakeholder groups, answer values that are not on the item's scale, totals that
clash with codes, more responding than invited; finally the checksum (see
:mod:`consensus.protocol.canonical`), when the document carries one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..canonical import checksum as compute_checksum
from ..messages import ENTITIES
from .problems import Path, Problem, json_path
from .problems import problem as _problem

_CHECKSUM = re.compile(r"^sha256:[0-9a-f]{64}$")


def _entries(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, entry) for i, entry in enumerate(value) if isinstance(entry, dict)]


def _known(value: Any, key: str = "id") -> list[str] | None:
    """The ids declared in a list, or None when the list has the wrong type (already reported
    by the schema; checking references against it would only add noise)."""
    if value is None:
        return []
    if not isinstance(value, list):
        return None
    return [e[key] for _, e in _entries(value) if isinstance(e.get(key), str)]


def _hashable(value: Any) -> Any:
    return (
        json.dumps(value, sort_keys=True)
        if isinstance(value, dict | list)
        else (
            type(value).__name__,
            value,
        )
    )


class _Checker:
    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def add(self, parts: Path, code: str, /, **params: Any) -> None:
        self.problems.append(_problem(parts, code, **params))

    def unique(self, kind: str, entries: Iterable[tuple[Path, Any]]) -> None:
        seen: dict[str, Path] = {}
        entity, noun = ENTITIES[kind]
        for parts, value in entries:
            if not isinstance(value, str):
                continue
            if value in seen:
                self.add(
                    parts,
                    "duplicate_id",
                    id=value,
                    entity=entity,
                    other=json_path(seen[value]),
                    noun=noun,
                )
            else:
                seen[value] = parts

    def refs(self, parts: Path, values: Any, known: list[str] | None, code: str) -> None:
        if known is None:
            return
        if isinstance(values, str):
            if values not in known:
                self.add(parts, code, value=values, allowed=known)
            return
        if isinstance(values, list):
            for i, value in enumerate(values):
                if isinstance(value, str) and value not in known:
                    self.add((*parts, i), code, value=value, allowed=known)

    def run(self) -> list[Problem]:
        doc = self.doc
        raw_provenance = doc.get("provenance")
        provenance: dict[str, Any] = raw_provenance if isinstance(raw_provenance, dict) else {}

        # ids declared once
        self.unique(
            "perspective",
            (
                (("perspectives", i, "code"), e.get("code"))
                for i, e in _entries(doc.get("perspectives"))
            ),
        )
        for kind, key in (
            ("respondentGroup", "respondentGroups"),
            ("codelist", "codelists"),
            ("responseScale", "responseScales"),
            ("item", "items"),
            ("schedule", "schedules"),
            ("indicator", "indicators"),
        ):
            self.unique(kind, (((key, i, "id"), e.get("id")) for i, e in _entries(doc.get(key))))
        self.unique(
            "stakeholderGroup",
            (
                (("provenance", "stakeholderGroups", i, "id"), e.get("id"))
                for i, e in _entries(provenance.get("stakeholderGroups"))
            ),
        )
        measures = [
            ((("indicators", i, "measures", j)), m)
            for i, indicator in _entries(doc.get("indicators"))
            for j, m in _entries(indicator.get("measures"))
        ]
        self.unique("measure", (((*parts, "id"), m.get("id")) for parts, m in measures))

        # codelists: codes once, total not among them
        for i, codelist in _entries(doc.get("codelists")):
            codes = [
                (j, c["code"])
                for j, c in _entries(codelist.get("codes"))
                if isinstance(c.get("code"), str)
            ]
            seen: set[str] = set()
            for j, code in codes:
                if code in seen:
                    self.add(
                        ("codelists", i, "codes", j, "code"),
                        "duplicate_code",
                        code=code,
                        field="codes",
                    )
                seen.add(code)
            total = codelist.get("total")
            if isinstance(total, dict) and total.get("code") in seen:
                self.add(("codelists", i, "total", "code"), "total_code_clash", code=total["code"])

        # response scales: values once
        scales: dict[str, list[Any]] = {}
        for i, scale in _entries(doc.get("responseScales")):
            values: list[Any] = []
            keys: set[Any] = set()
            for key_name in ("categories", "missingValues"):
                for j, category in _entries(scale.get(key_name)):
                    if "value" not in category:
                        continue
                    key = _hashable(category["value"])
                    if key in keys:
                        self.add(
                            ("responseScales", i, key_name, j, "value"),
                            "duplicate_scale_value",
                            value=category["value"],
                        )
                    keys.add(key)
                    values.append(category["value"])
            if isinstance(scale.get("id"), str):
                scales[scale["id"]] = values

        known_perspectives = _known(doc.get("perspectives"), "code")
        known_groups = _known(doc.get("respondentGroups"))
        known_codelists = _known(doc.get("codelists"))
        known_scales = _known(doc.get("responseScales"))
        known_items = _known(doc.get("items"))
        known_schedules = _known(doc.get("schedules"))
        known_stakeholders = _known(provenance.get("stakeholderGroups"))
        known_measures = [m["id"] for _, m in measures if isinstance(m.get("id"), str)]
        item_scale: dict[str, str] = {
            e["id"]: e["scale"]
            for _, e in _entries(doc.get("items"))
            if isinstance(e.get("id"), str) and isinstance(e.get("scale"), str)
        }

        for i, item in _entries(doc.get("items")):
            if "scale" in item:
                self.refs(("items", i, "scale"), item["scale"], known_scales, "unknown_scale")
            self.refs(
                ("items", i, "respondentGroups"),
                item.get("respondentGroups"),
                known_groups,
                "unknown_respondent_group",
            )

        for i, indicator in _entries(doc.get("indicators")):
            if "perspective" in indicator:
                self.refs(
                    ("indicators", i, "perspective"),
                    indicator["perspective"],
                    known_perspectives,
                    "unknown_perspective",
                )

        for parts, measure in measures:
            self.refs((*parts, "items"), measure.get("items"), known_items, "unknown_item")
            self.refs(
                (*parts, "disaggregations"),
                measure.get("disaggregations"),
                known_codelists,
                "unknown_codelist",
            )
            if "schedule" in measure:
                self.refs(
                    (*parts, "schedule"), measure["schedule"], known_schedules, "unknown_schedule"
                )
            source = measure.get("dataSource")
            if isinstance(source, dict):
                self.refs(
                    (*parts, "dataSource", "respondentGroups"),
                    source.get("respondentGroups"),
                    known_groups,
                    "unknown_respondent_group",
                )
            combines = measure.get("combines")
            if isinstance(combines, dict) and isinstance(combines.get("measures"), list):
                for k, ref in enumerate(combines["measures"]):
                    if not isinstance(ref, str):
                        continue
                    if ref == measure.get("id"):
                        self.add((*parts, "combines", "measures", k), "self_combine", value=ref)
                    elif ref not in known_measures:
                        self.add(
                            (*parts, "combines", "measures", k),
                            "unknown_measure",
                            value=ref,
                            allowed=known_measures,
                        )
            own_items = measure.get("items") if isinstance(measure.get("items"), list) else []
            for term in ("numerator", "denominator"):
                rule = (
                    measure.get(term, {}).get("rule")
                    if isinstance(measure.get(term), dict)
                    else None
                )
                if not isinstance(rule, dict) or not isinstance(rule.get("item"), str):
                    continue
                ref = rule["item"]
                where: tuple[str | int, ...] = (*parts, term, "rule", "item")
                if known_items is not None and ref not in known_items:
                    self.add(where, "unknown_item", value=ref, allowed=known_items)
                    continue
                if own_items and ref not in own_items:
                    self.add(where, "rule_item_not_in_measure", value=ref, allowed=own_items)
                allowed = scales.get(item_scale.get(ref, ""))
                if allowed and isinstance(rule.get("values"), list):
                    keys = {_hashable(v) for v in allowed}
                    for k, value in enumerate(rule["values"]):
                        if _hashable(value) not in keys:
                            self.add(
                                (*parts, term, "rule", "values", k),
                                "unknown_scale_value",
                                value=value,
                                scale=item_scale[ref],
                                item=ref,
                                allowed=allowed,
                            )

        for i, step in _entries(provenance.get("steps")):
            for j, participation in _entries(step.get("participants")):
                where = ("provenance", "steps", i, "participants", j)
                if "group" in participation:
                    self.refs(
                        (*where, "group"),
                        participation["group"],
                        known_stakeholders,
                        "unknown_stakeholder_group",
                    )
                invited, responding = participation.get("invited"), participation.get("responding")
                if (
                    isinstance(invited, int)
                    and isinstance(responding, int)
                    and not isinstance(invited, bool)
                    and responding > invited
                ):
                    self.add(
                        (*where, "responding"),
                        "responding_exceeds_invited",
                        invited=invited,
                        responding=responding,
                    )

        # 5. checksum
        declared = doc.get("checksum")
        if isinstance(declared, str) and _CHECKSUM.match(declared):
            try:
                expected = compute_checksum(doc)
            except (TypeError, ValueError):
                expected = None
            if expected is not None and expected != declared:
                self.add(("checksum",), "checksum_mismatch", found=declared, expected=expected)
        return self.problems


def check_references(doc: Mapping[str, Any]) -> list[Problem]:
    """The problems of steps 4 and 5 in ``doc`` (a parsed JSON object)."""
    return _Checker(doc).run()
