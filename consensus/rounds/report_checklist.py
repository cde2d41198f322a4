"""The study report's COS-STAR and ACCORD checklists, generated from data (pure module).

The items (COS-STAR: 18, Kirkham et al. 2016; ACCORD: 35, Gattrell et al. 2024) are data in
``consensus/data/report_checklists.json``: each with a short Swedish and English label, the
report section that answers it and what that section needs (``needs``: every name must hold).
:func:`checklist` reads the facts of a study (:func:`study_facts`) and says, per item, where
the report answers it or that it is not reported. Nothing here is hand-written per study.

Facts: ``always`` (the report always answers from the stored method and data),
``text:<field>`` (the projektledare filled in that report text, :data:`REPORT_FIELDS`),
``groups`` (the study has stakeholder groups), ``pool_sources`` (some candidate in the pool has
a source), ``rounds_closed`` (at least one round is closed), ``core_set`` (the final round's
core set is confirmed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

__all__ = ["REPORT_FIELDS", "checklist", "load", "study_facts"]

DATA: Final = Path(__file__).resolve().parent.parent / "data" / "report_checklists.json"

#: The texts of the report the projektledare writes (Study.report_texts keys), in form order.
REPORT_FIELDS: Final = (
    "background",
    "scope_population",
    "scope_interventions",
    "scope_setting",
    "registration",
    "steering_group",
    "recruitment",
    "ethics",
    "pilot",
    "funding",
    "conflicts",
    "limitations",
    "conclusions",
)


@cache
def load() -> dict[str, Any]:
    """The checklists' data: ``sections`` {id: {sv, en}} and ``guidelines`` (with ``items``)."""
    with DATA.open(encoding="utf-8") as f:
        return json.load(f)


def study_facts(
    texts: Mapping[str, Any] | None,
    *,
    groups: int,
    pool_sources: int,
    rounds_closed: int,
    core_set: bool,
) -> frozenset[str]:
    """The facts the checklist reads, from what the study has (see the module text)."""
    facts = {"always"}
    for name in REPORT_FIELDS:
        value = (texts or {}).get(name)
        if isinstance(value, str) and value.strip():
            facts.add(f"text:{name}")
    if groups:
        facts.add("groups")
    if pool_sources:
        facts.add("pool_sources")
    if rounds_closed:
        facts.add("rounds_closed")
    if core_set:
        facts.add("core_set")
    return frozenset(facts)


def checklist(facts: Iterable[str], data: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Per guideline: ``id``, ``name``, ``reference``, ``items`` with ``answered`` and, when
    answered, ``section`` (the report section's anchor); ``answered`` and ``total`` counts."""
    data = data or load()
    have = set(facts)
    sections = data["sections"]
    out = []
    for guideline in data["guidelines"]:
        items = []
        for item in guideline["items"]:
            if item["section"] not in sections:
                raise ValueError(f"item {item['id']} names an unknown section {item['section']!r}")
            answered = all(need in have for need in item["needs"])
            items.append(
                {
                    "id": item["id"],
                    "topic": item["topic"],
                    "sv": item["sv"],
                    "en": item["en"],
                    "answered": answered,
                    "section": item["section"] if answered else None,
                    "section_name": sections[item["section"]] if answered else None,
                }
            )
        out.append(
            {
                "id": guideline["id"],
                "name": guideline["name"],
                "reference": guideline["reference"],
                "items": items,
                "total": len(items),
                "answered": sum(1 for i in items if i["answered"]),
            }
        )
    return out
