"""A questionnaire measure's value from **counted answers** instead of one dict per respondent
(a pure module): what lets a förbund's results be built from a few ``GROUP BY`` queries.

A *tally* of a measure in a cell is ``{answers: respondents}``: ``answers`` is a tuple of the
answers (as stored; ``None`` when not answered or a missing-value answer left out) to the items
of :func:`tally_items`, in that order, and ``respondents`` how many respondents of the cell gave
exactly those answers. Every respondent of the cell is in the tally (one who answered none of
the items under ``(None, ...)``): a count's n is all the respondents of its cell.

:func:`score_tally` gives bit for bit what :func:`.scoring.score` gives for the same
respondents (``tests/followup/test_tallies.py`` checks both on hand-computed and random data):

- a share and a count add up the same whole numbers, and "vet inte" (a scale's missing value)
  is left out of numerator and denominator by the same rule (:func:`.scoring._answered`);
- a mean is the correctly rounded exact sum over n, as :func:`statistics.fmean`; its standard
  deviation the correctly rounded root of the exact sum of squares over n − 1, as
  :func:`statistics.stdev` (both from the value distribution, in exact fractions);
- a median is the middle of the sorted distribution (the mean of the middle two when n is
  even), as :func:`statistics.median`;
- an index over items (no ``combines``) scores each distinct answer pattern once
  (:func:`statistics.fmean` of its numbers) and weighs it by its respondents.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from .intervals import t_quantile
from .scoring import (
    MeasureValue,
    Scale,
    _answered,
    _in_values,
    _item_for,
    _number,
    _rule,
    _rule_values,
    _share,
    score,
    status_for,
)

Tally = Mapping[tuple[Any, ...], int]


def tally_items(measure: Mapping[str, Any]) -> tuple[str, ...]:
    """The items a questionnaire measure reads, in the order of its tally's answers (empty when
    the measure is not scored from answers, or is an index of other measures)."""
    scoring = str(measure.get("scoring", ""))
    item = _rule(measure, "numerator").get("item")
    if scoring == "proportion":
        if not item:
            return ()
        base = _rule(measure, "denominator").get("item") or item
        return (str(item),) if str(base) == str(item) else (str(item), str(base))
    if scoring in ("mean", "median", "count"):
        if not item and not measure.get("items"):
            return ()
        return (_item_for(measure, scoring),)
    if scoring == "index" and not measure.get("combines"):
        return tuple(str(i) for i in measure.get("items") or ())
    return ()


def merge(tallies: Iterable[Tally]) -> Counter[tuple[Any, ...]]:
    """The tally of the union of cells (their respondents added)."""
    out: Counter[tuple[Any, ...]] = Counter()
    for tally in tallies:
        out.update(tally)
    return out


# --- exact statistics of a distribution -----------------------------------------------------

#: the correctly rounded square root of a fraction that :func:`statistics.stdev` uses
_sqrt_of_frac = getattr(statistics, "_float_sqrt_of_frac", None)


def mean_of_counts(counts: Mapping[float, int]) -> float:
    """:func:`statistics.fmean` of the values, each repeated its count."""
    n = sum(counts.values())
    return float(sum(Fraction(v) * c for v, c in counts.items())) / n


def stdev_of_counts(counts: Mapping[float, int]) -> float:
    """:func:`statistics.stdev` of the values, each repeated its count (n >= 2)."""
    if _sqrt_of_frac is None:  # another Python: the same function on the expanded values
        return statistics.stdev([v for v, c in counts.items() for _ in range(c)])
    n = sum(counts.values())
    sx = sum(Fraction(v) * c for v, c in counts.items())
    sxx = sum(Fraction(v) ** 2 * c for v, c in counts.items())
    mss = Fraction(n * sxx - sx * sx, n * (n - 1))
    return float(_sqrt_of_frac(mss.numerator, mss.denominator))


def median_of_counts(counts: Mapping[float, int]) -> float:
    """:func:`statistics.median` of the values, each repeated its count."""
    n = sum(counts.values())
    wanted = (n // 2,) if n % 2 else (n // 2 - 1, n // 2)
    found: list[float] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while len(found) < len(wanted) and wanted[len(found)] < seen:
            found.append(value)
    return float(found[0]) if n % 2 else (found[0] + found[1]) / 2


def _numbers_figures(counts: Mapping[float, int], median: bool) -> dict[str, Any]:
    n = sum(counts.values())
    if not n:
        return {"n": 0}
    if median:
        return {"n": n, "value": median_of_counts(counts)}
    mean = mean_of_counts(counts)
    if n < 2:
        return {"n": n, "value": mean, "ci_low": None, "ci_high": None}
    half = t_quantile(0.975, n - 1) * stdev_of_counts(counts) / math.sqrt(n)
    return {"n": n, "value": mean, "ci_low": mean - half, "ci_high": mean + half}


# --- scoring ---------------------------------------------------------------------------------


def score_tally(
    measure: Mapping[str, Any], tally: Tally, scales: Mapping[str, Scale] | None = None
) -> MeasureValue:
    """The measure's value in one cell from its tally (see the module docstring)."""
    scales = scales or {}
    items = tally_items(measure)
    scoring = str(measure.get("scoring", ""))
    empty = score(measure, scales=scales)  # checks the measure; target and direction
    if not items:
        people = [dict(zip(items, a, strict=True)) for a, c in tally.items() for _ in range(c)]
        return score(measure, respondents=people, scales=scales)
    rows = [(dict(zip(items, answers, strict=True)), c) for answers, c in tally.items() if c]
    if scoring == "proportion":
        item, base_item = items[0], items[-1]
        base_rule = _rule(measure, "denominator")
        base_values = _rule_values(base_rule) if base_rule.get("item") else None
        wanted = _rule_values(_rule(measure, "numerator"))
        base_scale, scale = scales.get(base_item, Scale()), scales.get(item, Scale())
        x = n = 0
        for person, c in rows:
            base = _answered(person, base_item, base_scale)
            if base is None or not _in_values(base, base_values):
                continue
            n += c
            answer = base if item == base_item else _answered(person, item, scale)
            if answer is not None and _in_values(answer, wanted):
                x += c
        figures = _share(float(x), float(n))
    elif scoring == "count":
        scale = scales.get(items[0], Scale())
        wanted = _rule_values(_rule(measure, "numerator"))
        count = 0
        for person, c in rows:
            answer = _answered(person, items[0], scale)
            if answer is not None and _in_values(answer, wanted):
                count += c
        total = sum(c for _p, c in rows)
        figures = {"numerator": float(count), "value": float(count), "n": total}
    else:  # mean, median, index over items
        counts: Counter[float] = Counter()
        for person, c in rows:
            numbers = []
            for item in items:
                answer = _answered(person, item, scales.get(item, Scale()))
                numbers.append(None if answer is None else _number(answer))
            if all(x is not None for x in numbers):
                value = numbers[0] if scoring != "index" else statistics.fmean(numbers)  # type: ignore[arg-type]
                counts[value] += c  # type: ignore[index]
        figures = _numbers_figures(counts, scoring == "median")
    value = figures.get("value")
    return MeasureValue(
        measure=empty.measure,
        scoring=empty.scoring,
        target=empty.target,
        direction=empty.direction,
        status=status_for(value, empty.target, empty.direction),
        **figures,
    )
