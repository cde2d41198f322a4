"""The panel: panelists, personal links, invitations and erasure."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import paging
from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS, STUDY_STAFF
from ...extensions import db
from .. import lifecycle, links, mailing, services
from ..forms import ButtonForm, EraseForm, PanelistForm, choices
from ..hooks import hooks
from ..models import Participant
from . import bp, current_study, study_error_text

PANELISTS_PER_PAGE = 200

# --- the panel -------------------------------------------------------------------------------


@bp.route("/studier/<slug>/panel")
@staff(*STUDY_STAFF)
def panel_list():
    study = current_study()
    members = services.panel(study)
    summary = {
        "total": services.panel_counts([study])[study.id]["panel"],
        "sent": sum(1 for p in members if p.invitation_status == "sent"),
        "failed": sum(1 for p in members if p.invitation_status == "failed"),
        "unsent": sum(1 for p in members if p.invitation_status == "unsent" and p.email),
        "visited": sum(1 for p in members if p.first_visit_at),
        "consented": sum(1 for p in members if p.consent_at),
    }
    shown = paging.window(len(members), request.args.get(paging.PAGE_ARG), PANELISTS_PER_PAGE)
    return render_template(
        "studies/panel.html",
        study=study,
        members=members[shown.start : shown.stop],
        window=shown,
        summary=summary,
        link_counts=links.active_link_counts(study),
        progress=hooks().panel_progress(study),
        button=ButtonForm(),
    )


def _participant_of(study, participant_id: int) -> Participant:
    p = db.get_or_404(Participant, participant_id)
    if p.study_id != study.id:
        abort(404)
    return p


@bp.route("/studier/<slug>/panel/ny", methods=["GET", "POST"], defaults={"participant_id": None})
@bp.route("/studier/<slug>/panel/<int:participant_id>", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def panelist_edit(participant_id: int | None):
    study = current_study()
    p = _participant_of(study, participant_id) if participant_id else None
    if p is not None and p.erased_at is not None:
        flash(study_error_text(services.StudyError("participant_erased")), "error")
        return redirect(url_for("studies.panel_list"))
    form = PanelistForm(obj=p)
    form.group.choices = choices((g.id, g.name) for g in study.groups)
    if request.method == "GET" and p is not None:
        form.group.data = p.group_id
    if not study.groups:
        flash(_("Lägg först till minst en intressentgrupp."), "error")
        return redirect(url_for("studies.groups"))
    if form.validate_on_submit():
        fields = {
            "name": (form.name.data or "").strip() or None,
            "email": form.email.data,
            "group_id": form.group.data,
            "organisation": (form.organisation.data or "").strip(),
            "level": form.level.data,
        }
        try:
            if p is None:
                services.add_participant(study, kind="panelist", joined_via="manual", **fields)
            else:
                services.update_participant(p, fields, actor=current_user)
        except services.StudyError as error:
            form.email.errors.append(study_error_text(error))
        else:
            db.session.commit()
            flash(_("Paneldeltagaren är sparad."), "success")
            return redirect(url_for("studies.panel_list"))
    return render_template(
        "studies/panelist_form.html", study=study, form=form, member=p, erase=EraseForm()
    )


@bp.route("/studier/<slug>/panel/<int:participant_id>/radera", methods=["POST"])
@staff(*STUDY_LEADERS)
def panelist_erase(participant_id: int):
    study = current_study()
    p = _participant_of(study, participant_id)
    form = EraseForm()
    if not form.validate_on_submit():
        flash(_("Kryssa i rutan för att bekräfta raderingen."), "error")
        return redirect(url_for("studies.panelist_edit", participant_id=p.id))
    services.erase_participant(p, actor=current_user)
    db.session.commit()
    flash(
        _(
            "Namn och e-post för %(pseudonym)s är raderade. Svaren finns kvar anonymt.",
            pseudonym=p.pseudonym,
        ),
        "success",
    )
    return redirect(url_for("studies.panel_list"))


@bp.route("/studier/<slug>/panel/<int:participant_id>/ny-lank", methods=["POST"])
@staff(*STUDY_LEADERS)
def panelist_new_link(participant_id: int):
    study = current_study()
    p = _participant_of(study, participant_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        token = services.new_personal_link(p, actor=current_user)
    except services.StudyError as error:
        flash(study_error_text(error), "error")
        return redirect(url_for("studies.panel_list"))
    db.session.commit()
    link = mailing.personal_url(token)
    return render_template("studies/new_link.html", study=study, member=p, link=link)


@bp.route("/studier/<slug>/panel/<int:participant_id>/sparra-lankar", methods=["POST"])
@staff(*STUDY_LEADERS)
def panelist_revoke_links(participant_id: int):
    """Every link the panelist was sent stops working and their open sessions end."""
    study = current_study()
    p = _participant_of(study, participant_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.revoke_links(p, actor=current_user)
    db.session.commit()
    flash(
        _(
            "Alla länkar till %(pseudonym)s är spärrade. Skicka en ny inbjudan eller skapa en "
            "ny länk när deltagaren ska kunna svara igen.",
            pseudonym=p.pseudonym,
        ),
        "success",
    )
    return redirect(url_for("studies.panel_list"))


@bp.route("/studier/<slug>/provutskick", methods=["POST"])
@staff(*STUDY_LEADERS)
def study_test_email():
    """Send a sample invitation to the signed-in staff member: how the panel will see it."""
    study = current_study()
    if not ButtonForm().validate_on_submit():
        abort(400)
    delivery = mailing.send_sample(study, current_user)
    if delivery.sent:
        flash(
            _("Ett provmeddelande skickades till %(email)s.", email=current_user.email),
            "success",
        )
    else:
        flash(_("Provmeddelandet kunde inte skickas.") + " " + delivery.explain(_), "error")
    return redirect(url_for("studies.study_detail"))


def flash_outcome(outcome: dict) -> None:
    if outcome["sent"]:
        flash(_("%(n)s inbjudningar skickades.", n=outcome["sent"]), "success")
    if outcome["failed"]:
        flash(
            _(
                "%(n)s inbjudningar kunde inte levereras; se orsaken i panellistan.",
                n=outcome["failed"],
            ),
            "error",
        )
    if outcome["connection"]:
        flash(
            _(
                "Ingen kontakt med e-postservern: %(n)s inbjudningar skickades inte och står kvar "
                "som ej skickade.",
                n=outcome["connection"],
            )
            + " "
            + outcome.get("problem", ""),
            "error",
        )
    if not any(outcome[key] for key in ("sent", "failed", "connection")):
        flash(_("Det fanns ingen att skicka till."), "info")


@bp.route("/studier/<slug>/panel/<int:participant_id>/bjud-in", methods=["POST"])
@staff(*STUDY_LEADERS)
def panelist_invite(participant_id: int):
    study = current_study()
    p = _participant_of(study, participant_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if p.erased_at or not p.email:
        flash(_("Deltagaren har ingen e-postadress."), "error")
        return redirect(url_for("studies.panel_list"))
    flash_outcome(mailing.send_invitations(study, [p], actor=current_user))
    db.session.commit()
    return redirect(url_for("studies.panel_list"))


@bp.route("/studier/<slug>/panel/bjud-in/<any(unsent, unvisited):which>", methods=["POST"])
@staff(*STUDY_LEADERS)
def panel_invite_all(which: str):
    study = current_study()
    if not ButtonForm().validate_on_submit():
        abort(400)
    if lifecycle.Phase(study.phase) == lifecycle.Phase.ARCHIVED:
        flash(_("Studien är arkiverad."), "error")
        return redirect(url_for("studies.panel_list"))
    flash_outcome(
        mailing.send_invitations(
            study, services.invitation_targets(study, which), actor=current_user
        )
    )
    db.session.commit()
    return redirect(url_for("studies.panel_list"))
