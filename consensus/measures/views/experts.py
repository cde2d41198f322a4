"""The invited experts: added one by one or from a file, invited and reminded."""

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS
from ...extensions import db
from ...studies import mailing
from ...studies import services as study_services
from ...studies.forms import ButtonForm, ConfirmForm, UploadForm
from ...studies.views import current_study, flash_outcome
from .. import lifecycle, services
from ..forms import ExpertForm
from .common import (
    _home,
    _local_day,
    _require_button,
    _survey_or_redirect,
    bp,
    measures_error_text,
)

# --- experts ----------------------------------------------------------------------------------


@bp.route("/studier/<slug>/matt/experter", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def experts():
    study = current_study()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    form = ExpertForm()
    if form.validate_on_submit():
        try:
            respondent = services.add_expert(
                survey,
                email=form.email.data,
                name=(form.name.data or "").strip(),
                organisation=(form.organisation.data or "").strip(),
                organisation_type=(form.organisation_type.data or "").strip(),
                level=form.level.data,
                role=(form.role.data or "").strip(),
                actor=current_user,
            )
        except services.MeasuresError as error:
            db.session.rollback()
            form.email.errors.append(measures_error_text(error))
        else:
            db.session.commit()
            flash(
                _("Experten är tillagd som %(pseudonym)s.", pseudonym=respondent.pseudonym),
                "success",
            )
            return redirect(url_for("measures.experts"))
    return render_template(
        "measures/experts.html",
        study=study,
        survey=survey,
        experts=services.experts(survey),
        form=form,
        button=ButtonForm(),
    )


def expert_problem_text(problem) -> str:
    """The message of a problem in an expert list: the row checks' codes in words here,
    the file's own problems as :mod:`consensus.tabular` words them."""
    value = problem.params.get("value", "")
    if problem.code == "invalid_email":
        return _("”%(value)s” är ingen giltig e-postadress.", value=value)
    if problem.code == "email_taken":
        return _("%(email)s finns redan i studien eller i filen.", email=value)
    if problem.code == "level_unknown":
        return _("”%(value)s” är ingen nivå. Ange lokal eller nationell.", value=value)
    return problem.message


def _experts_preview(parsed) -> dict:
    return {
        "rows": parsed.rows,
        "problems": [
            {"row": p.row, "column": p.column, "message": expert_problem_text(p)}
            for p in parsed.problems
        ],
        "notes": parsed.notes,
        "ok": parsed.ok,
    }


@bp.route("/studier/<slug>/matt/experter/importera", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def experts_import():
    study = current_study()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        staged = study_services.stage_upload(
            study, "experts", upload.filename or "fil", upload.read(), current_user
        )
        db.session.commit()
        return redirect(url_for("measures.experts_preview", upload_id=staged.id))
    return render_template("measures/experts_import.html", study=study, survey=survey, form=form)


@bp.route("/studier/<slug>/matt/experter/importera/<int:upload_id>", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def experts_preview(upload_id: int):
    study = current_study()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    upload = study_services.get_upload(study, "experts", upload_id)
    if upload is None:
        flash(_("Förhandsgranskningen finns inte längre. Ladda upp filen igen."), "error")
        return redirect(url_for("measures.experts_import"))
    parsed = _experts_preview(services.parse_experts_file(survey, upload.content, upload.filename))
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if not parsed["ok"]:
            flash(
                _("Filen har fel och importerades inte. Rätta filen och ladda upp den igen."),
                "error",
            )
        else:
            try:
                count = services.import_experts(survey, parsed["rows"], actor=current_user)
            except services.MeasuresError as error:
                db.session.rollback()
                flash(measures_error_text(error), "error")
                return redirect(url_for("measures.experts"))
            study_services.discard_upload(upload)
            db.session.commit()
            flash(_("Importen är klar: %(n)s experter lades till.", n=count), "success")
            return redirect(url_for("measures.experts"))
    return render_template(
        "measures/experts_preview.html",
        study=study,
        survey=survey,
        upload=upload,
        parsed=parsed,
        form=form,
    )


@bp.route("/studier/<slug>/matt/experter/<any('bjud-in', paminn):which>", methods=["POST"])
@staff(*STUDY_LEADERS)
def experts_send(which: str):
    study = current_study()
    _require_button()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    if survey.status != lifecycle.Status.OPEN:
        flash(_("Öppna enkäten innan inbjudningar och påminnelser skickas."), "error")
        return redirect(url_for("measures.experts"))
    invite = which == "bjud-in"
    targets = services.expert_targets(survey, "unsent" if invite else "not_submitted")
    outcome = mailing.send_links(
        study,
        targets,
        template="email/measures_invitation.txt" if invite else "email/measures_reminder.txt",
        subject=(
            _("Inbjudan: föreslå mått för %(title)s", title=study.title)
            if invite
            else _("Påminnelse: föreslå mått för %(title)s", title=study.title)
        ),
        action="measure_invitations_sent" if invite else "measure_reminders_sent",
        actor=current_user,
        survey=survey,
        closes_on=_local_day(survey.closes_at),
    )
    flash_outcome(outcome)
    db.session.commit()
    return redirect(url_for("measures.experts"))
