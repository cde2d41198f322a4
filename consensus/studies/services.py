"""Reads and writes for studies, groups, indicators and the panel.

Services flush and never commit; the view or command that calls them commits once.
"""

import hashlib
import json
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import joinedload

from ..auth.roles import Role
from ..auth.services import issue_link, revoke_link, store_link
from ..auth.tokens import new_token
from ..dbtypes import utcnow
from ..extensions import db
from ..messages import Gettext, swedish
from . import importing, lifecycle, pseudonyms
from .messages import ERRORS
from .models import (
    AuditEvent,
    Indicator,
    Participant,
    PendingUpload,
    ProtocolDeviation,
    StakeholderGroup,
    Study,
    StudyMember,
)

# The a-priori settings (delphi-method.md): fixed before round 1; changed later only as a
# recorded protocol deviation.
A_PRIORI_SETTINGS = (
    "scale",
    "primary_rule",
    "rule_params",
    "min_group_size",
    "min_ratings",
    "target_core_size",
    "invitation_policy",
    "ask_reason_on_band_cross",
)
FREE_SETTINGS = ("title", "description", "info_text", "links_expire_at", "reply_to")
PENDING_UPLOAD_TTL_HOURS = 24


class StudyError(ValueError):
    """A refused change; ``code`` selects the message in ``studies/messages.py`` (``ERRORS``),
    :meth:`render` words it."""

    def __init__(self, code: str, /, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def render(self, gettext: Gettext = swedish) -> str:
        """The message in ``gettext``'s language (Swedish by default: the command line)."""
        return ERRORS.render(self.code, self.params, gettext)


def audit(study: Study | None, action: str, actor=None, reason: str = "", **detail) -> None:
    db.session.add(
        AuditEvent(
            study_id=getattr(study, "id", None),
            actor_id=getattr(actor, "id", None),
            action=action,
            detail=detail,
            reason=reason,
        )
    )


# --- studies ---------------------------------------------------------------------------------


def list_studies(*, include_archived: bool = False, visible_to=None) -> list[Study]:
    """The studies, newest first; with ``visible_to`` only those the user works on (an
    admin: all)."""
    query = select(Study).order_by(Study.created_at.desc(), Study.id.desc())
    if visible_to is not None and not visible_to.has_role(Role.ADMIN):
        member = select(StudyMember.study_id).where(StudyMember.user_id == visible_to.id)
        query = query.where(Study.id.in_(member))
    if not include_archived:
        query = query.where(Study.phase != lifecycle.Phase.ARCHIVED)
    return list(db.session.scalars(query))


def get_study_by_slug(slug: str) -> Study | None:
    return db.session.scalar(select(Study).where(Study.slug == slug))


def create_study(slug: str, title: str, *, created_by=None, **settings) -> Study:
    if get_study_by_slug(slug) is not None:
        raise StudyError("slug_taken", slug=slug)
    study = Study(slug=slug, title=title, created_by_id=getattr(created_by, "id", None), **settings)
    db.session.add(study)
    db.session.flush()
    if created_by is not None:  # the creator owns the study (studies/membership.py)
        db.session.add(StudyMember(study_id=study.id, user_id=created_by.id, role="owner"))
        db.session.flush()
    audit(study, "study_created", created_by, slug=slug)
    return study


def _as_text(value) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def update_settings(study: Study, changes: dict, *, actor=None, reason: str = "") -> list[str]:
    """Apply ``changes``; returns the names changed.

    Once the study has started, a change to an a-priori setting needs a reason and is
    recorded as a protocol deviation. Nothing is applied if any check fails.
    """
    unknown = set(changes) - set(A_PRIORI_SETTINGS) - set(FREE_SETTINGS)
    if unknown:
        raise StudyError("unknown_setting", names=sorted(unknown))
    changed = [name for name, value in changes.items() if getattr(study, name) != value]
    locked = [name for name in changed if name in A_PRIORI_SETTINGS]
    if locked and lifecycle.settings_locked(study.phase):
        if not reason.strip():
            raise StudyError("reason_required", names=locked)
        for name in locked:
            db.session.add(
                ProtocolDeviation(
                    study_id=study.id,
                    setting=name,
                    old_value=_as_text(getattr(study, name)),
                    new_value=_as_text(changes[name]),
                    reason=reason.strip(),
                    actor_id=getattr(actor, "id", None),
                )
            )
    for name in changed:
        setattr(study, name, changes[name])
    if changed:
        audit(study, "settings_changed", actor, reason=reason.strip(), settings=changed)
    db.session.flush()
    return changed


def change_phase(study: Study, action: str, *, actor=None) -> None:
    """The only way a study's phase changes (see ``lifecycle.transition``)."""
    before = study.phase
    study.phase = lifecycle.transition(study.phase, action).value
    audit(study, f"study_{action}", actor, before=before, after=study.phase)
    db.session.flush()


def restore_action(study: Study) -> str:
    """An archived study returns to the phase it had: running if it had ever started."""
    started = db.session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.study_id == study.id, AuditEvent.action == "study_start"
        )
    )
    return "restore_running" if started is not None else "restore_setup"


def deviations(study: Study) -> list[ProtocolDeviation]:
    return list(
        db.session.scalars(
            select(ProtocolDeviation)
            .where(ProtocolDeviation.study_id == study.id)
            .order_by(ProtocolDeviation.created_at)
        )
    )


def _require_setup(study: Study, what: str) -> None:
    if lifecycle.settings_locked(study.phase):
        raise StudyError("study_started", what=what)


# --- stakeholder groups ----------------------------------------------------------------------


def group_code_from_name(name: str) -> str:
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:50] or "grupp"


def add_group(study: Study, code: str, name: str) -> StakeholderGroup:
    code = code or group_code_from_name(name)
    exists = db.session.scalar(
        select(StakeholderGroup.id).where(
            StakeholderGroup.study_id == study.id, StakeholderGroup.code == code
        )
    )
    if exists is not None:
        raise StudyError("group_exists", code=code)
    group = StakeholderGroup(study=study, code=code, name=name, position=len(study.groups))
    db.session.add(group)
    db.session.flush()
    return group


def delete_group(group: StakeholderGroup) -> None:
    members = db.session.scalar(
        select(func.count(Participant.id)).where(Participant.group_id == group.id)
    )
    if members:
        raise StudyError("group_in_use", name=group.name, count=members)
    db.session.delete(group)
    db.session.flush()


# --- candidate indicators --------------------------------------------------------------------


def add_indicator(study: Study, **fields) -> Indicator:
    fields.setdefault("position", _next_position(study))
    indicator = Indicator(study=study, **fields)
    db.session.add(indicator)
    db.session.flush()
    return indicator


def _next_position(study: Study) -> int:
    current = db.session.scalar(
        select(func.max(Indicator.position)).where(Indicator.study_id == study.id)
    )
    return 0 if current is None else current + 1


def indicator_codes(study: Study) -> set[str]:
    return set(db.session.scalars(select(Indicator.code).where(Indicator.study_id == study.id)))


def save_indicator(
    study: Study, indicator: Indicator | None, fields: dict, actor=None
) -> Indicator:
    """Create (``indicator`` None) or edit a candidate before round 1; codes stay unique."""
    _require_setup(study, "indicators")
    clash = db.session.scalar(
        select(Indicator.id).where(Indicator.study_id == study.id, Indicator.code == fields["code"])
    )
    if clash is not None and (indicator is None or clash != indicator.id):
        raise StudyError("code_taken", code=fields["code"])
    if indicator is None:
        indicator = add_indicator(study, **fields)
        audit(study, "indicator_added", actor, code=indicator.code)
    else:
        for name, value in fields.items():
            setattr(indicator, name, value)
        audit(study, "indicator_edited", actor, code=indicator.code)
    db.session.flush()
    return indicator


def set_indicator_english(
    indicator: Indicator, *, title_en: str | None, description_en: str | None, actor=None
) -> None:
    """An indicator's English texts (None: none). Allowed in every phase: they translate the
    Swedish text, which stays what the panel rates."""
    indicator.title_en = title_en
    indicator.description_en = description_en
    audit(indicator.study, "indicator_english", actor, code=indicator.code)
    db.session.flush()


def delete_indicator(study: Study, indicator: Indicator, actor=None) -> None:
    _require_setup(study, "indicators")
    audit(study, "indicator_deleted", actor, code=indicator.code, title=indicator.title)
    db.session.delete(indicator)
    db.session.flush()


def apply_indicator_import(study: Study, parsed, actor=None, filename: str = "") -> tuple[int, int]:
    """Write a validated import (``parsed.ok``): create new codes, update known ones."""
    _require_setup(study, "indicators")
    if not parsed.ok:
        raise StudyError("import_invalid")
    existing = {
        i.code.casefold(): i
        for i in db.session.scalars(select(Indicator).where(Indicator.study_id == study.id))
    }
    position = _next_position(study)
    created = updated = 0
    for row in parsed.to_update:
        indicator = existing[row.code.casefold()]
        for name, value in row.values().items():
            if name != "code":
                setattr(indicator, name, value)
        updated += 1
    new = []
    for row in parsed.to_create:
        new.append({"study_id": study.id, "position": position, **row.values()})
        position += 1
        created += 1
    if new:
        db.session.execute(insert(Indicator), new)
    audit(study, "indicators_imported", actor, filename=filename, created=created, updated=updated)
    db.session.flush()
    return created, updated


# --- the panel -------------------------------------------------------------------------------


def _taken_pseudonyms(study: Study) -> set[str]:
    return set(
        db.session.scalars(select(Participant.pseudonym).where(Participant.study_id == study.id))
    )


def next_pseudonym(study: Study) -> str:
    """A pseudonym drawn at random among the study's free ones (never reused)."""
    return pseudonyms.draw(_taken_pseudonyms(study), 1)[0]


def add_participant(study: Study, **fields) -> Participant:
    email = fields.get("email")
    if email:
        fields["email"] = email.strip().lower()
        if find_participant_by_email(study, fields["email"]) is not None:
            raise StudyError("email_on_panel", email=fields["email"])
    participant = Participant(study=study, pseudonym=next_pseudonym(study), **fields)
    db.session.add(participant)
    db.session.flush()
    return participant


def find_participant_by_email(study: Study, email: str) -> Participant | None:
    return db.session.scalar(
        select(Participant).where(
            Participant.study_id == study.id, Participant.email == email.strip().lower()
        )
    )


def participant_with_study(participant_id) -> Participant | None:
    """The participant with its study, in one query (auth's session check on every request)."""
    return db.session.get(Participant, participant_id, options=[joinedload(Participant.study)])


def panel(study: Study, kind: str = "panelist") -> list[Participant]:
    return list(
        db.session.scalars(
            select(Participant)
            .where(Participant.study_id == study.id, Participant.kind == kind)
            .order_by(Participant.id)
        )
    )


def panel_counts(studies) -> dict[int, dict[str, int]]:
    """{study id: counts} of each study's panel, the one count every page shows: the
    panelists (invited, joined in the room or answering on paper; erased ones too, their
    answers stay), never the measures experts. ``no_email``: panelists who cannot be
    emailed (workshop, paper, erased); ``visited``: panelists who opened their link."""
    ids = [s.id for s in studies]
    counts = {i: {"panel": 0, "no_email": 0, "visited": 0} for i in ids}
    rows = db.session.execute(
        select(
            Participant.study_id,
            func.count(Participant.id),
            func.count(Participant.id).filter(Participant.email.is_(None)),
            func.count(Participant.id).filter(Participant.first_visit_at.is_not(None)),
        )
        .where(Participant.study_id.in_(ids), Participant.kind == "panelist")
        .group_by(Participant.study_id)
    )
    for study_id, panel_size, no_email, visited in rows:
        counts[study_id] = {"panel": panel_size, "no_email": no_email, "visited": visited}
    return counts


def update_participant(participant: Participant, fields: dict, actor=None) -> None:
    if participant.erased_at is not None:
        raise StudyError("participant_erased")
    email = (fields.get("email") or "").strip().lower() or None
    if email and email != participant.email:
        other = find_participant_by_email(participant.study, email)
        if other is not None and other.id != participant.id:
            raise StudyError("email_on_panel", email=email)
    fields = {**fields, "email": email}
    for name, value in fields.items():
        setattr(participant, name, value)
    audit(participant.study, "participant_edited", actor, pseudonym=participant.pseudonym)
    db.session.flush()


def erase_participant(participant: Participant, actor=None) -> None:
    """Erase name, email and organisation; answers stay, tied to the pseudonym only. Staged
    uploads of the study that mention the person (a panel file left at its preview) go too."""
    purge_uploads_mentioning(participant.study, [participant.name, participant.email])
    participant.name = None
    participant.email = None
    participant.organisation = ""
    participant.invitation_error = None
    participant.erased_at = utcnow()
    revoke_link(participant)
    participant.session_version = (participant.session_version or 1) + 1  # ends its sessions
    audit(participant.study, "participant_erased", actor, pseudonym=participant.pseudonym)
    db.session.flush()


def apply_panel_import(study: Study, parsed, groups_by_code: dict, actor=None, filename: str = ""):
    """Write a validated panel import: new emails join the panel, known ones are updated."""
    if not parsed.ok:
        raise StudyError("import_invalid")
    existing = {
        p.email: p
        for p in db.session.scalars(
            select(Participant).where(
                Participant.study_id == study.id, Participant.email.is_not(None)
            )
        )
    }
    drawn = iter(pseudonyms.draw(_taken_pseudonyms(study), len(parsed.to_create)))
    created = updated = 0
    for row in parsed.to_update:
        participant = existing[row.email.lower()]
        participant.name = row.name or participant.name
        participant.group_id = groups_by_code[row.group].id
        participant.organisation = row.organisation
        participant.level = row.level
        participant.language = row.language or participant.language
        updated += 1
    new = []
    for row in parsed.to_create:
        new.append(
            {
                "study_id": study.id,
                "pseudonym": next(drawn),
                "name": row.name or None,
                "email": row.email.lower(),
                "group_id": groups_by_code[row.group].id,
                "organisation": row.organisation,
                "level": row.level,
                "language": row.language or "sv",
                "kind": "panelist",
                "joined_via": "import",
            }
        )
        created += 1
    if new:
        # A bulk INSERT (executemany), not 5,000 ORM objects: same defaults, a fraction of the time.
        db.session.execute(insert(Participant), new)
    audit(study, "panel_imported", actor, filename=filename, created=created, updated=updated)
    db.session.flush()
    return created, updated


# --- invitations -----------------------------------------------------------------------------


def invitation_targets(study: Study, which: str) -> list[Participant]:
    """``unsent``: never successfully invited; ``unvisited``: has not opened the link yet."""
    query = select(Participant).where(
        Participant.study_id == study.id,
        Participant.kind == "panelist",
        Participant.email.is_not(None),
        Participant.erased_at.is_(None),
    )
    if which == "unsent":
        query = query.where(Participant.invitation_status != "sent")
    elif which == "unvisited":
        query = query.where(Participant.first_visit_at.is_(None))
    else:
        raise ValueError(which)
    return list(db.session.scalars(query.order_by(Participant.id)))


def prepare_link(participant: Participant) -> str:
    """A new token for an email: returned, not yet stored (see ``record_delivery``)."""
    return new_token()


def record_delivery(participant: Participant, token: str, delivery, purpose: str) -> None:
    """Store the outcome of one email that carries a personal link.

    A delivered email adds its link to the participant's links (those sent before keep
    working); one not delivered stores no link and leaves the status saying why.
    """
    if delivery.sent:
        store_link(participant, token, purpose)
        participant.invitation_status = "sent"
        participant.invitation_error = None
        participant.invited_at = utcnow()
    elif delivery.failure == "connection":
        # Nothing left this server: the invitation stays unsent, with the reason in words.
        if participant.invitation_status != "sent":
            participant.invitation_status = "unsent"
        participant.invitation_error = delivery.explain()[:500]
    else:
        participant.invitation_status = "failed"
        participant.invitation_error = (delivery.explain() or "okänt fel")[:500]
    db.session.flush()


def new_personal_link(participant: Participant, actor=None) -> str:
    """Issue one more link to hand over another way (the links sent before keep working;
    :func:`revoke_links` ends them)."""
    if participant.erased_at is not None:
        raise StudyError("participant_erased")
    token = issue_link(participant, "manual")
    audit(participant.study, "link_reissued", actor, pseudonym=participant.pseudonym)
    return token


def revoke_links(participant: Participant, actor=None) -> None:
    """The projektledare's "revoke links": every link of the participant stops working and
    their open sessions end; a new link can be issued afterwards."""
    revoke_link(participant)
    audit(participant.study, "links_revoked", actor, pseudonym=participant.pseudonym)


# --- joining in the room ---------------------------------------------------------------------


JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read off a projector


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(6))


def ensure_join_code(study: Study, actor=None) -> str:
    if not study.join_code:
        study.join_code = new_join_code()
        audit(study, "join_code_created", actor)
        db.session.flush()
    return study.join_code


def disable_join_code(study: Study, actor=None) -> None:
    study.join_code = None
    audit(study, "join_code_disabled", actor)
    db.session.flush()


def study_by_join_code(code: str) -> Study | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    study = db.session.scalar(select(Study).where(Study.join_code == code))
    if study is None or study.links_expired(utcnow()):
        return None
    return study


def join_workshop(study: Study, group: StakeholderGroup) -> tuple[Participant, str]:
    """A pseudonymous panelist without email, admitted in the room; consent given on joining."""
    participant = add_participant(
        study, group_id=group.id, kind="panelist", joined_via="workshop", consent_at=utcnow()
    )
    participant.first_visit_at = utcnow()
    token = issue_link(participant, "workshop")
    return participant, token


def give_consent(participant: Participant) -> None:
    if participant.consent_at is None:
        participant.consent_at = utcnow()
        db.session.flush()


# --- staged uploads --------------------------------------------------------------------------


def stage_upload(
    study: Study, kind: str, filename: str, content: bytes, actor=None
) -> PendingUpload:
    """Keep an uploaded file between preview and confirmation (in the database, not a process)."""
    purge_stale_uploads()
    upload = PendingUpload(
        study_id=study.id,
        kind=kind,
        filename=filename[:255],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def get_upload(study: Study, kind: str, upload_id) -> PendingUpload | None:
    try:
        upload_id = int(upload_id)
    except (TypeError, ValueError):
        return None
    upload = db.session.get(PendingUpload, upload_id)
    if upload is None or upload.study_id != study.id or upload.kind != kind:
        return None
    return upload


def discard_upload(upload: PendingUpload) -> None:
    db.session.delete(upload)
    db.session.flush()


def purge_stale_uploads(now: datetime | None = None) -> int:
    """Delete staged uploads older than ``PENDING_UPLOAD_TTL_HOURS`` (the tick job runs it as
    ``consensus uploads purge``, and every new upload does too). Returns how many."""
    cutoff = (now or utcnow()) - timedelta(hours=PENDING_UPLOAD_TTL_HOURS)
    result = db.session.execute(delete(PendingUpload).where(PendingUpload.created_at < cutoff))
    db.session.flush()
    return result.rowcount or 0


def purge_uploads_mentioning(study: Study, texts) -> int:
    """Delete the study's staged uploads whose content mentions any of ``texts`` (a name or
    an address being erased); a staged file that cannot be read is deleted as well."""
    needles = [t for t in texts if t and len(t.strip()) >= 3]
    if not needles:
        return 0
    purged = 0
    for upload in db.session.scalars(
        select(PendingUpload).where(PendingUpload.study_id == study.id)
    ):
        if importing.mentions(upload.content, upload.filename, needles):
            db.session.delete(upload)
            purged += 1
    db.session.flush()
    return purged
