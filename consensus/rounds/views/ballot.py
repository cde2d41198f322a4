"""The panelist's ballot: the page, and each answer saved as it is given."""

from types import SimpleNamespace

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...auth.access import (
    current_participant,
    forget_participant,
    load_session_participant,
    participant,
    participant_checked_by_view,
    participant_link_holds,
    session_participant_id,
)
from ...dates import local_time
from ...dbtypes import utcnow
from ...extensions import db
from ...numbers import parse_id
from ...studies.forms import ButtonForm
from ...studies.views import perspective_sections, without_due_work
from .. import posted, services
from ..lifecycle import Status
from . import bp
from ._common import round_error_text


def _participant_round(number: int) -> tuple:
    p = current_participant()
    if p.consent_at is None:
        return p, None
    r = services.get_round(p.study, number)
    if r is None or r.status == Status.DRAFT:
        abort(404)
    return p, r


@bp.route("/deltagare/omgang/<int:number>", methods=["GET", "POST"])
@participant
def ballot(number: int):
    p, r = _participant_round(number)
    if r is None:
        return redirect(url_for("studies.participant_home"))
    items = services.ballot(r)
    limit = rank_limit(r, len(items))
    problems: dict[int, str] = {}
    needs_reason: list[int] = []
    kept: dict[int, dict] = {}
    form = ButtonForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        read = posted.read_ballot(r.method, request.form, [i.id for i in items], whole_ballot=True)
        problems = {iid: allowed_text(r.method, limit) for iid in read.problems}
        try:
            saved = services.save_answers(r, p, read.answers)
        except services.RoundError as error:
            db.session.rollback()
            # The entries stay on the page as given, the refused ones marked.
            kept = {a["indicator_id"]: a for a in read.answers}
            marked = refused_fields(error, read.answers, r.method, limit)
            problems.update(marked)
            if not marked:
                flash(round_error_text(error), "error")
        else:
            db.session.commit()
            needs_reason = saved.needs_reason
            if problems:
                flash(_("Några svar kunde inte sparas; se markeringarna."), "error")
            elif needs_reason:
                flash(_("Dina svar är sparade. Motivera gärna de svar som är markerade."), "info")
            else:
                flash(
                    _("Dina svar är sparade. Du kan ändra dem tills omgången stänger."), "success"
                )
                return redirect(url_for("rounds.ballot", number=number))
    answers = services.participant_answers(r, p)
    answers.update({iid: _as_given(answers.get(iid), a) for iid, a in kept.items()})
    document = services.get_result(r) if r.status == Status.CLOSED else None
    return render_template(
        "rounds/ballot.html",
        study=p.study,
        participant=p,
        round=r,
        sections=perspective_sections(items),
        answers=answers,
        feedback=services.feedback(r, p) if r.status == Status.OPEN else {},
        progress=services.progress(r, p),
        problems=problems,
        needs_reason=set(needs_reason),
        closes_at=local_time(r.closes_at),
        document=document,
        rule=services.decisive_rule(r),
        form=form,
        rank_limit=limit,
        codes={i.id: i.code for i in items},
    )


def rank_limit(r, ballot_size: int) -> int:
    """The places a ranking ballot gives: the top M, never more than the indicators."""
    return min(r.top_m or ballot_size, ballot_size)


def allowed_text(method: str, limit: int) -> str:
    """ "Ogiltigt svar" with what is allowed instead."""
    if method == "rating":
        return _("Ogiltigt svar. Välj en siffra från 1 till 9 eller ”Kan ej bedöma”.")
    if method == "approval":
        return _("Ogiltigt svar. Kryssa i rutan för att välja indikatorn, eller lämna den tom.")
    return _("Ogiltigt svar. Ange en plats från 1 till %(m)s, eller lämna rutan tom.", m=limit)


def refused_fields(error, answers: list[dict], method: str, limit: int) -> dict[int, str]:
    """The fields a refused whole-ballot save points at, each with its message."""
    if error.code == "duplicate_rank":
        ranks = [a.get("value") for a in answers if a.get("value") is not None]
        twice = {v for v in ranks if ranks.count(v) > 1}
        return {
            a["indicator_id"]: _(
                "Plats %(r)s är given till flera indikatorer. Varje plats kan bara användas "
                "en gång.",
                r=a["value"],
            )
            for a in answers
            if a.get("value") in twice
        }
    if error.code == "too_many_selections":
        text = round_error_text(error)
        return {a["indicator_id"]: text for a in answers if a.get("value") == 1}
    if error.code == "invalid_value" and "indicator" in error.params:
        return {error.params["indicator"]: allowed_text(method, limit)}
    if error.code == "comment_too_long" and "indicator" in error.params:
        return {error.params["indicator"]: round_error_text(error)}
    return {}


def _as_given(stored, given: dict) -> SimpleNamespace:
    """A stored answer with what was posted laid over it (a refused save kept on the page)."""

    def old(name, default=None):
        return getattr(stored, name, default) if stored is not None else default

    return SimpleNamespace(
        value=given.get("value", old("value")),
        unable=given.get("unable", old("unable", False)),
        comment=given.get("comment", old("comment")),
        reason=given.get("reason", old("reason")),
    )


@bp.route("/deltagare/omgang/<int:number>/svar", methods=["POST"])
@participant_checked_by_view
@without_due_work  # the hot path: saving checks the round's times itself
def ballot_autosave(number: int):
    """One answer saved as it is given (JavaScript; urlencoded or multipart); answers with
    JSON for the live region.

    The hot path under load (bench/bench_save_load.py): the session's participant and the
    round read and locked in one statement, then the upsert, one commit. The participant is
    checked here as ``@participant`` checks it elsewhere.
    """
    named = (parse_id(k.split("-", 1)[1]) for k in request.form if "-" in k)
    ids = sorted({iid for iid in named if iid is not None})
    locked = services.lock_ballot(session_participant_id(), number, ids)
    if locked is None:  # no such participant, or no such round: tell which as elsewhere
        p = load_session_participant()
        if p is None:
            abort(403)
        if p.consent_at is None:
            return _consent_first()
        abort(404)
    if not participant_link_holds(locked, links_expired=lambda: False):
        forget_participant()
        abort(403)
    if locked.links_expired(utcnow()):  # the study has ended: "Studien är avslutad"
        abort(410)
    if locked.consent_at is None:
        return _consent_first()
    if locked.status == Status.DRAFT:
        abort(404)
    read = posted.read_ballot(locked.method, request.form, ids, whole_ballot=False)
    if read.problems:
        return jsonify(
            {"ok": False, "code": "invalid_value", "message": _invalid(locked, number)}
        ), 400
    try:
        saved = services.save_locked(locked, read.answers)
    except services.RoundError as error:
        db.session.rollback()
        status = 409 if error.code in ("round_closed", "round_not_open") else 400
        text = (
            _invalid(locked, number) if error.code == "invalid_value" else round_error_text(error)
        )
        return jsonify({"ok": False, "code": error.code, "message": text}), status
    db.session.commit()
    # The page counts its own progress; the answer only says whether the save held.
    return jsonify({"ok": True, "message": _("Sparat."), "needs_reason": saved.needs_reason})


def _consent_first():
    db.session.rollback()
    return jsonify({"ok": False, "message": _("Bekräfta först informationen om studien.")}), 409


def _invalid(locked, number: int) -> str:
    """What a refused value should have been; the number of places is read only here, off
    the hot path."""
    limit = 0
    if locked.method == "ranking":
        r = services.get_round(load_session_participant().study, number)
        limit = rank_limit(r, len(services.ballot(r)))
    return allowed_text(locked.method, limit)
