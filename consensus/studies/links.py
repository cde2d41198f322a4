"""Where personal links are kept (``personal_link``), for auth's participant loader, and the
public "lost your link?" request. Services flush; the caller commits.

Every link sent stays valid until the projektledare revokes the participant's links, the
participant is erased, or the study's links expire (archived, or past ``links_expire_at``).
"""

from datetime import timedelta

from sqlalchemy import func, select, update

from ..dbtypes import utcnow
from ..extensions import db
from .lifecycle import Phase
from .models import Participant, PersonalLink, Study

LOST_LINK_INTERVAL = timedelta(minutes=10)


def add_link(participant: Participant, token_hash: str, purpose: str) -> PersonalLink:
    link = PersonalLink(participant_id=participant.id, token_hash=token_hash, purpose=purpose)
    db.session.add(link)
    return link


def revoke_links(participant: Participant) -> None:
    db.session.execute(
        update(PersonalLink)
        .where(PersonalLink.participant_id == participant.id, PersonalLink.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def holder_of(token_hash: str) -> tuple[Participant, bool] | None:
    """The participant a link belongs to and whether that link is revoked; notes its use."""
    row = db.session.execute(
        select(PersonalLink, Participant)
        .join(Participant, Participant.id == PersonalLink.participant_id)
        .where(PersonalLink.token_hash == token_hash)
    ).first()
    if row is None:
        return None
    link, participant = row
    if link.revoked_at is None:
        link.last_used_at = utcnow()
    return participant, link.revoked_at is not None


def links_of(participant: Participant) -> list[PersonalLink]:
    """The participant's links, newest first (shown on the panel page, never the tokens)."""
    return list(
        db.session.scalars(
            select(PersonalLink)
            .where(PersonalLink.participant_id == participant.id)
            .order_by(PersonalLink.issued_at.desc(), PersonalLink.id.desc())
        )
    )


def active_link_counts(study: Study) -> dict[int, int]:
    """{participant id: number of unrevoked links} for the study's panel page."""
    rows = db.session.execute(
        select(PersonalLink.participant_id, func.count(PersonalLink.id))
        .join(Participant, Participant.id == PersonalLink.participant_id)
        .where(Participant.study_id == study.id, PersonalLink.revoked_at.is_(None))
        .group_by(PersonalLink.participant_id)
    )
    return {pid: n for pid, n in rows}


def lost_link_holders(email: str) -> list[Participant]:
    """The participants a lost-link request may send a new link to: this address, not
    erased, links not revoked, in a study whose links still open it (not archived, not
    past its links' expiry; a study in preparation counts: its panel may be invited), and
    not sent a lost link in the last :data:`LOST_LINK_INTERVAL` (no mailbox flooding)."""
    email = (email or "").strip().lower()
    if not email or "@" not in email or len(email) > 254:
        return []
    now = utcnow()
    recent = select(PersonalLink.participant_id).where(
        PersonalLink.purpose == "lost", PersonalLink.issued_at > now - LOST_LINK_INTERVAL
    )
    candidates = db.session.scalars(
        select(Participant)
        .join(Study, Study.id == Participant.study_id)
        .where(
            Participant.email == email,
            Participant.erased_at.is_(None),
            Participant.link_revoked_at.is_(None),
            Participant.id.not_in(recent),
            Study.phase != Phase.ARCHIVED.value,
        )
        .order_by(Participant.id)
    )
    return [p for p in candidates if not p.study.links_expired(now)]
