"""The study's own email texts: invitation, round announcement, reminder and measures
invitation, per language, with placeholders, a check, a preview and a reset."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import staff
from ...auth.roles import STUDY_LEADERS
from ...extensions import db
from ...i18n import render_message
from ...messages import Message
from .. import mail_texts, mailing
from ..forms import MailTextForm
from ..messages import ERRORS
from . import bp, current_study


def _kind_names() -> dict[str, str]:
    return {
        "invitation": _("Inbjudan till panelen"),
        "round": _("En omgång är öppen"),
        "reminder": _("Påminnelse om en omgång"),
        "measures_invitation": _("Inbjudan till måttenkäten"),
    }


def _sample_values(study) -> dict[str, str]:
    return {
        "namn": "Anna Andersson",
        "länk": mailing.personal_url("x" * 43),
        "studie": study.title,
        "sista_dag": "2026-12-01 17:00",
        "återstår": "3",
        "omgång": "2",
    }


@bp.route("/studier/<slug>/e-posttexter")
@staff(*STUDY_LEADERS)
def mail_text_list():
    study = current_study()
    languages = current_app.config["LANGUAGES"]
    return render_template(
        "studies/mail_texts.html",
        study=study,
        kinds=_kind_names(),
        languages=languages,
        own={
            (kind, lang): mailing.custom_text(study, kind, lang) is not None
            for kind in mail_texts.KINDS
            for lang in languages
        },
    )


@bp.route("/studier/<slug>/e-posttexter/<kind>/<lang>", methods=["GET", "POST"])
@staff(*STUDY_LEADERS)
def mail_text_edit(kind: str, lang: str):
    study = current_study()
    if kind not in mail_texts.KINDS or lang not in current_app.config["LANGUAGES"]:
        abort(404)
    own = mailing.custom_text(study, kind, lang)
    current = own or mailing.default_text(kind, lang)
    form = MailTextForm(data=current if request.method == "GET" else None)
    problems: list[str] = []
    preview = None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        action = request.form.get("action", "save")
        if action == "reset":
            mailing.reset_text(study, kind, lang, actor=current_user)
            db.session.commit()
            flash(_("Standardtexten gäller igen."), "success")
            return redirect(url_for("studies.mail_text_edit", kind=kind, lang=lang))
        subject, body = form.subject.data or "", form.body.data or ""
        found = mail_texts.check(subject, body)
        problems = [render_message(Message(ERRORS, p.code, p.params)) for p in found]
        if not found and action == "preview":
            values = _sample_values(study)
            preview = {
                "subject": mail_texts.fill(subject, values),
                "body": mail_texts.fill(body, values),
            }
        elif not found:
            mailing.save_text(study, kind, lang, subject, body, actor=current_user)
            db.session.commit()
            flash(_("Texten är sparad."), "success")
            return redirect(url_for("studies.mail_text_edit", kind=kind, lang=lang))
    return render_template(
        "studies/mail_text_edit.html",
        study=study,
        kind=kind,
        kind_name=_kind_names()[kind],
        lang=lang,
        form=form,
        own=own is not None,
        problems=problems,
        preview=preview,
        placeholders=mail_texts.PLACEHOLDERS,
    )
