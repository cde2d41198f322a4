"""How numbers are printed beside a decision (pure): shares never rounded across a boundary.

A share of 69.6 % printed "70 %" beside "ingen konsensus" reads as a contradiction under a
70 % rule. :func:`share_percent` prints a share in Swedish number format (decimal comma, a
no-break space before "%") as a whole percent only when it is one; otherwise with one
decimal, and with more when one decimal would still round onto a whole percent (69.996 %
never prints as "70,0 %"). Every threshold of the rules is a whole percent (70/15, 80/10,
a 50 % approval share), so a printed share is never on the other side of one.
``limits`` (fractions 0-1) lets a caller that knows the study's thresholds print whole
percents wherever rounding does not cross one of them.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["share_percent"]

_NBSP = "\u00a0"
_EPS = 1e-9
_MAX_DECIMALS = 4


def _crosses(value: float, shown: float, limits: Iterable[float]) -> bool:
    return any((value >= t - _EPS) != (shown >= t - _EPS) for t in limits)


def _swedish(number: float, decimals: int) -> str:
    text = f"{number:.{decimals}f}".replace("-", "\u2212").replace(".", ",")
    return f"{text}{_NBSP}%"


def share_percent(share: float | None, limits: Iterable[float] | None = None) -> str:
    """``0.696`` -> ``"69,6 %"``, ``0.7`` -> ``"70 %"``, ``None`` -> ``"–"``."""
    if share is None:
        return "–"
    percent = share * 100
    whole = round(percent)
    if abs(percent - whole) < _EPS * 100:
        return _swedish(whole, 0)
    if limits is not None:
        limits = [float(t) for t in limits]
        if not _crosses(share, whole / 100, limits):
            return _swedish(whole, 0)
    for decimals in range(1, _MAX_DECIMALS + 1):
        shown = round(percent, decimals)
        if abs(shown - round(shown)) > _EPS and not _crosses(share, shown / 100, limits or ()):
            return _swedish(shown, decimals)
    return _swedish(percent, _MAX_DECIMALS + 1)
