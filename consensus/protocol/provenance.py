"""The protocol's provenance: who took part in which step, the scale and the rule that decided
the core set, and each core indicator's results per round (pure; part of
:func:`consensus.protocol.build.build_protocol`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..rounds.round_rule import describe_sv
from ..rounds.suppression import OTHER, OTHER_NAME
from .texts import _opt_text, _put, _text, identifier, sv

__all__ = ["indicator_provenance", "provenance"]

SCALES = {
    "rating_1_9": "Skattning 1–9 (GRADE) med ”kan ej bedöma”",
    "approval": "Godkännanderöstning: varje deltagare väljer högst K indikatorer",
    "ranking": "Rangordning",
}
#: ItemDecision.decision (and whether it was overridden) → roundStatistics.decision
ROUND_DECISIONS = {
    ("carry", False): "carried-over",
    ("carry", True): "carried-over",
    ("drop", False): "out",
    ("drop", True): "override-out",
    ("core", False): "in",
    ("core", True): "override-in",
    ("excluded", False): "out",
    ("excluded", True): "override-out",
    ("unresolved", False): "no-consensus",
    ("unresolved", True): "no-consensus",
}
_STATS = {
    "mean": "mean",
    "sd": "sd",
    "median": "median",
    "q1": "q1",
    "q3": "q3",
    "iqr": "iqr",
    "p_high": "pHigh",
    "p_low": "pLow",
    "votes": "votes",
    "share": "share",
}


def _round_statistics(r: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"round": int(r["round"])}
    if r.get("method") in ("rating", "approval", "ranking"):
        out["method"] = r["method"]
    out["n"] = max(int(r.get("n") or 0), 0)
    if r.get("unable") is not None:
        out["unableToScore"] = max(int(r["unable"]), 0)
    for key, name in _STATS.items():
        value = r.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if name in ("votes",):
            out[name] = max(int(value), 0)
        elif name in ("pHigh", "pLow", "share"):
            out[name] = min(max(float(value), 0.0), 1.0)
        elif name in ("sd", "iqr"):
            out[name] = max(float(value), 0.0)
        else:
            out[name] = value
    if isinstance(r.get("rank"), int) and r["rank"] >= 1:
        out["rank"] = r["rank"]
    out["decision"] = ROUND_DECISIONS.get(
        (r.get("decision") or "", bool(r.get("overridden"))), "no-consensus"
    )
    return out


def indicator_provenance(ind: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"candidateId": str(ind["code"])}
    _put(out, "mergedFrom", [str(c) for c in ind.get("merged_from") or []])
    _put(out, "rounds", [_round_statistics(r) for r in ind.get("rounds") or []])
    decision = ind.get("decision")
    if isinstance(decision, Mapping):
        block: dict[str, Any] = {
            "outcome": "included-by-override" if decision.get("overridden") else "included"
        }
        if decision.get("round"):
            block["round"] = int(decision["round"])
        _put(block, "date", decision.get("date"))
        _put(block, "reason", _opt_text(decision.get("reason")))
        out["decision"] = block
    return out


def _participants(rows: Sequence[Mapping[str, Any]], known: set[str]) -> list[dict[str, Any]]:
    out = []
    for row in rows or []:
        group = identifier(row.get("group"))
        if group not in known:
            continue
        invited = max(int(row.get("invited") or 0), 0)
        responding = min(max(int(row.get("responding") or 0), 0), invited)
        out.append({"group": group, "invited": invited, "responding": responding})
    return out


def _method_text(r: Mapping[str, Any]) -> str:
    method = r.get("method")
    if method == "approval" and r.get("max_selections"):
        return f"Godkännanderöstning, högst {int(r['max_selections'])} val per deltagare"
    if method == "ranking":
        return f"Rangordning av de {int(r['top_m'])} främsta" if r.get("top_m") else "Rangordning"
    return SCALES["rating_1_9"]


def _rule_of(rule: Any) -> dict[str, Any] | None:
    if not isinstance(rule, Mapping) or not rule.get("name"):
        return None
    name = str(rule["name"])
    return {"code": name, "label": sv(describe_sv(name, dict(rule.get("params") or {})))}


def provenance(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Who took part in which step, and the scale and rule that decided the core set.

    The scale and the consensus rule are those of the last closed round (the round that chose
    the core set), each round's own method and rule are in its step's note: a study whose
    rounds were approval and ranking never reads "Skattning 1–9" or COMET. Round participation
    follows the stored results' suppression; hidden groups shown together appear as the group
    ``ovriga`` ("Övriga grupper"), as in the results document.
    """
    study = facts["study"]
    groups: list[dict[str, Any]] = [
        {"id": identifier(g["code"]), "name": _text(g.get("name"), str(g["code"]))}
        for g in facts.get("groups") or []
    ]
    known = {g["id"] for g in groups}
    rounds = list(facts.get("rounds") or [])
    if OTHER not in known and any(
        p.get("group") == OTHER for r in rounds for p in r.get("participants") or []
    ):
        groups.append({"id": OTHER, "name": sv(OTHER_NAME)})
        known.add(OTHER)
    steps: list[dict[str, Any]] = []
    for r in rounds:
        step: dict[str, Any] = {
            "kind": "delphi-round",
            "name": sv(f"Delphiomgång {r['number']}"),
            "round": int(r["number"]),
        }
        _put(step, "startDate", r.get("start"))
        _put(step, "endDate", r.get("end"))
        _put(step, "participants", _participants(r.get("participants") or [], known))
        rule = _rule_of(r.get("rule"))
        if r.get("method") or rule:
            note = _method_text(r) + (f". Regel: {rule['label']['sv']}." if rule else ".")
            step["note"] = sv(note)
        steps.append(step)
    survey = facts.get("measure_survey")
    if isinstance(survey, Mapping):
        step = {"kind": "measure-survey", "name": sv("Enkät om mått och källor")}
        _put(step, "startDate", survey.get("start"))
        _put(step, "endDate", survey.get("end"))
        step["note"] = sv(
            f"Inbjudna experter: {int(survey.get('invited') or 0)}. "
            f"Svarande: {int(survey.get('respondents') or 0)}. "
            f"Inskickade svar: {int(survey.get('submitted') or 0)}. "
            f"Förslag på mått: {int(survey.get('proposals') or 0)}."
        )
        steps.append(step)
    out: dict[str, Any] = {"study": str(study["slug"])}
    _put(out, "stakeholderGroups", groups)
    last = rounds[-1] if rounds else None
    if last is not None and last.get("method") in ("approval", "ranking"):
        out["scale"] = {"code": str(last["method"]), "label": sv(_method_text(last))}
    elif study.get("scale"):
        scale = str(study["scale"])
        out["scale"] = {"code": scale, "label": sv(SCALES.get(scale, scale))}
    rule = _rule_of(last.get("rule")) if last is not None else None
    if rule is None and study.get("primary_rule"):
        rule = _rule_of({"name": study["primary_rule"], "params": study.get("rule_params")})
    if rule is not None:
        out["consensusRule"] = rule
    out["steps"] = steps
    return out
