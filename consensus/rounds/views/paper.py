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
    """A paper ballot typed in. For a panelist who has answered online in the round the
    page first shows which answers the paper would change (item, online, paper) and saves
    only when the facilitator ticks that the paper replaces them and gives a reason."""
    study = current_study()
    r = _round(study, number)
    items = services.ballot(r)
    form = PaperBallotForm()
    form.group.choices = _group_choices(study)
    problems: dict[int, str] = {}
    answers: dict = {}
    changes = None
    if form.validate_on_submit():
        read = posted.read_ballot(r.method, request.form, [i.id for i in items], whole_ballot=True)
        problems = read.problems
        answers = {a["indicator_id"]: a for a in read.answers}
        code = form.participant_code.data.strip()
        if not problems:
            changes = services.paper_ballot_changes(r, code, read.answers)
            reason = (form.replace_reason.data or "").strip()
            confirmed = changes is not None and form.replace.data and reason
            if changes is not None and form.replace.data and not reason:
                form.replace_reason.errors = [
                    _("Ange ett skäl till att pappersblanketten ersätter webbsvaren.")
                ]
            if changes is None or confirmed:
                try:
                    p = services.enter_paper_ballot(
                        r,
                        code,
                        form.group.data or None,
                        read.answers,
                        actor=current_user,
                        replace_reason=reason if confirmed else None,
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
        answers=answers,
        problems=problems,
        changes=changes,
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
