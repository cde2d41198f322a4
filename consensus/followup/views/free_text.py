"""The staff review of free-text answers that may name someone: approve or hide
(:mod:`..services.free_text`). The förbund's own staff only; another förbund's answer is refused
with a message and changes nothing."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import staff
from ...auth.roles import Role
from ...extensions import db
from ...i18n import render_message
from ...protocol import render
from .. import services
from ..lifecycle import FreeTextStatus
from . import bp, imported_or_404, require_post_form


@bp.route("/uppfoljning/<int:imported_id>/fritext")
@staff(Role.FORBUND)
def free_text_review(imported_id: int):
    imported = imported_or_404(imported_id)
    cells = services.free_texts(imported, services.results.protocol_waves(imported))
    flagged = [c for c in cells if any(a.status != "shown" for a in c.answers)]
    return render_template(
        "followup/free_text.html",
        row=imported,
        doc=imported.document,
        text=render.text,
        cells=flagged,
        pending=FreeTextStatus.PENDING.value,
        approved=FreeTextStatus.APPROVED.value,
    )


@bp.route("/uppfoljning/<int:imported_id>/fritext/<int:answer_id>", methods=["POST"])
@staff(Role.FORBUND)
def free_text_decide(imported_id: int, answer_id: int):
    imported = imported_or_404(imported_id)
    require_post_form()
    action = request.form.get("action", "")
    try:
        services.review_free_text(imported, answer_id, action, current_user)
    except services.FollowupError as error:
        db.session.rollback()
        flash(render_message(error), "error")
    else:
        db.session.commit()
        flash(_("Svaret visas i resultaten.") if action == "approve" else _("Svaret döljs."))
    return redirect(url_for("followup.free_text_review", imported_id=imported.id))
