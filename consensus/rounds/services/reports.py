"""Exports (answers in long format) and the study report."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from ...extensions import db
from ...studies import services as study_services
from ...studies.models import Indicator, Participant, StakeholderGroup, Study
from ..lifecycle import Status
from ..method import method_block
from ..models import Answer, Round
from ..panel_profile import characteristics
from ..report_checklist import REPORT_FIELDS, checklist, study_facts
from ..report_checklist import load as load_checklists
from ..stability import attrition as attrition_of
from ._common import _VOTE, RoundError
from .closing import _votes, decisions
from .reading import get_result, rounds
from .revisions import lineage

# --- exports ---------------------------------------------------------------------------------


def answers_long(round_or_study: Round | Study) -> list[dict[str, Any]]:
    """The answers of closed rounds in long format, identified by pseudonym only.

    Each row: ``pseudonym``, ``group`` (code), ``round``, ``indicator`` (code), ``value``,
    ``unable``, ``comment``, ``reason``. Rows without a vote and without text are left out;
    rounds that are not closed are left out (no individual answers while voting).
    """
    if isinstance(round_or_study, Round):
        if round_or_study.status != Status.CLOSED:
            raise RoundError("round_not_closed")
        where = [Answer.round_id == round_or_study.id]
    else:
        where = [Round.study_id == round_or_study.id, Round.status == Status.CLOSED]
    query = (
        select(
            Participant.pseudonym,
            StakeholderGroup.code,
            Round.number,
            Indicator.code,
            Answer.value,
            Answer.unable,
            Answer.comment,
            Answer.reason,
        )
        .join(Round, Round.id == Answer.round_id)
        .join(Participant, Participant.id == Answer.participant_id)
        .outerjoin(StakeholderGroup, StakeholderGroup.id == Participant.group_id)
        .join(Indicator, Indicator.id == Answer.indicator_id)
        .where(*where, or_(_VOTE, Answer.comment != "", Answer.reason != ""))
        .order_by(Round.number, Participant.pseudonym, Indicator.position, Indicator.code)
    )
    keys = ("pseudonym", "group", "round", "indicator", "value", "unable", "comment", "reason")
    return [dict(zip(keys, row, strict=True)) for row in db.session.execute(query)]


# --- the study report ------------------------------------------------------------------------


def report_data(study: Study) -> dict[str, Any]:
    """What the COS-STAR/ACCORD study report shows, read from the stored round documents:
    the rounds, their documents and decisions, the overrides, each indicator's vote history,
    the core set (when the final round is confirmed), the lineage and the pool's make-up."""
    all_rounds = rounds(study)
    documents = {r.number: get_result(r) for r in all_rounds}
    decided = {r.number: decisions(r) for r in all_rounds if r.status == Status.CLOSED}
    history: dict[str, list] = {}
    for r in all_rounds:
        document = documents.get(r.number)
        for item in (document or {}).get("indicators", []):
            history.setdefault(item["code"], []).append((r, item))
    final = next((r for r in reversed(all_rounds) if r.is_final and r.decisions_confirmed_at), None)
    core = [d for d in decided.get(final.number, []) if d.decision == "core"] if final else []
    closed = [r for r in all_rounds if r.status == Status.CLOSED]
    attrition_result = None
    if len(closed) >= 2 and closed[0].method == "rating":
        last_voters = set(
            db.session.scalars(
                select(Answer.participant_id).where(Answer.round_id == closed[-1].id, _VOTE)
            )
        )
        attrition_result = attrition_of(_votes(closed[0]), last_voters)
    pool_counts = {"process": 0, "effect": 0}
    for indicator in study.indicators:
        pool_counts[indicator.type] = pool_counts.get(indicator.type, 0) + 1
    method = method_block(
        primary_rule=study.primary_rule,
        rule_params=study.rule_params or {},
        min_group_size=study.min_group_size,
        min_ratings=study.min_ratings,
        target_core_size=study.target_core_size,
        invitation_policy=study.invitation_policy,
        ask_reason_on_band_cross=study.ask_reason_on_band_cross,
        rounds=[
            {
                "number": r.number,
                "method": r.method,
                "is_final": r.is_final,
                "max_selections": r.max_selections,
                "top_m": r.top_m,
                "rule": r.rule,
                "rule_params": r.rule_params,
                "document_rule": (documents.get(r.number) or {}).get("primary_rule"),
            }
            for r in all_rounds
        ],
    )
    final_document = documents.get(final.number) if final else None
    texts = {name: str((study.report_texts or {}).get(name) or "") for name in REPORT_FIELDS}
    sources = pool_sources(study)
    facts = study_facts(
        texts,
        groups=len(study.groups),
        pool_sources=len(sources),
        rounds_closed=len(closed),
        core_set=bool(core),
    )
    return {
        "texts": texts,
        "group_names": {g.code: g.name for g in study.groups},
        "pool_sources": sources,
        "panel": {r.number: panel_characteristics(study, r) for r in closed},
        "checklists": checklist(facts),
        "sections": load_checklists()["sections"],
        "method": method,
        "core_block": (final_document or {}).get("core_set"),
        "rounds": all_rounds,
        "documents": documents,
        "decisions": decided,
        "overrides": [d for ds in decided.values() for d in ds if d.overridden],
        "history": history,
        "core": core,
        "final": final,
        "lineage_rows": lineage(study),
        "pool_counts": pool_counts,
        "attrition": attrition_result,
        "last_closed": closed[-1] if closed else None,
    }


def pool_sources(study: Study) -> list[tuple[str, int]]:
    """The candidate pool's sources (the pool import's ``källa``) with their number of
    candidates, most used first; candidates without a source are not listed."""
    counts: dict[str, int] = {}
    for indicator in study.indicators:
        source = (indicator.source or "").strip()
        if source:
            counts[source] = counts.get(source, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def panel_characteristics(study: Study, round: Round) -> dict[str, Any]:
    """Who answered the round (at least one vote), by stakeholder group and level, with small
    counts hidden as in the results (:mod:`consensus.rounds.panel_profile`), and the number of
    organisations they came from (organisation names are not listed)."""
    rows = db.session.execute(
        select(Participant.id, StakeholderGroup.code, Participant.level, Participant.organisation)
        .outerjoin(StakeholderGroup, StakeholderGroup.id == Participant.group_id)
        .where(
            Participant.id.in_(
                select(Answer.participant_id).where(Answer.round_id == round.id, _VOTE)
            )
        )
    ).all()
    people = [{"group": group or "", "level": level or ""} for _, group, level, _ in rows]
    profile = characteristics(
        people,
        ("group", "level"),
        study.min_group_size,
        order={"group": [g.code for g in study.groups], "level": ["lokal", "nationell"]},
    )
    organisations = {org.strip().casefold() for *_, org in rows if org and org.strip()}
    profile["organisations"] = len(organisations)
    return profile


def set_report_texts(study: Study, texts: dict[str, Any], *, actor=None) -> list[str]:
    """Store the report's texts (only :data:`REPORT_FIELDS`, stripped); returns the changed
    fields, each logged in the audit log."""
    before = dict(study.report_texts or {})
    after = {name: str(texts.get(name) or "").strip() for name in REPORT_FIELDS}
    changed = [name for name in REPORT_FIELDS if (before.get(name) or "") != after[name]]
    if changed:
        study.report_texts = after
        study_services.audit(study, "report_texts_changed", actor, fields=changed)
        db.session.flush()
    return changed
