"""Study setup for staff (settings, groups, candidate pool, panel, invitations, workshop code),
and the participant's own start page with the information text."""

from datetime import UTC, datetime, time

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from .. import tabular
from ..auth.access import current_participant, participant, public, remember_participant, staff
from ..auth.roles import STUDY_LEADERS, STUDY_STAFF
from ..dbtypes import STOCKHOLM
from ..extensions import db, limiter
from . import importing, lifecycle, mailing, services
from .forms import (
    ButtonForm,
    ConfirmForm,
    ConsentForm,
    EraseForm,
    GroupForm,
    IndicatorForm,
    JoinForm,
    PanelistForm,
    StudyCreateForm,
    StudySettingsForm,
    UploadForm,
    choices,
)
from .models import Indicator, Participant, StakeholderGroup

bp = Blueprint("studies", __name__)


def phase_label(phase: str) -> str:
    return {
        "setup": _("förberedelse"),
        "running": _("pågår"),
        "archived": _("arkiverad"),
    }.get(phase, phase)


def perspective_label(code: str) -> str:
    return {
        "deltagare": _("Deltagare"),
        "medarbetare": _("Personal/medarbetare"),
        "organisation": _("Organisation"),
        "samhälle": _("Samhälle"),
    }.get(code, code)


def type_label(code: str) -> str:
    return {"process": _("process"), "effect": _("effekt")}.get(code, code)


def invitation_label(p: Participant) -> str:
    if p.erased_at:
        return _("raderad")
    if p.first_visit_at:
        return _("har besökt")
    return {
        "sent": _("skickad"),
        "failed": _("misslyckades"),
        "unsent": _("ej skickad"),
    }.get(p.invitation_status, p.invitation_status)


def rule_label(name: str) -> str:
    from flask_babel import get_locale

    from ..rounds.rules import REGISTRY

    rule = REGISTRY.get(name)
    if rule is None:
        return name
    return rule.label_en if str(get_locale()) == "en" else rule.label_sv


@bp.app_context_processor
def study_labels():
    return {
        "rule_label": rule_label,
        "phase_label": phase_label,
        "perspective_label": perspective_label,
        "type_label": type_label,
        "invitation_label": invitation_label,
    }


def study_error_text(error: services.StudyError) -> str:
    p = error.params
    texts = {
        "slug_taken": _("Det finns redan en studie med kortnamnet %(slug)s.", slug=p.get("slug")),
        "reason_required": _(
            "Studien har startat. Skriv en motivering: ändringen registreras som en protokollavvikelse."
        ),
        "study_started": _(
            "Studien har startat: kandidatpoolen kan inte längre ändras här. Ändringar mellan "
            "omgångar görs som omformulering, sammanslagning eller delning."
        ),
        "group_exists": _("Det finns redan en grupp med koden %(code)s.", code=p.get("code")),
        "group_in_use": _(
            "Gruppen %(name)s har %(count)s deltagare och kan inte tas bort.",
            name=p.get("name"),
            count=p.get("count"),
        ),
        "code_taken": _("Koden %(code)s används redan i studien.", code=p.get("code")),
        "email_on_panel": _("%(email)s finns redan i panelen.", email=p.get("email")),
        "participant_erased": _("Deltagarens personuppgifter är raderade."),
        "import_invalid": _("Filen har fel och importerades inte."),
    }
    return texts.get(error.code, error.code)


def study_or_404(slug: str):
    """The study with this slug, or a 404 page (every study page starts here)."""
    study = services.get_study_by_slug(slug)
    if study is None:
        abort(404)
    return study


def _settings_from_form(form: StudySettingsForm) -> dict:
    expires = None
    if form.links_expire_on.data:
        # Through the whole chosen day, Swedish time.
        local_end = datetime.combine(form.links_expire_on.data, time(23, 59, 59), STOCKHOLM)
        expires = local_end.astimezone(UTC)
    return {
        "title": form.title.data.strip(),
        "description": form.description.data or "",
        "info_text": form.info_text.data or "",
        "scale": form.scale.data,
        "primary_rule": form.primary_rule.data,
        "min_group_size": form.min_group_size.data,
        "target_core_size": form.target_core_size.data,
        "invitation_policy": form.invitation_policy.data,
        "ask_reason_on_band_cross": bool(form.ask_reason_on_band_cross.data),
        "links_expire_at": expires,
    }


# --- studies -------------------------------------------------------------------------------


@bp.route("/studier")
@staff(*STUDY_STAFF)
def study_list():
    studies = services.list_studies(include_archived=True)
    return render_template("studies/list.html", studies=studies, button=ButtonForm())


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
def study_detail(slug: str):
    study = study_or_404(slug)
    counts = {
        "indicators": len(study.indicators),
        "panel": len([p for p in study.participants if p.kind == "panelist"]),
        "visited": len([p for p in study.participants if p.first_visit_at]),
    }
    return render_template(
        "studies/detail.html",
        study=study,
        counts=counts,
        deviations=services.deviations(study),
        button=ButtonForm(),
    )


@bp.route("/studier/<slug>/installningar", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def study_settings(slug: str):
    study = study_or_404(slug)
    form = StudySettingsForm(obj=study)
    if request.method == "GET" and study.links_expire_at:
        form.links_expire_on.data = study.links_expire_at.astimezone(STOCKHOLM).date()
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


@bp.route("/studier/<slug>/<any(arkivera, aterstall):action>", methods=["POST"])
@staff(*STUDY_LEADERS)
def study_phase(slug: str, action: str):
    study = study_or_404(slug)
    if not ButtonForm().validate_on_submit():
        abort(400)
    move = "archive" if action == "arkivera" else services.restore_action(study)
    try:
        services.change_phase(study, move, actor=current_user)
    except lifecycle.IllegalTransition:
        flash(_("Det går inte i studiens nuvarande fas."), "error")
        return redirect(url_for("studies.study_detail", slug=slug))
    db.session.commit()
    if move == "archive":
        flash(_("Studien är arkiverad. De personliga länkarna fungerar inte längre."), "success")
    else:
        flash(_("Studien är återställd."), "success")
    return redirect(url_for("studies.study_detail", slug=slug))


# --- stakeholder groups ----------------------------------------------------------------------


@bp.route("/studier/<slug>/grupper", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def groups(slug: str):
    study = study_or_404(slug)
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = services.add_group(study, form.code.data or "", form.name.data.strip())
        except services.StudyError as error:
            form.code.errors.append(study_error_text(error))
        else:
            db.session.commit()
            flash(_("Gruppen %(name)s är tillagd.", name=group.name), "success")
            return redirect(url_for("studies.groups", slug=slug))
    return render_template("studies/groups.html", study=study, form=form, button=ButtonForm())


@bp.route("/studier/<slug>/grupper/<int:group_id>/ta-bort", methods=["POST"])
@staff(*STUDY_LEADERS)
def group_delete(slug: str, group_id: int):
    study = study_or_404(slug)
    group = db.get_or_404(StakeholderGroup, group_id)
    if group.study_id != study.id or not ButtonForm().validate_on_submit():
        abort(404)
    try:
        services.delete_group(group)
    except services.StudyError as error:
        flash(study_error_text(error), "error")
    else:
        db.session.commit()
        flash(_("Gruppen är borttagen."), "success")
    return redirect(url_for("studies.groups", slug=slug))


# --- candidate indicators --------------------------------------------------------------------


@bp.route("/studier/<slug>/indikatorer")
@staff(*STUDY_STAFF)
def indicators(slug: str):
    study = study_or_404(slug)
    return render_template(
        "studies/indicators.html",
        study=study,
        locked=lifecycle.settings_locked(study.phase),
        button=ButtonForm(),
    )


def _indicator_of(study, indicator_id: int) -> Indicator:
    indicator = db.get_or_404(Indicator, indicator_id)
    if indicator.study_id != study.id:
        abort(404)
    return indicator


@bp.route(
    "/studier/<slug>/indikatorer/ny", methods=["GET", "POST"], defaults={"indicator_id": None}
)
@bp.route("/studier/<slug>/indikatorer/<int:indicator_id>", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def indicator_edit(slug: str, indicator_id: int | None):
    study = study_or_404(slug)
    indicator = _indicator_of(study, indicator_id) if indicator_id else None
    form = IndicatorForm(obj=indicator)
    if form.validate_on_submit():
        fields = {
            "code": form.code.data.strip(),
            "title": form.title.data.strip(),
            "description": (form.description.data or "").strip(),
            "perspective": form.perspective.data,
            "type": form.type.data,
            "source": (form.source.data or "").strip(),
        }
        try:
            services.save_indicator(study, indicator, fields, actor=current_user)
        except services.StudyError as error:
            (form.code.errors if error.code == "code_taken" else form.title.errors).append(
                study_error_text(error)
            )
        else:
            db.session.commit()
            flash(_("Indikatorn %(code)s är sparad.", code=fields["code"]), "success")
            return redirect(url_for("studies.indicators", slug=slug))
    return render_template(
        "studies/indicator_form.html", study=study, form=form, indicator=indicator
    )


@bp.route("/studier/<slug>/indikatorer/<int:indicator_id>/ta-bort", methods=["POST"])
@staff(*STUDY_LEADERS)
def indicator_delete(slug: str, indicator_id: int):
    study = study_or_404(slug)
    indicator = _indicator_of(study, indicator_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        services.delete_indicator(study, indicator, actor=current_user)
    except services.StudyError as error:
        flash(study_error_text(error), "error")
    else:
        db.session.commit()
        flash(_("Indikatorn är borttagen."), "success")
    return redirect(url_for("studies.indicators", slug=slug))


@bp.route("/studier/<slug>/indikatorer/export.<any(csv, xlsx):fmt>")
@staff(*STUDY_STAFF)
def indicators_export(slug: str, fmt: str):
    study = study_or_404(slug)
    headers, rows = importing.indicator_export_rows(study.indicators)
    if fmt == "csv":
        content = tabular.write_csv(headers, rows)
        mimetype = "text/csv; charset=utf-8"
    else:
        content = tabular.write_xlsx({"Indikatorer": (headers, rows)})
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{study.slug}-indikatorer.{fmt}"'},
    )


# --- imports (preview, then confirm; all or nothing) ------------------------------------------

IMPORT_KINDS = {"indikatorer": "indicators", "panel": "panel"}


def _parse(study, kind: str, content: bytes, filename: str):
    if kind == "indicators":
        return importing.parse_indicators(content, filename, services.indicator_codes(study))
    groups = {g.code: g.name for g in study.groups}
    emails = [p.email for p in study.participants if p.email]
    return importing.parse_panelists(content, filename, groups, emails)


def _apply(study, kind: str, parsed, filename: str):
    if kind == "indicators":
        return services.apply_indicator_import(study, parsed, current_user, filename)
    groups_by_code = {g.code: g for g in study.groups}
    return services.apply_panel_import(study, parsed, groups_by_code, current_user, filename)


def _back_to(kind: str, slug: str):
    endpoint = "studies.indicators" if kind == "indicators" else "studies.panel_list"
    return url_for(endpoint, slug=slug)


@bp.route("/studier/<slug>/<any(indikatorer, panel):what>/importera", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def import_upload(slug: str, what: str):
    study = study_or_404(slug)
    kind = IMPORT_KINDS[what]
    if kind == "indicators" and lifecycle.settings_locked(study.phase):
        flash(study_error_text(services.StudyError("study_started")), "error")
        return redirect(_back_to(kind, slug))
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        upload = services.stage_upload(study, kind, upload.filename or "fil", content, current_user)
        db.session.commit()
        return redirect(
            url_for("studies.import_preview", slug=slug, what=what, upload_id=upload.id)
        )
    return render_template(
        "studies/import_upload.html", study=study, form=form, kind=kind, what=what
    )


@bp.route(
    "/studier/<slug>/<any(indikatorer, panel):what>/importera/<int:upload_id>",
    methods=["GET", "POST"],
)
@staff(*STUDY_LEADERS)
def import_preview(slug: str, what: str, upload_id: int):
    study = study_or_404(slug)
    kind = IMPORT_KINDS[what]
    upload = services.get_upload(study, kind, upload_id)
    if upload is None:
        flash(_("Förhandsgranskningen finns inte längre. Ladda upp filen igen."), "error")
        return redirect(url_for("studies.import_upload", slug=slug, what=what))
    parsed = _parse(study, kind, upload.content, upload.filename)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if not parsed.ok:
            flash(
                _("Filen har fel och importerades inte. Rätta filen och ladda upp den igen."),
                "error",
            )
        else:
            try:
                created, updated = _apply(study, kind, parsed, upload.filename)
            except services.StudyError as error:
                db.session.rollback()
                flash(study_error_text(error), "error")
                return redirect(_back_to(kind, slug))
            services.discard_upload(upload)
            db.session.commit()
            flash(
                _(
                    "Importen är klar: %(created)s nya och %(updated)s uppdaterade.",
                    created=created,
                    updated=updated,
                ),
                "success",
            )
            return redirect(_back_to(kind, slug))
    return render_template(
        "studies/import_preview.html",
        study=study,
        kind=kind,
        what=what,
        upload=upload,
        parsed=parsed,
        form=form,
    )


# --- the panel -------------------------------------------------------------------------------


@bp.route("/studier/<slug>/panel")
@staff(*STUDY_STAFF)
def panel_list(slug: str):
    study = study_or_404(slug)
    members = services.panel(study)
    summary = {
        "total": len(members),
        "sent": sum(1 for p in members if p.invitation_status == "sent"),
        "failed": sum(1 for p in members if p.invitation_status == "failed"),
        "unsent": sum(1 for p in members if p.invitation_status == "unsent" and p.email),
        "visited": sum(1 for p in members if p.first_visit_at),
        "consented": sum(1 for p in members if p.consent_at),
    }
    return render_template(
        "studies/panel.html", study=study, members=members, summary=summary, button=ButtonForm()
    )


def _participant_of(study, participant_id: int) -> Participant:
    p = db.get_or_404(Participant, participant_id)
    if p.study_id != study.id:
        abort(404)
    return p


@bp.route("/studier/<slug>/panel/ny", methods=["GET", "POST"], defaults={"participant_id": None})
@bp.route("/studier/<slug>/panel/<int:participant_id>", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def panelist_edit(slug: str, participant_id: int | None):
    study = study_or_404(slug)
    p = _participant_of(study, participant_id) if participant_id else None
    if p is not None and p.erased_at is not None:
        flash(study_error_text(services.StudyError("participant_erased")), "error")
        return redirect(url_for("studies.panel_list", slug=slug))
    form = PanelistForm(obj=p)
    form.group.choices = choices((g.id, g.name) for g in study.groups)
    if request.method == "GET" and p is not None:
        form.group.data = p.group_id
    if not study.groups:
        flash(_("Lägg först till minst en intressentgrupp."), "error")
        return redirect(url_for("studies.groups", slug=slug))
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
            return redirect(url_for("studies.panel_list", slug=slug))
    return render_template(
        "studies/panelist_form.html", study=study, form=form, member=p, erase=EraseForm()
    )


@bp.route("/studier/<slug>/panel/<int:participant_id>/radera", methods=["POST"])
@staff(*STUDY_LEADERS)
def panelist_erase(slug: str, participant_id: int):
    study = study_or_404(slug)
    p = _participant_of(study, participant_id)
    form = EraseForm()
    if not form.validate_on_submit():
        flash(_("Kryssa i rutan för att bekräfta raderingen."), "error")
        return redirect(url_for("studies.panelist_edit", slug=slug, participant_id=p.id))
    services.erase_participant(p, actor=current_user)
    db.session.commit()
    flash(
        _(
            "Namn och e-post för %(pseudonym)s är raderade. Svaren finns kvar anonymt.",
            pseudonym=p.pseudonym,
        ),
        "success",
    )
    return redirect(url_for("studies.panel_list", slug=slug))


@bp.route("/studier/<slug>/panel/<int:participant_id>/ny-lank", methods=["POST"])
@staff(*STUDY_LEADERS)
def panelist_new_link(slug: str, participant_id: int):
    study = study_or_404(slug)
    p = _participant_of(study, participant_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        token = services.new_personal_link(p, actor=current_user)
    except services.StudyError as error:
        flash(study_error_text(error), "error")
        return redirect(url_for("studies.panel_list", slug=slug))
    db.session.commit()
    link = mailing.personal_url(token)
    return render_template("studies/new_link.html", study=study, member=p, link=link)


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
                "som ej skickade. Försök igen senare.",
                n=outcome["connection"],
            ),
            "error",
        )
    if not any(outcome.values()):
        flash(_("Det fanns ingen att skicka till."), "info")


@bp.route("/studier/<slug>/panel/<int:participant_id>/bjud-in", methods=["POST"])
@staff(*STUDY_LEADERS)
def panelist_invite(slug: str, participant_id: int):
    study = study_or_404(slug)
    p = _participant_of(study, participant_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if p.erased_at or not p.email:
        flash(_("Deltagaren har ingen e-postadress."), "error")
        return redirect(url_for("studies.panel_list", slug=slug))
    flash_outcome(mailing.send_invitations(study, [p], actor=current_user))
    db.session.commit()
    return redirect(url_for("studies.panel_list", slug=slug))


@bp.route("/studier/<slug>/panel/bjud-in/<any(unsent, unvisited):which>", methods=["POST"])
@staff(*STUDY_LEADERS)
def panel_invite_all(slug: str, which: str):
    study = study_or_404(slug)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if lifecycle.Phase(study.phase) == lifecycle.Phase.ARCHIVED:
        flash(_("Studien är arkiverad."), "error")
        return redirect(url_for("studies.panel_list", slug=slug))
    flash_outcome(
        mailing.send_invitations(
            study, services.invitation_targets(study, which), actor=current_user
        )
    )
    db.session.commit()
    return redirect(url_for("studies.panel_list", slug=slug))


# --- joining in the room ---------------------------------------------------------------------


def _join_url(code: str) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for("studies.join", code=code)
    return url_for("studies.join", code=code, _external=True)


def qr_svg(text: str, scale: int = 8) -> str:
    """A QR code as inline SVG markup (server-side, no script), labelled for screen readers."""
    qr = segno.make(text, error="m")
    return qr.svg_inline(scale=scale, dark="#000000", light="#ffffff", border=2, title=text)


@bp.route("/studier/<slug>/workshop", methods=["GET", "POST"])
@staff(*STUDY_STAFF)
def workshop(slug: str):
    study = study_or_404(slug)
    form = ButtonForm()
    if request.method == "POST":
        if not current_user.has_role(*STUDY_LEADERS) or not form.validate_on_submit():
            abort(403)
        if request.form.get("action") == "disable":
            services.disable_join_code(study, actor=current_user)
            flash(_("Koden är avstängd."), "success")
        else:
            services.ensure_join_code(study, actor=current_user)
            flash(_("Koden är skapad."), "success")
        db.session.commit()
        return redirect(url_for("studies.workshop", slug=slug))
    url = _join_url(study.join_code) if study.join_code else None
    return render_template(
        "studies/workshop.html",
        study=study,
        join_url=url,
        qr=qr_svg(url) if url else None,
        button=form,
    )


@bp.route("/k/<code>/qr.svg")
@public
def join_qr(code: str):
    study = services.study_by_join_code(code)
    if study is None:
        abort(404)
    return Response(qr_svg(_join_url(study.join_code)), mimetype="image/svg+xml")


@bp.route("/k", methods=["GET", "POST"])
@public
def join_code_entry():
    """Typing the code from the projector: /k?kod=ABC234."""
    code = (request.values.get("kod") or "").strip().upper()
    if code:
        if services.study_by_join_code(code) is not None:
            return redirect(url_for("studies.join", code=code))
        flash(_("Koden %(code)s finns inte eller är inte längre öppen.", code=code), "error")
    return render_template("studies/join_code.html", code=code)


@bp.route("/k/<code>", methods=["GET", "POST"])
@public
@limiter.limit("30 per minute", methods=["POST"])
def join(code: str):
    study = services.study_by_join_code(code)
    if study is None:
        return render_template("studies/join_code.html", code=code, unknown=True), 404
    existing = current_participant_in_session(study)
    if existing is not None:
        return redirect(url_for("studies.participant_home"))
    form = JoinForm()
    form.group.choices = choices((g.id, g.name) for g in study.groups)
    if form.validate_on_submit():
        group = db.session.get(StakeholderGroup, form.group.data)
        if group is None or group.study_id != study.id:
            abort(400)
        p, token = services.join_workshop(study, group)
        db.session.commit()
        remember_participant(p)
        session["new_link"] = mailing.personal_url(token)
        flash(_("Välkommen! Du deltar som %(pseudonym)s.", pseudonym=p.pseudonym), "success")
        return redirect(url_for("studies.participant_home"))
    return render_template("studies/join.html", study=study, form=form)


def current_participant_in_session(study):
    from ..auth.access import load_session_participant

    p = load_session_participant()
    return p if p is not None and p.study_id == study.id else None


# --- the participant -------------------------------------------------------------------------


@bp.route("/deltagare", methods=["GET", "POST"])
@participant
def participant_home():
    p = current_participant()
    if p.kind == "expert":  # an invited expert answers the measures survey
        return redirect(url_for("survey.home", slug=p.study.slug))
    form = ConsentForm()
    if p.consent_at is None and form.validate_on_submit():
        services.give_consent(p)
        db.session.commit()
        flash(_("Tack! Ditt samtycke är registrerat."), "success")
        return redirect(url_for("studies.participant_home"))
    new_link = session.pop("new_link", None)
    from ..rounds import services as round_services

    round_services.run_schedule(study=p.study)
    db.session.commit()
    visible = [r for r in round_services.rounds(p.study) if r.status != "draft"]
    return render_template(
        "studies/participant_home.html",
        participant=p,
        study=p.study,
        form=form,
        new_link=new_link,
        rounds=visible,
    )
