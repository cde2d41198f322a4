"""The built results kept while the data behind them is unchanged (the results page, its
downloads and the yearly report read them; :func:`.results.build_results` stays the one place
they are computed).

Building the rows from counted answers (:mod:`.result_counts`, whose per-wave counts make a
build after one new questionnaire about 0.1 s) and rendering the page's tables take a few
hundred milliseconds over 20,000 questionnaires (``bench/bench_followup_results.py``); an
unchanged page needs neither. So the built rows are kept per process, under a
**fingerprint** of everything they are computed from, read in a few small indexed queries:

- the imported versions of the protocol (id, version, checksum, when imported);
- the waves (id, version, dates, schedule, time point, status, their local groups);
- the submitted questionnaires of those waves (count, sum of ids, the latest day submitted);
- the logged corrections of those waves (count, the latest id): every change to a submitted
  questionnaire's answers is a correction;
- the register figures and narratives (count, the latest change);
- the förbund's local groups (id, letter, name).

Any change to one of them gives another fingerprint, so a cached entry is never served for other
data; old entries fall out of a small LRU. Each process keeps its own entries (the fingerprint
is read from the shared database on every request, so processes agree).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import func, select

from ...extensions import db
from ..lifecycle import ResponseStatus
from ..models import (
    Correction,
    ImportedProtocol,
    LocalGroup,
    Narrative,
    RegisterFigure,
    SurveyResponse,
    Wave,
    wave_local_group,
)
from . import result_counts
from .result_rows import Results
from .results import build_results, protocol_waves

#: how many built results a process keeps
SIZE = 16

_lock = threading.Lock()
_entries: OrderedDict[Hashable, dict[str, Any]] = OrderedDict()
_fragments: OrderedDict[Hashable, str] = OrderedDict()


def fingerprint(imported: ImportedProtocol, waves: list[Wave]) -> tuple:
    versions = db.session.execute(
        select(
            ImportedProtocol.id,
            ImportedProtocol.version,
            ImportedProtocol.checksum,
            ImportedProtocol.imported_at,
        )
        .where(
            ImportedProtocol.organisation_id == imported.organisation_id,
            ImportedProtocol.protocol_id == imported.protocol_id,
        )
        .order_by(ImportedProtocol.id)
    ).all()
    version_ids = [v[0] for v in versions]
    wave_ids = [w.id for w in waves]
    wave_rows = tuple(
        (w.id, w.imported_protocol_id, w.opens_on, w.schedule_id, w.timepoint, w.status, w.period)
        for w in waves
    )
    memberships = db.session.execute(
        select(wave_local_group.c.wave_id, wave_local_group.c.local_group_id)
        .where(wave_local_group.c.wave_id.in_(wave_ids))
        .order_by(wave_local_group.c.wave_id, wave_local_group.c.local_group_id)
    ).all()
    responses = db.session.execute(
        select(
            func.count(SurveyResponse.id),
            func.sum(SurveyResponse.id),
            func.max(SurveyResponse.submitted_on),
        ).where(
            SurveyResponse.wave_id.in_(wave_ids),
            SurveyResponse.status == ResponseStatus.SUBMITTED.value,
        )
    ).one()
    corrections = db.session.execute(
        select(func.count(Correction.id), func.max(Correction.id)).where(
            Correction.wave_id.in_(wave_ids)
        )
    ).one()
    figures = db.session.execute(
        select(func.count(RegisterFigure.id), func.max(RegisterFigure.updated_at)).where(
            RegisterFigure.imported_protocol_id.in_(version_ids)
        )
    ).one()
    narratives = db.session.execute(
        select(func.count(Narrative.id), func.max(Narrative.updated_at)).where(
            Narrative.imported_protocol_id.in_(version_ids)
        )
    ).one()
    groups = db.session.execute(
        select(LocalGroup.id, LocalGroup.letter, LocalGroup.name)
        .where(LocalGroup.organisation_id == imported.organisation_id)
        .order_by(LocalGroup.id)
    ).all()
    return (
        imported.id,
        tuple(map(tuple, versions)),
        wave_rows,
        tuple(map(tuple, memberships)),
        tuple(responses),
        tuple(corrections),
        tuple(figures),
        tuple(narratives),
        tuple(map(tuple, groups)),
    )


def cached_results(imported: ImportedProtocol) -> Results:
    """:func:`.results.build_results` for ``imported`` over all its waves, from the cache when
    nothing behind it has changed. The waves are this request's own objects."""
    waves = protocol_waves(imported)
    key = fingerprint(imported, waves)
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
    if entry is None:
        built = build_results(imported, waves=waves)
        entry = {
            "rows": built.rows,
            "suppressions": built.suppressions,
            "min_cell_size": built.min_cell_size,
            "narratives": built.narratives,
            "group_names": built.group_names,
        }
        with _lock:
            _entries[key] = entry
            while len(_entries) > SIZE:
                _entries.popitem(last=False)
    return Results(imported, waves=waves, key=key, **entry)


def cached_html(key: Hashable, render: Callable[[], str]) -> str:
    """A rendered fragment of the built results (the page's tables in one language), kept
    beside them under the same fingerprint (``key`` starts with :attr:`.Results.key`)."""
    with _lock:
        html = _fragments.get(key)
        if html is not None:
            _fragments.move_to_end(key)
            return html
    html = render()
    with _lock:
        _fragments[key] = html
        while len(_fragments) > SIZE:
            _fragments.popitem(last=False)
    return html


def clear() -> None:
    with _lock:
        _entries.clear()
        _fragments.clear()
    result_counts.clear()
