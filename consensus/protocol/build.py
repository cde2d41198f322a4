"""Building a protocol document from plain facts about a study (pure).

A pure module (plain Python, no Flask or SQLAlchemy). :func:`build_protocol` turns the facts
that ``services.study_facts`` reads from the database (or a hand-made dict in a test) into a
document that validates against ``schema/protocol-1.0.schema.json``. It does not add the
checksum: publishing does (``canonical.with_checksum``).

The facts (every key optional unless marked)::

    {
      "protocol": {"id"*, "version"*, "status", "publishedAt", "derivedFrom",
                   "title", "description", "owner": {name, contact, url, licence,
                   lockedWording}, "changelog": [{version, date, changes}]},
      "study": {"slug"*, "title"*, "description", "min_group_size", "scale", "primary_rule"},
      "groups": [{"code", "name"}],                       # stakeholder groups
      "rounds": [{"number", "method", "start", "end",     # dates YYYY-MM-DD
                  "participants": [{"group", "invited", "responding"}]}],
      "indicators": [{"code"*, "title"*, "description", "title_en", "description_en",
                      "rationale", "perspective"*,
                      "type"*, "merged_from": [...],
                      "rounds": [{"round", "method", "n", "unable", "mean", "sd", "median",
                                  "q1", "q3", "iqr", "p_high", "p_low", "votes", "share",
                                  "rank", "decision", "overridden"}],   # decision: ItemDecision
                      "decision": {"round", "date", "overridden", "reason"},
                      "measures": [{"id"*, "name"*, "description", "name_en",
                                    "description_en", "kind", "method",
                                    "data_source", "respondent_group", "frequency": [...],
                                    "unit", "numerator", "denominator", "recommended",
                                    "direction", "target": {"value", "nearMargin"},
                                    "disaggregations": [codelist id, ...],
                                    "items": [{"id", "text", "type", "scale"}]}]}],
      "codelists": [{"id"*, "name"*, "total": {"code", "label"}*,
                     "codes": [{"code", "label"}]*}],        # the study's, kön included
      "measure_survey": {"start", "end", "invited", "respondents", "submitted",
                         "proposals"},
    }

Mapping to the protocol
    * Texts are ``{"sv": ...}`` language maps; a study's English text (``title_en`` ...) is
      their ``en``.
    * Indicators keep their order; an indicator without an accepted measure is left out (the
      schema needs at least one measure). Measures are ordered recommended first.
    * ``kind``/``method`` are the measures codelists (``codelists.KINDS``/``METHODS``); a
      missing kind follows the method (interview, focus group, case study, observation and
      document review are qualitative), a missing method is ``register`` (quantitative) or
      ``document-review`` (qualitative).
    * Scoring: qualitative → ``narrative`` (the description is the guidance); quantitative with
      a numerator and a denominator, or a proportion unit ("andel", "%") → ``proportion``;
      a unit with "antal" → ``count``; otherwise ``mean``.
    * Items: a questionnaire-based measure (method ``survey``) without items of its own gets
      **one minimal item derived from the measure**: id ``<measure id>-F1``, the measure's
      name as its text, type ``choice`` on the standard agree scale 1–5
      (:data:`AGREE_SCALE`, "vet inte" as a missing value), for the measure's respondent group.
      A proportion on such an item counts the top two answers (4, 5) of all answers (1–5).
    * Schedules from the frequencies: the offsets P0D/P6M/P12M/P18M become one event schedule
      anchored at inskrivning (one schedule per distinct set of offsets); ``yearly`` a calendar
      schedule (``arlig``); ``continuous`` a monthly calendar schedule (``lopande``: the schema
      has no "continuous", so it is compiled monthly). When a measure has both offsets and
      yearly/continuous, the offsets win.
    * Follow-up: a quantitative measure's ``direction``, ``target`` (value, nearMargin; whole
      numbers as integers) and ``disaggregations`` go into the measure as given (a qualitative
      measure carries none); the top-level ``codelists`` are those of ``facts["codelists"]``
      that some measure uses, in their order. A disaggregation naming no codelist of the facts
      is kept, so that validation names it.
    * Provenance: stakeholder groups, the scale and consensus rule, one step per Delphi round
      (invited and responding per group), the measures survey (its counts in the step's note),
      and per indicator its per-round statistics and the final decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..measures import codelists
from .provenance import indicator_provenance, provenance
from .texts import _opt_text, _put, _text, _with_en, identifier, sv
from .validate import SCHEMA_ID

AGREE_SCALE = "instammer-1-5"
TOP_TWO = [4, 5]
ALL_ANSWERS = [1, 2, 3, 4, 5]
ANCHOR = "inskrivning"
OFFSETS = ("P0D", "P6M", "P12M", "P18M")

PERSPECTIVES = {
    "deltagare": ("deltagare", "Deltagare"),
    "medarbetare": ("medarbetare", "Personal och medarbetare"),
    "organisation": ("organisation", "Organisation"),
    "samhälle": ("samhalle", "Samhälle"),
    "samhalle": ("samhalle", "Samhälle"),
}
QUALITATIVE_METHODS = ("interview", "focus-group", "case-study", "observation", "document-review")
MODES = {
    "survey": "web",
    "register": "register-extract",
    "document-review": "document",
    "interview": "face-to-face",
    "focus-group": "face-to-face",
    "case-study": "document",
    "observation": "other",
}
METHOD_SOURCES = {
    "survey": "Enkät",
    "register": "Register",
    "document-review": "Dokument",
    "interview": "Intervjuer",
    "focus-group": "Fokusgrupper",
    "case-study": "Fallstudie",
    "observation": "Observationer",
}
#: The respondent groups a measure names, with their Swedish names (the measures' codelist).
RESPONDENT_GROUPS = codelists.RESPONDENT_GROUPS
OFFSET_LABELS = {
    "P0D": "Start",
    "P6M": "6 månader",
    "P12M": "12 månader",
    "P18M": "18 månader",
}
# --- schedules --------------------------------------------------------------------------------


def _schedule_for(frequency: Sequence[str], schedules: dict[str, dict[str, Any]]) -> str | None:
    """The id of the schedule for a measure's frequencies (created in ``schedules``)."""
    values = [f for f in frequency or [] if isinstance(f, str)]
    offsets = [o for o in OFFSETS if o in values]
    if offsets:
        sid = identifier(f"{ANCHOR}-" + "-".join(o.lower() for o in offsets))
        if sid not in schedules:
            labels = ", ".join(OFFSET_LABELS[o].lower() for o in offsets)
            schedules[sid] = {
                "id": sid,
                "name": sv(f"Från inskrivning: {labels}"),
                "type": "event",
                "anchor": {"code": ANCHOR, "label": sv("Inskrivning i insatsen")},
                "timepoints": [{"offset": o, "label": sv(OFFSET_LABELS[o])} for o in offsets],
            }
        return sid
    if "yearly" in values:
        schedules.setdefault(
            "arlig",
            {
                "id": "arlig",
                "name": sv("En gång om året"),
                "type": "calendar",
                "calendar": {"frequency": "yearly"},
            },
        )
        return "arlig"
    if "continuous" in values:
        schedules.setdefault(
            "lopande",
            {
                "id": "lopande",
                "name": sv("Löpande (sammanställs varje månad)"),
                "type": "calendar",
                "calendar": {"frequency": "monthly"},
            },
        )
        return "lopande"
    return None


# --- measures ---------------------------------------------------------------------------------


def _kind_and_method(m: Mapping[str, Any]) -> tuple[str, str]:
    kind, method = m.get("kind") or None, m.get("method") or None
    if kind not in ("quantitative", "qualitative"):
        kind = "qualitative" if method in QUALITATIVE_METHODS else "quantitative"
    if method not in MODES:
        method = "register" if kind == "quantitative" else "document-review"
    return kind, method


def _is_proportion(unit: str) -> bool:
    folded = unit.casefold()
    return "andel" in folded or "%" in folded or "procent" in folded


def _measure(
    m: Mapping[str, Any],
    items: dict[str, dict[str, Any]],
    schedules: dict[str, dict[str, Any]],
    groups_used: dict[str, str],
) -> dict[str, Any]:
    mid = identifier(m["id"], "M")
    kind, method = _kind_and_method(m)
    name = (m.get("name") or "").strip() or mid
    description = (m.get("description") or "").strip()
    group = m.get("respondent_group") or ""
    group_id = identifier(group) if group else None
    if group_id:
        groups_used.setdefault(group_id, RESPONDENT_GROUPS.get(group, str(group)))

    source_name = (m.get("data_source") or "").strip()
    if not source_name:
        source_name = METHOD_SOURCES[method]
        if group_id:
            source_name += f" till {groups_used[group_id].lower()}"
    data_source: dict[str, Any] = {"name": sv(source_name)}
    if group_id:
        data_source["respondentGroups"] = [group_id]
    data_source["mode"] = MODES[method]

    out: dict[str, Any] = {"id": mid, "name": _with_en(sv(name), m.get("name_en"))}
    _put(out, "description", _with_en(_opt_text(description), m.get("description_en")))
    out.update(kind=kind, method=method, dataSource=data_source)

    item_ids: list[str] = []
    if method == "survey":
        given = [i for i in m.get("items") or [] if isinstance(i, Mapping)]
        if not given:  # a minimal item derived from the measure
            given = [{"id": f"{mid}-F1", "text": name, "type": "choice", "scale": AGREE_SCALE}]
        for raw in given:
            iid = identifier(raw.get("id"), f"{mid}-F")
            item: dict[str, Any] = {
                "id": iid,
                "text": _text(raw.get("text"), name),
                "type": raw.get("type") or "choice",
            }
            if item["type"] in ("choice", "multi-choice") or raw.get("scale"):
                item["scale"] = raw.get("scale") or AGREE_SCALE
            if group_id:
                item["respondentGroups"] = [group_id]
            item["local"] = False
            items.setdefault(iid, item)
            item_ids.append(iid)
        out["items"] = item_ids

    unit = (m.get("unit") or "").strip()
    numerator = (m.get("numerator") or "").strip()
    denominator = (m.get("denominator") or "").strip()
    if kind == "qualitative":
        out["scoring"] = "narrative"
    elif (numerator and denominator) or _is_proportion(unit):
        out["scoring"] = "proportion"
        first = item_ids[0] if item_ids else None
        on_scale = first is not None and items[first].get("scale") == AGREE_SCALE
        num: dict[str, Any] = {
            "description": sv(
                numerator or ("Antal som svarar 4 eller 5 på frågan." if on_scale else "Täljare")
            )
        }
        den: dict[str, Any] = {
            "description": sv(
                denominator or ("Antal som besvarat frågan." if on_scale else "Nämnare")
            )
        }
        if on_scale:
            num["rule"] = {"item": first, "values": list(TOP_TWO)}
            den["rule"] = {"item": first, "values": list(ALL_ANSWERS)}
        else:
            if numerator:
                num["rule"] = {"expression": numerator}
            if denominator:
                den["rule"] = {"expression": denominator}
        out["numerator"], out["denominator"] = num, den
    elif "antal" in unit.casefold():
        out["scoring"] = "count"
    else:
        out["scoring"] = "mean"
    if out["scoring"] not in ("proportion",):
        if numerator:
            out["numerator"] = {"description": sv(numerator)}
        if denominator:
            out["denominator"] = {"description": sv(denominator)}
    _put(out, "unit", _opt_text(unit))
    if kind == "quantitative":
        if m.get("direction") in ("increase", "decrease"):
            out["direction"] = m["direction"]
        target = _target(m.get("target"))
        _put(out, "target", target)
    _put(
        out,
        "disaggregations",
        list(dict.fromkeys(identifier(c) for c in m.get("disaggregations") or [] if c)),
    )
    _put(out, "schedule", _schedule_for(m.get("frequency") or [], schedules))
    if kind == "qualitative":
        out["guidance"] = sv(description or name)
    return out


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if float(value).is_integer() else float(value)


def _target(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, Mapping) or _number(raw.get("value")) is None:
        return None
    out: dict[str, Any] = {"value": _number(raw["value"])}
    margin = _number(raw.get("nearMargin"))
    if margin is not None and margin >= 0:
        out["nearMargin"] = margin
    return out


def _codelist(c: Mapping[str, Any]) -> dict[str, Any]:
    total: Mapping[str, Any] = c["total"] if isinstance(c.get("total"), Mapping) else {}
    return {
        "id": identifier(c["id"]),
        "name": _text(c.get("name"), str(c["id"])),
        "total": {
            "code": identifier(total.get("code"), "_T"),
            "label": _text(total.get("label"), "Totalt"),
        },
        "codes": [
            {
                "code": identifier(code.get("code")),
                "label": _text(code.get("label"), str(code.get("code"))),
            }
            for code in c.get("codes") or []
            if isinstance(code, Mapping)
        ],
    }


# --- the document -----------------------------------------------------------------------------


def _agree_scale() -> dict[str, Any]:
    return {
        "id": AGREE_SCALE,
        "name": sv("Instämmer 1–5"),
        "ordered": True,
        "categories": [
            {"value": 1, "label": sv("Instämmer inte alls")},
            {"value": 2, "label": sv("Instämmer till liten del")},
            {"value": 3, "label": sv("Instämmer delvis")},
            {"value": 4, "label": sv("Instämmer till stor del")},
            {"value": 5, "label": sv("Instämmer helt")},
        ],
        "missingValues": [{"value": 9, "label": sv("Vet inte")}],
    }


def _owner(given: Any, study: Mapping[str, Any]) -> dict[str, Any]:
    given = given if isinstance(given, Mapping) else {}
    owner: dict[str, Any] = {
        "name": (given.get("name") or "").strip() or f"Projektledningen för {study['title']}",
    }
    for key in ("contact", "url", "copyright"):
        value = (given.get(key) or "").strip() if isinstance(given.get(key), str) else None
        _put(owner, key, value or None)
    owner["licence"] = (given.get("licence") or "").strip() or "CC-BY-4.0"
    locked = given.get("lockedWording")
    owner["lockedWording"] = True if locked is None else bool(locked)
    return owner


def build_protocol(facts: Mapping[str, Any]) -> dict[str, Any]:
    """The protocol document (without checksum) for ``facts`` (see the module docstring)."""
    study = facts["study"]
    meta = facts.get("protocol") or {}
    items: dict[str, dict[str, Any]] = {}
    schedules: dict[str, dict[str, Any]] = {}
    groups_used: dict[str, str] = {}
    indicators = []
    seen_measures: set[str] = set()
    for ind in facts.get("indicators") or []:
        raw_measures = [m for m in ind.get("measures") or [] if isinstance(m, Mapping)]
        raw_measures.sort(key=lambda m: not m.get("recommended"))  # stable: recommended first
        measures = []
        for m in raw_measures:
            measure = _measure(m, items, schedules, groups_used)
            if measure["id"] in seen_measures:
                continue
            seen_measures.add(measure["id"])
            measures.append(measure)
        if not measures:
            continue
        perspective = PERSPECTIVES.get(ind.get("perspective") or "", ("organisation", ""))[0]
        entry: dict[str, Any] = {
            "id": identifier(ind["code"], "I"),
            "name": _with_en(_text(ind.get("title"), str(ind["code"])), ind.get("title_en")),
            "description": _with_en(
                _text(ind.get("description"), ind.get("title") or str(ind["code"])),
                ind.get("description_en" if ind.get("description") else "title_en"),
            ),
        }
        _put(entry, "rationale", _opt_text(ind.get("rationale")))
        entry.update(
            perspective=perspective,
            type=ind.get("type") if ind.get("type") in ("process", "effect") else "process",
            measures=measures,
            provenance=indicator_provenance(ind),
        )
        indicators.append(entry)

    version = meta.get("version") or "1.0.0"
    doc: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "id": identifier(meta.get("id") or study["slug"], "protokoll"),
        "version": version,
        "status": meta.get("status") or "draft",
        "title": _text(meta.get("title"), f"Mätbart protokoll: {study['title']}"),
    }
    _put(doc, "description", _opt_text(meta.get("description") or study.get("description")))
    doc["owner"] = _owner(meta.get("owner"), study)
    if meta.get("publishedAt"):
        doc["publishedAt"] = meta["publishedAt"]
    doc["derivedFrom"] = meta.get("derivedFrom")
    doc["perspectives"] = [
        {"code": code, "label": sv(label)}
        for code, label in dict(PERSPECTIVES.values()).items()
        if label
    ]
    doc["respondentGroups"] = [{"id": g, "name": sv(name)} for g, name in groups_used.items()]
    used = {d for ind in indicators for m in ind["measures"] for d in m.get("disaggregations", [])}
    doc["codelists"] = [
        _codelist(c)
        for c in facts.get("codelists") or []
        if isinstance(c, Mapping) and c.get("id") and identifier(c["id"]) in used
    ]
    uses_agree = any(i.get("scale") == AGREE_SCALE for i in items.values())
    doc["responseScales"] = [_agree_scale()] if uses_agree else []
    doc["items"] = list(items.values())
    doc["indicators"] = indicators
    doc["schedules"] = list(schedules.values())
    min_cell = max(int(study.get("min_group_size") or 5), 1)
    doc["reporting"] = {
        "minCellSize": min_cell,
        "suppression": {"primary": True, "complementary": True},
        "freeTextMinimum": min_cell,
    }
    doc["provenance"] = provenance(facts)
    changelog = meta.get("changelog")
    if not changelog:
        changelog = [{"version": version, "changes": "Första versionen."}]
    doc["changelog"] = [
        {
            "version": e.get("version") or version,
            **({"date": e["date"]} if e.get("date") else {}),
            "changes": _text(e.get("changes"), "Ändringar."),
        }
        for e in changelog
    ]
    return doc
