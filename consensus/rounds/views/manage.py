"""The leader's and facilitator's pages for a round: list and create, detail, open, close
and reopen, live response counts, messages to the panel, and the decisions after closing."""

from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS, STUDY_STAFF
from ...dates import from_local, local_time
from ...extensions import db
from ...studies import mailing
from ...studies.forms import ButtonForm
from ...studies.views import current_study, flash_outcome, perspective_sections
from .. import posted, services
from ..forms import CloseRoundForm, RoundCreateForm, RoundRuleForm
from ..lifecycle import Status
from . import bp
from ._common import _leader, _round, round_error_text
from .ballot import rank_limit


@bp.route("/studier/<slug>/omgangar", methods=["GET", "POST"])
@staff(*STUDY_STAFF)
def round_list():
    study = current_study()
    form = RoundCreateForm()
    if request.method == "POST":
        if not _leader():
            abort(403)
        if form.validate_on_submit():
            opens_at, closes_at = from_local(form.opens_at.data), from_local(form.closes_at.data)
            rule, rule_params = form.chosen_rule(form.method.data)
            try:
                new = services.create_round(
                    study,
                    form.method.data,
                    max_selections=form.max_selections.data
                    if form.method.data == "approval"
                    else None,
                    top_m=form.top_m.data if form.method.data == "ranking" else None,
                    is_final=form.is_final.data,
                    opens_at=opens_at,
                    closes_at=closes_at,
                    rule=rule,
                    rule_params=rule_params,
                    actor=current_user,
                )
            except services.RoundError as error:
                db.session.rollback()
                if error.code == "top_m_too_large":  # beside the field it is about
                    form.top_m.errors = [*form.top_m.errors, round_error_text(error)]
                else:
                    flash(round_error_text(error), "error")
            else:
                db.session.commit()
                flash(_("Omgång %(n)s är skapad som utkast.", n=new.number), "success")
                return redirect(url_for("rounds.round_detail", number=new.number))
    return render_template(
        "rounds/list.html",
        study=study,
        rounds=services.rounds(study),
        form=form,
        button=ButtonForm(),
    )


@bp.route("/studier/<slug>/omgangar/<int:number>")
@staff(*STUDY_STAFF)
def round_detail(number: int):
    study = current_study()
    r = _round(study, number)
    rule_form = RoundRuleForm(
        approval_rule=r.rule if r.method == "approval" and r.rule else "approval_top_k",
        ranking_rule=r.rule if r.method == "ranking" and r.rule else "ranking_top_n",
        approval_count=(r.rule_params or {}).get("k"),
        approval_share=round((r.rule_params or {}).get("threshold", 0.7) * 100),
        ranking_count=(r.rule_params or {}).get("n"),
        ranking_mean_rank=(r.rule_params or {}).get("max_mean_rank", 3),
    )
    return render_template(
        "rounds/detail.html",
        study=study,
        round=r,
        items=services.ballot(r),
        counts=services.response_counts(r),
        progress=services.progress_counts(r),
        opens_at=local_time(r.opens_at),
        closes_at=local_time(r.closes_at),
        next_round=services.next_round(r),
        rule=services.decisive_rule(r),
        rule_form=rule_form,
        button=ButtonForm(),
    )


@bp.route("/studier/<slug>/omgangar/<int:number>/regel", methods=["POST"])
@staff(*STUDY_LEADERS)
def round_rule(number: int):
    """Change a draft round's a-priori rule (approval and ranking rounds)."""
    study = current_study()
    r = _round(study, number)
    form = RoundRuleForm()
    if not form.validate_on_submit():
        for name, errors in form.errors.items():
            label = form[name].label.text if name in form else ""
            for error in errors:
                flash(f"{label}: {error}" if label else str(error), "error")
        return redirect(url_for("rounds.round_detail", number=number))
    rule, params = form.chosen_rule(r.method)
    try:
        services.set_round_rule(r, rule, params, actor=current_user)
    except services.RoundError as error:
        db.session.rollback()
        flash(round_error_text(error), "error")
    else:
        db.session.commit()
        flash(_("Konsensusregeln för omgång %(n)s är sparad.", n=number), "success")
    return redirect(url_for("rounds.round_detail", number=number))


@bp.route("/studier/<slug>/omgangar/<int:number>/forhandsvisning")
@staff(*STUDY_STAFF)
def ballot_preview(number: int):
    """The round's ballot as a panelist sees it, read-only, before (or while) it is open: the
    real ballot template with a sample answer on the first indicator; nothing can be saved
    (no form to send, every field disabled, no autosave script)."""
    study = current_study()
    r = _round(study, number)
    items = services.ballot(r)
    limit = rank_limit(r, len(items))
    sample = {"rating": 8, "approval": 1, "ranking": 1}[r.method]
    answers = (
        {items[0].id: SimpleNamespace(value=sample, unable=False, comment="", reason=None)}
        if items
        else {}
    )
    return render_template(
        "rounds/ballot_preview.html",
        study=study,
        round=r,
        sections=perspective_sections(items),
        answers=answers,
        closes_at=local_time(r.closes_at),
        rule=services.decisive_rule(r),
        rank_limit=limit,
        codes={i.id: i.code for i in items},
    )


@bp.route("/studier/<slug>/omgangar/<int:number>/stang", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def round_close(number: int):
    """Closing a round asks first: a page with the response status and a box the server
    checks (the results are computed and the panel can no longer answer)."""
    study = current_study()
    r = _round(study, number)
    form = CloseRoundForm()
    if r.status != Status.OPEN:
        flash(_("Omgång %(n)s är inte öppen.", n=number), "error")
        return redirect(url_for("rounds.round_detail", number=number))
    if form.validate_on_submit():
        try:
            services.close_round(r, actor=current_user)
        except services.RoundError as error:
            db.session.rollback()
            flash(round_error_text(error), "error")
        else:
            db.session.commit()
            flash(_("Omgång %(n)s är stängd och resultaten är beräknade.", n=number), "success")
        return redirect(url_for("rounds.round_detail", number=number))
    return render_template(
        "rounds/close.html",
        study=study,
        round=r,
        counts=services.response_counts(r),
        next_round=services.next_round(r),
        form=form,
    )


@bp.route("/studier/<slug>/omgangar/<int:number>/<any(oppna, ateroppna):action>", methods=["POST"])
@staff(*STUDY_LEADERS)
def round_transition(number: int, action: str):
    study = current_study()
    r = _round(study, number)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        if action == "oppna":
            services.open_round(r, actor=current_user)
            message = _("Omgång %(n)s är öppen. Panelen kan svara nu.", n=number)
        else:
            services.reopen_round(r, actor=current_user, reason=request.form.get("reason", ""))
            message = _("Omgång %(n)s är öppen igen.", n=number)
    except services.RoundError as error:
        db.session.rollback()
        flash(round_error_text(error), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("rounds.round_detail", number=number))


@bp.route(
    "/studier/<slug>/omgangar/<int:number>/<any(meddela, paminnelse):which>", methods=["POST"]
)
@staff(*STUDY_STAFF)
def round_mail(number: int, which: str):
    """Tell the panel that the round is open, or remind those who have not answered; each
    message carries a new personal link. Who is invited follows the study's policy."""
    study = current_study()
    r = _round(study, number)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if r.status != Status.OPEN:
        flash(_("Meddelanden skickas bara under en öppen omgång."), "error")
        return redirect(url_for("rounds.round_detail", number=number))
    remaining: dict[int, int] = {}
    if which == "meddela":
        targets, template, action = services.invited(r), "email/round_open.txt", "round_announced"
        subject = lambda: mailing.default_subject("round", study.title, r.number)  # noqa: E731
    else:
        # Not started and partial alike; the partial ones are told how many answers remain.
        pairs = services.reminder_targets(r)
        targets, template, action = [p for p, _n in pairs], "email/reminder.txt", "reminders_sent"
        remaining = {p.id: n for p, n in pairs}
        subject = lambda: mailing.default_subject("reminder", study.title, r.number)  # noqa: E731
    needed = services.progress_counts(r)["needed"] if remaining else 0
    outcome = mailing.send_links(
        study,
        targets,
        template=template,
        subject=subject,
        action=action,
        actor=current_user,
        purpose="round" if which == "meddela" else "reminder",
        per_target=lambda p: {"remaining": remaining.get(p.id), "needed": needed},
        round=r,
        closes_at=local_time(r.closes_at),
    )
    db.session.commit()
    flash_outcome(outcome)
    return redirect(url_for("rounds.round_detail", number=number))


@bp.route("/studier/<slug>/omgangar/<int:number>/beslut", methods=["GET", "POST"])
@staff(*STUDY_STAFF)
def round_decisions(number: int):
    study = current_study()
    r = _round(study, number)
    if r.status != Status.CLOSED:
        flash(_("Besluten fattas när omgången är stängd."), "info")
        return redirect(url_for("rounds.round_detail", number=number))
    items = services.decisions(r)
    allowed = ("core", "excluded") if r.is_final else ("carry", "drop")
    problems: dict[int, str] = {}
    form = ButtonForm()
    if request.method == "POST":
        if not _leader() or not form.validate_on_submit():
            abort(403)
        proposed = {d.indicator_id: d.proposed for d in items}
        read = posted.read_decisions(request.form, proposed, allowed)
        problems = read.problems
        if not problems:
            try:
                services.confirm_decisions(r, read.overrides, actor=current_user)
            except services.RoundError as error:
                db.session.rollback()
                flash(round_error_text(error), "error")
            else:
                db.session.commit()
                flash(_("Besluten för omgång %(n)s är bekräftade.", n=r.number), "success")
                return redirect(url_for("rounds.round_detail", number=number))
        else:
            flash(_("Några beslut behöver rättas; se markeringarna nedan."), "error")
    document = services.get_result(r) or {}
    by_code = {i["code"]: i for i in document.get("indicators", [])}
    return render_template(
        "rounds/decisions.html",
        study=study,
        round=r,
        items=items,
        by_code=by_code,
        document=document,
        allowed=allowed,
        problems=problems,
        form_values=request.form,
        button=form,
    )
