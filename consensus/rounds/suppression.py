"""Which stakeholder groups' figures may be shown: small-group and complementary suppression.

A pure module (no Flask, no SQLAlchemy). A group whose size (its members who answered the
round, or for response counts its invited members) is under the study's minimum group size is
hidden. Hiding it alone is not enough: with the total and every other group shown, the total
minus the shown groups gives the hidden group's figures exactly. So the groups hidden together
must add up to at least the minimum:

1. hide every group under the minimum;
2. while the hidden groups together have some members but fewer than the minimum, hide the
   smallest group still shown as well (ties: the one listed first);
3. when two or more hidden groups with members add up to at least the minimum and some group
   is still shown, show them only as one combined group, "övriga" (:data:`OTHER`): that is
   exactly what total minus shown gives, and no single group inside it can be told apart.

When every group ends up hidden only the total is shown. A group with no members hides
nothing (there is nothing to recover) and never forces another group to be hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

__all__ = ["OTHER", "OTHER_NAME", "SuppressionPlan", "plan"]

OTHER: Final = "ovriga"  # the code of the combined group
OTHER_NAME: Final = "Övriga grupper"


@dataclass(frozen=True, slots=True)
class SuppressionPlan:
    """``shown``: groups whose own figures may be shown; ``hidden``: the others (in the order
    given); ``combined``: the hidden groups shown together as :data:`OTHER` (empty: none)."""

    shown: tuple[str, ...]
    hidden: tuple[str, ...]
    combined: tuple[str, ...]

    def is_hidden(self, group: str) -> bool:
        return group in self.hidden


def plan(sizes: Mapping[str, int], min_size: int) -> SuppressionPlan:
    """The suppression plan for groups of ``sizes`` (group code -> members) at ``min_size``."""
    if min_size < 1:
        raise ValueError("the minimum group size must be at least 1")
    order = list(sizes)
    hidden = [g for g in order if sizes[g] < min_size]
    shown = [g for g in order if sizes[g] >= min_size]

    def residual() -> int:
        return sum(sizes[g] for g in hidden)

    while 0 < residual() < min_size and shown:
        smallest = min(shown, key=lambda g: (sizes[g], order.index(g)))
        shown.remove(smallest)
        hidden.append(smallest)
    hidden.sort(key=order.index)
    with_members = tuple(g for g in hidden if sizes[g] > 0)
    combined = with_members if len(with_members) >= 2 and shown else ()
    return SuppressionPlan(shown=tuple(shown), hidden=tuple(hidden), combined=combined)
