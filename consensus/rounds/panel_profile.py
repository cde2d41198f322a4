"""The panel's characteristics per round for the study report, with suppression (pure).

:func:`characteristics` counts the panelists who answered a round by each characteristic
(stakeholder group, level) and hides small counts the same way the results do
(:mod:`consensus.rounds.suppression`): a category under the minimum group size is hidden, the
next smallest too when the hidden ones alone would be recoverable from the total, and hidden
categories that together reach the minimum are shown as one combined row ``ovriga``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from . import suppression

__all__ = ["characteristics"]


def characteristics(
    people: Sequence[Mapping[str, Any]],
    dimensions: Sequence[str],
    min_size: int,
    order: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """``{"n": total, dimension: [{"value", "count"} ...]}``; ``count`` is ``None`` for a
    hidden category, and a row with value :data:`~consensus.rounds.suppression.OTHER` holds
    the hidden categories shown together. ``order`` lists each dimension's known values (in
    display order); values not in it follow in order of first appearance."""
    out: dict[str, Any] = {"n": len(people)}
    for dimension in dimensions:
        counts = Counter(str(p.get(dimension) or "") for p in people)
        known = list((order or {}).get(dimension, ()))
        values = [v for v in known if counts.get(v)] + [v for v in counts if v not in known]
        plan = suppression.plan({v: counts[v] for v in values}, min_size)
        rows: list[dict[str, Any]] = [
            {"value": v, "count": None if plan.is_hidden(v) else counts[v]} for v in values
        ]
        if plan.combined:
            rows.append(
                {"value": suppression.OTHER, "count": sum(counts[v] for v in plan.combined)}
            )
        out[dimension] = rows
    return out
