"""Who works on the study: its owner or an admin adds staff accounts by email and removes
them (the section on the study's overview page)."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS
from ...extensions import db
from .. import membership, services
from ..forms import ButtonForm, MemberForm
from . import bp, current_study, study_error_text


def members_context(study) -> dict:
    """What the overview page's members section shows."""
    return {
        "members": membership.members(study),
        "may_manage_members": membership.may_manage_members(current_user, study),
        "member_form": MemberForm(formdata=None),
    }


def _require_manager(study) -> None:
    if not membership.may_manage_members(current_user, study):
        abort(403)


@bp.route("/studier/<slug>/medlemmar", methods=["POST"])
@staff(*STUDY_LEADERS)
def member_add():
    study = current_study()
    _require_manager(study)
    form = MemberForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("studies.study_detail", _anchor="medlemmar"))
    try:
        membership.add_member(study, form.email.data, form.role.data, actor=current_user)
    except services.StudyError as error:
        flash(study_error_text(error), "error")
        return redirect(url_for("studies.study_detail", _anchor="medlemmar"))
    db.session.commit()
    flash(_("%(email)s arbetar nu med studien.", email=form.email.data.strip()), "success")
    return redirect(url_for("studies.study_detail", _anchor="medlemmar"))


@bp.route("/studier/<slug>/medlemmar/<int:member_id>/ta-bort", methods=["POST"])
@staff(*STUDY_LEADERS)
def member_remove(member_id: int):
    study = current_study()
    _require_manager(study)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        user = membership.remove_member(study, member_id, actor=current_user)
    except services.StudyError as error:
        flash(study_error_text(error), "error")
        return redirect(url_for("studies.study_detail", _anchor="medlemmar"))
    db.session.commit()
    flash(_("%(email)s arbetar inte längre med studien.", email=user.email), "success")
    return redirect(url_for("studies.study_detail", _anchor="medlemmar"))
