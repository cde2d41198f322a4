"""The measures survey for the project leader: setup, respondents, follow-up, review, exports."""

import json
from datetime import UTC, datetime, time

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
from sqlalchemy import func, select
from werkzeug.routing import BuildError

from .. import tabular
from ..auth.access import staff
from ..auth.roles import STUDY_LEADERS, STUDY_STAFF
from ..dbtypes import STOCKHOLM
from ..extensions import db
from ..studies import mailing
from ..studies import services as study_services
from ..studies.forms import ButtonForm, ConfirmForm, UploadForm, choices
from ..studies.models import Indicator, Participant
from ..studies.views import flash_outcome, study_or_404
from . import codelists, lifecycle, services
from .forms import CanonicalForm, DecisionForm, ExpertForm, MergeForm, SurveyForm, WorkshopForm
from .models import CanonicalMeasure, Respondent, Workshop

bp = Blueprint("measures", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
TABLE_SHEETS = {"forslag": "Förslag", "beslut": "Beslut", "valda_matt": "Valda mått"}
STATUS_ACTIONS = {"oppna": "open", "stang": "close", "oppna-igen": "reopen"}


# --- words ------------------------------------------------------------------------------------


def measures_error_text(error: services.MeasuresError) -> str:
    """The Swedish message for every ``MeasuresError`` code."""
    p = error.params
    if error.code == "invalid":
        found = [problem.message for group in p.get("problems", {}).values() for problem in group]
        return " ".join(found) or _("Uppgifterna är inte giltiga.")
    texts = {
        "survey_exists": _("Studien har redan en måttenkät."),
        "survey_not_draft": _(
            "Enkäten har öppnat: indikatorerna kan inte längre ändras. Texten och datumen går att "
            "ändra."
        ),
        "survey_closed": _("Enkäten är stängd."),
        "no_indicators": _("Välj minst en indikator innan enkäten öppnas."),
        "indicator_not_in_survey": _("Indikatorn ingår inte i studien."),
        "not_own_proposal": _("Förslaget hör till någon annan."),
        "proposal_submitted": _("Förslaget är redan inskickat."),
        "email_taken": _("%(email)s finns redan i studien.", email=p.get("email", "")),
        "invalid_email": _("”%(value)s” är ingen giltig e-postadress.", value=p.get("value", "")),
        "level_unknown": _(
            "”%(value)s” är ingen nivå. Ange lokal eller nationell.", value=p.get("value", "")
        ),
        "reason_required": _("Skriv ett skäl när ett mått avvisas."),
        "not_decided": _("Måttet är redan ett förslag."),
        "too_many_questions": _(
            "Ett mått kan ha högst %(n)s frågor.", n=p.get("limit", services.MAX_QUESTIONS)
        ),
        "question_too_long": _(
            "Fråga %(line)s är för lång: högst %(n)s tecken.",
            line=p.get("line", ""),
            n=p.get("limit", services.QUESTION_LIMIT),
        ),
        "not_accepted": _("Bara ett godtaget mått kan vara rekommenderat."),
        "wrong_indicator": _(
            "Förslagen hör inte till den här indikatorn eller är inte inskickade."
        ),
        "no_proposals": _("Välj minst ett förslag att slå ihop."),
        "import_invalid": _("Filen har fel och importerades inte."),
        "rating_invalid": _("Ogiltigt betyg."),
        "rating_closed": _("Expertbedömningen är inte öppen."),
        "no_measures_to_rate": _(
            "Det finns inga mått att bedöma: slå först ihop förslag till mått."
        ),
        "unknown_setting": _("Okänd inställning."),
        "respondent_incomplete": _("Ange organisation och roll."),
    }
    return texts.get(error.code, error.code)


def status_label(status: str) -> str:
    return {
        "none": _("inte påbörjad"),
        "draft": _("förberedelse"),
        "open": _("öppen"),
        "closed": _("stängd"),
    }.get(status, status)


def canonical_status_label(status: str) -> str:
    return {
        "candidate": _("förslag"),
        "accepted": _("godtaget"),
        "rejected": _("avvisat"),
    }.get(status, status)


def level_label(level: str) -> str:
    return {"lokal": _("lokal"), "nationell": _("nationell")}.get(level, level)


def flag_label(flag: str) -> str:
    return {
        "email": _("innehåller en e-postadress"),
        "phone": _("innehåller ett telefonnummer"),
        "name": _("innehåller ett namn"),
    }.get(flag, flag)


def workshop_kind_label(kind: str) -> str:
    return {"workshop": _("workshop"), "webinar": _("webbseminarium")}.get(kind, kind)


def field_label(name: str) -> str:
    return {
        "name": _("namn"),
        "description": _("beskrivning"),
        "kind": _("slag"),
        "method": _("metod"),
        "data_source": _("datakälla"),
        "respondent_group": _("respondentgrupp"),
        "frequency": _("hur ofta"),
        "unit": _("enhet"),
        "numerator": _("täljare"),
        "denominator": _("nämnare"),
        "questions": _("frågor"),
    }.get(name, name)


@bp.app_context_processor
def measure_labels():
    return {
        "survey_status_label": status_label,
        "canonical_status_label": canonical_status_label,
        "level_label": level_label,
        "flag_label": flag_label,
        "workshop_kind_label": workshop_kind_label,
        "measure_field_label": field_label,
        "measure_codes": {
            "kind": codelists.KINDS,
            "method": codelists.METHODS,
            "respondent_group": codelists.RESPONDENT_GROUPS,
            "frequency": codelists.FREQUENCIES,
        },
    }


# --- helpers ----------------------------------------------------------------------------------


def _survey_or_redirect(study):
    """The study's survey; ``None`` after flashing when there is none yet."""
    survey = services.get_survey(study)
    if survey is None:
        flash(_("Skapa måttenkäten först."), "error")
    return survey


def _home(slug: str):
    return redirect(url_for("measures.survey_home", slug=slug))


def _local_start(day) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time(0, 0), STOCKHOLM).astimezone(UTC)


def _local_end(day) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time(23, 59, 59), STOCKHOLM).astimezone(UTC)


def _local_day(moment: datetime | None):
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(STOCKHOLM).date()


def open_link_url(token: str) -> str:
    """The address of the open link (``survey.open_start`` on the respondent side)."""
    try:
        path = url_for("survey.open_start", token=token)
    except BuildError:  # the respondent side is not registered (yet)
        path = f"/enkat/oppen/{token}"
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return base.rstrip("/") + path


def _require_button() -> None:
    if not ButtonForm().validate_on_submit():
        abort(400)


def _download(content: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- the survey -------------------------------------------------------------------------------


@bp.route("/studier/<slug>/matt")
@staff(*STUDY_STAFF)
def survey_home(slug: str):
    study = study_or_404(slug)
    survey = services.get_survey(study)
    context = {"study": study, "survey": survey, "button": ButtonForm()}
    if survey is not None:
        if services.close_if_due(survey):
            db.session.commit()
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
def survey_settings(slug: str):
    study = study_or_404(slug)
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
            form.opens_on.data = _local_day(survey.opens_at)
            form.closes_on.data = _local_day(survey.closes_at)
            form.indicators.data = [i.id for i in services.survey_indicators(survey)]
    if form.validate_on_submit():
        picked = list(form.indicators.data or [])
        settings = {
            "intro_text": (form.intro_text.data or "").strip(),
            "opens_at": _local_start(form.opens_on.data),
            "closes_at": _local_end(form.closes_on.data),
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
                return _home(slug)
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
def survey_status(slug: str, action: str):
    study = study_or_404(slug)
    _require_button()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home(slug)
    try:
        services.change_status(survey, STATUS_ACTIONS[action], actor=current_user)
    except services.MeasuresError as error:
        db.session.rollback()
        flash(measures_error_text(error), "error")
        return _home(slug)
    except lifecycle.IllegalTransition:
        db.session.rollback()
        flash(_("Det går inte i enkätens nuvarande läge."), "error")
        return _home(slug)
    db.session.commit()
    flash(
        {
            "oppna": _("Enkäten är öppen."),
            "stang": _("Enkäten är stängd. Utkast sparas, men inga nya svar tas emot."),
            "oppna-igen": _("Enkäten är öppen igen."),
        }[action],
        "success",
    )
    return _home(slug)


@bp.route("/studier/<slug>/matt/oppen-lank", methods=["POST"])
@staff(*STUDY_LEADERS)
def open_link(slug: str):
    study = study_or_404(slug)
    _require_button()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home(slug)
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
    return _home(slug)


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
def workshops(slug: str):
    study = study_or_404(slug)
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home(slug)
    form = WorkshopForm()
    if form.validate_on_submit():
        services.add_workshop(survey, actor=current_user, **_workshop_fields(form))
        db.session.commit()
        flash(_("Träffen är tillagd."), "success")
        return redirect(url_for("measures.workshops", slug=slug))
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
def workshop_edit(slug: str, workshop_id: int):
    study = study_or_404(slug)
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home(slug)
    workshop = _workshop_of(survey, workshop_id)
    form = WorkshopForm(obj=workshop)
    if form.validate_on_submit():
        services.update_workshop(workshop, _workshop_fields(form), actor=current_user)
        db.session.commit()
        flash(_("Träffen är sparad."), "success")
        return redirect(url_for("measures.workshops", slug=slug))
    return render_template(
        "measures/workshop_form.html", study=study, survey=survey, workshop=workshop, form=form
    )


@bp.route("/studier/<slug>/matt/traffar/<int:workshop_id>/ta-bort", methods=["POST"])
@staff(*STUDY_LEADERS)
def workshop_delete(slug: str, workshop_id: int):
    study = study_or_404(slug)
    _require_button()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home(slug)
    services.delete_workshop(_workshop_of(survey, workshop_id), actor=current_user)
    db.session.commit()
    flash(_("Träffen är borttagen."), "success")
    return redirect(url_for("measures.workshops", slug=slug))


# --- experts ----------------------------------------------------------------------------------


def _experts(survey) -> list[tuple[Respondent, Participant]]:
    return list(
        db.session.execute(
            select(Respondent, Participant)
            .join(Participant, Participant.id == Respondent.participant_id)
            .where(Respondent.survey_id == survey.id)
            .order_by(Respondent.id)
        )
    )


@bp.route("/studier/<slug>/matt/experter", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def experts(slug: str):
    study = study_or_404(slug)
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home(slug)
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
            return redirect(url_for("measures.experts", slug=slug))
    return render_template(
        "measures/experts.html",
        study=study,
        survey=survey,
        experts=_experts(survey),
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
def experts_import(slug: str):
    study = study_or_404(slug)
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home(slug)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        staged = study_services.stage_upload(
            study, "experts", upload.filename or "fil", upload.read(), current_user
        )
        db.session.commit()
        return redirect(url_for("measures.experts_preview", slug=slug, upload_id=staged.id))
    return render_template("measures/experts_import.html", study=study, survey=survey, form=form)


@bp.route("/studier/<slug>/matt/experter/importera/<int:upload_id>", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def experts_preview(slug: str, upload_id: int):
    study = study_or_404(slug)
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home(slug)
    upload = study_services.get_upload(study, "experts", upload_id)
    if upload is None:
        flash(_("Förhandsgranskningen finns inte längre. Ladda upp filen igen."), "error")
        return redirect(url_for("measures.experts_import", slug=slug))
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
                return redirect(url_for("measures.experts", slug=slug))
            study_services.discard_upload(upload)
            db.session.commit()
            flash(_("Importen är klar: %(n)s experter lades till.", n=count), "success")
            return redirect(url_for("measures.experts", slug=slug))
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
def experts_send(slug: str, which: str):
    study = study_or_404(slug)
    _require_button()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home(slug)
    if survey.status != lifecycle.Status.OPEN:
        flash(_("Öppna enkäten innan inbjudningar och påminnelser skickas."), "error")
        return redirect(url_for("measures.experts", slug=slug))
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
    return redirect(url_for("measures.experts", slug=slug))


# --- review -----------------------------------------------------------------------------------


def _indicator_of(survey, indicator_id: int) -> Indicator:
    indicator = db.get_or_404(Indicator, indicator_id)
    if indicator.id not in {i.id for i in services.survey_indicators(survey)}:
        abort(404)
    return indicator


def _canonical_of(survey, canonical_id: int) -> CanonicalMeasure:
    canonical = db.get_or_404(CanonicalMeasure, canonical_id)
    if canonical.survey_id != survey.id:
        abort(404)
    return canonical


def _review_url(slug: str, indicator_id: int) -> str:
    return url_for("measures.review", slug=slug, indicator_id=indicator_id)


@bp.route("/studier/<slug>/matt/granskning")
@staff(*STUDY_STAFF)
def review_list(slug: str):
    study = study_or_404(slug)
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home(slug)
    proposals_by_code = services.response_frequencies(survey)
    canonical: dict[int, dict[str, int]] = {}
    for indicator_id, status, recommended, count in db.session.execute(
        select(
            CanonicalMeasure.indicator_id,
            CanonicalMeasure.status,
            CanonicalMeasure.recommended,
            func.count(CanonicalMeasure.id),
        )
        .where(CanonicalMeasure.survey_id == survey.id)
        .group_by(
            CanonicalMeasure.indicator_id, CanonicalMeasure.status, CanonicalMeasure.recommended
        )
    ):
        bucket = canonical.setdefault(
            indicator_id, {"candidate": 0, "accepted": 0, "rejected": 0, "recommended": 0}
        )
        bucket[status] += count
        if recommended:
            bucket["recommended"] += count
    rows = [
        {
            "indicator": indicator,
            "proposals": proposals_by_code.get(indicator.code, 0),
            **canonical.get(
                indicator.id, {"candidate": 0, "accepted": 0, "rejected": 0, "recommended": 0}
            ),
        }
        for indicator in services.survey_indicators(survey)
    ]
    return render_template("measures/review_list.html", study=study, survey=survey, rows=rows)


SUGGESTIONS_SHOWN = 100


@bp.route("/studier/<slug>/matt/granskning/<int:indicator_id>")
@staff(*STUDY_STAFF)
def review(slug: str, indicator_id: int):
    study = study_or_404(slug)
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home(slug)
    indicator = _indicator_of(survey, indicator_id)
    data = services.review_data(survey, indicator)
    in_measure: dict[int, list[int]] = {}
    for c in data["canonical"]:
        for proposal_id in c["sources"]:
            in_measure.setdefault(proposal_id, []).append(c["id"])
    merge = MergeForm()
    merge.proposals.choices = choices((p["id"], str(p["id"])) for p in data["proposals"])
    # The strongest suggestions first; a long tail is there on request (it is the reviewer's
    # reading time, and each one carries a merge button, that grows with it).
    strongest = sorted(data["suggestions"], key=lambda s: -s.score)
    show_all = request.args.get("alla") == "1"
    return render_template(
        "measures/review.html",
        suggestions=strongest if show_all else strongest[:SUGGESTIONS_SHOWN],
        suggestions_total=len(strongest),
        study=study,
        survey=survey,
        indicator=indicator,
        data=data,
        in_measure=in_measure,
        merge=merge,
        decisions={c["id"]: DecisionForm(prefix=f"c{c['id']}") for c in data["canonical"]},
        button=ButtonForm(),
    )


@bp.route("/studier/<slug>/matt/granskning/<int:indicator_id>/sla-ihop", methods=["POST"])
@staff(*STUDY_LEADERS)
def merge(slug: str, indicator_id: int):
    study = study_or_404(slug)
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home(slug)
    indicator = _indicator_of(survey, indicator_id)
    form = MergeForm()
    ids = [int(v) for v in request.form.getlist("proposals") if v.isdigit()]
    form.proposals.choices = choices((i, str(i)) for i in ids)
    if not form.validate_on_submit():
        flash(_("Välj minst ett förslag att slå ihop."), "error")
        return redirect(_review_url(slug, indicator.id))
    name = (form.name.data or "").strip()
    try:
        canonical = services.merge_proposals(
            survey,
            indicator,
            form.proposals.data or [],
            {"name": name} if name else None,
            actor=current_user,
        )
    except services.MeasuresError as error:
        db.session.rollback()
        flash(measures_error_text(error), "error")
        return redirect(_review_url(slug, indicator.id))
    db.session.commit()
    flash(
        _(
            "Måttet M%(id)s är skapat av %(n)s förslag.",
            id=canonical.id,
            n=len(canonical.sources),
        ),
        "success",
    )
    return redirect(_review_url(slug, indicator.id) + f"#matt-{canonical.id}")


def _canonical_fields(form: CanonicalForm) -> dict:
    return {
        "name": (form.name.data or "").strip(),
        "description": (form.description.data or "").strip(),
        "kind": form.kind.data or "",
        "method": form.method.data or "",
        "data_source": (form.data_source.data or "").strip(),
        "respondent_group": form.respondent_group.data or "",
        "frequency": list(form.frequency.data or []),
        "unit": (form.unit.data or "").strip(),
        "numerator": (form.numerator.data or "").strip(),
        "denominator": (form.denominator.data or "").strip(),
        "questions": (form.question_lines.data or "").splitlines(),
    }


@bp.route("/studier/<slug>/matt/granskning/matt/<int:canonical_id>", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def canonical_edit(slug: str, canonical_id: int):
    study = study_or_404(slug)
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home(slug)
    canonical = _canonical_of(survey, canonical_id)
    form = CanonicalForm(obj=canonical)
    if request.method == "GET":
        form.kind.data = canonical.kind or ""
        form.method.data = canonical.method or ""
        form.frequency.data = list(canonical.frequency or [])
        form.question_lines.data = "\n".join(canonical.questions or [])
    if form.validate_on_submit():
        try:
            services.edit_canonical(canonical, _canonical_fields(form), actor=current_user)
        except services.MeasuresError as error:
            db.session.rollback()
            form.name.errors.append(measures_error_text(error))
        else:
            db.session.commit()
            flash(_("Måttet M%(id)s är sparat.", id=canonical.id), "success")
            return redirect(_review_url(slug, canonical.indicator_id) + f"#matt-{canonical.id}")
    return render_template(
        "measures/canonical_form.html",
        study=study,
        survey=survey,
        canonical=canonical,
        sources=services.lineage(canonical),
        form=form,
    )


@bp.route("/studier/<slug>/matt/granskning/matt/<int:canonical_id>/beslut", methods=["POST"])
@staff(*STUDY_LEADERS)
def canonical_decide(slug: str, canonical_id: int):
    study = study_or_404(slug)
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home(slug)
    canonical = _canonical_of(survey, canonical_id)
    form = DecisionForm(prefix=f"c{canonical.id}")
    back = _review_url(slug, canonical.indicator_id) + f"#matt-{canonical.id}"
    if not form.validate_on_submit():
        flash(_("Välj ett beslut."), "error")
        return redirect(back)
    try:
        services.decide(canonical, form.decision.data, form.reason.data or "", actor=current_user)
    except services.MeasuresError as error:
        db.session.rollback()
        flash(measures_error_text(error), "error")
        return redirect(back)
    db.session.commit()
    flash(
        _(
            "Måttet M%(id)s: %(status)s.",
            id=canonical.id,
            status=canonical_status_label(canonical.status),
        ),
        "success",
    )
    return redirect(back)


@bp.route("/studier/<slug>/matt/granskning/matt/<int:canonical_id>/rekommendera", methods=["POST"])
@staff(*STUDY_LEADERS)
def canonical_recommend(slug: str, canonical_id: int):
    study = study_or_404(slug)
    _require_button()
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home(slug)
    canonical = _canonical_of(survey, canonical_id)
    recommended = request.form.get("action") != "unset"
    back = _review_url(slug, canonical.indicator_id) + f"#matt-{canonical.id}"
    try:
        services.set_recommended(canonical, recommended, actor=current_user)
    except services.MeasuresError as error:
        db.session.rollback()
        flash(measures_error_text(error), "error")
        return redirect(back)
    db.session.commit()
    if recommended:
        flash(_("Måttet M%(id)s är rekommenderat för indikatorn.", id=canonical.id), "success")
    else:
        flash(_("Måttet M%(id)s är inte längre rekommenderat.", id=canonical.id), "success")
    return redirect(back)


# --- exports ----------------------------------------------------------------------------------


@bp.route("/studier/<slug>/matt/export/<any(forslag, beslut, valda_matt):table>.csv")
@staff(*STUDY_STAFF)
def export_table(slug: str, table: str):
    study = study_or_404(slug)
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home(slug)
    headers, rows = services.export_tables(survey)[table]
    return _download(tabular.write_csv(headers, rows), CSV, f"{study.slug}-matt-{table}.csv")


@bp.route("/studier/<slug>/matt/export.<any(json, xlsx):fmt>")
@staff(*STUDY_STAFF)
def export_all(slug: str, fmt: str):
    study = study_or_404(slug)
    survey = _survey_or_redirect(study)
    if survey is None:
        return _home(slug)
    if fmt == "json":
        content = json.dumps(
            services.export_document(survey), ensure_ascii=False, indent=2, default=str
        )
        return _download(
            content.encode("utf-8"), "application/json; charset=utf-8", f"{study.slug}-matt.json"
        )
    sheets = {TABLE_SHEETS[name]: table for name, table in services.export_tables(survey).items()}
    return _download(tabular.write_xlsx(sheets), XLSX, f"{study.slug}-matt.xlsx")


# --- the experts' rating of the measures -------------------------------------------------------

RATING_ACTIONS = {"oppna": "open_rating", "stang": "close_rating", "oppna-igen": "reopen_rating"}


@bp.route("/studier/<slug>/matt/bedomning")
@staff(*STUDY_STAFF)
def rating(slug: str):
    """The optional expert rating of the measures (relevance and feasibility 1-9), with the
    rounds engine's statistics and the study's primary rule."""
    study = study_or_404(slug)
    survey = services.get_survey(study)
    if survey is None:
        return redirect(url_for("measures.survey_home", slug=slug))
    measures = services.rating_ballot(survey)
    results = services.rating_results(survey) if measures else None
    return render_template(
        "measures/rating.html",
        study=study,
        survey=survey,
        measures=measures,
        results=results,
        indicators={i.id: i for i in study.indicators},
        button=ButtonForm(),
    )


@bp.route(
    "/studier/<slug>/matt/bedomning/<any(oppna, stang, 'oppna-igen'):action>", methods=["POST"]
)
@staff(*STUDY_LEADERS)
def rating_status(slug: str, action: str):
    study = study_or_404(slug)
    survey = services.get_survey(study)
    if survey is None:
        abort(404)
    _require_button()
    try:
        services.change_rating_status(survey, RATING_ACTIONS[action], actor=current_user)
    except services.MeasuresError as error:
        db.session.rollback()
        flash(measures_error_text(error), "error")
    except lifecycle.IllegalTransition:
        db.session.rollback()
        flash(_("Det går inte i bedömningens nuvarande läge."), "error")
    else:
        db.session.commit()
        flash(_("Expertbedömningen är %(s)s.", s=status_label(survey.rating_status)), "success")
    return redirect(url_for("measures.rating", slug=slug))
