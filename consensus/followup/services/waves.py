"""Local groups and waves (mätningar): create, list, and move through the wave's states.

A wave's status changes only in :func:`move_wave`, through
:data:`..lifecycle.wave_transition`. The open link's token is returned once by
:func:`create_wave` and :func:`new_open_link` and stored only as its SHA-256.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select, update

from ...auth.models import Organisation
from ...auth.tokens import hash_token, new_token
from ...extensions import db
from ..lifecycle import (
    IllegalTransition,
    ResponseStatus,
    WaveStatus,
    date_notice,
    wave_transition,
)
from ..messages import FollowupMessage
from ..models import ImportedProtocol, LocalGroup, SurveyResponse, Wave
from .errors import FollowupError

GROUP_NAME_LIMIT = 200
PERIOD_LIMIT = 100
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# --- local groups ----------------------------------------------------------------------------


def local_groups(org: Organisation) -> list[LocalGroup]:
    return list(
        db.session.scalars(
            select(LocalGroup)
            .where(LocalGroup.organisation_id == org.id)
            .order_by(func.length(LocalGroup.letter), LocalGroup.letter)
        )
    )


def letter(n: int) -> str:
    """The ``n``-th letter (0-based): A … Z, then AA, AB …"""
    text = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        text = _LETTERS[rest] + text
    return text


def add_local_group(org: Organisation, name: str) -> LocalGroup:
    """A new local group with the next letter the förbund has not used. Groups are never
    deleted, so a letter is never given to another group."""
    name = " ".join((name or "").split())
    if not name:
        raise FollowupError("group_name_empty")
    if len(name) > GROUP_NAME_LIMIT:
        raise FollowupError("group_name_too_long", limit=GROUP_NAME_LIMIT)
    existing = local_groups(org)
    if any(g.name.casefold() == name.casefold() for g in existing):
        raise FollowupError("group_name_taken", name=name)
    group = LocalGroup(organisation_id=org.id, name=name, letter=letter(len(existing)))
    db.session.add(group)
    db.session.flush()
    return group


def rename_local_group(group: LocalGroup, name: str) -> LocalGroup:
    name = " ".join((name or "").split())
    if not name:
        raise FollowupError("group_name_empty")
    if len(name) > GROUP_NAME_LIMIT:
        raise FollowupError("group_name_too_long", limit=GROUP_NAME_LIMIT)
    org = db.session.get(Organisation, group.organisation_id)
    if any(g.id != group.id and g.name.casefold() == name.casefold() for g in local_groups(org)):
        raise FollowupError("group_name_taken", name=name)
    group.name = name
    db.session.flush()
    return group


# --- the protocol's choices ------------------------------------------------------------------


def _sv(text: Any) -> str:
    if isinstance(text, Mapping):
        return str(text.get("sv") or "")
    return str(text or "")


def respondent_groups(imported: ImportedProtocol) -> list[tuple[str, str]]:
    return [(g["id"], _sv(g.get("name"))) for g in imported.document.get("respondentGroups") or []]


def timepoints(imported: ImportedProtocol) -> list[tuple[str, str, str]]:
    """Every event-relative point of the protocol's schedules: ``(schedule id, offset,
    label)``, e.g. ``("inskrivning", "P6M", "Från inskrivning …: 6 månader")``."""
    out = []
    for schedule in imported.document.get("schedules") or []:
        if schedule.get("type") != "event":
            continue
        for point in schedule.get("timepoints") or []:
            label = f"{_sv(schedule.get('name'))}: {_sv(point.get('label')) or point['offset']}"
            out.append((schedule["id"], point["offset"], label))
    return out


def time_point_text(wave: Wave) -> str:
    """The wave's time point as people say it: the period, or schedule and point."""
    if wave.period:
        return wave.period
    for schedule_id, offset, label in timepoints(wave.imported):
        if schedule_id == wave.schedule_id and offset == wave.timepoint:
            return label
    return f"{wave.schedule_id} {wave.timepoint}"


def respondent_group_name(wave: Wave) -> str:
    return dict(respondent_groups(wave.imported)).get(wave.respondent_group, wave.respondent_group)


# --- waves -----------------------------------------------------------------------------------


def waves(org: Organisation, imported: ImportedProtocol | None = None) -> list[Wave]:
    query = select(Wave).where(Wave.organisation_id == org.id)
    if imported is not None:
        query = query.where(Wave.imported_protocol_id == imported.id)
    return list(db.session.scalars(query.order_by(Wave.opens_on, Wave.id)))


def wave_of(org: Organisation, wave_id: int) -> Wave | None:
    wave = db.session.get(Wave, wave_id)
    return wave if wave is not None and wave.organisation_id == org.id else None


def counts(wave_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Per wave: questionnaires ``submitted`` and ``draft`` (started, not sent)."""
    out = {i: {"submitted": 0, "draft": 0} for i in wave_ids}
    if not wave_ids:
        return out
    rows = db.session.execute(
        select(SurveyResponse.wave_id, SurveyResponse.status, func.count())
        .where(SurveyResponse.wave_id.in_(wave_ids))
        .group_by(SurveyResponse.wave_id, SurveyResponse.status)
    )
    for wave_id, status, n in rows:
        out[wave_id][status] = n
    return out


def _check_wave_fields(
    org: Organisation,
    imported: ImportedProtocol,
    respondent_group: str,
    schedule_id: str | None,
    timepoint: str | None,
    period: str | None,
    opens_on: dt.date | None,
    closes_on: dt.date | None,
    group_ids: Sequence[int],
) -> list[LocalGroup]:
    known = [g for g, _ in respondent_groups(imported)]
    if respondent_group not in known:
        raise FollowupError(
            "unknown_respondent_group", group=respondent_group, known=", ".join(known) or "–"
        )
    if period:
        if len(period) > PERIOD_LIMIT:
            raise FollowupError("period_too_long", limit=PERIOD_LIMIT)
    elif schedule_id or timepoint:
        schedules = {s["id"]: s for s in imported.document.get("schedules") or []}
        schedule = schedules.get(schedule_id or "")
        if schedule is None:
            raise FollowupError("unknown_schedule", schedule=schedule_id or "")
        offsets = [t["offset"] for t in schedule.get("timepoints") or []]
        if timepoint not in offsets:
            raise FollowupError(
                "unknown_timepoint",
                timepoint=timepoint or "",
                schedule=schedule_id,
                known=", ".join(offsets) or "–",
            )
    else:
        raise FollowupError("time_point_missing")
    if opens_on is None or closes_on is None:
        raise FollowupError("dates_missing")
    if closes_on < opens_on:
        raise FollowupError("dates_order", opens=opens_on.isoformat(), closes=closes_on.isoformat())
    groups = {g.id: g for g in local_groups(org)}
    chosen = []
    for group_id in group_ids:
        if group_id not in groups:
            raise FollowupError("unknown_local_group", group=group_id)
        chosen.append(groups[group_id])
    return chosen


def create_wave(
    org: Organisation,
    imported: ImportedProtocol,
    respondent_group: str,
    *,
    schedule_id: str | None = None,
    timepoint: str | None = None,
    period: str | None = None,
    opens_on: dt.date | None,
    closes_on: dt.date | None,
    local_group_ids: Sequence[int] = (),
) -> tuple[Wave, str]:
    """A draft wave and its open link's token (shown once; only its hash is kept). The time
    point is a calendar ``period`` or a schedule's ``timepoint``."""
    if imported.organisation_id != org.id:
        raise FollowupError(
            "unknown_imported", protocol=imported.protocol_id, version=imported.version
        )
    period = " ".join((period or "").split()) or None
    schedule_id, timepoint = (schedule_id or None), (timepoint or None)
    if period:
        schedule_id = timepoint = None
    groups = _check_wave_fields(
        org,
        imported,
        respondent_group,
        schedule_id,
        timepoint,
        period,
        opens_on,
        closes_on,
        local_group_ids,
    )
    token = new_token()
    wave = Wave(
        organisation_id=org.id,
        imported_protocol_id=imported.id,
        respondent_group=respondent_group,
        schedule_id=schedule_id,
        timepoint=timepoint,
        period=period,
        opens_on=opens_on,
        closes_on=closes_on,
        status=WaveStatus.DRAFT.value,
        open_token_hash=hash_token(token),
        imported=imported,
        local_groups=groups,
    )
    db.session.add(wave)
    db.session.flush()
    return wave, token


def new_open_link(wave: Wave) -> str:
    """A new open link for the wave (the old one stops working); the token is shown once."""
    token = new_token()
    wave.open_token_hash = hash_token(token)
    db.session.flush()
    return token


def move_wave(wave: Wave, action: str) -> Wave:
    """Open or close a wave: the only place a wave's status changes. A compare-and-set write,
    so two people pressing the button at once move it once."""
    try:
        target = wave_transition(wave.status, action)
    except IllegalTransition:
        raise FollowupError("illegal_wave_move", action=action, status=wave.status) from None
    moved = db.session.execute(
        update(Wave)
        .where(Wave.id == wave.id, Wave.status == wave.status)
        .values(status=target.value)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        db.session.refresh(wave)
        raise FollowupError("illegal_wave_move", action=action, status=wave.status)
    db.session.refresh(wave)
    return wave


def wave_notice(wave: Wave, today: dt.date | None = None) -> FollowupMessage | None:
    """A staff notice when the wave's status and its dates disagree (answers follow the
    status, never the date): an open wave past its closing date, a draft past its opening."""
    from .answering import today as stockholm_today

    code = date_notice(wave.status, wave.opens_on, wave.closes_on, today or stockholm_today())
    if code is None:
        return None
    return FollowupMessage(
        code, {"opens_on": wave.opens_on.isoformat(), "closes_on": wave.closes_on.isoformat()}
    )


def wave_by_token(token: str) -> Wave | None:
    return db.session.scalar(select(Wave).where(Wave.open_token_hash == hash_token(token)))


def wave_summary(wave: Wave, count: Mapping[str, int] | None = None) -> dict[str, Any]:
    """What ``wave list --format json`` prints for a wave."""
    count = count or counts([wave.id])[wave.id]
    return {
        "id": wave.id,
        "protocol": wave.imported.protocol_id,
        "version": wave.imported.version,
        "respondentGroup": wave.respondent_group,
        "timePoint": {
            "schedule": wave.schedule_id,
            "timepoint": wave.timepoint,
            "period": wave.period,
            "label": time_point_text(wave),
        },
        "opensOn": wave.opens_on.isoformat(),
        "closesOn": wave.closes_on.isoformat(),
        "status": wave.status,
        "localGroups": [g.letter for g in wave.local_groups],
        "questionnaires": count.get(ResponseStatus.SUBMITTED.value, 0),
        "started": count.get(ResponseStatus.DRAFT.value, 0),
    }
