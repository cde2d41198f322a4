"""Answering a wave: public pages, no login, nobody identified.

``/enkat/<token>`` is a wave's open link (the token is redacted from the request log, like
every route argument named ``token`` or ``code``); ``/enkat/kod`` lets a respondent with a
longitudinal code find the wave it should answer. The questionnaire is one section per page;
each page is saved when sent (POST, no script needed) and the questionnaire can be resumed on
the same device through an HttpOnly cookie holding a resume token (only its hash is stored).
Nothing about the device or address is stored.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for

from ...auth.access import public
from ...extensions import db, limiter
from ...i18n import render_message
from .. import services
from ..forms import CodeEntryForm
from ..lifecycle import ResponseStatus, accepts_answers
from ..models import SurveyResponse, Wave
from ..questionnaire import GENERATED_TEXTS
from . import bp, require_post_form

COOKIE_PATH = "/enkat/"
COOKIE_DAYS = 120


def _cookie_name(wave: Wave) -> str:
    return f"enkat{wave.id}"


def _wave_or_404(token: str) -> Wave:
    wave = services.wave_by_token(token) if token else None
    if wave is None:
        abort(404)
    return wave


def _resumed(wave: Wave) -> SurveyResponse | None:
    return services.resume(wave, request.cookies.get(_cookie_name(wave)))


def _remember(response, wave: Wave, resume_token: str):
    response.set_cookie(
        _cookie_name(wave),
        resume_token,
        max_age=COOKIE_DAYS * 24 * 3600,
        path=COOKIE_PATH,
        httponly=True,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", True),
        samesite="Lax",
    )
    return response


def _closed_page(wave: Wave, status: int = 409):
    code = "wave_closed" if wave.status == "closed" else "wave_not_open"
    return render_template(
        "followup/answer_closed.html", wave=wave, message=services.FollowupError(code)
    ), status


def _start_page(wave: Wave, token: str, form=None, problem=None, status: int = 200):
    current = _resumed(wave)
    return render_template(
        "followup/answer_start.html",
        wave=wave,
        token=token,
        current=current,
        form=form or CodeEntryForm(formdata=None),
        problem=problem,
        questionnaire=services.questionnaire_for(wave),
    ), status


@bp.route("/enkat/<token>", methods=["GET", "POST"])
@public
def respond(token: str):
    wave = _wave_or_404(token)
    if not accepts_answers(wave.status):
        current = _resumed(wave)
        if current is not None and current.status == ResponseStatus.SUBMITTED:
            return redirect(url_for("followup.thanks", token=token))
        return _closed_page(wave, 200 if request.method == "GET" else 409)
    if request.method == "GET":
        return _start_page(wave, token)
    require_post_form()
    current = _resumed(wave)
    if current is not None:
        if current.status == ResponseStatus.SUBMITTED:
            return redirect(url_for("followup.thanks", token=token))
        return redirect(url_for("followup.answer_page", token=token, page=current.section))
    try:
        response, resume_token = services.start(wave)
    except services.FollowupError:
        db.session.rollback()
        return _closed_page(wave)
    db.session.commit()
    return _remember(
        redirect(url_for("followup.answer_page", token=token, page=0)), wave, resume_token
    )


@bp.route("/enkat/<token>/kod", methods=["POST"])
@public
@limiter.limit("30 per minute", methods=["POST"])
def respond_with_code(token: str):
    wave = _wave_or_404(token)
    form = CodeEntryForm()
    if not form.validate_on_submit():
        return _start_page(wave, token, form=form, status=422)
    try:
        response, resume_token = services.start_with_code(wave, form.code.data)
    except services.FollowupError as error:
        db.session.rollback()
        if error.code in ("wave_closed", "wave_not_open"):
            return _closed_page(wave)
        form.code.errors = [render_message(error)]
        return _start_page(wave, token, form=form, status=422)
    db.session.commit()
    return _remember(
        redirect(url_for("followup.answer_page", token=token, page=response.section)),
        wave,
        resume_token,
    )


@bp.route("/enkat/kod", methods=["GET", "POST"])
@public
@limiter.limit("30 per minute", methods=["POST"])
def code_entry():
    """A respondent with a longitudinal code: find the open wave(s) of its förbund the code
    has not answered; with one, start it; with several, let the respondent choose."""
    form = CodeEntryForm()
    if request.method == "GET" or not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("followup/code_entry.html", form=form, waves=None), status
    try:
        code, candidates = services.waves_for_code(form.code.data)
    except services.FollowupError as error:
        db.session.rollback()
        form.code.errors = [render_message(error)]
        return render_template("followup/code_entry.html", form=form, waves=None), 422
    chosen = request.form.get("wave", type=int)
    wave = next((w for w in candidates if w.id == chosen), None)
    if wave is None and len(candidates) == 1:
        wave = candidates[0]
    if wave is None:
        return render_template(
            "followup/code_entry.html",
            form=form,
            waves=candidates,
            time_point=services.time_point_text,
            group_name=services.respondent_group_name,
        )
    try:
        response, resume_token = services.start_with_code(wave, form.code.data)
    except services.FollowupError as error:
        db.session.rollback()
        form.code.errors = [render_message(error)]
        return render_template("followup/code_entry.html", form=form, waves=None), 422
    db.session.commit()
    # The wave's open token is not kept, so the code's questionnaire is reached through a
    # page address made from the response's own resume token.
    return _remember(
        redirect(url_for("followup.code_page", wave_id=wave.id, page=response.section)),
        wave,
        resume_token,
    )


# --- the questionnaire's pages ---------------------------------------------------------------


def _page_url(wave: Wave, token: str | None, page: int) -> str:
    if token:
        return url_for("followup.answer_page", token=token, page=page)
    return url_for("followup.code_page", wave_id=wave.id, page=page)


def _submit_url(wave: Wave, token: str | None) -> str:
    if token:
        return url_for("followup.answer_submit", token=token)
    return url_for("followup.code_submit", wave_id=wave.id)


def _thanks_url(wave: Wave, token: str | None) -> str:
    if token:
        return url_for("followup.thanks", token=token)
    return url_for("followup.code_thanks", wave_id=wave.id)


def _page(wave: Wave, token: str | None, page: int):
    response = _resumed(wave)
    if response is None:
        if token:
            return redirect(url_for("followup.respond", token=token))
        return redirect(url_for("followup.code_entry"))
    if response.status == ResponseStatus.SUBMITTED:
        return redirect(_thanks_url(wave, token))
    if not accepts_answers(wave.status):
        return _closed_page(wave, 409 if request.method == "POST" else 200)
    questionnaire = services.questionnaire_for(wave)
    total = len(questionnaire.sections)
    if not 0 <= page < total:
        if page == total:
            return redirect(_submit_url(wave, token))
        abort(404)
    problems = []
    values = services.current_values(response)
    if request.method == "POST":
        require_post_form()
        names = {q.id for q in questionnaire.sections[page].questions}
        form = {name: request.form.getlist(name) for name in names}
        try:
            problems = services.save_section(response, questionnaire, page, form)
        except services.FollowupError as error:
            db.session.rollback()
            if error.code == "already_submitted":
                return redirect(_thanks_url(wave, token))
            return _closed_page(wave)
        if not problems:
            db.session.commit()
            return redirect(_page_url(wave, token, page + 1))
        db.session.rollback()
        values = {**values, **form}
    return render_template(
        "followup/answer_page.html",
        wave=wave,
        section=questionnaire.sections[page],
        page=page,
        total=total,
        values=values,
        problems=problems,
        back_url=_page_url(wave, token, page - 1) if page > 0 else None,
        dom_id=lambda item: "q-" + (item or "").replace(".", "-"),
        generated=GENERATED_TEXTS,
    ), (422 if problems else 200)


def _submit(wave: Wave, token: str | None):
    response = _resumed(wave)
    if response is None:
        return redirect(
            url_for("followup.respond", token=token) if token else url_for("followup.code_entry")
        )
    if response.status == ResponseStatus.SUBMITTED:
        return redirect(_thanks_url(wave, token))
    if not accepts_answers(wave.status):
        return _closed_page(wave, 409 if request.method == "POST" else 200)
    questionnaire = services.questionnaire_for(wave)
    problem = None
    if request.method == "POST":
        require_post_form()
        try:
            services.submit(response, questionnaire)
        except services.FollowupError as error:
            db.session.rollback()
            if error.code == "already_submitted":
                return redirect(_thanks_url(wave, token))
            if error.code in ("wave_closed", "wave_not_open"):
                return _closed_page(wave)
            problem = error
        else:
            db.session.commit()
            return redirect(_thanks_url(wave, token))
    answered = services.answered_items(response)
    return render_template(
        "followup/answer_submit.html",
        wave=wave,
        questionnaire=questionnaire,
        answered=answered,
        problem=problem,
        page_url=lambda page: _page_url(wave, token, page),
        total=len(questionnaire.sections),
        generated=GENERATED_TEXTS,
    ), (422 if problem else 200)


def _thanks(wave: Wave, token: str | None):
    response = _resumed(wave)
    submitted = response is not None and response.status == ResponseStatus.SUBMITTED
    if not submitted:
        return redirect(
            url_for("followup.respond", token=token) if token else url_for("followup.code_entry")
        )
    return render_template("followup/answer_thanks.html", wave=wave)


@bp.route("/enkat/<token>/sida/<int:page>", methods=["GET", "POST"])
@public
def answer_page(token: str, page: int):
    return _page(_wave_or_404(token), token, page)


@bp.route("/enkat/<token>/skicka", methods=["GET", "POST"])
@public
def answer_submit(token: str):
    return _submit(_wave_or_404(token), token)


@bp.route("/enkat/<token>/tack")
@public
def thanks(token: str):
    return _thanks(_wave_or_404(token), token)


# A questionnaire started with a code on /enkat/kod has no open-link token in its address:
# its pages are reached by the wave's number and the resume cookie, which alone opens them.


def _wave_by_id_or_404(wave_id: int) -> Wave:
    wave = db.session.get(Wave, wave_id)
    if wave is None or _resumed(wave) is None:
        abort(404)
    return wave


@bp.route("/enkat/m/<int:wave_id>/sida/<int:page>", methods=["GET", "POST"])
@public
def code_page(wave_id: int, page: int):
    return _page(_wave_by_id_or_404(wave_id), None, page)


@bp.route("/enkat/m/<int:wave_id>/skicka", methods=["GET", "POST"])
@public
def code_submit(wave_id: int):
    return _submit(_wave_by_id_or_404(wave_id), None)


@bp.route("/enkat/m/<int:wave_id>/tack")
@public
def code_thanks(wave_id: int):
    return _thanks(_wave_by_id_or_404(wave_id), None)


@bp.after_request
def _no_store(response):
    """Questionnaire pages are private to one device: never kept in a shared cache."""
    if request.path.startswith(COOKIE_PATH):
        response.headers["Cache-Control"] = "no-store"
    return response
