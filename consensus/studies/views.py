"""Study pages for staff, and the participant's own start page."""

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _

from ..auth.access import current_participant, participant, staff
from ..auth.roles import STUDY_STAFF
from . import services

bp = Blueprint("studies", __name__)


def phase_label(phase: str) -> str:
    return {
        "setup": _("förberedelse"),
        "running": _("pågår"),
        "archived": _("arkiverad"),
    }.get(phase, phase)


@bp.app_context_processor
def study_labels():
    return {"phase_label": phase_label}


def _study_or_404(slug: str):
    study = services.get_study_by_slug(slug)
    if study is None:
        abort(404)
    return study


@bp.route("/studier")
@staff(*STUDY_STAFF)
def study_list():
    return render_template(
        "studies/list.html", studies=services.list_studies(include_archived=True)
    )


@bp.route("/studier/<slug>")
@staff(*STUDY_STAFF)
def study_detail(slug: str):
    study = _study_or_404(slug)
    return render_template("studies/detail.html", study=study)


@bp.route("/deltagare")
@participant
def participant_home():
    p = current_participant()
    return render_template("studies/participant_home.html", participant=p, study=p.study)
