"""Between rounds: discussion notes, rewording, merging and splitting indicators."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS, STUDY_STAFF
from ...extensions import db
from ...studies.forms import choices
from ...studies.models import Indicator
from ...studies.views import current_study
from .. import services
from ..forms import MergeForm, NoteForm, RewordForm, SplitForm
from . import bp
from ._common import _leader, _round, round_error_text


@bp.route("/studier/<slug>/omgangar/<int:number>/diskussion", methods=["GET", "POST"])
@staff(*STUDY_STAFF)
def discussion(number: int):
    study = current_study()
    r = _round(study, number)
    items = services.ballot(r)
    form = NoteForm()
    form.indicator.choices = choices((i.id, f"{i.code} {i.title}") for i in items)
    if form.validate_on_submit():
        indicator = db.session.get(Indicator, form.indicator.data)
        try:
            services.add_note(r, indicator, form.text.data, actor=current_user)
        except services.RoundError as error:
            db.session.rollback()
            flash(round_error_text(error), "error")
        else:
            db.session.commit()
            flash(_("Anteckningen är sparad."), "success")
            return redirect(url_for("rounds.discussion", number=number))
    notes: dict[int, list] = {}
    for note in services.notes(r):
        notes.setdefault(note.indicator_id, []).append(note)
    return render_template(
        "rounds/discussion.html", study=study, round=r, items=items, notes=notes, form=form
    )


def _indicator(study, indicator_id: int) -> Indicator:
    indicator = db.get_or_404(Indicator, indicator_id)
    if indicator.study_id != study.id:
        abort(404)
    return indicator


@bp.route("/studier/<slug>/indikatorer/<int:indicator_id>/omformulera", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def reword(indicator_id: int):
    study = current_study()
    indicator = _indicator(study, indicator_id)
    form = RewordForm(obj=None if request.method == "POST" else indicator)
    if request.method == "GET":
        form.reason.data = ""
    if form.validate_on_submit():
        try:
            services.reword(
                indicator,
                form.title.data,
                form.description.data or "",
                form.reason.data,
                actor=current_user,
            )
        except services.RoundError as error:
            db.session.rollback()
            flash(round_error_text(error), "error")
        else:
            db.session.commit()
            flash(_("Den nya lydelsen är sparad."), "success")
            return redirect(url_for("rounds.lineage"))
    return render_template(
        "rounds/reword.html",
        study=study,
        indicator=indicator,
        form=form,
        versions=services.wordings(indicator),
    )


@bp.route("/studier/<slug>/harkomst", methods=["GET", "POST"])
@staff(*STUDY_STAFF)
def lineage():
    """Rewording, merging and splitting between rounds, and the lineage they leave."""
    study = current_study()
    merge_form = MergeForm(prefix="merge")
    split_form = SplitForm(prefix="split")
    active = [i for i in study.indicators]
    merge_form.indicators.choices = choices((i.id, f"{i.code} {i.title}") for i in active)
    split_target = request.values.get("split-indicator", type=int)
    if request.method == "POST":
        if not _leader():
            abort(403)
        try:
            if "merge-submit" in request.form and merge_form.validate_on_submit():
                chosen = [_indicator(study, iid) for iid in merge_form.indicators.data]
                services.merge(
                    chosen,
                    merge_form.code.data.strip(),
                    merge_form.title.data.strip(),
                    merge_form.description.data or "",
                    merge_form.reason.data,
                    actor=current_user,
                )
                done = _("Indikatorerna är sammanslagna.")
            elif "split-submit" in request.form and split_form.validate_on_submit():
                if split_target is None:
                    abort(400)
                services.split(
                    _indicator(study, split_target),
                    [
                        {
                            "code": split_form.code_1.data.strip(),
                            "title": split_form.title_1.data.strip(),
                        },
                        {
                            "code": split_form.code_2.data.strip(),
                            "title": split_form.title_2.data.strip(),
                        },
                    ],
                    split_form.reason.data,
                    actor=current_user,
                )
                done = _("Indikatorn är delad.")
            else:
                done = None
        except services.RoundError as error:
            db.session.rollback()
            flash(round_error_text(error), "error")
        else:
            if done:
                db.session.commit()
                flash(done, "success")
                return redirect(url_for("rounds.lineage"))
    by_id = {i.id: i for i in study.indicators}
    return render_template(
        "rounds/lineage.html",
        study=study,
        rows=services.lineage(study),
        by_id=by_id,
        merge_form=merge_form,
        split_form=split_form,
        indicators=active,
    )
