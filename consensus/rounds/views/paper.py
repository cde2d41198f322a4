"""Paper ballots entered by staff and ballot files imported after a preview."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import staff
from ...auth.roles import STUDY_STAFF
from ...extensions import db
from ...studies import services as study_services
from ...studies.forms import ConfirmForm, UploadForm, choices
from ...studies.views import current_study
from .. import posted, services
from ..forms import PaperBallotForm
from . import bp
from ._common import _round, round_error_text
from .ballot import _sections


def _group_choices(study):
    return choices([("", _("– befintlig deltagare –"))] + [(g.code, g.name) for g in study.groups])


@bp.route("/studier/<slug>/omgangar/<int:number>/papper", methods=["GET", "POST"])
@staff(*STUDY_STAFF)
def paper_ballot(number: int):
    study = current_study()
    r = _round(study, number)
    items = services.ballot(r)
    form = PaperBallotForm()
    form.group.choices = _group_choices(study)
    problems: dict[int, str] = {}
    if form.validate_on_submit():
        read = posted.read_ballot(r.method, request.form, [i.id for i in items], whole_ballot=True)
        problems = read.problems
        if not problems:
            try:
                p = services.enter_paper_ballot(
                    r,
                    form.participant_code.data.strip(),
                    form.group.data or None,
                    read.answers,
                    actor=current_user,
                )
            except services.RoundError as error:
                db.session.rollback()
                flash(round_error_text(error), "error")
            else:
                db.session.commit()
                flash(_("Blanketten för %(p)s är sparad.", p=p.pseudonym), "success")
                return redirect(url_for("rounds.paper_ballot", number=number))
    return render_template(
        "rounds/paper.html",
        study=study,
        round=r,
        form=form,
        sections=_sections(items),
        answers={},
        problems=problems,
    )


@bp.route("/studier/<slug>/omgangar/<int:number>/importera", methods=["GET", "POST"])
@staff(*STUDY_STAFF)
def ballots_upload(number: int):
    study = current_study()
    r = _round(study, number)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        staged = study_services.stage_upload(
            study, "ballots", upload.filename or "fil", upload.read(), current_user
        )
        db.session.commit()
        return redirect(url_for("rounds.ballots_preview", number=number, upload_id=staged.id))
    return render_template("rounds/import_upload.html", study=study, round=r, form=form)


@bp.route(
    "/studier/<slug>/omgangar/<int:number>/importera/<int:upload_id>", methods=["GET", "POST"]
)
@staff(*STUDY_STAFF)
def ballots_preview(number: int, upload_id: int):
    study = current_study()
    r = _round(study, number)
    upload = study_services.get_upload(study, "ballots", upload_id)
    if upload is None:
        flash(_("Förhandsgranskningen finns inte längre. Ladda upp filen igen."), "error")
        return redirect(url_for("rounds.ballots_upload", number=number))
    parsed = services.parse_ballot_file(r, upload.content, upload.filename)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            ballots, answers, new = services.import_ballots(
                r, parsed, current_user, filename=upload.filename
            )
        except services.RoundError as error:
            db.session.rollback()
            flash(round_error_text(error), "error")
        else:
            study_services.discard_upload(upload)
            db.session.commit()
            flash(
                _(
                    "Importen är klar: %(b)s blanketter med %(a)s svar, %(n)s nya deltagare.",
                    b=ballots,
                    a=answers,
                    n=new,
                ),
                "success",
            )
            return redirect(url_for("rounds.round_detail", number=number))
    return render_template(
        "rounds/import_preview.html", study=study, round=r, upload=upload, parsed=parsed, form=form
    )
