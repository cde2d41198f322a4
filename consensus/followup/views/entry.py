"""Staff entry for a wave: paper questionnaires, logged corrections, importing answers from
another survey tool (preview, then confirm; all or nothing) and the raw answers export.

An uploaded file waits for its confirmation in the instance folder, named by the SHA-256 of
the förbund, the wave and its content (no state in a process), and is removed when imported.
"""

from __future__ import annotations

import hashlib
import os
import time

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import paging
from ...auth.access import staff
from ...auth.roles import Role
from ...extensions import db
from ...i18n import render_message
from .. import services
from ..forms import AnswersFileForm, CorrectionForm, DeleteResponseForm
from . import bp, imported_or_404, organisation, require_post_form, wave_or_404

STAGED_MAX_AGE = 24 * 3600
ENTERED_PER_PAGE = 200
PREFIX = "/uppfoljning/<int:imported_id>/matningar/<int:wave_id>"


# --- staged uploads -------------------------------------------------------------------------


def _staging_dir() -> str:
    path = os.path.join(current_app.instance_path, "uppladdningar")
    os.makedirs(path, exist_ok=True)
    return path


def stage_upload(scope: str, filename: str, data: bytes) -> str:
    """Keep an uploaded file until it is confirmed; returns its key (a SHA-256)."""
    key = hashlib.sha256(f"{organisation().id}:{scope}:".encode() + data).hexdigest()
    folder = _staging_dir()
    now = time.time()
    for name in os.listdir(folder):  # forget what was never confirmed
        path = os.path.join(folder, name)
        if now - os.path.getmtime(path) > STAGED_MAX_AGE:
            os.remove(path)
    safe = os.path.basename(filename or "fil").replace("\n", " ")[:200]
    with open(os.path.join(folder, key), "wb") as handle:
        handle.write(safe.encode() + b"\n" + data)
    return key


def read_staged(scope: str, key: str) -> tuple[str, bytes] | None:
    if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
        return None
    path = os.path.join(_staging_dir(), key)
    try:
        with open(path, "rb") as handle:
            name, _sep, data = handle.read().partition(b"\n")
    except OSError:
        return None
    expected = hashlib.sha256(f"{organisation().id}:{scope}:".encode() + data).hexdigest()
    return (name.decode(), data) if expected == key else None


def discard_staged(key: str) -> None:
    try:
        os.remove(os.path.join(_staging_dir(), key))
    except OSError:
        pass


# --- the entry page -------------------------------------------------------------------------


def _wave(imported_id: int, wave_id: int):
    imported = imported_or_404(imported_id)
    return imported, wave_or_404(imported, wave_id)


@bp.route(PREFIX + "/inmatning")
@staff(Role.FORBUND)
def entry(imported_id: int, wave_id: int):
    imported, wave = _wave(imported_id, wave_id)
    entered = services.staff_entered(wave)
    shown = paging.window(len(entered), request.args.get(paging.PAGE_ARG), ENTERED_PER_PAGE)
    return render_template(
        "followup/entry.html",
        row=imported,
        wave=wave,
        entered=entered[shown.start : shown.stop],
        window=shown,
        deleted=services.deletions(wave),
        file_form=AnswersFileForm(),
        time_point=services.time_point_text(wave),
        group_name=services.respondent_group_name(wave),
        formats=services.EXPORT_FORMATS,
    )


@bp.route(PREFIX + "/inmatning/papper", methods=["GET", "POST"])
@staff(Role.FORBUND)
def paper(imported_id: int, wave_id: int):
    imported, wave = _wave(imported_id, wave_id)
    questionnaire = services.questionnaire_for(wave)
    problems: list = []
    values: dict[str, list[str]] = {}
    code = ""
    if request.method == "POST":
        require_post_form()
        values = {q.id: request.form.getlist(q.id) for q in questionnaire.questions}
        code = request.form.get("kod", "")
        try:
            response, problems = services.enter_paper(
                wave, {k: v for k, v in values.items() if v}, code
            )
        except services.FollowupError as error:
            db.session.rollback()
            problems = [error]
        else:
            if response is not None:
                db.session.commit()
                flash(
                    _("Pappersenkäten är sparad (respondent %(id)s).", id=response.respondent_id),
                    "success",
                )
                return redirect(url_for(".paper", imported_id=imported.id, wave_id=wave.id))
            db.session.rollback()
    return (
        render_template(
            "followup/paper.html",
            row=imported,
            wave=wave,
            questionnaire=questionnaire,
            values=values,
            code=code,
            problems=problems,
            time_point=services.time_point_text(wave),
        ),
        422 if problems else 200,
    )


@bp.route(PREFIX + "/inmatning/svar/<respondent_id>", methods=["GET", "POST"])
@staff(Role.FORBUND)
def correct(imported_id: int, wave_id: int, respondent_id: str):
    imported, wave = _wave(imported_id, wave_id)
    response = services.response_of(wave, respondent_id)
    if response is None:
        abort(404)
    form = CorrectionForm()
    error = None
    if request.method == "POST":
        if form.validate_on_submit():
            item_id = form.item_id.data
            try:
                services.correct_answer(
                    response,
                    item_id,
                    request.form.getlist("value"),
                    form.reason.data,
                    current_user.id,
                )
            except services.FollowupError as refusal:
                db.session.rollback()
                error = render_message(refusal)
            else:
                db.session.commit()
                flash(_("Rättelsen är sparad och loggad."), "success")
                return redirect(request.path)
        else:
            error = "; ".join(e for errors in form.errors.values() for e in errors)
    return (
        render_template(
            "followup/correct.html",
            row=imported,
            wave=wave,
            response=response,
            questionnaire=services.questionnaire_for(wave),
            values=services.current_values(response),
            editable=response.source in ("paper", "import"),
            log=services.corrections(response),
            form=form,
            delete_form=DeleteResponseForm(formdata=None),
            error=error,
        ),
        422 if error else 200,
    )


@bp.route(PREFIX + "/inmatning/svar/<respondent_id>/ta-bort", methods=["POST"])
@staff(Role.FORBUND)
def delete_response(imported_id: int, wave_id: int, respondent_id: str):
    imported, wave = _wave(imported_id, wave_id)
    response = services.response_of(wave, respondent_id)
    if response is None:
        abort(404)
    here = url_for(
        ".correct", imported_id=imported.id, wave_id=wave.id, respondent_id=respondent_id
    )
    form = DeleteResponseForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(here + "#ta-bort")
    try:
        services.delete_response(response, form.reason.data, current_user.id)
    except services.FollowupError as refusal:
        db.session.rollback()
        flash(render_message(refusal), "error")
        return redirect(here)
    db.session.commit()
    flash(_("Enkäten %(id)s är borttagen. Borttagningen är loggad.", id=respondent_id), "success")
    return redirect(url_for(".entry", imported_id=imported.id, wave_id=wave.id) + "#borttagna")


@bp.route(PREFIX + "/inmatning/importera", methods=["POST"])
@staff(Role.FORBUND)
def import_upload(imported_id: int, wave_id: int):
    imported, wave = _wave(imported_id, wave_id)
    form = AnswersFileForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for(".entry", imported_id=imported.id, wave_id=wave.id))
    upload = form.file.data
    key = stage_upload(f"answers:{wave.id}", upload.filename or "fil", upload.read())
    return redirect(url_for(".import_preview", imported_id=imported.id, wave_id=wave.id, key=key))


@bp.route(PREFIX + "/inmatning/importera/<key>", methods=["GET", "POST"])
@staff(Role.FORBUND)
def import_preview(imported_id: int, wave_id: int, key: str):
    imported, wave = _wave(imported_id, wave_id)
    staged = read_staged(f"answers:{wave.id}", key)
    if staged is None:
        flash(_("Förhandsgranskningen finns inte längre. Ladda upp filen igen."), "error")
        return redirect(url_for(".entry", imported_id=imported.id, wave_id=wave.id))
    filename, data = staged
    try:
        preview = services.preview_import(wave, data, filename)
    except services.FollowupError as error:
        flash(render_message(error), "error")
        return redirect(url_for(".entry", imported_id=imported.id, wave_id=wave.id))
    if request.method == "POST":
        require_post_form()
        if preview.ok:
            count = services.import_answers(preview)
            db.session.commit()
            discard_staged(key)
            flash(_("%(n)s enkäter är importerade.", n=count), "success")
            return redirect(url_for(".entry", imported_id=imported.id, wave_id=wave.id))
        flash(
            _("Filen har fel och importerades inte. Rätta filen och ladda upp den igen."), "error"
        )
    return render_template(
        "followup/import_preview.html",
        row=imported,
        wave=wave,
        filename=filename,
        preview=preview,
        shown=preview.shown(),
        hidden=preview.hidden(),
    ), (200 if preview.ok else 422)


@bp.route(PREFIX + "/svar.<any(csv, xlsx, json):fmt>")
@staff(Role.FORBUND)
def export(imported_id: int, wave_id: int, fmt: str):
    _imported, wave = _wave(imported_id, wave_id)
    body = services.render_answers(services.answers_table(wave), fmt)
    return Response(
        body,
        mimetype=services.exports.mimetype(fmt),
        headers={
            "Content-Disposition": f'attachment; filename="{services.export_name(wave, fmt)}"',
            "Cache-Control": "no-store",
        },
    )
