"""The counted answers that :func:`.results.build_results` scores (:mod:`..tallies`).

A wave's **strata**: one per kön × local group met, in the order of their first questionnaire
(so the breakdowns list their parts as the questionnaires one by one would), each
``{"_kon", "_grupp", "n": questionnaires, "answers": {item: {answer: count}}}``, counted in two
``GROUP BY`` queries; missing-value answers are left out (as not answered).

A wave's counts are kept per process under the wave's own **fingerprint** (its submitted
questionnaires: count, sum and largest id, latest day; its logged corrections: count, latest
id; the version's import time; the förbund's group letters), read in two small grouped queries
on every build. So a new questionnaire in an open wave recounts that wave only, never the
closed ones; any change to a wave gives it another fingerprint (every change to a submitted
questionnaire's answers is a logged correction), and a wave's old counts are never served.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import func, select

from ...extensions import db
from ..lifecycle import ResponseStatus
from ..models import Correction, ImportedProtocol, LocalGroup, SurveyAnswer, SurveyResponse, Wave
from .result_rows import NONE_PART

#: how many waves' counts a process keeps
SIZE = 256

_lock = threading.Lock()
_counted: OrderedDict[Hashable, list[dict[str, Any]]] = OrderedDict()


def letters(org_id: int) -> dict[int, str]:
    return dict(
        db.session.execute(
            select(LocalGroup.id, LocalGroup.letter).where(LocalGroup.organisation_id == org_id)
        ).all()
    )


def background(
    gender: str | None, group_id: int | None, letters: Mapping[int, str]
) -> tuple[str, str]:
    """(kön, group letter) of a questionnaire, ``-`` where not given."""
    kon = gender or NONE_PART
    return kon, letters.get(group_id, NONE_PART) if group_id else NONE_PART


def _fingerprints(org_id: int, wave_ids: Sequence[int]) -> dict[int, Hashable]:
    found: dict[int, list[Any]] = {
        wave_id: [str(db.engine.url), wave_id, imported_at]
        for wave_id, imported_at in db.session.execute(
            select(Wave.id, ImportedProtocol.imported_at)
            .join(ImportedProtocol, ImportedProtocol.id == Wave.imported_protocol_id)
            .where(Wave.id.in_(wave_ids))
        )
    }
    for wave_id, *figures in db.session.execute(
        select(
            SurveyResponse.wave_id,
            func.count(SurveyResponse.id),
            func.sum(SurveyResponse.id),
            func.max(SurveyResponse.id),
            func.max(SurveyResponse.submitted_on),
        )
        .where(
            SurveyResponse.wave_id.in_(wave_ids),
            SurveyResponse.status == ResponseStatus.SUBMITTED.value,
        )
        .group_by(SurveyResponse.wave_id)
    ):
        found[wave_id].append(tuple(figures))
    for wave_id, *figures in db.session.execute(
        select(Correction.wave_id, func.count(Correction.id), func.max(Correction.id))
        .where(Correction.wave_id.in_(wave_ids))
        .group_by(Correction.wave_id)
    ):
        found[wave_id].append(("corrections", *figures))
    groups = tuple(sorted(letters(org_id).items()))
    return {wave_id: (*key, groups) for wave_id, key in found.items()}


def strata(org_id: int, wave_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """wave id -> its strata (see the module docstring), counted where not kept."""
    if not wave_ids:
        return {}
    keys = _fingerprints(org_id, wave_ids)
    out: dict[int, list[dict[str, Any]]] = {}
    with _lock:
        for wave_id, key in keys.items():
            if key in _counted:
                _counted.move_to_end(key)
                out[wave_id] = _counted[key]
    missing = [w for w in keys if w not in out]
    if missing:
        counted = _count(org_id, missing)
        with _lock:
            for wave_id in missing:
                out[wave_id] = _counted[keys[wave_id]] = counted.get(wave_id, [])
            while len(_counted) > SIZE:
                _counted.popitem(last=False)
    return out


def clear() -> None:
    with _lock:
        _counted.clear()


def _count(org_id: int, wave_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The strata of the waves, counted in two ``GROUP BY`` queries."""
    found_letters = letters(org_id)
    submitted = (
        SurveyResponse.wave_id.in_(wave_ids),
        SurveyResponse.status == ResponseStatus.SUBMITTED.value,
    )
    found: dict[tuple[int, str, str], dict[str, Any]] = {}
    connection = db.session.connection()
    parts = (SurveyResponse.wave_id, SurveyResponse.gender, SurveyResponse.local_group_id)
    for wave_id, gender, group_id, count, first in connection.execute(
        select(*parts, func.count(), func.min(SurveyResponse.id)).where(*submitted).group_by(*parts)
    ):
        kon, grupp = background(gender, group_id, found_letters)
        stratum = found.setdefault(
            (wave_id, kon, grupp),
            {"_kon": kon, "_grupp": grupp, "n": 0, "first": first, "answers": {}},
        )
        stratum["n"] += count
        stratum["first"] = min(stratum["first"], first)
    for wave_id, gender, group_id, item, value, number, count in connection.execute(
        select(*parts, SurveyAnswer.item_id, SurveyAnswer.value, SurveyAnswer.number)
        .add_columns(func.count())
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(*submitted, SurveyAnswer.missing.is_(None))
        .group_by(*parts, SurveyAnswer.item_id, SurveyAnswer.value, SurveyAnswer.number)
    ):
        kon, grupp = background(gender, group_id, found_letters)
        answers = found[(wave_id, kon, grupp)]["answers"].setdefault(item, {})
        answer = number if number is not None else value
        answers[answer] = answers.get(answer, 0) + count
    by_wave: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for (wave_id, _kon, _grupp), stratum in sorted(found.items(), key=lambda e: e[1]["first"]):
        by_wave[wave_id].append(stratum)
    return by_wave


def tally(
    stratum: dict[str, Any],
    items: tuple[str, ...],
    people: Callable[[], Iterable[Mapping[str, Any]]],
) -> dict[tuple, int]:
    """One stratum's tally of ``items`` (:mod:`..tallies`): from its answer counts for one
    item, from its respondents (``people()``: the wave's, one by one) for several."""
    cached = stratum.setdefault("tallies", {})
    if items in cached:
        return cached[items]
    if len(items) == 1:
        counts = stratum["answers"].get(items[0], {})
        found = {(answer,): count for answer, count in counts.items()}
        unanswered = stratum["n"] - sum(counts.values())
        if unanswered:
            found[(None,)] = unanswered
    else:
        found = dict(
            Counter(
                tuple(person.get(i) for i in items)
                for person in people()
                if (person["_kon"], person["_grupp"]) == (stratum["_kon"], stratum["_grupp"])
            )
        )
    cached[items] = found
    return found
