"""Reads and writes for the measures survey and its review.

Services flush and never commit; the view or command that calls them commits once. The
survey's status changes only through :func:`change_status` (``lifecycle.transition``).
Exports identify respondents only by pseudonym, level and organisation type.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select, update

from .. import tabular
from ..auth.tokens import hash_token, looks_like_token, new_token
from ..dbtypes import utcnow
from ..extensions import db
from ..rounds import rules as round_rules
from ..rounds import stats as round_stats
from ..rounds.models import ItemDecision, Round
from ..studies import services as study_services
from ..studies.models import Indicator, Participant, Study
from . import lifecycle, proposals, similarity
from . import models as measures_models  # noqa: F401  (complete the metadata)
from .models import (
    CanonicalMeasure,
    CanonicalSource,
    IndicatorComment,
    MeasureRating,
    MeasureSurvey,
    Proposal,
    ProposalCombination,
    Respondent,
    SurveyIndicator,
    Workshop,
)

RESPONDENT_PREFIX = "R"
SURVEY_SETTINGS = ("intro_text", "opens_at", "closes_at")
WORKSHOP_FIELDS = ("date", "time_text", "place", "area", "contact_person", "kind")
CANONICAL_FIELDS = (
    "name",
    "description",
    "kind",
    "method",
    "data_source",
    "respondent_group",
    "frequency",
    "unit",
    "numerator",
    "denominator",
)


class MeasuresError(ValueError):
    """A refused change; ``code`` selects the message the caller shows.

    Codes: survey_exists, survey_not_draft, survey_closed (a late submission or edit),
    no_indicators, indicator_not_in_survey, not_own_proposal, proposal_submitted, invalid
    (``problems``: {proposal id or "new": [FieldProblem]}), email_taken, invalid_email,
    level_unknown, reason_required, not_accepted, wrong_indicator, no_proposals,
    import_invalid, rating_invalid, too_many_questions (``limit``), question_too_long
    (``line``, ``limit``).
    """

    def __init__(self, code: str, /, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


def _actor_id(actor) -> int | None:
    return getattr(actor, "id", None)


# --- the survey -------------------------------------------------------------------------------


def get_survey(study: Study) -> MeasureSurvey | None:
    return db.session.scalar(select(MeasureSurvey).where(MeasureSurvey.study_id == study.id))


def core_set(study: Study) -> list[Indicator]:
    """The study's core set: ``core`` decisions of its confirmed final round (ballot order)."""
    final = db.session.scalar(
        select(Round)
        .where(
            Round.study_id == study.id,
            Round.is_final.is_(True),
            Round.decisions_confirmed_at.is_not(None),
        )
        .order_by(Round.number.desc())
    )
    if final is None:
        return []
    return list(
        db.session.scalars(
            select(Indicator)
            .join(ItemDecision, ItemDecision.indicator_id == Indicator.id)
            .where(ItemDecision.round_id == final.id, ItemDecision.decision == "core")
            .order_by(Indicator.position, Indicator.id)
        )
    )


def create_survey(
    study: Study,
    *,
    intro_text: str = "",
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    indicator_ids: Sequence[int] | None = None,
    actor=None,
) -> MeasureSurvey:
    """A draft survey over ``indicator_ids`` (default: the confirmed core set)."""
    if get_survey(study) is not None:
        raise MeasuresError("survey_exists")
    survey = MeasureSurvey(
        study_id=study.id,
        intro_text=intro_text,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by_id=_actor_id(actor),
    )
    db.session.add(survey)
    db.session.flush()
    ids = list(indicator_ids) if indicator_ids is not None else [i.id for i in core_set(study)]
    _write_indicators(survey, ids)
    study_services.audit(study, "measure_survey_created", actor, indicators=len(ids))
    db.session.flush()
    return survey


def _write_indicators(survey: MeasureSurvey, indicator_ids: Sequence[int]) -> None:
    ids = list(dict.fromkeys(indicator_ids))
    known = set(
        db.session.scalars(
            select(Indicator.id).where(Indicator.study_id == survey.study_id, Indicator.id.in_(ids))
        )
    )
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise MeasuresError("indicator_not_in_survey", ids=unknown)
    for item in list(survey.indicators):
        survey.indicators.remove(item)
    db.session.flush()
    for position, indicator_id in enumerate(ids):
        survey.indicators.append(SurveyIndicator(indicator_id=indicator_id, position=position))
    db.session.flush()


def set_indicators(survey: MeasureSurvey, indicator_ids: Sequence[int], actor=None) -> None:
    """Pick the indicators the survey covers (while it is a draft)."""
    if survey.status != lifecycle.Status.DRAFT:
        raise MeasuresError("survey_not_draft")
    _write_indicators(survey, indicator_ids)
    study_services.audit(survey.study, "measure_survey_indicators", actor, ids=list(indicator_ids))


def survey_indicators(survey: MeasureSurvey) -> list[Indicator]:
    return list(
        db.session.scalars(
            select(Indicator)
            .join(SurveyIndicator, SurveyIndicator.indicator_id == Indicator.id)
            .where(SurveyIndicator.survey_id == survey.id)
            .order_by(SurveyIndicator.position)
        )
    )


def update_survey(survey: MeasureSurvey, changes: Mapping[str, Any], actor=None) -> list[str]:
    unknown = set(changes) - set(SURVEY_SETTINGS)
    if unknown:
        raise MeasuresError("unknown_setting", names=sorted(unknown))
    changed = [k for k, v in changes.items() if getattr(survey, k) != v]
    for name in changed:
        setattr(survey, name, changes[name])
    if changed:
        study_services.audit(survey.study, "measure_survey_edited", actor, settings=changed)
    db.session.flush()
    return changed


def change_status(
    survey: MeasureSurvey, action: str, *, actor=None, now: datetime | None = None
) -> None:
    """The only way a survey's status changes (open, close, reopen)."""
    now = now or utcnow()
    if action == "open" and not survey.indicators:
        raise MeasuresError("no_indicators")
    before = survey.status
    survey.status = lifecycle.transition(survey.status, action).value
    if action in ("open", "reopen"):
        survey.opened_at = survey.opened_at or now
        survey.closed_at = None
        if action == "reopen" and survey.closes_at is not None and survey.closes_at <= now:
            survey.closes_at = None
    else:
        survey.closed_at = now
    study_services.audit(
        survey.study, f"measure_survey_{action}", actor, before=before, after=survey.status
    )
    db.session.flush()


def close_if_due(survey: MeasureSurvey, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if survey.status == lifecycle.Status.OPEN and survey.closes_at and survey.closes_at <= now:
        change_status(survey, "close", now=now)
        return True
    return False


def _require_open(survey: MeasureSurvey, now: datetime | None = None) -> None:
    close_if_due(survey, now)
    if not lifecycle.accepts_proposals(survey.status):
        raise MeasuresError("survey_closed", closed_at=survey.closed_at)


# --- the open link ----------------------------------------------------------------------------


def new_open_link(survey: MeasureSurvey, actor=None) -> str:
    """A new open link token (the old one stops working); only its hash is stored."""
    token = new_token()
    survey.open_link_token_hash = hash_token(token)
    study_services.audit(survey.study, "measure_open_link_issued", actor)
    db.session.flush()
    return token


def disable_open_link(survey: MeasureSurvey, actor=None) -> None:
    survey.open_link_token_hash = None
    study_services.audit(survey.study, "measure_open_link_disabled", actor)
    db.session.flush()


def survey_by_open_link(token: str) -> MeasureSurvey | None:
    if not looks_like_token(token):
        return None
    return db.session.scalar(
        select(MeasureSurvey).where(MeasureSurvey.open_link_token_hash == hash_token(token))
    )


# --- workshops --------------------------------------------------------------------------------


def add_workshop(survey: MeasureSurvey, actor=None, **fields) -> Workshop:
    unknown = set(fields) - set(WORKSHOP_FIELDS)
    if unknown:
        raise MeasuresError("unknown_setting", names=sorted(unknown))
    workshop = Workshop(survey_id=survey.id, **fields)
    db.session.add(workshop)
    db.session.flush()
    study_services.audit(survey.study, "workshop_added", actor, date=str(workshop.date))
    return workshop


def update_workshop(workshop: Workshop, fields: Mapping[str, Any], actor=None) -> None:
    unknown = set(fields) - set(WORKSHOP_FIELDS)
    if unknown:
        raise MeasuresError("unknown_setting", names=sorted(unknown))
    for name, value in fields.items():
        setattr(workshop, name, value)
    db.session.flush()


def delete_workshop(workshop: Workshop, actor=None) -> None:
    db.session.delete(workshop)
    db.session.flush()


def workshops(survey: MeasureSurvey) -> list[Workshop]:
    return list(
        db.session.scalars(
            select(Workshop)
            .where(Workshop.survey_id == survey.id)
            .order_by(Workshop.date, Workshop.id)
        )
    )


# --- respondents ------------------------------------------------------------------------------


def _next_pseudonym(survey: MeasureSurvey) -> str:
    count = db.session.scalar(
        select(func.count(Respondent.id)).where(Respondent.survey_id == survey.id)
    )
    return f"{RESPONDENT_PREFIX}{(count or 0) + 1:03d}"


def _check_level(level: str) -> str:
    found = tabular_level(level)
    if found is None:
        raise MeasuresError("level_unknown", value=level)
    return found


def tabular_level(value: str) -> str | None:
    from ..studies.importing import normalise_level

    return normalise_level(value or "lokal")


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
        if tabular_level(row.get("level", "")) is None:
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
            (Proposal.respondent_id == respondent.id) | (Proposal.status == "submitted"),
        )
    )
    return {pid: iid for pid, iid in rows}


def _apply(proposal: Proposal, checked: proposals.CheckedProposal) -> None:
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
    checked = proposals.validate_proposal(
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
    elif proposal.status == "submitted":
        proposal.status = "draft"  # edited after submitting: submit again
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
        **{name: getattr(proposal, name) for name in proposals.TEXT_FIELDS},
        "kind": proposal.kind or "",
        "method": proposal.method or "",
        "respondent_group": proposal.respondent_group,
        "frequency": list(proposal.frequency or []),
        "combines": [{"proposal_id": c.combined_id, "how": c.how} for c in proposal.combinations],
    }


def submit(respondent: Respondent, now: datetime | None = None) -> int:
    """Submit every draft of the respondent: all are checked in full first; nothing changes
    unless all pass. Late (after closing) raises ``survey_closed``; the drafts stay."""
    now = now or utcnow()
    _require_open(respondent.survey, now)
    drafts = [p for group in respondent_proposals(respondent).values() for p in group]
    drafts = [p for p in drafts if p.status == "draft"]
    known = _known_proposals(respondent)
    problems = {}
    for proposal in drafts:
        checked = proposals.validate_proposal(
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
        proposal.status = "submitted"
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
    problems = proposals.validate_comment(text)
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
        .where(Respondent.survey_id == survey.id, Proposal.status == "submitted")
    )
    return counts


# --- review -----------------------------------------------------------------------------------


def _submitted(survey: MeasureSurvey, indicator_id: int | None = None):
    query = (
        select(Proposal, Respondent)
        .join(Respondent, Respondent.id == Proposal.respondent_id)
        .where(Respondent.survey_id == survey.id, Proposal.status == "submitted")
        .order_by(Proposal.indicator_id, Proposal.id)
    )
    if indicator_id is not None:
        query = query.where(Proposal.indicator_id == indicator_id)
    return db.session.execute(query).all()


def _known_names(survey: MeasureSurvey) -> list[str]:
    names = db.session.scalars(
        select(Participant.name).where(
            Participant.study_id == survey.study_id, Participant.name.is_not(None)
        )
    )
    return [part for name in names for part in [name, *name.split()] if len(part) >= 3]


def review_data(survey: MeasureSurvey, indicator: Indicator) -> dict[str, Any]:
    """Everything the review page of one indicator shows, as plain data: the submitted
    proposals side by side (pseudonymous, free text flagged when it names someone), the
    suggested duplicates (explained), the canonical measures with their sources, comments."""
    rows = _submitted(survey, indicator.id)
    names = _known_names(survey)
    ids = [p.id for p, _ in rows]
    combos: dict[int, list[dict[str, Any]]] = {}
    if ids:
        for c in db.session.scalars(
            select(ProposalCombination).where(ProposalCombination.proposal_id.in_(ids))
        ):
            combos.setdefault(c.proposal_id, []).append(
                {"proposal_id": c.combined_id, "how": c.how}
            )
    items = []
    for p, r in rows:
        text = " ".join([p.name, p.description, p.data_source, p.numerator, p.denominator])
        items.append(
            {
                "id": p.id,
                "indicator": p.indicator_id,
                "respondent": r.pseudonym,
                "level": r.level,
                "organisation_type": r.organisation_type,
                **{name: getattr(p, name) for name in CANONICAL_FIELDS},
                "combines": combos.get(p.id, []),
                "flags": proposals.personal_data_flags(text, names),
            }
        )
    suggestions = similarity.suggest_duplicates(items)
    canon = list(
        db.session.scalars(
            select(CanonicalMeasure)
            .where(
                CanonicalMeasure.survey_id == survey.id,
                CanonicalMeasure.indicator_id == indicator.id,
            )
            .order_by(CanonicalMeasure.id)
        )
    )
    sources: dict[int, list[int]] = {}
    if canon:
        for s in db.session.scalars(
            select(CanonicalSource).where(CanonicalSource.canonical_id.in_([c.id for c in canon]))
        ):
            sources.setdefault(s.canonical_id, []).append(s.proposal_id)
    comments = db.session.execute(
        select(IndicatorComment.text, Respondent.pseudonym)
        .join(Respondent, Respondent.id == IndicatorComment.respondent_id)
        .where(Respondent.survey_id == survey.id, IndicatorComment.indicator_id == indicator.id)
        .order_by(IndicatorComment.id)
    ).all()
    return {
        "indicator": {"id": indicator.id, "code": indicator.code, "title": indicator.title},
        "proposals": items,
        "suggestions": suggestions,
        "suggestion_groups": similarity.groups_of(suggestions),
        "canonical": [
            {
                "id": c.id,
                **{name: getattr(c, name) for name in CANONICAL_FIELDS},
                "questions": list(c.questions or []),
                "status": c.status,
                "reason": c.reason,
                "recommended": c.recommended,
                "sources": sorted(sources.get(c.id, [])),
            }
            for c in canon
        ],
        "comments": [
            {
                "respondent": pseudonym,
                "text": text,
                "flags": proposals.personal_data_flags(text, names),
            }
            for text, pseudonym in comments
        ],
    }


def _check_canonical_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(CANONICAL_FIELDS)
    if unknown:
        raise MeasuresError("unknown_setting", names=sorted(unknown))
    checked = proposals.validate_proposal({**fields, "combines": []}, indicator_id=0, draft=True)
    if not checked.ok:
        raise MeasuresError("invalid", problems={"canonical": checked.problems})
    return {k: v for k, v in checked.values.items() if k in fields}


def merge_proposals(
    survey: MeasureSurvey,
    indicator: Indicator,
    proposal_ids: Sequence[int],
    fields: Mapping[str, Any] | None = None,
    *,
    actor=None,
) -> CanonicalMeasure:
    """A canonical measure from one or more submitted proposals of ``indicator``; its wording
    starts as the first proposal's unless ``fields`` say otherwise. Every source is kept."""
    ids = list(dict.fromkeys(proposal_ids))
    if not ids:
        raise MeasuresError("no_proposals")
    found = {p.id: p for p, _ in _submitted(survey, indicator.id) if p.id in set(ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise MeasuresError("wrong_indicator", ids=missing)
    first = found[ids[0]]
    values = {name: getattr(first, name) for name in CANONICAL_FIELDS}
    values.update(_check_canonical_fields(fields or {}))
    if not values.get("name"):
        values["name"] = first.name or f"Mått {first.id}"
    canonical = CanonicalMeasure(
        survey_id=survey.id, indicator_id=indicator.id, created_by_id=_actor_id(actor), **values
    )
    canonical.sources = [CanonicalSource(proposal_id=i) for i in ids]
    db.session.add(canonical)
    db.session.flush()
    study_services.audit(
        survey.study,
        "measure_merged",
        actor,
        canonical=canonical.id,
        proposals=ids,
        indicator=indicator.code,
    )
    return canonical


def add_sources(canonical: CanonicalMeasure, proposal_ids: Sequence[int], actor=None) -> None:
    survey = db.session.get(MeasureSurvey, canonical.survey_id)
    valid = {p.id for p, _ in _submitted(survey, canonical.indicator_id)}
    missing = [i for i in proposal_ids if i not in valid]
    if missing:
        raise MeasuresError("wrong_indicator", ids=missing)
    have = {s.proposal_id for s in canonical.sources}
    for proposal_id in proposal_ids:
        if proposal_id not in have:
            canonical.sources.append(CanonicalSource(proposal_id=proposal_id))
            have.add(proposal_id)
    study_services.audit(
        survey.study,
        "measure_sources_added",
        actor,
        canonical=canonical.id,
        proposals=list(proposal_ids),
    )
    db.session.flush()


#: at most this many questions per measure, each at most QUESTION_LIMIT characters
MAX_QUESTIONS = 20
QUESTION_LIMIT = 500


def check_questions(lines: Sequence[str] | str) -> list[str]:
    """A measure's questions (a list, or text with one per line) without blank lines; refuses
    too many or too long ones."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    questions = [q.strip() for q in lines if q and q.strip()]
    if len(questions) > MAX_QUESTIONS:
        raise MeasuresError("too_many_questions", limit=MAX_QUESTIONS)
    for line, question in enumerate(questions, 1):
        if len(question) > QUESTION_LIMIT:
            raise MeasuresError("question_too_long", line=line, limit=QUESTION_LIMIT)
    return questions


def edit_canonical(canonical: CanonicalMeasure, fields: Mapping[str, Any], actor=None) -> None:
    """Edit a measure's wording (:data:`CANONICAL_FIELDS`, and ``questions``: its questionnaire
    statements, in order)."""
    fields = dict(fields)
    questions = check_questions(fields.pop("questions")) if "questions" in fields else None
    values = _check_canonical_fields(fields)
    if "name" in values and not values["name"]:
        raise MeasuresError(
            "invalid", problems={"canonical": [proposals.FieldProblem("name", "name_required")]}
        )
    if questions is not None:
        values["questions"] = questions
    changed = [k for k, v in values.items() if getattr(canonical, k) != v]
    for name in changed:
        setattr(canonical, name, values[name])
    survey = db.session.get(MeasureSurvey, canonical.survey_id)
    if changed:
        study_services.audit(
            survey.study, "measure_edited", actor, canonical=canonical.id, fields=changed
        )
    db.session.flush()


def decide(canonical: CanonicalMeasure, decision: str, reason: str = "", *, actor=None) -> None:
    """``accepted``, ``rejected`` (needs a reason) or back to ``candidate``."""
    if decision not in ("accepted", "rejected", "candidate"):
        raise ValueError(decision)
    reason = (reason or "").strip()
    if decision == "rejected" and not reason:
        raise MeasuresError("reason_required")
    before = canonical.status
    if decision != "accepted":
        canonical.recommended = False
    canonical.status = decision
    canonical.reason = reason
    canonical.decided_by_id = _actor_id(actor)
    canonical.decided_at = utcnow()
    survey = db.session.get(MeasureSurvey, canonical.survey_id)
    study_services.audit(
        survey.study,
        "measure_decided",
        actor,
        reason=reason,
        canonical=canonical.id,
        before=before,
        after=decision,
    )
    db.session.flush()


def set_recommended(canonical: CanonicalMeasure, recommended: bool = True, *, actor=None) -> None:
    """Mark the one recommended measure of its indicator (any other loses the mark)."""
    if recommended and canonical.status != "accepted":
        raise MeasuresError("not_accepted")
    if recommended:
        db.session.execute(
            update(CanonicalMeasure)
            .where(
                CanonicalMeasure.indicator_id == canonical.indicator_id,
                CanonicalMeasure.id != canonical.id,
                CanonicalMeasure.recommended.is_(True),
            )
            .values(recommended=False)
            .execution_options(synchronize_session="fetch")
        )
        db.session.flush()
    canonical.recommended = recommended
    survey = db.session.get(MeasureSurvey, canonical.survey_id)
    study_services.audit(
        survey.study,
        "measure_recommended" if recommended else "measure_unrecommended",
        actor,
        canonical=canonical.id,
    )
    db.session.flush()


def lineage(canonical: CanonicalMeasure) -> list[int]:
    return sorted(s.proposal_id for s in canonical.sources)


# --- paper import -----------------------------------------------------------------------------

PAPER_COLUMNS = (
    tabular.Column("indicator", "Indikator", ("Indikatorkod", "Kod"), required=True),
    tabular.Column("respondent", "Svarande", ("Respondent", "Blankett")),
    tabular.Column("organisation", "Organisation"),
    tabular.Column("organisation_type", "Organisationstyp"),
    tabular.Column("level", "Nivå"),
    tabular.Column("role", "Roll"),
    tabular.Column("name", "Namn på måttet", ("Mått", "Namn"), required=True),
    tabular.Column("description", "Beskrivning"),
    tabular.Column("kind", "Slag", ("Kvantitativ/kvalitativ", "Typ")),
    tabular.Column("method", "Metod"),
    tabular.Column("data_source", "Datakälla", ("Källa",)),
    tabular.Column("respondent_group", "Respondentgrupp"),
    tabular.Column("frequency", "Hur ofta", ("Tidpunkter", "Frekvens")),
    tabular.Column("unit", "Enhet"),
    tabular.Column("numerator", "Täljare"),
    tabular.Column("denominator", "Nämnare"),
)


@dataclass
class PaperImport:
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # Swedish sentences with row numbers
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_paper_proposals(survey: MeasureSurvey, content: bytes, filename: str) -> PaperImport:
    """Validate a file of proposals gathered on paper (every row, every problem)."""
    table = tabular.read_table(content, filename, columns=PAPER_COLUMNS)
    result = PaperImport(
        problems=[p.message for p in table.problems], notes=[n.message for n in table.notes]
    )
    if any(p.code == "missing_column" for p in table.problems):
        return result
    codes = {i.code.casefold(): i.id for i in survey_indicators(survey)}
    for row in table.rows:
        values = row.values
        n = row.number
        indicator_id = codes.get(values.get("indicator", "").casefold())
        if indicator_id is None:
            result.problems.append(
                f"Rad {n}: indikatorn ”{values.get('indicator', '')}” ingår inte i enkäten."
            )
            continue
        level = tabular_level(values.get("level", ""))
        if level is None:
            result.problems.append(
                f"Rad {n}: ”{values.get('level')}” är ingen nivå (lokal, nationell)."
            )
        checked = proposals.validate_proposal(values, indicator_id=indicator_id)
        for problem in checked.problems:
            result.problems.append(
                f"Rad {n}: {proposals.FIELD_LABELS.get(problem.field)}: {problem.message}"
            )
        if checked.ok and level:
            result.rows.append(
                {
                    "row": n,
                    "indicator_id": indicator_id,
                    "respondent": values.get("respondent", "") or f"rad-{n}",
                    "organisation": values.get("organisation", "")[:200],
                    "organisation_type": values.get("organisation_type", "")[:50],
                    "level": level,
                    "role": values.get("role", "")[:200],
                    "values": checked.values,
                }
            )
    return result


def import_paper_proposals(
    survey: MeasureSurvey, parsed: PaperImport, *, actor=None, filename: str = ""
) -> int:
    """Write a validated paper import (all or nothing): one respondent per sheet label."""
    if not parsed.ok:
        raise MeasuresError("import_invalid", problems=parsed.problems)
    now = utcnow()
    by_label: dict[str, Respondent] = {}
    for row in parsed.rows:
        respondent = by_label.get(row["respondent"])
        if respondent is None:
            respondent = Respondent(
                survey_id=survey.id,
                pseudonym=_next_pseudonym(survey),
                organisation=row["organisation"],
                organisation_type=row["organisation_type"],
                level=row["level"],
                role=row["role"],
                via="paper",
                submitted_at=now,
            )
            db.session.add(respondent)
            db.session.flush()
            by_label[row["respondent"]] = respondent
        db.session.add(
            Proposal(
                respondent_id=respondent.id,
                indicator_id=row["indicator_id"],
                status="submitted",
                submitted_at=now,
                **row["values"],
            )
        )
    study_services.audit(
        survey.study, "measure_paper_imported", actor, filename=filename, proposals=len(parsed.rows)
    )
    db.session.flush()
    return len(parsed.rows)


# --- exports (plain rows; no names, no emails, no organisation names) -------------------------

PROPOSAL_HEADERS = (
    "Förslag",
    "Indikator",
    "Svarande",
    "Nivå",
    "Organisationstyp",
    "Namn på måttet",
    "Beskrivning",
    "Slag",
    "Metod",
    "Datakälla",
    "Respondentgrupp",
    "Hur ofta",
    "Enhet",
    "Täljare",
    "Nämnare",
    "Kombinerar",
    "Inskickat",
)
DECISION_HEADERS = (
    "Mått",
    "Indikator",
    "Namn",
    "Status",
    "Skäl",
    "Rekommenderat",
    "Källförslag",
    "Beslutat",
)
SELECTED_HEADERS = (
    "Mått",
    "Indikator",
    "Namn",
    "Beskrivning",
    "Slag",
    "Metod",
    "Datakälla",
    "Respondentgrupp",
    "Hur ofta",
    "Enhet",
    "Täljare",
    "Nämnare",
    "Frågor",
    "Rekommenderat",
)


def _codes(survey: MeasureSurvey) -> dict[int, str]:
    rows = db.session.execute(
        select(Indicator.id, Indicator.code).where(Indicator.study_id == survey.study_id)
    )
    return {indicator_id: code for indicator_id, code in rows}


def _label(codelist: Mapping[str, str], value: str | None) -> str:
    return codelist.get(value or "", value or "")


def _frequency(values: Iterable[str]) -> str:
    return ", ".join(proposals.FREQUENCIES.get(v, v) for v in values or [])


def export_proposals(survey: MeasureSurvey) -> tuple[list[str], list[list[str]]]:
    codes = _codes(survey)
    rows = _submitted(survey)
    ids = [p.id for p, _ in rows]
    combos: dict[int, list[str]] = {}
    if ids:
        for c in db.session.scalars(
            select(ProposalCombination).where(ProposalCombination.proposal_id.in_(ids))
        ):
            combos.setdefault(c.proposal_id, []).append(str(c.combined_id))
    out = []
    for p, r in rows:
        out.append(
            [
                str(p.id),
                codes.get(p.indicator_id, ""),
                r.pseudonym,
                r.level,
                r.organisation_type,
                p.name,
                p.description,
                _label(proposals.KINDS, p.kind),
                _label(proposals.METHODS, p.method),
                p.data_source,
                _label(proposals.RESPONDENT_GROUPS, p.respondent_group),
                _frequency(p.frequency),
                p.unit,
                p.numerator,
                p.denominator,
                ", ".join(combos.get(p.id, [])),
                p.submitted_at.isoformat() if p.submitted_at else "",
            ]
        )
    return list(PROPOSAL_HEADERS), out


def _canonical(survey: MeasureSurvey, *statuses: str) -> list[CanonicalMeasure]:
    query = select(CanonicalMeasure).where(CanonicalMeasure.survey_id == survey.id)
    if statuses:
        query = query.where(CanonicalMeasure.status.in_(statuses))
    return list(
        db.session.scalars(query.order_by(CanonicalMeasure.indicator_id, CanonicalMeasure.id))
    )


def export_decisions(survey: MeasureSurvey) -> tuple[list[str], list[list[str]]]:
    codes = _codes(survey)
    out = []
    for c in _canonical(survey):
        out.append(
            [
                f"M{c.id}",
                codes.get(c.indicator_id, ""),
                c.name,
                {"candidate": "förslag", "accepted": "godtaget", "rejected": "avvisat"}[c.status],
                c.reason,
                "ja" if c.recommended else "nej",
                ", ".join(str(i) for i in lineage(c)),
                c.decided_at.isoformat() if c.decided_at else "",
            ]
        )
    return list(DECISION_HEADERS), out


def export_selected(survey: MeasureSurvey) -> tuple[list[str], list[list[str]]]:
    codes = _codes(survey)
    out = []
    for c in _canonical(survey, "accepted"):
        out.append(
            [
                f"M{c.id}",
                codes.get(c.indicator_id, ""),
                c.name,
                c.description,
                _label(proposals.KINDS, c.kind),
                _label(proposals.METHODS, c.method),
                c.data_source,
                _label(proposals.RESPONDENT_GROUPS, c.respondent_group),
                _frequency(c.frequency),
                c.unit,
                c.numerator,
                c.denominator,
                "\n".join(c.questions or []),
                "ja" if c.recommended else "nej",
            ]
        )
    return list(SELECTED_HEADERS), out


def export_tables(survey: MeasureSurvey) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The three exports as (headers, rows), for write_csv / write_xlsx (one sheet each)."""
    return {
        "forslag": export_proposals(survey),
        "beslut": export_decisions(survey),
        "valda_matt": export_selected(survey),
    }


def export_document(survey: MeasureSurvey) -> dict[str, Any]:
    """The same as JSON-ready data (codes, not labels, for the selected measures)."""
    tables = export_tables(survey)
    codes = _codes(survey)
    return {
        "study": survey.study.slug,
        "proposals": [
            dict(zip(tables["forslag"][0], row, strict=True)) for row in tables["forslag"][1]
        ],
        "decisions": [
            dict(zip(tables["beslut"][0], row, strict=True)) for row in tables["beslut"][1]
        ],
        "measures": [
            {
                "id": f"M{c.id}",
                "indicator": codes.get(c.indicator_id, ""),
                **{name: getattr(c, name) for name in CANONICAL_FIELDS},
                "schedule": list(c.frequency or []),
                "questions": list(c.questions or []),
                "recommended": c.recommended,
                "derivedFrom": lineage(c),
            }
            for c in _canonical(survey, "accepted")
        ],
    }


# --- the optional expert rating round on measures ---------------------------------------------


def save_rating(
    canonical: CanonicalMeasure,
    participant: Participant,
    dimension: str,
    value: int | None,
    *,
    unable: bool = False,
) -> MeasureRating:
    """An appointed expert's rating 1-9 (or "kan ej bedöma") of a candidate measure."""
    if participant.kind != "expert" or dimension not in measures_models.RATING_DIMENSIONS:
        raise MeasuresError("rating_invalid")
    if unable:
        value = None
    elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 9:
        raise MeasuresError("rating_invalid")
    # An upsert, like the rounds' answers: a double submit cannot race into a duplicate.
    values = {
        "canonical_id": canonical.id,
        "participant_id": participant.id,
        "dimension": dimension,
        "value": value,
        "unable": unable,
        "updated_at": utcnow(),
    }
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    statement = upsert(MeasureRating).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["canonical_id", "participant_id", "dimension"],
        set_={"value": value, "unable": unable, "updated_at": values["updated_at"]},
    )
    db.session.execute(statement)
    db.session.flush()
    return db.session.scalar(
        select(MeasureRating)
        .where(
            MeasureRating.canonical_id == canonical.id,
            MeasureRating.participant_id == participant.id,
            MeasureRating.dimension == dimension,
        )
        .execution_options(populate_existing=True)
    )


def measure_votes_frame(rows: Iterable[Sequence[Any]]):
    """The rounds engine's votes frame from ``(expert, level, measure code, value, unable)``:
    the expert's level (lokal/nationell) plays the stakeholder group."""
    return round_stats.votes_frame(list(rows))


def rate_measures_stats(
    survey: MeasureSurvey, dimension: str, *, min_group_size: int = 1
) -> round_stats.RatingRound:
    """The rating statistics of the candidate measures on ``dimension`` (relevance or
    feasibility): ``rounds.stats.rating_stats`` on the votes frame of the experts' ratings,
    with the candidate and accepted measures ("M<id>") as the ballot."""
    ballot = [f"M{c.id}" for c in _canonical(survey, "candidate", "accepted")]
    rows = db.session.execute(
        select(
            MeasureRating.participant_id,
            Participant.level,
            MeasureRating.canonical_id,
            MeasureRating.value,
            MeasureRating.unable,
        )
        .join(Participant, Participant.id == MeasureRating.participant_id)
        .join(CanonicalMeasure, CanonicalMeasure.id == MeasureRating.canonical_id)
        .where(
            CanonicalMeasure.survey_id == survey.id,
            CanonicalMeasure.status != "rejected",
            MeasureRating.dimension == dimension,
        )
        .order_by(MeasureRating.id)
    ).all()
    frame = measure_votes_frame(
        (pid, level, f"M{cid}", float("nan") if value is None else float(value), unable)
        for pid, level, cid, value, unable in rows
    )
    return round_stats.rating_stats(
        frame, ballot, groups=list(measures_models.LEVELS), min_group_size=min_group_size
    )


def change_rating_status(survey: MeasureSurvey, action: str, *, actor=None) -> None:
    """Open, close or reopen the experts' rating of the measures (one transition function)."""
    if action == "open_rating" and not _canonical(survey, "candidate", "accepted"):
        raise MeasuresError("no_measures_to_rate")
    before = survey.rating_status
    survey.rating_status = lifecycle.rating_transition(survey.rating_status, action).value
    study_services.audit(
        survey.study, f"measure_{action}", actor, before=before, after=survey.rating_status
    )
    db.session.flush()


def rating_ballot(survey: MeasureSurvey) -> list[CanonicalMeasure]:
    """The measures the experts rate: every candidate and accepted measure, by indicator."""
    return _canonical(survey, "candidate", "accepted")


def expert_ratings(survey: MeasureSurvey, participant: Participant) -> dict[tuple[int, str], Any]:
    """An expert's own ratings: {(canonical id, dimension): MeasureRating}."""
    rows = db.session.scalars(
        select(MeasureRating)
        .join(CanonicalMeasure, CanonicalMeasure.id == MeasureRating.canonical_id)
        .where(
            CanonicalMeasure.survey_id == survey.id, MeasureRating.participant_id == participant.id
        )
    )
    return {(r.canonical_id, r.dimension): r for r in rows}


def save_ratings(
    survey: MeasureSurvey, participant: Participant, entries: Iterable[tuple[int, str, Any]]
) -> int:
    """Save an expert's ratings ``(canonical id, dimension, value 1-9 | "unable" | None)``
    while the rating is open; None clears a rating. All or nothing."""
    if survey.rating_status != lifecycle.RatingStatus.OPEN:
        raise MeasuresError("rating_closed")
    measures = {c.id: c for c in rating_ballot(survey)}
    saved = 0
    for canonical_id, dimension, value in entries:
        canonical = measures.get(canonical_id)
        if canonical is None:
            raise MeasuresError("rating_invalid")
        if value is None:
            db.session.execute(
                delete(MeasureRating).where(
                    MeasureRating.canonical_id == canonical_id,
                    MeasureRating.participant_id == participant.id,
                    MeasureRating.dimension == dimension,
                )
            )
            continue
        save_rating(
            canonical,
            participant,
            dimension,
            None if value == "unable" else value,
            unable=value == "unable",
        )
        saved += 1
    db.session.flush()
    return saved


def rating_results(survey: MeasureSurvey) -> dict[str, Any]:
    """Per dimension: the rounds engine's statistics of the measures and the decision under
    the study's primary rating rule (groups: the experts' levels, shown to staff only)."""
    from ..rounds.rules import REGISTRY

    rule = survey.study.primary_rule
    if rule not in REGISTRY or not REGISTRY[rule].applies_to("rating"):
        rule = "comet_70_15"
    out: dict[str, Any] = {"rule": rule, "dimensions": {}}
    for dimension in measures_models.RATING_DIMENSIONS:
        stats = rate_measures_stats(survey, dimension)
        decisions = rate_measures_decisions(stats, rule).decisions
        out["dimensions"][dimension] = {"stats": stats, "decisions": decisions}
    return out


def rate_measures_decisions(
    stats: round_stats.RatingRound,
    rule: str = "comet_70_15",
    params: Mapping[str, Any] | None = None,
) -> round_rules.RuleResult:
    """A consensus rule of the rounds engine applied to the measures' rating statistics."""
    return round_rules.decide(stats, rule, params)


def response_frequencies(survey: MeasureSurvey) -> Counter:
    """Submitted proposals per indicator code (for the survey's overview)."""
    codes = _codes(survey)
    return Counter(codes.get(p.indicator_id, "") for p, _ in _submitted(survey))


def parse_date(text: str) -> date:
    """A workshop date written ``2014-09-17``."""
    return date.fromisoformat(text.strip())
