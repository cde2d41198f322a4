"""The studies: list, create, the overview (the cockpit), the a-priori settings, archive (after
a confirmation) and restore."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import mail
from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS, STUDY_STAFF
from ...dates import day_end, local_day
from ...extensions import db
from .. import lifecycle, services
from ..forms import ArchiveForm, ButtonForm, StudyCreateForm, StudySettingsForm
from . import bp, current_study, members, study_error_text
from .overview import cockpit, stage_label


def _settings_from_form(form: StudySettingsForm) -> dict:
    settings = {
        "title": form.title.data.strip(),
        "description": form.description.data or "",
        "info_text": form.info_text.data or "",
        "scale": form.scale.data,
        "primary_rule": form.primary_rule.data,
        "min_group_size": form.min_group_size.data,
        "target_core_size": form.target_core_size.data,
        "invitation_policy": form.invitation_policy.data,
        "ask_reason_on_band_cross": bool(form.ask_reason_on_band_cross.data),
        "links_expire_at": day_end(form.links_expire_on.data),  # the whole day
        "reply_to": (form.reply_to.data or "").strip().lower() or None,
    }
    if form.min_ratings.data is not None:  # left empty: the default (5) or as it was
        settings["min_ratings"] = form.min_ratings.data
    return settings


@bp.route("/studier")
@staff(*STUDY_STAFF)
def study_list():
    studies = services.list_studies(include_archived=True, visible_to=current_user)
    return render_template(
        "studies/list.html",
        studies=studies,
        panel_counts=services.panel_counts(studies),
        button=ButtonForm(),
    )


@bp.route("/studier/ny", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def study_create():
    form = StudyCreateForm()
    if request.method == "GET":
        form.min_group_size.data = current_app.config["MIN_GROUP_SIZE_DEFAULT"]
        form.target_core_size.data = 15
        form.primary_rule.data = "comet_70_15"
    if form.validate_on_submit():
        settings = _settings_from_form(form)
        title = settings.pop("title")
        try:
            study = services.create_study(
                form.slug.data, title, created_by=current_user, **settings
            )
        except services.StudyError as error:
            form.slug.errors.append(study_error_text(error))
        else:
            db.session.commit()
            flash(
                _("Studien är skapad. Lägg nu till intressentgrupper och kandidatindikatorer."),
                "success",
            )
            return redirect(url_for("studies.study_detail", slug=study.slug))
    return render_template("studies/create.html", form=form)


@bp.route("/studier/<slug>")
@staff(*STUDY_STAFF)
def study_detail():
    study = current_study()
    counts = {"indicators": len(study.indicators), **services.panel_counts([study])[study.id]}
    return render_template(
        "studies/detail.html",
        study=study,
        counts=counts,
        cockpit=cockpit(study),
        stage_label=stage_label,
        deviations=services.deviations(study),
        mail_sender=mail.sender(),
        button=ButtonForm(),
        **members.members_context(study),
    )


@bp.route("/studier/<slug>/installningar", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def study_settings():
    study = current_study()
    form = StudySettingsForm(obj=study)
    if request.method == "GET" and study.links_expire_at:
        form.links_expire_on.data = local_day(study.links_expire_at)
    locked = lifecycle.settings_locked(study.phase)
    if form.validate_on_submit():
        try:
            services.update_settings(
                study, _settings_from_form(form), actor=current_user, reason=form.reason.data or ""
            )
        except services.StudyError as error:
            form.reason.errors.append(study_error_text(error))
        else:
            db.session.commit()
            flash(_("Inställningarna är sparade."), "success")
            return redirect(url_for("studies.study_detail", slug=study.slug))
    return render_template("studies/settings.html", study=study, form=form, locked=locked)


@bp.route("/studier/<slug>/arkivera", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def study_archive():
    """Archiving asks first: a confirmation page whose box the server checks."""
    study = current_study()
    form = ArchiveForm()
    if form.validate_on_submit():
        try:
            services.change_phase(study, "archive", actor=current_user)
        except lifecycle.IllegalTransition:
            flash(_("Det går inte i studiens nuvarande fas."), "error")
            return redirect(url_for("studies.study_detail"))
        db.session.commit()
        flash(_("Studien är arkiverad. De personliga länkarna fungerar inte längre."), "success")
        return redirect(url_for("studies.study_detail"))
    return render_template("studies/archive.html", study=study, form=form)


@bp.route("/studier/<slug>/aterstall", methods=["POST"])
@staff(*STUDY_LEADERS)
def study_phase():
    """Restore an archived study (the one write an archived study takes)."""
    study = current_study()
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        services.change_phase(study, services.restore_action(study), actor=current_user)
    except lifecycle.IllegalTransition:
        flash(_("Det går inte i studiens nuvarande fas."), "error")
        return redirect(url_for("studies.study_detail"))
    db.session.commit()
    flash(_("Studien är återställd."), "success")
    return redirect(url_for("studies.study_detail"))
