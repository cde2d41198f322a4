"""The invited experts: added one by one or from a file, invited and reminded."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS
from ...dates import local_day
from ...extensions import db
from ...i18n import render_message
from ...studies import mailing
from ...studies.forms import ButtonForm
from ...studies.views import current_study, flash_outcome
from ...studies.views.uploads import FileImport
from .. import lifecycle, services
from ..forms import ExpertForm
from ..messages import CATALOGUE, EXPERT_ROW_CODES
from .common import (
    _home,
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
    """The message of a problem in an expert list: the row checks' codes from the measures'
    catalogue, the file's own problems as :mod:`consensus.tabular` words them."""
    if problem.code in EXPERT_ROW_CODES:
        return CATALOGUE.render(EXPERT_ROW_CODES[problem.code], problem.params, _)
    return render_message(problem)


def _experts_import(study, survey) -> FileImport:
    def write(parsed, filename: str) -> str:
        count = services.import_experts(survey, parsed.rows, actor=current_user)
        return _("Importen är klar: %(n)s experter lades till.", n=count)

    experts_url = url_for("measures.experts", slug=study.slug)
    return FileImport(
        study=study,
        kind="experts",
        upload_url=url_for("measures.experts_import", slug=study.slug),
        preview_url=lambda upload_id: url_for(
            "measures.experts_preview", slug=study.slug, upload_id=upload_id
        ),
        done_url=experts_url,
        parse=lambda content, filename: services.parse_experts_file(survey, content, filename),
        write=write,
        refused=services.MeasuresError,
        refused_text=measures_error_text,
        refused_url=experts_url,
        problem_text=expert_problem_text,
    )


@bp.route("/studier/<slug>/matt/experter/importera", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def experts_import():
    study = current_study()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    flow = _experts_import(study, survey)
    return flow.upload_page(
        "measures/experts_import.html", "measures/experts_preview.html", survey=survey
    )


@bp.route("/studier/<slug>/matt/experter/importera/<int:upload_id>", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def experts_preview(upload_id: int):
    study = current_study()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    flow = _experts_import(study, survey)
    return flow.preview_page(upload_id, "measures/experts_preview.html", survey=survey)


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
            (lambda: mailing.default_subject("measures_invitation", study.title))
            if invite
            else (lambda: _("Påminnelse: föreslå mått för %(title)s", title=study.title))
        ),
        purpose="invitation" if invite else "reminder",
        action="measure_invitations_sent" if invite else "measure_reminders_sent",
        actor=current_user,
        survey=survey,
        closes_on=local_day(survey.closes_at),
    )
    flash_outcome(outcome)
    db.session.commit()
    return redirect(url_for("measures.experts"))
