"""Respondents (invited experts, the open link) and their proposals, comments and submission.

A proposal's status changes only through ``lifecycle.proposal_transition``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from ...auth.tokens import hash_token, looks_like_token, new_token
from ...dbtypes import utcnow
from ...extensions import db
from ...studies import services as study_services
from ...studies.models import Participant
from .. import codelists, lifecycle
from ..experts_file import ExpertsFile, level_of, parse_experts
from ..lifecycle import ProposalStatus
from ..models import (
    IndicatorComment,
    MeasureSurvey,
    Proposal,
    ProposalCombination,
    Respondent,
    SurveyIndicator,
)
from .common import MeasuresError
from .survey import _require_open

RESPONDENT_PREFIX = "R"


# --- respondents ------------------------------------------------------------------------------


def _next_pseudonym(survey: MeasureSurvey) -> str:
    count = db.session.scalar(
        select(func.count(Respondent.id)).where(Respondent.survey_id == survey.id)
    )
    return f"{RESPONDENT_PREFIX}{(count or 0) + 1:03d}"


def _check_level(level: str) -> str:
    found = level_of(level)
    if found is None:
        raise MeasuresError("level_unknown", value=level)
    return found


def add_expert(
    survey: MeasureSurvey,
    *,
    email: str,
    name: str = "",
    organisation: str = "",
    organisation_type: str = "",
    level: str = "lokal",
    role: str = "",
    actor=None,
) -> Respondent:
    """An invited expert: a Participant of kind "expert" and their Respondent."""
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise MeasuresError("invalid_email", value=email) from None
    level = _check_level(level)
    try:
        participant = study_services.add_participant(
            survey.study,
            kind="expert",
            email=email,
            name=name or None,
            organisation=organisation,
            level=level,
            joined_via="import",
        )
    except study_services.StudyError as error:
        raise MeasuresError("email_taken", email=email) from error
    respondent = Respondent(
        survey_id=survey.id,
        participant_id=participant.id,
        pseudonym=_next_pseudonym(survey),
        organisation=organisation,
        organisation_type=organisation_type,
        level=level,
        role=role,
        via="invited",
    )
    db.session.add(respondent)
    db.session.flush()
    return respondent


def parse_experts_file(survey: MeasureSurvey, content: bytes, filename: str) -> ExpertsFile:
    """A file of experts checked row by row (:func:`experts_file.parse_experts`), against
    the addresses the study already has."""
    return parse_experts(
        content,
        filename,
        taken=lambda email: (
            study_services.find_participant_by_email(survey.study, email) is not None
        ),
    )


def import_experts(survey: MeasureSurvey, rows: Sequence[Mapping[str, str]], actor=None) -> int:
    """Add experts from rows (email, name, organisation, organisation_type, level, role):
    every row is checked first; nothing is written unless all are good."""
    seen: set[str] = set()
    problems: list[dict[str, Any]] = []
    for number, row in enumerate(rows, start=1):
        try:
            email = validate_email(row.get("email", ""), check_deliverability=False).normalized
        except EmailNotValidError:
            problems.append({"row": number, "code": "invalid_email", "value": row.get("email")})
            continue
        email = email.lower()
        if email in seen or study_services.find_participant_by_email(survey.study, email):
            problems.append({"row": number, "code": "email_taken", "value": email})
        seen.add(email)
        if level_of(row.get("level", "")) is None:
            problems.append({"row": number, "code": "level_unknown", "value": row.get("level")})
    if problems:
        raise MeasuresError("import_invalid", problems=problems)
    for row in rows:
        fields = {k: row.get(k, "") for k in ("name", "organisation", "organisation_type", "role")}
        add_expert(survey, email=row["email"], level=row.get("level") or "lokal", **fields)
    study_services.audit(survey.study, "measure_experts_imported", actor, count=len(rows))
    return len(rows)


def expert_targets(survey: MeasureSurvey, which: str = "unsent") -> list[Participant]:
    """Experts to mail (``studies.mailing.send_links``): ``unsent`` (never invited) or
    ``not_submitted`` (reminders)."""
    query = (
        select(Participant)
        .join(Respondent, Respondent.participant_id == Participant.id)
        .where(
            Respondent.survey_id == survey.id,
            Participant.email.is_not(None),
            Participant.erased_at.is_(None),
        )
    )
    if which == "unsent":
        query = query.where(Participant.invitation_status != "sent")
    elif which == "not_submitted":
        query = query.where(Respondent.submitted_at.is_(None))
    else:
        raise ValueError(which)
    return list(db.session.scalars(query.order_by(Participant.id)))


def experts(survey: MeasureSurvey) -> list[tuple[Respondent, Participant]]:
    """The survey's invited experts with their participants, in the order they were added."""
    return list(
        db.session.execute(
            select(Respondent, Participant)
            .join(Participant, Participant.id == Respondent.participant_id)
            .where(Respondent.survey_id == survey.id)
            .order_by(Respondent.id)
        )
    )


def join_open_link(
    survey: MeasureSurvey,
    *,
    organisation: str,
    level: str,
    role: str,
    organisation_type: str = "",
    now: datetime | None = None,
) -> tuple[Respondent, str]:
    """Someone with the open link states organisation, level and role; returns the respondent
    and the token of their own link back (to resume a draft)."""
    _require_open(survey, now)
    organisation, role = organisation.strip(), role.strip()
    if not organisation or not role:
        raise MeasuresError("respondent_incomplete")
    token = new_token()
    respondent = Respondent(
        survey_id=survey.id,
        pseudonym=_next_pseudonym(survey),
        organisation=organisation[:200],
        organisation_type=organisation_type[:50],
        level=_check_level(level),
        role=role[:200],
        via="open_link",
        token_hash=hash_token(token),
    )
    db.session.add(respondent)
    db.session.flush()
    return respondent, token


def respondent_by_token(token: str) -> Respondent | None:
    if not looks_like_token(token):
        return None
    return db.session.scalar(select(Respondent).where(Respondent.token_hash == hash_token(token)))


def respondent_for_participant(
    survey: MeasureSurvey, participant: Participant
) -> Respondent | None:
    return db.session.scalar(
        select(Respondent).where(
            Respondent.survey_id == survey.id, Respondent.participant_id == participant.id
        )
    )


# --- proposals --------------------------------------------------------------------------------


def _survey_indicator_ids(survey: MeasureSurvey) -> set[int]:
    return set(
        db.session.scalars(
            select(SurveyIndicator.indicator_id).where(SurveyIndicator.survey_id == survey.id)
        )
    )


def _known_proposals(respondent: Respondent) -> dict[int, int]:
    """The proposals a respondent's combination may refer to: their own, and any submitted."""
    rows = db.session.execute(
        select(Proposal.id, Proposal.indicator_id)
        .join(Respondent, Respondent.id == Proposal.respondent_id)
        .where(
            Respondent.survey_id == respondent.survey_id,
            (Proposal.respondent_id == respondent.id)
            | (Proposal.status == ProposalStatus.SUBMITTED.value),
        )
    )
    return {pid: iid for pid, iid in rows}


def _apply(proposal: Proposal, checked: codelists.CheckedProposal) -> None:
    for name, value in checked.values.items():
        setattr(proposal, name, value)
    wanted = {c.proposal_id: c.how for c in checked.combines}
    for existing in list(proposal.combinations):
        if existing.combined_id not in wanted:
            proposal.combinations.remove(existing)
        else:
            existing.how = wanted.pop(existing.combined_id)
    for combined_id, how in wanted.items():
        proposal.combinations.append(ProposalCombination(combined_id=combined_id, how=how))


def save_proposal(
    respondent: Respondent,
    indicator_id: int,
    data: Mapping[str, Any],
    *,
    proposal: Proposal | None = None,
    now: datetime | None = None,
) -> Proposal:
    """Save a draft (new when ``proposal`` is None). Checks limits, codes and combinations;
    raises ``invalid`` with the problems and saves nothing when a check fails."""
    survey = respondent.survey
    _require_open(survey, now)
    if indicator_id not in _survey_indicator_ids(survey):
        raise MeasuresError("indicator_not_in_survey", ids=[indicator_id])
    if proposal is not None:
        if proposal.respondent_id != respondent.id:
            raise MeasuresError("not_own_proposal")
        if proposal.indicator_id != indicator_id:
            raise MeasuresError("wrong_indicator")
    checked = codelists.validate_proposal(
        data,
        indicator_id=indicator_id,
        proposal_id=proposal.id if proposal else None,
        known_proposals=_known_proposals(respondent),
        draft=True,
    )
    if not checked.ok:
        raise MeasuresError(
            "invalid", problems={proposal.id if proposal else "new": checked.problems}
        )
    if proposal is None:
        proposal = Proposal(respondent_id=respondent.id, indicator_id=indicator_id)
        db.session.add(proposal)
    elif proposal.status == ProposalStatus.SUBMITTED:
        proposal.status = lifecycle.proposal_transition(
            proposal.status, "edit"
        ).value  # submit again
        proposal.submitted_at = None
    _apply(proposal, checked)
    db.session.flush()
    return proposal


def delete_proposal(
    respondent: Respondent, proposal: Proposal, now: datetime | None = None
) -> None:
    _require_open(respondent.survey, now)
    if proposal.respondent_id != respondent.id:
        raise MeasuresError("not_own_proposal")
    db.session.delete(proposal)
    db.session.flush()


def respondent_proposals(respondent: Respondent) -> dict[int, list[Proposal]]:
    """A respondent's proposals per indicator id (to resume)."""
    out: dict[int, list[Proposal]] = {}
    for p in db.session.scalars(
        select(Proposal).where(Proposal.respondent_id == respondent.id).order_by(Proposal.id)
    ):
        out.setdefault(p.indicator_id, []).append(p)
    return out


def _as_data(proposal: Proposal) -> dict[str, Any]:
    return {
        **{name: getattr(proposal, name) for name in codelists.TEXT_FIELDS},
        "kind": proposal.kind or "",
        "method": proposal.method or "",
        "respondent_group": proposal.respondent_group,
        "frequency": list(proposal.frequency or []),
        "combines": [{"proposal_id": c.combined_id, "how": c.how} for c in proposal.combinations],
    }


def respondent_comments(respondent: Respondent) -> dict[int, str]:
    """A respondent's comments per indicator id."""
    rows = db.session.scalars(
        select(IndicatorComment).where(IndicatorComment.respondent_id == respondent.id)
    )
    return {c.indicator_id: c.text for c in rows}


def submit(respondent: Respondent, now: datetime | None = None) -> int:
    """Submit every draft of the respondent: all are checked in full first; nothing changes
    unless all pass. Late (after closing) raises ``survey_closed``; the drafts stay."""
    now = now or utcnow()
    _require_open(respondent.survey, now)
    drafts = [p for group in respondent_proposals(respondent).values() for p in group]
    drafts = [p for p in drafts if p.status == ProposalStatus.DRAFT]
    known = _known_proposals(respondent)
    problems = {}
    for proposal in drafts:
        checked = codelists.validate_proposal(
            _as_data(proposal),
            indicator_id=proposal.indicator_id,
            proposal_id=proposal.id,
            known_proposals=known,
        )
        if not checked.ok:
            problems[proposal.id] = checked.problems
    if problems:
        raise MeasuresError("invalid", problems=problems)
    for proposal in drafts:
        proposal.status = lifecycle.proposal_transition(proposal.status, "submit").value
        proposal.submitted_at = now
    respondent.submitted_at = now
    db.session.flush()
    return len(drafts)


def save_comment(
    respondent: Respondent, indicator_id: int, text: str, now: datetime | None = None
) -> IndicatorComment | None:
    """One comment per respondent and indicator; empty text removes it."""
    _require_open(respondent.survey, now)
    if indicator_id not in _survey_indicator_ids(respondent.survey):
        raise MeasuresError("indicator_not_in_survey", ids=[indicator_id])
    problems = codelists.validate_comment(text)
    if problems:
        raise MeasuresError("invalid", problems={"comment": problems})
    comment = db.session.scalar(
        select(IndicatorComment).where(
            IndicatorComment.respondent_id == respondent.id,
            IndicatorComment.indicator_id == indicator_id,
        )
    )
    text = (text or "").strip()
    if not text:
        if comment is not None:
            db.session.delete(comment)
            db.session.flush()
        return None
    if comment is None:
        comment = IndicatorComment(respondent_id=respondent.id, indicator_id=indicator_id)
        db.session.add(comment)
    comment.text = text
    db.session.flush()
    return comment


def response_counts(survey: MeasureSurvey) -> dict[str, Any]:
    """Respondents and submissions, overall, per level and per organisation."""
    rows = db.session.execute(
        select(
            Respondent.level, Respondent.organisation, Respondent.via, Respondent.submitted_at
        ).where(Respondent.survey_id == survey.id)
    ).all()
    counts: dict[str, Any] = {
        "invited": sum(1 for r in rows if r.via == "invited"),
        "respondents": len(rows),
        "submitted": sum(1 for r in rows if r.submitted_at is not None),
        "by_level": {},
        "by_organisation": {},
    }
    for r in rows:
        for key, value in (("by_level", r.level), ("by_organisation", r.organisation or "")):
            bucket = counts[key].setdefault(value, {"respondents": 0, "submitted": 0})
            bucket["respondents"] += 1
            bucket["submitted"] += r.submitted_at is not None
    counts["proposals"] = db.session.scalar(
        select(func.count(Proposal.id))
        .join(Respondent, Respondent.id == Proposal.respondent_id)
        .where(Respondent.survey_id == survey.id, Proposal.status == ProposalStatus.SUBMITTED.value)
    )
    return counts
