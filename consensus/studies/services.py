"""Reads and writes for studies, groups, indicators and the panel. Services flush; callers commit."""

import secrets

from sqlalchemy import func, select

from ..extensions import db
from .models import Indicator, Participant, StakeholderGroup, Study

PSEUDONYM_PREFIX = "P"


def list_studies(*, include_archived: bool = False) -> list[Study]:
    query = select(Study).order_by(Study.created_at.desc())
    if not include_archived:
        query = query.where(Study.phase != "archived")
    return list(db.session.scalars(query))


def get_study_by_slug(slug: str) -> Study | None:
    return db.session.scalar(select(Study).where(Study.slug == slug))


def create_study(slug: str, title: str, *, created_by=None, **settings) -> Study:
    study = Study(slug=slug, title=title, created_by_id=getattr(created_by, "id", None), **settings)
    db.session.add(study)
    db.session.flush()
    return study


def add_group(study: Study, code: str, name: str) -> StakeholderGroup:
    position = len(study.groups)
    group = StakeholderGroup(study=study, code=code, name=name, position=position)
    db.session.add(group)
    db.session.flush()
    return group


def add_indicator(study: Study, **fields) -> Indicator:
    fields.setdefault("position", len(study.indicators))
    indicator = Indicator(study=study, **fields)
    db.session.add(indicator)
    db.session.flush()
    return indicator


def next_pseudonym(study: Study) -> str:
    """``P001``, ``P002`` ... in order of joining; never reused, never derived from a name."""
    count = db.session.scalar(
        select(func.count(Participant.id)).where(Participant.study_id == study.id)
    )
    return f"{PSEUDONYM_PREFIX}{(count or 0) + 1:03d}"


def add_participant(study: Study, **fields) -> Participant:
    participant = Participant(study=study, pseudonym=next_pseudonym(study), **fields)
    db.session.add(participant)
    db.session.flush()
    return participant


def new_join_code() -> str:
    """Six characters without look-alikes (no 0/O, 1/I/L), easy to type from a projector."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(6))
