"""Who works on which study (reads and writes; the caller commits).

A study's members are staff users: its ``owner`` (who created it) and the projektledare and
facilitators the owner or an admin adds by email. A member's role in the study is at most
the role of their account: a facilitator's account is a facilitator in every study. An admin
works on every study without being a member. ``study_loader.may_work_on`` asks
:func:`study_role` on every study page, export and POST.
"""

from sqlalchemy import select

from ..auth.models import User
from ..auth.roles import Role
from ..auth.services import normalise_email
from ..extensions import db
from .models import Study, StudyMember
from .services import StudyError, audit

OWNER = "owner"
STUDY_ROLES = (OWNER, str(Role.PROJEKTLEDARE), str(Role.FACILITATOR))
# Which study roles an account of each role may hold.
ALLOWED = {
    Role.PROJEKTLEDARE: STUDY_ROLES,
    Role.FACILITATOR: (str(Role.FACILITATOR),),
}


def study_role(user, study: Study) -> str | None:
    """The user's role in ``study`` (``owner``, ``projektledare``, ``facilitator``) or None."""
    return db.session.scalar(
        select(StudyMember.role).where(
            StudyMember.study_id == study.id, StudyMember.user_id == user.id
        )
    )


def page_role(role: str | None) -> str | None:
    """The role a study role counts as for a page's declared roles: an owner leads."""
    return str(Role.PROJEKTLEDARE) if role == OWNER else role


def may_manage_members(user, study: Study) -> bool:
    return user.has_role(Role.ADMIN) or study_role(user, study) == OWNER


def members(study: Study) -> list[tuple[StudyMember, User]]:
    """The study's members with their accounts, owners first, then by email."""
    rows = db.session.execute(
        select(StudyMember, User)
        .join(User, User.id == StudyMember.user_id)
        .where(StudyMember.study_id == study.id)
        .order_by((StudyMember.role != OWNER), User.email)
    )
    return [(member, user) for member, user in rows]


def add_member(study: Study, email: str, role: str, *, actor=None) -> StudyMember:
    """Add the staff account with ``email`` to ``study`` as ``role``."""
    email = normalise_email(email)
    if role not in STUDY_ROLES:
        raise StudyError("member_role_unknown")
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.active:
        raise StudyError("member_unknown", email=email)
    if user.role not in ALLOWED:
        raise StudyError("member_not_study_staff", email=email)
    if role not in ALLOWED[Role(user.role)]:
        raise StudyError("member_role_too_high", email=email)
    if study_role(user, study) is not None:
        raise StudyError("member_exists", email=email)
    member = StudyMember(study_id=study.id, user_id=user.id, role=role)
    db.session.add(member)
    audit(study, "member_added", actor, user_id=user.id, role=role)
    db.session.flush()
    return member


def remove_member(study: Study, member_id: int, *, actor=None) -> User:
    """Remove a member; the last owner stays (someone must be able to add members)."""
    member = db.session.get(StudyMember, member_id)
    if member is None or member.study_id != study.id:
        raise StudyError("member_missing")
    if member.role == OWNER:
        owners = db.session.scalars(
            select(StudyMember.id).where(
                StudyMember.study_id == study.id, StudyMember.role == OWNER
            )
        ).all()
        if len(owners) <= 1:
            raise StudyError("member_last_owner")
    user = db.session.get(User, member.user_id)
    db.session.delete(member)
    audit(study, "member_removed", actor, user_id=member.user_id, role=member.role)
    db.session.flush()
    return user
