"""Start page, dashboard, language choice and the statutory information pages."""

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from ..auth.access import public, staff
from ..auth.roles import Role
from ..auth.views import safe_next
from ..extensions import db
from ..studies import services as study_services

bp = Blueprint("pages", __name__)


@bp.route("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(url_for("pages.dashboard"))
    return render_template("pages/index.html")


@bp.route("/oversikt")
@staff()
def dashboard():
    studies = []
    if current_user.role != Role.FORBUND:
        studies = study_services.list_studies(include_archived=False, visible_to=current_user)
    return render_template(
        "pages/dashboard.html",
        studies=studies,
        panel_counts=study_services.panel_counts(studies),
        open_rounds=_open_rounds(studies),
    )


def _open_rounds(studies) -> dict:
    """{study id: (round, its complete/partial/not started counts)} for the studies with a
    round open now."""
    from ..rounds import services as round_services
    from ..rounds.lifecycle import Status
    from ..rounds.services.reading import current_round

    out = {}
    for study in studies:
        r = current_round(study)
        if r is not None and r.status == Status.OPEN:
            out[study.id] = (r, round_services.progress_counts(r))
    return out


@bp.route("/sprak", methods=["POST"])
@public
def set_language():
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = lang
    # A panelist or expert who chooses a language gets their emails in it from now on.
    from ..auth.access import load_session_participant

    participant = load_session_participant()
    if participant is not None and participant.language != lang:
        participant.language = lang
        db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("pages.index"))


@bp.route("/tillganglighet")
@public
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/personuppgifter")
@public
def privacy():
    return render_template("pages/privacy.html")


@bp.route("/halsa")
@public
def health():
    """For load balancers: the process answers and reaches its database."""
    from sqlalchemy import text

    from ..extensions import db

    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
