"""The staff blueprint ``measures`` and what its pages share: messages, labels, helpers."""

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

from ...i18n import render_message
from ...studies.forms import ButtonForm
from ...studies.views import study_pages
from .. import codelists, services

bp = study_pages(Blueprint("measures", __name__))


# --- words ------------------------------------------------------------------------------------


def measures_error_text(error: services.MeasuresError) -> str:
    """The message of a ``MeasuresError`` in the page's language (the measures' catalogue)."""
    return render_message(error)


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
            name: codelists.labels(codelist, _) for name, codelist in codelists.CODELISTS.items()
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
