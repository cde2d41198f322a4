"""Answering a wave without login or identification, and longitudinal codes.

A respondent starts a questionnaire by the wave's open link or with a longitudinal code; the
questionnaire keeps a random respondent id and the hash of a resume token that the
respondent's browser holds in a cookie. Each page is saved as it is sent
(:func:`save_section`); :func:`submit` sends the questionnaire once, through
:data:`..lifecycle.response_transition`. Nothing about the respondent's device or address is
stored, and the only time kept is the date of submission.

Longitudinal codes are random (60 bits, Crockford base 32, shown as ``XXXX-XXXX-XXXX``), are
shown once when generated, and stored only as a hash. A code answers each wave once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ...auth.models import Organisation
from ...auth.tokens import hash_token, new_token
from ...dbtypes import STOCKHOLM
from ...extensions import db
from .. import questionnaire as qn
from ..lifecycle import (
    IllegalTransition,
    ResponseStatus,
    Source,
    WaveStatus,
    accepts_answers,
    response_transition,
)
from ..models import LocalItem, LongitudinalCode, SurveyAnswer, SurveyResponse, Wave
from .errors import FollowupError

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U
CODE_LENGTH = 12
CODE_LIMIT = 5000


def today() -> dt.date:
    return dt.datetime.now(STOCKHOLM).date()


# --- the questionnaire of a wave -------------------------------------------------------------


def questionnaire_for(wave: Wave) -> qn.Questionnaire:
    local = db.session.scalars(
        select(LocalItem)
        .where(LocalItem.imported_protocol_id == wave.imported_protocol_id)
        .order_by(LocalItem.id)
    )
    return qn.build(
        wave.imported.document,
        wave.respondent_group,
        [
            {"id": i.item_id, "text": i.text, "type": i.item_type, "options": i.options or []}
            for i in local
        ],
        [(str(g.id), g.name) for g in wave.local_groups],
    )


# --- longitudinal codes ----------------------------------------------------------------------


def normalise_code(text: str) -> str:
    """Upper case without spaces and dashes; the letters people mistake for digits read as
    the digits (O -> 0, I and L -> 1)."""
    text = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    return text.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def show_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def hash_code(code: str) -> str:
    return hashlib.sha256(("longitudinal:" + normalise_code(code)).encode()).hexdigest()


def generate_codes(
    org: Organisation, count: int, cohort: str = "", wave: Wave | None = None
) -> list[str]:
    """``count`` new codes for a cohort (shown once, as ``XXXX-XXXX-XXXX``). The key between a
    code and a person stays with the förbund: the platform never holds a name."""
    if not 1 <= count <= CODE_LIMIT:
        raise FollowupError("count_range", limit=CODE_LIMIT)
    codes: list[str] = []
    seen: set[str] = set()
    while len(codes) < count:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code in seen:
            continue
        seen.add(code)
        codes.append(code)
    today_ = today()
    db.session.add_all(
        LongitudinalCode(
            organisation_id=org.id,
            code_hash=hash_code(code),
            cohort=(cohort or "").strip()[:200],
            first_wave_id=wave.id if wave is not None else None,
            created_on=today_,
        )
        for code in codes
    )
    db.session.flush()
    return [show_code(c) for c in codes]


def code_row(text: str) -> LongitudinalCode | None:
    code = normalise_code(text)
    if len(code) != CODE_LENGTH:
        return None
    return db.session.scalar(
        select(LongitudinalCode).where(LongitudinalCode.code_hash == hash_code(code))
    )


def waves_for_code(text: str) -> tuple[LongitudinalCode, list[Wave]]:
    """A code and the open waves of its förbund it has not answered yet."""
    row = code_row(text)
    if row is None:
        raise FollowupError("code_unknown", code=(text or "").strip()[:20])
    answered = set(
        db.session.scalars(
            select(SurveyResponse.wave_id).where(
                SurveyResponse.longitudinal_code_id == row.id,
                SurveyResponse.status == ResponseStatus.SUBMITTED.value,
            )
        )
    )
    open_waves = db.session.scalars(
        select(Wave)
        .where(Wave.organisation_id == row.organisation_id, Wave.status == WaveStatus.OPEN.value)
        .order_by(Wave.opens_on, Wave.id)
    )
    candidates = [w for w in open_waves if w.id not in answered]
    if not candidates:
        if answered:
            raise FollowupError("code_used", code=show_code(normalise_code(text)))
        raise FollowupError("code_no_wave", code=show_code(normalise_code(text)))
    return row, candidates


def codes_answered(code: LongitudinalCode) -> list[Wave]:
    """The waves a code has sent a questionnaire in (derived from the responses)."""
    return list(
        db.session.scalars(
            select(Wave)
            .join(SurveyResponse, SurveyResponse.wave_id == Wave.id)
            .where(
                SurveyResponse.longitudinal_code_id == code.id,
                SurveyResponse.status == ResponseStatus.SUBMITTED.value,
            )
            .order_by(Wave.opens_on, Wave.id)
        )
    )


# --- starting and resuming -------------------------------------------------------------------


def _require_open(wave: Wave) -> None:
    if not accepts_answers(wave.status):
        raise FollowupError("wave_closed" if wave.status == WaveStatus.CLOSED else "wave_not_open")


def _new_respondent_id() -> str:
    return secrets.token_hex(8)


def start(wave: Wave, source: Source = Source.WEB) -> tuple[SurveyResponse, str]:
    """A new questionnaire in ``wave`` and its resume token (for the respondent's cookie)."""
    _require_open(wave)
    token = new_token()
    response = SurveyResponse(
        wave_id=wave.id,
        respondent_id=_new_respondent_id(),
        source=source.value,
        status=ResponseStatus.DRAFT.value,
        resume_token_hash=hash_token(token),
        wave=wave,
    )
    db.session.add(response)
    db.session.flush()
    return response, token


def start_with_code(wave: Wave, text: str) -> tuple[SurveyResponse, str]:
    """Start (or continue, on a new device) the questionnaire of a longitudinal code in
    ``wave``. An unknown code, a code of another förbund and a code that has already sent a
    questionnaire in this wave are refused."""
    _require_open(wave)
    shown = (text or "").strip()[:20]
    row = code_row(text)
    if row is None or row.organisation_id != wave.organisation_id:
        raise FollowupError("code_unknown", code=shown)
    existing = db.session.scalar(
        select(SurveyResponse).where(
            SurveyResponse.wave_id == wave.id, SurveyResponse.longitudinal_code_id == row.id
        )
    )
    token = new_token()
    if existing is not None:
        if existing.status == ResponseStatus.SUBMITTED:
            raise FollowupError("code_used", code=show_code(normalise_code(text)))
        existing.resume_token_hash = hash_token(token)
        db.session.flush()
        return existing, token
    response = SurveyResponse(
        wave_id=wave.id,
        respondent_id=_new_respondent_id(),
        source=Source.WEB.value,
        status=ResponseStatus.DRAFT.value,
        resume_token_hash=hash_token(token),
        longitudinal_code_id=row.id,
        wave=wave,
    )
    try:
        with db.session.begin_nested():
            db.session.add(response)
    except IntegrityError:  # the same code started at the same moment elsewhere
        raise FollowupError("code_used", code=show_code(normalise_code(text))) from None
    return response, token


def resume(wave: Wave, token: str | None) -> SurveyResponse | None:
    """The questionnaire in ``wave`` whose resume token is ``token`` (from the cookie)."""
    if not token:
        return None
    return db.session.scalar(
        select(SurveyResponse).where(
            SurveyResponse.wave_id == wave.id,
            SurveyResponse.resume_token_hash == hash_token(token),
        )
    )


# --- answers ---------------------------------------------------------------------------------


def current_values(response: SurveyResponse) -> dict[str, list[str]]:
    """The saved answers as form values: item id -> the chosen values."""
    values: dict[str, list[str]] = {}
    for answer in response.answers:
        if answer.missing is not None:
            values[answer.item_id] = [answer.missing]
        elif answer.value is not None:
            values[answer.item_id] = (
                answer.value.split(";") if ";" in answer.value else [answer.value]
            )
    gender = qn.BACKGROUND_PREFIX + qn.GENDER_CODELIST
    if response.gender is not None:
        values[gender] = [response.gender]
    if response.local_group_id is not None:
        values[qn.LOCAL_GROUP] = [str(response.local_group_id)]
    return values


def answered_items(response: SurveyResponse) -> set[str]:
    return set(current_values(response))


def _store(response: SurveyResponse, item_id: str, cleaned: qn.Cleaned | None) -> None:
    if item_id == qn.BACKGROUND_PREFIX + qn.GENDER_CODELIST:
        response.gender = None if cleaned is None else (cleaned.missing or cleaned.value)
        return
    if item_id == qn.LOCAL_GROUP:
        response.local_group_id = (
            None if cleaned is None or cleaned.value is None else int(cleaned.value)
        )
        return
    existing = next((a for a in response.answers if a.item_id == item_id), None)
    if cleaned is None:
        if existing is not None:
            response.answers.remove(existing)
        return
    if existing is None:
        existing = SurveyAnswer(item_id=item_id)
        response.answers.append(existing)
    existing.value = cleaned.value
    existing.number = cleaned.number
    existing.missing = cleaned.missing


def store_answers(response: SurveyResponse, answers: Mapping[str, qn.Cleaned | None]) -> None:
    """Write checked answers to a questionnaire (``None`` removes an answer)."""
    for item_id, cleaned in answers.items():
        _store(response, item_id, cleaned)
    db.session.flush()


def _require_draft(response: SurveyResponse) -> None:
    if response.status == ResponseStatus.SUBMITTED:
        raise FollowupError("already_submitted")


def save_section(
    response: SurveyResponse,
    questionnaire: qn.Questionnaire,
    section: int,
    form: Mapping[str, Sequence[str]],
) -> list[Any]:
    """Check and save one page. Returns the problems (nothing is written when there are
    any); a closed wave or a sent questionnaire is refused."""
    _require_open(response.wave)
    _require_draft(response)
    checked = qn.validate(questionnaire, form, section=section)
    if not checked.ok:
        return checked.problems
    store_answers(response, checked.answers)
    response.section = max(response.section, section + 1)
    db.session.flush()
    return []


def submit(response: SurveyResponse, questionnaire: qn.Questionnaire) -> SurveyResponse:
    """Send the questionnaire, once. Refused when the wave is not open, when it was already
    sent, or when a required question has no answer (``unanswered_pages`` names the pages)."""
    _require_open(response.wave)
    _require_draft(response)
    missing = qn.unanswered_sections(questionnaire, answered_items(response))
    if missing:
        raise FollowupError("unanswered_pages", pages=[m + 1 for m in missing])
    try:
        target = response_transition(response.status, "submit")
    except IllegalTransition:
        raise FollowupError("already_submitted") from None
    moved = db.session.execute(
        update(SurveyResponse)
        .where(SurveyResponse.id == response.id, SurveyResponse.status == response.status)
        .values(status=target.value, submitted_on=today())
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise FollowupError("already_submitted")
    db.session.refresh(response)
    return response


# --- unfinished questionnaires ---------------------------------------------------------------

DRAFT_KEEP_DAYS = 30


def purge_drafts(on: dt.date | None = None) -> int:
    """Delete the unfinished web questionnaires (drafts never sent) of every wave whose
    closing date is more than :data:`DRAFT_KEEP_DAYS` days past, with their answers. Returns
    how many were deleted. Sent questionnaires, paper and imported ones are never touched."""
    cutoff = (on or today()) - dt.timedelta(days=DRAFT_KEEP_DAYS)
    stale = (
        select(SurveyResponse.id)
        .join(Wave, Wave.id == SurveyResponse.wave_id)
        .where(
            SurveyResponse.source == Source.WEB.value,
            SurveyResponse.status == ResponseStatus.DRAFT.value,
            Wave.closes_on < cutoff,
        )
    )
    ids = list(db.session.scalars(stale))
    for start_at in range(0, len(ids), 500):
        chunk = ids[start_at : start_at + 500]
        db.session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id.in_(chunk)))
        db.session.execute(delete(SurveyResponse).where(SurveyResponse.id.in_(chunk)))
    db.session.flush()
    return len(ids)
