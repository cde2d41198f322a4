"""A measure's value from plain data, by the measure's ``scoring`` (a pure module).

:func:`score` takes one measure of the protocol document and the data of **one cell** (the
caller selects the respondents or register figures of a wave × breakdown) and returns a
:class:`MeasureValue`: numerator, denominator (or n), value, a 95 % interval, the target and
the target **status**. :func:`.change.paired_change` gives the share of a longitudinal cohort that
moved up on an ordered item between two time points. Nothing here knows Flask or SQLAlchemy;
pages and exports call it and :mod:`.suppression` decides which cells may be shown.

Inputs
------
- *respondents*: one dict per questionnaire, ``{item_id: value, ...}`` plus any background
  keys (ignored here). A value is the answer as stored (``4``, ``"4"`` and ``4.0`` are the same
  answer); ``None`` or an absent key means not answered; a value listed in the item's scale's
  ``missingValues`` (e.g. 9 "Vet inte") is a **missing answer**: it is left out of numerator
  *and* denominator, of the n of a mean or median, even when a rule lists it.
- *figures*: register rows (:class:`Figure` or dicts with ``numerator``, ``denominator``,
  ``value``), already selected for the cell; rows are summed.
- *scales*: ``item_id -> Scale`` from :func:`scales_by_item` (the document's scales by item).

Scoring kinds and the choices made
----------------------------------
- ``proportion``: when the numerator rule names an ``item``, from answers: the denominator is
  the respondents whose answer to the denominator rule's item is among its ``values`` (the
  numerator's item with any non-missing answer when the measure has no denominator rule), the
  numerator those of them whose answer to the numerator's item is among its ``values``. From
  register figures otherwise (rules with an ``expression``): the sums of the rows' numerators
  and denominators. The value is a **percentage** (``100 * x / n``, as targets are written);
  the interval is **Wilson's** score interval (z = 1.959964, the exact normal 97.5 % point),
  also in percent; the interval needs whole counts, so a register proportion with fractional
  sums has none.
- ``mean``: of the numeric, non-missing answers to the measure's item (the numerator rule's
  item, else the first of ``items``); 95 % interval ``mean ± t(0.975, n−1) · s/√n`` with the
  sample standard deviation and an exact t quantile (:func:`t_quantile`); n = 1 has a value and
  no interval. A register measure with one figure that carries a ``value`` gives that value (no
  interval).
- ``median``: of the same answers (the mean of the middle two when n is even); no interval.
- ``count``: from answers, the respondents whose answer is among the numerator rule's
  ``values`` (any non-missing answer when the rule lists none), with n the respondents of the
  cell; from figures, the sum of the numerators (or values), which is then also the cell's
  size for suppression. A count is a full enumeration of the cell: no interval.
- ``ratio``: register figures only: sum of numerators / sum of denominators, not scaled; no
  interval (the rows are aggregates, not a sample of independent units).
- ``index``: with ``combines``, the **unweighted mean of the combined measures' values**
  (passed in as *components*, already scored for the same cell); every combined measure needs
  a value, else the index has none; its n is the smallest n among them (so an index is
  suppressed wherever a combined measure is too small); no interval (the components' errors
  are correlated and their covariance is unknown). Score the components unsuppressed and
  hide the index wherever one of them is hidden: index × k − the shown components would
  give a hidden one back. Without ``combines``,
  from the measure's ``items``: each respondent who answered every item (none missing) gets the
  mean of their answers, and the index is the mean of those scores with a t interval.
- ``narrative``: no value; status ``no_target``.

Status
------
By the point value (never the interval), with the measure's ``direction`` (``increase`` when
not given) and its ``target`` ``{value, nearMargin}`` (margin 0 when not given):

- ``increase``: ``value >= target`` → ``reached``; ``target − margin <= value < target`` →
  ``near``; lower → ``not_reached``.
- ``decrease``: ``value <= target`` → ``reached``; ``target < value <= target + margin`` →
  ``near``; higher → ``not_reached``.

Both edges are closed: the target itself is reached and the far edge of the margin is still
near. Values are compared with a tolerance of 1e-9 (relative to the target, at least absolute),
so that floating-point noise such as 69.99999999999999 counts as 70. No target → ``no_target``;
no value (no answers in the cell) → ``no_data``; ``suppressed`` is set by
:meth:`MeasureValue.suppressed`, which also blanks every figure of the cell.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Any

from .intervals import mean_interval, t_quantile, wilson
from .messages import CATALOGUE, STATUS_TEXTS

__all__ = [
    "CATALOGUE",
    "STATUS_TEXTS",
    "Figure",
    "MeasureValue",
    "Scale",
    "ScoringError",
    "Status",
    "Target",
    "mean_interval",
    "scales_by_item",
    "score",
    "status_for",
    "t_quantile",
    "wilson",
]

#: relative tolerance of the target comparisons (see the module docstring)
TOLERANCE = 1e-9
SCORINGS = ("proportion", "mean", "median", "count", "ratio", "index", "narrative")


class Status(StrEnum):
    REACHED = "reached"
    NEAR = "near"
    NOT_REACHED = "not_reached"
    NO_TARGET = "no_target"
    NO_DATA = "no_data"
    SUPPRESSED = "suppressed"


class ScoringError(ValueError):
    """Bad input: a code of :data:`CATALOGUE` with its parameters (``str()`` is Swedish)."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(CATALOGUE.render(code, params))


@dataclass(frozen=True)
class Target:
    value: float
    near_margin: float = 0.0

    @classmethod
    def from_protocol(cls, target: Mapping[str, Any] | None) -> Target | None:
        if not target or target.get("value") is None:
            return None
        return cls(float(target["value"]), float(target.get("nearMargin") or 0.0))


@dataclass(frozen=True)
class Scale:
    """An item's answer scale: its category values in order and its missing values."""

    categories: tuple[Any, ...] = ()
    missing: tuple[Any, ...] = ()
    ordered: bool = True

    @cached_property
    def missing_keys(self) -> frozenset[Any]:
        return _keys(self.missing)

    def is_missing(self, value: Any) -> bool:
        return _cached_key(value) in self.missing_keys

    def rank(self, value: Any) -> int | None:
        """The position of ``value`` among the categories (None when not one of them)."""
        key = _key(value)
        for position, category in enumerate(self.categories):
            if _key(category) == key:
                return position
        return None


@dataclass(frozen=True)
class Figure:
    """A register row of a cell: a numerator (with a denominator for a share) or a value."""

    numerator: float | None = None
    denominator: float | None = None
    value: float | None = None


@dataclass(frozen=True)
class MeasureValue:
    measure: str
    scoring: str
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    #: respondents (or pairs, or combined measures' smallest n) behind the value
    n: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    target: Target | None = None
    direction: str = "increase"
    status: Status = Status.NO_DATA

    @property
    def cell_size(self) -> int | None:
        """The count that decides suppression: the denominator of a share, else n."""
        if self.scoring in ("proportion", "ratio") and self.denominator is not None:
            return int(self.denominator)
        if self.scoring == "count" and self.n is None and self.value is not None:
            return int(self.value)
        return self.n

    def suppressed(self) -> MeasureValue:
        """The same cell with every figure blanked and status ``suppressed``."""
        return replace(
            self,
            value=None,
            numerator=None,
            denominator=None,
            n=None,
            ci_low=None,
            ci_high=None,
            status=Status.SUPPRESSED,
        )

    def as_row(self) -> dict[str, Any]:
        """The figures as plain data (what exports write)."""
        return {
            "measure": self.measure,
            "scoring": self.scoring,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "n": self.n,
            "value": self.value,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "target": None if self.target is None else self.target.value,
            "near_margin": None if self.target is None else self.target.near_margin,
            "direction": self.direction,
            "status": self.status.value,
        }


# --- numbers ------------------------------------------------------------------------------


def _key(value: Any) -> Any:
    """One key for an answer: numbers (and numeric text) as float, other text stripped."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text.replace(",", "."))
        except ValueError:
            return text
    return value


def _cached_key(value: Any) -> Any:
    try:
        return _memo_key(value)
    except TypeError:  # unhashable
        return _key(value)


@lru_cache(maxsize=4096)
def _memo_key(value: Any) -> Any:
    return _key(value)


def _keys(values: Iterable[Any]) -> frozenset[Any]:
    return frozenset(_cached_key(v) for v in values)


def _number(value: Any) -> float | None:
    key = _cached_key(value)
    if isinstance(key, float) and math.isfinite(key):
        return key
    return None


def status_for(value: float | None, target: Target | None, direction: str = "increase") -> Status:
    """The target status of ``value`` (see the module docstring for the exact edges)."""
    if value is None:
        return Status.NO_DATA
    if target is None:
        return Status.NO_TARGET
    tolerance = TOLERANCE * max(1.0, abs(target.value))
    if direction == "decrease":
        if value <= target.value + tolerance:
            return Status.REACHED
        if value <= target.value + target.near_margin + tolerance:
            return Status.NEAR
        return Status.NOT_REACHED
    if value >= target.value - tolerance:
        return Status.REACHED
    if value >= target.value - target.near_margin - tolerance:
        return Status.NEAR
    return Status.NOT_REACHED


# --- the protocol's scales ----------------------------------------------------------------


def scales_by_item(document: Mapping[str, Any]) -> dict[str, Scale]:
    """``item_id -> Scale`` for the document's items that name a scale."""
    scales = {}
    for scale in document.get("responseScales") or ():
        scales[scale.get("id")] = Scale(
            categories=tuple(c.get("value") for c in scale.get("categories") or ()),
            missing=tuple(c.get("value") for c in scale.get("missingValues") or ()),
            ordered=bool(scale.get("ordered", True)),
        )
    return {
        item["id"]: scales[item["scale"]]
        for item in document.get("items") or ()
        if item.get("scale") in scales
    }


# --- scoring ------------------------------------------------------------------------------


def _rule(measure: Mapping[str, Any], term: str) -> Mapping[str, Any]:
    return (measure.get(term) or {}).get("rule") or {}


def _answered(respondent: Mapping[str, Any], item: str, scale: Scale) -> Any:
    """The respondent's answer to ``item`` as a key (see :func:`_key`), or None when not
    answered or missing."""
    value = respondent.get(item)
    if value is None:
        return None
    key = _cached_key(value)
    if key == "":
        return None
    try:
        if key in scale.missing_keys:
            return None
    except TypeError:  # an unhashable answer is no missing value
        pass
    return key


def _in_values(key: Any, values: frozenset[Any] | None) -> bool:
    """Whether an answer's key is among a rule's values (all values when None)."""
    if values is None:
        return True
    try:
        return key in values
    except TypeError:
        return False


def _rule_values(rule: Mapping[str, Any]) -> frozenset[Any] | None:
    values = rule.get("values")
    return None if values is None else _keys(values)


def _item_for(measure: Mapping[str, Any], scoring: str) -> str:
    item = _rule(measure, "numerator").get("item") or next(iter(measure.get("items") or ()), None)
    if not item:
        raise ScoringError("no_item", measure=measure.get("id", ""), scoring=scoring)
    return str(item)


def _numbers(respondents: Iterable[Mapping[str, Any]], item: str, scale: Scale) -> list[float]:
    out = []
    for respondent in respondents:
        value = _answered(respondent, item, scale)
        number = None if value is None else _number(value)
        if number is not None:
            out.append(number)
    return out


def _figures(rows: Iterable[Figure | Mapping[str, Any]], measure: str) -> list[Figure]:
    out = []
    for row in rows:
        figure = (
            row
            if isinstance(row, Figure)
            else Figure(
                numerator=row.get("numerator"),
                denominator=row.get("denominator"),
                value=row.get("value"),
            )
        )
        for number in (figure.numerator, figure.denominator, figure.value):
            if number is not None and number < 0:
                raise ScoringError("negative_figure", measure=measure, value=number)
        out.append(figure)
    return out


def _whole(number: float) -> bool:
    return float(number).is_integer()


def _proportion(
    measure: Mapping[str, Any],
    respondents: Sequence[Mapping[str, Any]],
    figures: Sequence[Figure],
    scales: Mapping[str, Scale],
) -> dict[str, Any]:
    numerator_rule = _rule(measure, "numerator")
    denominator_rule = _rule(measure, "denominator")
    if numerator_rule.get("item"):
        item = str(numerator_rule["item"])
        base_item = str(denominator_rule.get("item") or item)
        base_values = _rule_values(denominator_rule) if denominator_rule.get("item") else None
        wanted = _rule_values(numerator_rule)
        base_scale = scales.get(base_item, Scale())
        scale = scales.get(item, Scale())
        x = n = 0
        for respondent in respondents:
            base = _answered(respondent, base_item, base_scale)
            if base is None or not _in_values(base, base_values):
                continue
            n += 1
            answer = base if item == base_item else _answered(respondent, item, scale)
            if answer is not None and _in_values(answer, wanted):
                x += 1
        numerator, denominator = float(x), float(n)
    else:
        rows = [f for f in figures if f.numerator is not None]
        numerator = math.fsum(f.numerator or 0.0 for f in rows)
        denominator = math.fsum(f.denominator or 0.0 for f in rows)
        if not rows:
            return {}
    return _share(numerator, denominator)


def _share(numerator: float, denominator: float) -> dict[str, Any]:
    """A proportion's figures from its numerator and denominator (percent, Wilson interval)."""
    out: dict[str, Any] = {"numerator": numerator, "denominator": denominator}
    if denominator > 0:
        out["value"] = 100 * numerator / denominator
        if _whole(numerator) and _whole(denominator) and numerator <= denominator:
            low, high = wilson(numerator, denominator)
            out["ci_low"], out["ci_high"] = 100 * low, 100 * high
    if _whole(denominator):
        out["n"] = int(denominator)
    return out


def _mean_or_median(
    measure: Mapping[str, Any],
    scoring: str,
    respondents: Sequence[Mapping[str, Any]],
    figures: Sequence[Figure],
    scales: Mapping[str, Scale],
) -> dict[str, Any]:
    if not _rule(measure, "numerator").get("item") and not measure.get("items"):
        given = [f.value for f in figures if f.value is not None]
        if len(given) == 1:
            return {"value": float(given[0])}
    item = _item_for(measure, scoring)
    values = _numbers(respondents, item, scales.get(item, Scale()))
    if not values:
        return {"n": 0}
    if scoring == "median":
        return {"n": len(values), "value": float(statistics.median(values))}
    low, high = mean_interval(values)
    return {"n": len(values), "value": statistics.fmean(values), "ci_low": low, "ci_high": high}


def _count(
    measure: Mapping[str, Any],
    respondents: Sequence[Mapping[str, Any]],
    figures: Sequence[Figure],
    scales: Mapping[str, Scale],
) -> dict[str, Any]:
    rule = _rule(measure, "numerator")
    item = rule.get("item") or (
        next(iter(measure.get("items") or ()), None) if not figures else None
    )
    if item:
        scale = scales.get(str(item), Scale())
        answered = [_answered(r, str(item), scale) for r in respondents]
        wanted = _rule_values(rule)
        count = sum(1 for a in answered if a is not None and _in_values(a, wanted))
        return {"numerator": float(count), "value": float(count), "n": len(respondents)}
    if not figures:
        return {}
    total = math.fsum((f.numerator if f.numerator is not None else f.value or 0.0) for f in figures)
    return {"numerator": total, "value": total}


def _ratio(measure: Mapping[str, Any], figures: Sequence[Figure]) -> dict[str, Any]:
    rows = [f for f in figures if f.numerator is not None]
    if not rows:
        return {}
    numerator = math.fsum(f.numerator or 0.0 for f in rows)
    denominator = math.fsum(f.denominator or 0.0 for f in rows)
    out: dict[str, Any] = {"numerator": numerator, "denominator": denominator}
    if denominator > 0:
        out["value"] = numerator / denominator
    return out


def _index(
    measure: Mapping[str, Any],
    respondents: Sequence[Mapping[str, Any]],
    scales: Mapping[str, Scale],
    components: Mapping[str, MeasureValue] | None,
) -> dict[str, Any]:
    combines = measure.get("combines") or {}
    ids = list(combines.get("measures") or ())
    if ids:
        parts = []
        for component in ids:
            if components is None or component not in components:
                raise ScoringError(
                    "missing_component", measure=measure.get("id", ""), component=component
                )
            parts.append(components[component])
        if any(p.value is None for p in parts):
            return {}
        sizes = [p.cell_size for p in parts if p.cell_size is not None]
        return {
            "value": statistics.fmean(p.value for p in parts if p.value is not None),
            "n": min(sizes) if sizes else None,
        }
    items = [str(i) for i in measure.get("items") or ()]
    if not items:
        raise ScoringError("no_item", measure=measure.get("id", ""), scoring="index")
    scores = []
    for respondent in respondents:
        answers = [_answered(respondent, i, scales.get(i, Scale())) for i in items]
        numbers = [None if a is None else _number(a) for a in answers]
        if all(x is not None for x in numbers):
            scores.append(statistics.fmean(x for x in numbers if x is not None))
    if not scores:
        return {"n": 0}
    low, high = mean_interval(scores)
    return {"n": len(scores), "value": statistics.fmean(scores), "ci_low": low, "ci_high": high}


def score(
    measure: Mapping[str, Any],
    *,
    respondents: Sequence[Mapping[str, Any]] = (),
    figures: Sequence[Figure | Mapping[str, Any]] = (),
    scales: Mapping[str, Scale] | None = None,
    components: Mapping[str, MeasureValue] | None = None,
) -> MeasureValue:
    """The measure's value in one cell (see the module docstring)."""
    measure_id = str(measure.get("id", ""))
    scoring = str(measure.get("scoring", ""))
    if scoring not in SCORINGS:
        raise ScoringError("unknown_scoring", measure=measure_id, scoring=scoring)
    direction = str(measure.get("direction") or "increase")
    if direction not in ("increase", "decrease"):
        raise ScoringError("bad_direction", measure=measure_id, direction=direction)
    target = Target.from_protocol(measure.get("target"))
    scales = scales or {}
    rows = _figures(figures, measure_id)
    if scoring == "narrative":
        return MeasureValue(
            measure_id, scoring, target=target, direction=direction, status=Status.NO_TARGET
        )
    if scoring == "proportion":
        figures_out = _proportion(measure, respondents, rows, scales)
    elif scoring in ("mean", "median"):
        figures_out = _mean_or_median(measure, scoring, respondents, rows, scales)
    elif scoring == "count":
        figures_out = _count(measure, respondents, rows, scales)
    elif scoring == "ratio":
        if not rows and respondents:
            raise ScoringError("ratio_needs_figures", measure=measure_id)
        figures_out = _ratio(measure, rows)
    else:
        figures_out = _index(measure, respondents, scales, components)
    value = figures_out.get("value")
    return MeasureValue(
        measure=measure_id,
        scoring=scoring,
        target=target,
        direction=direction,
        status=status_for(value, target, direction),
        **figures_out,
    )
