"""Setting up and running the survey: settings, status, the open link, workshops."""

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS, STUDY_STAFF
from ...dates import day_end, day_start, local_day
from ...extensions import db
from ...studies.forms import ButtonForm, choices
from ...studies.views import current_study
from .. import lifecycle, services
from ..forms import SurveyForm, WorkshopForm
from ..models import Workshop
from .common import (
    _home,
    _require_button,
    _survey_or_redirect,
    bp,
    measures_error_text,
    open_link_url,
)

STATUS_ACTIONS = {"oppna": "open", "stang": "close", "oppna-igen": "reopen"}


# --- the survey -------------------------------------------------------------------------------


@bp.route("/studier/<slug>/matt")
@staff(*STUDY_STAFF)
def survey_home():
    study = current_study()
    survey = services.get_survey(study)
    context = {"study": study, "survey": survey, "button": ButtonForm()}
    if survey is not None:
        context.update(
            indicators=services.survey_indicators(survey),
            counts=services.response_counts(survey),
            workshops=services.workshops(survey),
            open_link=session.pop("measures_open_link", None),
        )
    else:
        context["core_set"] = services.core_set(study)
    return render_template("measures/home.html", **context)


@bp.route("/studier/<slug>/matt/installningar", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def survey_settings():
    study = current_study()
    survey = services.get_survey(study)
    form = SurveyForm(data={"intro_text": survey.intro_text} if survey else None)
    form.indicators.choices = choices(
        (i.id, f"{i.code} {i.title}")
        for i in sorted(study.indicators, key=lambda i: (i.position, i.id))
    )
    locked = survey is not None and survey.status != lifecycle.Status.DRAFT
    if request.method == "GET":
        if survey is None:
            form.indicators.data = [i.id for i in services.core_set(study)]
        else:
            form.opens_on.data = local_day(survey.opens_at)
            form.closes_on.data = local_day(survey.closes_at)
            form.indicators.data = [i.id for i in services.survey_indicators(survey)]
    if form.validate_on_submit():
        picked = list(form.indicators.data or [])
        settings = {
            "intro_text": (form.intro_text.data or "").strip(),
            "opens_at": day_start(form.opens_on.data),
            "closes_at": day_end(form.closes_on.data),
        }
        if (
            settings["opens_at"]
            and settings["closes_at"]
            and settings["closes_at"] < settings["opens_at"]
        ):
            form.closes_on.errors.append(_("Enkäten kan inte stänga innan den öppnar."))
        elif not picked and not locked:
            form.indicators.errors.append(_("Välj minst en indikator."))
        else:
            try:
                if survey is None:
                    services.create_survey(
                        study, indicator_ids=picked, actor=current_user, **settings
                    )
                else:
                    services.update_survey(survey, settings, actor=current_user)
                    if not locked:
                        services.set_indicators(survey, picked, actor=current_user)
            except services.MeasuresError as error:
                db.session.rollback()
                form.indicators.errors.append(measures_error_text(error))
            else:
                db.session.commit()
                if survey is None:
                    flash(_("Måttenkäten är skapad. Lägg till träffar och experter."), "success")
                else:
                    flash(_("Enkäten är sparad."), "success")
                return _home()
    return render_template(
        "measures/settings.html",
        study=study,
        survey=survey,
        form=form,
        locked=locked,
        core_ids={i.id for i in services.core_set(study)},
    )


@bp.route("/studier/<slug>/matt/<any(oppna, stang, 'oppna-igen'):action>", methods=["POST"])
@staff(*STUDY_LEADERS)
def survey_status(action: str):
    study = current_study()
    _require_button()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    try:
        services.change_status(survey, STATUS_ACTIONS[action], actor=current_user)
    except services.MeasuresError as error:
        db.session.rollback()
        flash(measures_error_text(error), "error")
        return _home()
    except lifecycle.IllegalTransition:
        db.session.rollback()
        flash(_("Det går inte i enkätens nuvarande läge."), "error")
        return _home()
    db.session.commit()
    flash(
        {
            "oppna": _("Enkäten är öppen."),
            "stang": _("Enkäten är stängd. Utkast sparas, men inga nya svar tas emot."),
            "oppna-igen": _("Enkäten är öppen igen."),
        }[action],
        "success",
    )
    return _home()


@bp.route("/studier/<slug>/matt/oppen-lank", methods=["POST"])
@staff(*STUDY_LEADERS)
def open_link():
    study = current_study()
    _require_button()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    if request.form.get("action") == "disable":
        services.disable_open_link(survey, actor=current_user)
        db.session.commit()
        flash(_("Den öppna länken är avstängd."), "success")
    else:
        token = services.new_open_link(survey, actor=current_user)
        db.session.commit()
        # Only the token's hash is stored: the address can be shown this once.
        session["measures_open_link"] = open_link_url(token)
        flash(_("En ny öppen länk är skapad. En tidigare länk fungerar inte längre."), "success")
    return _home()


# --- workshops --------------------------------------------------------------------------------


def _workshop_fields(form: WorkshopForm) -> dict:
    return {
        "date": form.date.data,
        "time_text": (form.time_text.data or "").strip(),
        "place": (form.place.data or "").strip(),
        "area": (form.area.data or "").strip(),
        "contact_person": (form.contact_person.data or "").strip(),
        "kind": form.kind.data,
    }


def _workshop_of(survey, workshop_id: int) -> Workshop:
    workshop = db.get_or_404(Workshop, workshop_id)
    if workshop.survey_id != survey.id:
        abort(404)
    return workshop


@bp.route("/studier/<slug>/matt/traffar", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def workshops():
    study = current_study()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    form = WorkshopForm()
    if form.validate_on_submit():
        services.add_workshop(survey, actor=current_user, **_workshop_fields(form))
        db.session.commit()
        flash(_("Träffen är tillagd."), "success")
        return redirect(url_for("measures.workshops"))
    return render_template(
        "measures/workshops.html",
        study=study,
        survey=survey,
        workshops=services.workshops(survey),
        form=form,
        button=ButtonForm(),
    )


@bp.route("/studier/<slug>/matt/traffar/<int:workshop_id>", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def workshop_edit(workshop_id: int):
    study = current_study()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    workshop = _workshop_of(survey, workshop_id)
    form = WorkshopForm(obj=workshop)
    if form.validate_on_submit():
        services.update_workshop(workshop, _workshop_fields(form), actor=current_user)
        db.session.commit()
        flash(_("Träffen är sparad."), "success")
        return redirect(url_for("measures.workshops"))
    return render_template(
        "measures/workshop_form.html", study=study, survey=survey, workshop=workshop, form=form
    )


@bp.route("/studier/<slug>/matt/traffar/<int:workshop_id>/ta-bort", methods=["POST"])
@staff(*STUDY_LEADERS)
def workshop_delete(workshop_id: int):
    study = current_study()
    _require_button()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home()
    services.delete_workshop(_workshop_of(survey, workshop_id), actor=current_user)
    db.session.commit()
    flash(_("Träffen är borttagen."), "success")
    return redirect(url_for("measures.workshops"))
