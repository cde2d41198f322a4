"""Paired change in a longitudinal cohort (pure): the share of codes that moved up on an
ordered item between two time points (e.g. stegförflyttning from T0 to 6 months), with a
Wilson interval. Codes missing at either point are left out and counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .intervals import wilson
from .scoring import Scale, _answered, _number


@dataclass(frozen=True)
class PairedChange:
    """The share of a cohort that moved up between two time points (pairs only)."""

    n: int
    moved_up: int
    unchanged: int
    moved_down: int
    value: float | None
    ci_low: float | None
    ci_high: float | None
    #: codes left out because their answer is missing at one of the points
    left_out: int = 0


def paired_change(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    scale: Scale | None = None,
) -> PairedChange:
    """The share of codes whose answer moved **up** from ``before`` to ``after``.

    ``before`` and ``after`` map a longitudinal code to its answer on one ordered item at two
    time points (e.g. T0 and 6 months). Only codes with a non-missing answer at both points
    count (``left_out`` says how many did not); "up" is a later category of the scale (by
    number when no scale is given or the value is not one of its categories). Value in percent
    with a Wilson interval; no value without pairs.
    """
    scale = scale or Scale()
    up = same = down = left_out = 0
    for code in set(before) | set(after):
        first = _answered(before, code, scale)
        second = _answered(after, code, scale)
        if first is None or second is None:
            left_out += 1
            continue
        a, b = _position(first, scale), _position(second, scale)
        if a is None or b is None:
            left_out += 1
        elif b > a:
            up += 1
        elif b == a:
            same += 1
        else:
            down += 1
    n = up + same + down
    if n == 0:
        return PairedChange(0, 0, 0, 0, None, None, None, left_out)
    low, high = wilson(up, n)
    return PairedChange(n, up, same, down, 100 * up / n, 100 * low, 100 * high, left_out)


def _position(value: Any, scale: Scale) -> float | None:
    rank = scale.rank(value) if scale.categories else None
    if rank is not None:
        return float(rank)
    return _number(value)
