"""The staff blueprint ``measures`` and what its pages share: messages, labels, helpers."""

from datetime import UTC, datetime, time

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from ...dbtypes import STOCKHOLM
from ...studies.forms import ButtonForm
from ...studies.views import study_pages
from .. import codelists, services

bp = study_pages(Blueprint("measures", __name__))


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


def _home():
    return redirect(url_for("measures.survey_home"))


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
