"""Pseudonyms drawn at random (pure): ``P`` and digits, unique within a study, in no relation
to the order in which people joined or stood in the panel file (``P001`` is not the first
row). The number of digits grows with the panel so that a free one is found at once: three
digits while the study has at most 300 panelists, four to 3,000, and so on (the space is kept
at least a little over three times the panel)."""

import secrets
from collections.abc import Collection

PREFIX = "P"


def width_for(total: int) -> int:
    """Digits for a study that will hold ``total`` pseudonyms."""
    digits = 3
    while total * 10 > 3 * 10**digits:
        digits += 1
    return digits


def draw(taken: Collection[str], count: int, *, randbelow=secrets.randbelow) -> list[str]:
    """``count`` new pseudonyms, none of them in ``taken`` nor equal to each other."""
    used = set(taken)
    digits = width_for(len(used) + count)
    drawn: list[str] = []
    while len(drawn) < count:
        candidate = f"{PREFIX}{randbelow(10**digits):0{digits}d}"
        if candidate not in used:
            used.add(candidate)
            drawn.append(candidate)
    return drawn
