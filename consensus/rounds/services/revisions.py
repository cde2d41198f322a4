"""Between rounds: discussion notes, rewording, merging and splitting indicators, lineage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from ...extensions import db
from ...studies import services as study_services
from ...studies.models import Indicator, Study
from ..lifecycle import Status
from ..models import DiscussionNote, IndicatorLineage, IndicatorWording, Round, RoundItem
from ._common import RoundError, _actor_id

NOTE_MAX = 10_000


# --- between rounds --------------------------------------------------------------------------


def _latest_closed(study_id: int) -> Round | None:
    return db.session.scalar(
        select(Round)
        .where(Round.study_id == study_id, Round.status == Status.CLOSED)
        .order_by(Round.number.desc())
        .limit(1)
    )


def _require_no_open_round(study_id: int) -> None:
    open_number = db.session.scalar(
        select(Round.number).where(Round.study_id == study_id, Round.status == Status.OPEN)
    )
    if open_number is not None:
        raise RoundError("round_in_progress", number=open_number)


def add_note(round: Round, indicator: Indicator, text: str, actor=None) -> DiscussionNote:
    """A note from the group discussions about an indicator of a round."""
    text = (text or "").strip()
    if not text:
        raise RoundError("text_required")
    if len(text) > NOTE_MAX:
        raise RoundError("comment_too_long", max=NOTE_MAX)
    on_ballot = db.session.scalar(
        select(RoundItem.id).where(
            RoundItem.round_id == round.id, RoundItem.indicator_id == indicator.id
        )
    )
    if on_ballot is None:
        raise RoundError("not_on_ballot", indicator=indicator.code)
    note = DiscussionNote(
        round_id=round.id, indicator_id=indicator.id, text=text, created_by_id=_actor_id(actor)
    )
    db.session.add(note)
    study_services.audit(
        round.study, "note_added", actor, round=round.number, indicator=indicator.code
    )
    db.session.flush()
    return note


def notes(round: Round) -> list[DiscussionNote]:
    return list(
        db.session.scalars(
            select(DiscussionNote)
            .where(DiscussionNote.round_id == round.id)
            .order_by(DiscussionNote.indicator_id, DiscussionNote.created_at, DiscussionNote.id)
        )
    )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RoundError("reason_required")
    return reason


def wordings(indicator: Indicator) -> list[IndicatorWording]:
    return list(
        db.session.scalars(
            select(IndicatorWording)
            .where(IndicatorWording.indicator_id == indicator.id)
            .order_by(IndicatorWording.version)
        )
    )


def reword(
    indicator: Indicator, title: str, description: str, reason: str, actor=None
) -> IndicatorWording:
    """A new version of an indicator's wording (not while a round is open).

    The first rewording also records the original wording as version 1. The indicator's
    title and description become the new wording; a ``reword`` lineage row (from = to)
    keeps it in the study's lineage.
    """
    reason = _reason(reason)
    title = (title or "").strip()
    if not title:
        raise RoundError("text_required")
    _require_no_open_round(indicator.study_id)
    after = _latest_closed(indicator.study_id)
    versions = wordings(indicator)
    if not versions:
        original = IndicatorWording(
            indicator_id=indicator.id,
            version=1,
            title=indicator.title,
            description=indicator.description or "",
            round_id=None,
            reason="",
            created_by_id=None,
            created_at=indicator.created_at,
        )
        db.session.add(original)
        versions = [original]
    wording = IndicatorWording(
        indicator_id=indicator.id,
        version=versions[-1].version + 1,
        title=title,
        description=(description or "").strip(),
        round_id=after.id if after else None,
        reason=reason,
        created_by_id=_actor_id(actor),
    )
    db.session.add(wording)
    db.session.add(
        IndicatorLineage(
            from_indicator_id=indicator.id,
            to_indicator_id=indicator.id,
            kind="reword",
            round_id=after.id if after else None,
            reason=reason,
            created_by_id=_actor_id(actor),
        )
    )
    indicator.title, indicator.description = wording.title, wording.description
    study_services.audit(
        indicator.study,
        "indicator_reworded",
        actor,
        reason=reason,
        indicator=indicator.code,
        version=wording.version,
    )
    db.session.flush()
    return wording


def _new_indicator(study: Study, like: Indicator, fields: Mapping[str, Any]) -> Indicator:
    code = (fields.get("code") or "").strip()
    title = (fields.get("title") or "").strip()
    if not code or not title:
        raise RoundError("text_required")
    if code.casefold() in {c.casefold() for c in study_services.indicator_codes(study)}:
        raise RoundError("code_taken", code=code)
    return study_services.add_indicator(
        study,
        code=code,
        title=title,
        description=(fields.get("description") or "").strip(),
        perspective=fields.get("perspective") or like.perspective,
        type=fields.get("type") or like.type,
        source=fields.get("source") or like.source or "",
    )


def _lineage(kind: str, sources: Sequence[Indicator], targets: Sequence[Indicator], reason, actor):
    after = _latest_closed(sources[0].study_id)
    for source in sources:
        for target in targets:
            db.session.add(
                IndicatorLineage(
                    from_indicator_id=source.id,
                    to_indicator_id=target.id,
                    kind=kind,
                    round_id=after.id if after else None,
                    reason=reason,
                    created_by_id=_actor_id(actor),
                )
            )


def merge(
    indicators: Sequence[Indicator],
    new_code: str,
    title: str,
    description: str,
    reason: str,
    actor=None,
    **fields: Any,
) -> Indicator:
    """Merge two or more indicators into a new one (not while a round is open).

    The new indicator takes the first one's perspective and type unless given in
    ``fields``; it replaces its sources on the next round's ballot (see :func:`carried_over`).
    """
    reason = _reason(reason)
    sources = list(dict.fromkeys(indicators))
    if len(sources) < 2:
        raise RoundError("too_few", min=2)
    study = sources[0].study
    if any(i.study_id != study.id for i in sources):
        raise RoundError("not_in_study")
    _require_no_open_round(study.id)
    merged = _new_indicator(
        study, sources[0], {"code": new_code, "title": title, "description": description, **fields}
    )
    _lineage("merge", sources, [merged], reason, actor)
    study_services.audit(
        study,
        "indicators_merged",
        actor,
        reason=reason,
        sources=[i.code for i in sources],
        result=merged.code,
    )
    db.session.flush()
    return merged


def split(
    indicator: Indicator, parts: Sequence[Mapping[str, Any]], reason: str, actor=None
) -> list[Indicator]:
    """Split an indicator into two or more new ones (``parts``: dicts with ``code``,
    ``title`` and optionally ``description``, ``perspective``, ``type``)."""
    reason = _reason(reason)
    if len(parts) < 2:
        raise RoundError("too_few", min=2)
    study = indicator.study
    _require_no_open_round(study.id)
    codes = [(p.get("code") or "").strip().casefold() for p in parts]
    if len(set(codes)) != len(codes):
        raise RoundError("code_taken", code=next(c for c in codes if codes.count(c) > 1))
    created = [_new_indicator(study, indicator, part) for part in parts]
    _lineage("split", [indicator], created, reason, actor)
    study_services.audit(
        study,
        "indicator_split",
        actor,
        reason=reason,
        source=indicator.code,
        result=[i.code for i in created],
    )
    db.session.flush()
    return created


def lineage(study: Study) -> list[IndicatorLineage]:
    """Every reword, merge and split of the study's indicators, oldest first."""
    return list(
        db.session.scalars(
            select(IndicatorLineage)
            .join(Indicator, Indicator.id == IndicatorLineage.from_indicator_id)
            .where(Indicator.study_id == study.id)
            .order_by(IndicatorLineage.created_at, IndicatorLineage.id)
        )
    )
