"""Paper ballots entered by staff and ballot files imported after a preview."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import staff
from ...auth.roles import STUDY_STAFF
from ...extensions import db
from ...studies.forms import choices
from ...studies.views import current_study, perspective_sections
from ...studies.views.uploads import FileImport
from .. import posted, services
from ..forms import PaperBallotForm
from . import bp
from ._common import _round, round_error_text


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
        sections=perspective_sections(items),
        answers={},
        problems=problems,
    )


def _ballots_import(study, r) -> FileImport:
    def write(parsed, filename: str) -> str:
        ballots, answers, new = services.import_ballots(r, parsed, current_user, filename=filename)
        return _(
            "Importen är klar: %(b)s blanketter med %(a)s svar, %(n)s nya deltagare.",
            b=ballots,
            a=answers,
            n=new,
        )

    return FileImport(
        study=study,
        kind="ballots",
        upload_url=url_for("rounds.ballots_upload", slug=study.slug, number=r.number),
        preview_url=lambda upload_id: url_for(
            "rounds.ballots_preview", slug=study.slug, number=r.number, upload_id=upload_id
        ),
        done_url=url_for("rounds.round_detail", slug=study.slug, number=r.number),
        parse=lambda content, filename: services.parse_ballot_file(r, content, filename),
        write=write,
        refused=services.RoundError,
        refused_text=round_error_text,
    )


@bp.route("/studier/<slug>/omgangar/<int:number>/importera", methods=["GET", "POST"])
@staff(*STUDY_STAFF)
def ballots_upload(number: int):
    study = current_study()
    r = _round(study, number)
    return _ballots_import(study, r).upload_page(
        "rounds/import_upload.html", "rounds/import_preview.html", round=r
    )


@bp.route(
    "/studier/<slug>/omgangar/<int:number>/importera/<int:upload_id>", methods=["GET", "POST"]
)
@staff(*STUDY_STAFF)
def ballots_preview(number: int, upload_id: int):
    study = current_study()
    r = _round(study, number)
    return _ballots_import(study, r).preview_page(upload_id, "rounds/import_preview.html", round=r)
