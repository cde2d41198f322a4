"""A reviewed measure's target and disaggregations, and the study's codelists (pure).

A pure module (no Flask, no SQLAlchemy). What follow-up needs from a measure, as the protocol
carries it (``docs/protocol-format.md``, Measure): ``direction`` (increase | decrease),
``target`` (``value`` and ``nearMargin``) and ``disaggregations`` (ids of codelists). A
codelist is SDMX style: an id, a name, at least two codes with labels, and an explicit total
code that is not one of its codes.

Targets
    The "near" band of a target lies on the side the measure comes from: below the target for
    a measure that should increase, above it for one that should decrease. So the near margin
    must be at least 0 and smaller than the target's distance to the end of the measure's scale
    on that side (:func:`scale_bounds`): a proportion runs 0–100 (per cent), a count from 0, a
    mean on the questionnaire's agreement scale 1–5. A target needs a direction; a qualitative
    measure has none.

Every refusal is a :class:`TargetProblem`: the field it belongs to, a code in
:data:`CATALOGUE` and its parameters. Nothing is stored when a check fails.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ..messages import N_, Gettext, swedish
from .messages import TARGETS

DIRECTIONS: Final = {"increase": N_("ska öka"), "decrease": N_("ska minska")}

#: The codelist every study is offered without defining it (protocol-format: kön with a total).
KON: Final[dict[str, Any]] = {
    "id": "kon",
    "name": "Kön",
    "total": {"code": "_T", "label": "Totalt"},
    "codes": [{"code": "K", "label": "Kvinna"}, {"code": "M", "label": "Man"}],
}
DEFAULT_CODELISTS: Final = (KON,)

#: The protocol's identifier pattern (schema ``$defs.identifier``).
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$")
#: The agreement scale of the questionnaire's items (``protocol.build.AGREE_SCALE``).
AGREE_LOW, AGREE_HIGH = 1, 5
NAME_LIMIT: Final = 200
LABEL_LIMIT: Final = 200
MAX_CODES: Final = 100

#: the targets' messages live in the measures catalogue module (``measures/messages.py``)
CATALOGUE = TARGETS


@dataclass(frozen=True)
class TargetProblem:
    """One refusal: the form field it belongs to, a code in :data:`CATALOGUE`, parameters."""

    field: str
    code: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def render(self, gettext: Gettext = swedish) -> str:
        return CATALOGUE.render(self.code, self.params, gettext)

    @property
    def message(self) -> str:
        return self.render()

    def __str__(self) -> str:
        return self.render()


class TargetError(ValueError):
    """Raised by :func:`require_ok` with every problem."""

    def __init__(self, problems: Sequence[TargetProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)


def require_ok(problems: Sequence[TargetProblem]) -> None:
    if problems:
        raise TargetError(problems)


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------


def parse_number(value: Any) -> float | None:
    """``"80"``, ``"2,5"``, ``80`` -> a float; ``""``/None -> None; raises ValueError when
    the text is not a finite number."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise ValueError(value)
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace("\u2212", "-").replace(" ", "").replace(",", ".")
        if not text:
            return None
        text = text.removesuffix("%")
        number = float(text)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def plain_number(value: float | None) -> int | float | None:
    """80.0 -> 80 (the protocol's JSON shows whole numbers as integers)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def show_number(value: float | None) -> str:
    """A number the Swedish way: 2,5 and 80."""
    shown = plain_number(value)
    return "" if shown is None else str(shown).replace(".", ",")


# --------------------------------------------------------------------------------------------
# The scale a measure's value lives on
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bounds:
    name: str  # Swedish, for messages: "en andel (%)"
    low: float | None
    high: float | None


def scale_bounds(
    *,
    kind: str | None,
    method: str | None,
    unit: str,
    numerator: str = "",
    denominator: str = "",
    questions: Sequence[str] = (),
) -> Bounds:
    """Where a quantitative measure's values can lie, as ``protocol.build`` scores it."""
    folded = (unit or "").casefold()
    if (numerator and denominator) or any(w in folded for w in ("andel", "%", "procent")):
        return Bounds(N_("en andel (%)"), 0.0, 100.0)
    if "antal" in folded:
        return Bounds(N_("ett antal"), 0.0, None)
    if method == "survey":  # a mean on the agreement scale of its questions
        return Bounds(N_("ett medelvärde på skalan 1–5"), float(AGREE_LOW), float(AGREE_HIGH))
    return Bounds(N_("måttets enhet"), None, None)


# --------------------------------------------------------------------------------------------
# Target, direction, disaggregations
# --------------------------------------------------------------------------------------------


def check_target(
    values: Mapping[str, Any],
    *,
    measure: Mapping[str, Any],
    codelist_ids: Iterable[str],
) -> tuple[dict[str, Any], list[TargetProblem]]:
    """The cleaned ``target_value``, ``target_near_margin``, ``direction`` and
    ``disaggregations`` of ``values``, and the problems.

    ``measure`` holds the measure's ``kind``, ``method``, ``unit``, ``numerator``,
    ``denominator`` and ``questions`` (after the edit); ``codelist_ids`` the study's codelists
    (with the defaults).
    """
    problems: list[TargetProblem] = []
    out: dict[str, Any] = {}

    target: float | None = None
    try:
        target = parse_number(values.get("target_value"))
    except (TypeError, ValueError):
        problems.append(
            TargetProblem("target_value", "target_not_number", {"value": values["target_value"]})
        )
    margin: float | None = None
    try:
        margin = parse_number(values.get("target_near_margin"))
    except (TypeError, ValueError):
        problems.append(
            TargetProblem(
                "target_near_margin", "margin_not_number", {"value": values["target_near_margin"]}
            )
        )
    direction = str(values.get("direction") or "").strip() or None
    if direction is not None and direction not in DIRECTIONS:
        problems.append(TargetProblem("direction", "direction_unknown", {"value": direction}))
        direction = None

    if measure.get("kind") == "qualitative" and (target is not None or margin is not None):
        problems.append(TargetProblem("target_value", "target_qualitative"))
    elif target is not None:
        _check_value(target, margin, direction, measure, problems)
    elif margin is not None:
        problems.append(TargetProblem("target_near_margin", "margin_without_target"))

    known = list(dict.fromkeys(codelist_ids))
    chosen: list[str] = []
    for raw in values.get("disaggregations") or []:
        code = str(raw).strip()
        if not code or code in chosen:
            continue
        if code not in known:
            problems.append(
                TargetProblem(
                    "disaggregations",
                    "unknown_codelist",
                    {"value": code, "allowed": ", ".join(known) or "–"},
                )
            )
            continue
        chosen.append(code)

    out["target_value"] = target
    out["target_near_margin"] = margin
    out["direction"] = direction
    out["disaggregations"] = [c for c in known if c in chosen]  # the study's order
    return out, problems


def _check_value(
    target: float,
    margin: float | None,
    direction: str | None,
    measure: Mapping[str, Any],
    problems: list[TargetProblem],
) -> None:
    bounds = scale_bounds(
        kind=measure.get("kind"),
        method=measure.get("method"),
        unit=str(measure.get("unit") or ""),
        numerator=str(measure.get("numerator") or ""),
        denominator=str(measure.get("denominator") or ""),
        questions=list(measure.get("questions") or ()),
    )
    params = {"value": show_number(target), "scale": bounds.name}
    if bounds.low is not None and bounds.high is not None:
        if not bounds.low <= target <= bounds.high:
            problems.append(
                TargetProblem(
                    "target_value",
                    "target_out_of_range",
                    {**params, "low": show_number(bounds.low), "high": show_number(bounds.high)},
                )
            )
            return
    elif bounds.low is not None and target < bounds.low:
        problems.append(
            TargetProblem(
                "target_value", "target_below_minimum", {**params, "low": show_number(bounds.low)}
            )
        )
        return
    if direction is None:
        problems.append(TargetProblem("direction", "direction_required"))
    if margin is None:
        return
    if margin < 0:
        problems.append(
            TargetProblem("target_near_margin", "margin_negative", {"margin": show_number(margin)})
        )
        return
    end = bounds.low if direction == "increase" else bounds.high if direction else None
    if end is None:
        return
    distance = abs(target - end)
    if margin >= distance:
        problems.append(
            TargetProblem(
                "target_near_margin",
                "margin_too_large",
                {
                    "margin": show_number(margin),
                    "target": show_number(target),
                    "distance": show_number(distance),
                    "end": show_number(end),
                },
            )
        )


# --------------------------------------------------------------------------------------------
# Codelists
# --------------------------------------------------------------------------------------------


def parse_code_lines(text: str) -> list[tuple[int, str, str]]:
    """``"K Kvinna\\nM Man"`` -> ``[(1, "K", "Kvinna"), (2, "M", "Man")]`` (blank lines
    skipped; the line numbers count them)."""
    out = []
    for line, raw in enumerate((text or "").splitlines(), 1):
        raw = raw.strip()
        if not raw:
            continue
        code, _, label = raw.partition(" ")
        out.append((line, code.strip(), label.strip().lstrip("=:–- ").strip()))
    return out


def code_lines(codes: Sequence[Mapping[str, str]]) -> str:
    """The inverse of :func:`parse_code_lines` (for a form)."""
    return "\n".join(f"{c['code']} {c['label']}" for c in codes)


def check_codelist(
    data: Mapping[str, Any], *, taken_ids: Iterable[str] = ()
) -> tuple[dict[str, Any], list[TargetProblem]]:
    """A codelist from ``data`` (``id``, ``name``, ``codes`` as text lines or a list of
    ``{"code", "label"}``, ``total_code``, ``total_label``) and the problems.

    ``taken_ids``: the ids of the study's other stored codelists.
    """
    problems: list[TargetProblem] = []
    cid = str(data.get("id") or "").strip()
    if not _IDENTIFIER.match(cid):
        problems.append(TargetProblem("id", "codelist_id_invalid", {"value": cid}))
    elif cid in set(taken_ids):
        problems.append(TargetProblem("id", "codelist_id_taken", {"value": cid}))
    name = str(data.get("name") or "").strip()
    if not name:
        problems.append(TargetProblem("name", "codelist_name_required"))
    elif len(name) > NAME_LIMIT:
        problems.append(
            TargetProblem("name", "codelist_too_long", {"field": N_("Namn"), "limit": NAME_LIMIT})
        )

    raw_codes = data.get("codes") or ""
    if isinstance(raw_codes, str):
        lines = parse_code_lines(raw_codes)
    else:
        lines = [
            (n, str(c.get("code") or "").strip(), str(c.get("label") or "").strip())
            for n, c in enumerate(raw_codes, 1)
        ]
    codes: list[dict[str, str]] = []
    first_line: dict[str, int] = {}
    for line, code, label in lines:
        if not _IDENTIFIER.match(code):
            problems.append(TargetProblem("codes", "code_invalid", {"line": line, "value": code}))
            continue
        if not label:
            problems.append(
                TargetProblem("codes", "code_label_missing", {"line": line, "value": code})
            )
            continue
        if len(label) > LABEL_LIMIT:
            problems.append(
                TargetProblem(
                    "codes", "codelist_too_long", {"field": N_("Etikett"), "limit": LABEL_LIMIT}
                )
            )
            continue
        if code in first_line:
            problems.append(
                TargetProblem(
                    "codes",
                    "code_duplicate",
                    {"line": line, "value": code, "first": first_line[code]},
                )
            )
            continue
        first_line[code] = line
        codes.append({"code": code, "label": label})
    if len(lines) < 2:
        problems.append(TargetProblem("codes", "codelist_too_few_codes", {"count": len(lines)}))
    elif len(lines) > MAX_CODES:
        problems.append(TargetProblem("codes", "codelist_too_many_codes", {"limit": MAX_CODES}))

    total_code = str(data.get("total_code") or "").strip()
    total_label = str(data.get("total_label") or "").strip()
    if not _IDENTIFIER.match(total_code):
        problems.append(TargetProblem("total_code", "total_invalid", {"value": total_code}))
    elif total_code in first_line:
        problems.append(TargetProblem("total_code", "total_among_codes", {"value": total_code}))
    if not total_label:
        problems.append(TargetProblem("total_label", "total_label_required"))
    elif len(total_label) > LABEL_LIMIT:
        problems.append(
            TargetProblem(
                "total_label",
                "codelist_too_long",
                {"field": N_("Totalens etikett"), "limit": LABEL_LIMIT},
            )
        )
    return {
        "id": cid,
        "name": name,
        "total": {"code": total_code, "label": total_label},
        "codes": codes,
    }, problems


def with_defaults(stored: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The study's codelists: the defaults (kön) unless the study defined its own with the
    same id, then the study's own, in their order."""
    ids = {c["id"] for c in stored}
    out = [dict(c) for c in DEFAULT_CODELISTS if c["id"] not in ids]
    out.extend(dict(c) for c in stored)
    return out
