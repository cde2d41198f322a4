"""Joining in the room with the conference code (workshop page, QR code, join), and the
participant's own start page with the information text."""

from datetime import timedelta

import segno
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ... import mail
from ...auth import services as auth_services
from ...auth import throttle
from ...auth.access import (
    current_participant,
    load_session_participant,
    participant,
    public,
    remember_participant,
    staff,
)
from ...auth.roles import STUDY_LEADERS, STUDY_STAFF
from ...auth.services import issue_link
from ...auth.views import wait_text
from ...extensions import db, limiter
from .. import links, mailing, services
from ..forms import ButtonForm, ConsentForm, JoinForm, LostLinkForm, OwnLinkForm, choices
from ..hooks import hooks
from ..models import StakeholderGroup
from . import bp, current_study

# --- joining in the room ---------------------------------------------------------------------


def _join_url(code: str) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for("studies.join", code=code)
    return url_for("studies.join", code=code, _external=True)


def qr_svg(text: str, scale: int = 8, *, fit: bool = False) -> str:
    """A QR code as inline SVG markup (server-side, no script), labelled for screen readers.
    ``fit``: no fixed size, only a viewBox, so the stylesheet can scale the drawing (the
    presenter mode fills half the screen with it)."""
    qr = segno.make(text, error="m")
    return qr.svg_inline(
        scale=scale, dark="#000000", light="#ffffff", border=2, title=text, omitsize=fit
    )


@bp.route("/studier/<slug>/workshop", methods=["GET", "POST"])
@staff(*STUDY_STAFF)
def workshop():
    study = current_study()
    form = ButtonForm()
    if request.method == "POST":
        if not current_user.has_role(*STUDY_LEADERS) or not form.validate_on_submit():
            abort(403)
        if request.form.get("action") == "disable":
            services.disable_join_code(study, actor=current_user)
            flash(_("Koden är avstängd."), "success")
        else:
            services.ensure_join_code(study, actor=current_user)
            flash(_("Koden är skapad."), "success")
        db.session.commit()
        return redirect(url_for("studies.workshop"))
    url = _join_url(study.join_code) if study.join_code else None
    return render_template(
        "studies/workshop.html",
        study=study,
        join_url=url,
        qr=qr_svg(url, fit=True) if url else None,
        button=form,
    )


@bp.route("/k/<code>/qr.svg")
@public
def join_qr(code: str):
    study = services.study_by_join_code(code)
    if study is None:
        abort(404)
    return Response(qr_svg(_join_url(study.join_code)), mimetype="image/svg+xml")


@bp.route("/k", methods=["GET", "POST"])
@public
def join_code_entry():
    """Typing the code from the projector: /k?kod=ABC234."""
    code = (request.values.get("kod") or "").strip().upper()
    if code:
        if services.study_by_join_code(code) is not None:
            return redirect(url_for("studies.join", code=code))
        flash(_("Koden %(code)s finns inte eller är inte längre öppen.", code=code), "error")
    return render_template("studies/join_code.html", code=code)


def _join_wait(address: str) -> int:
    """Seconds before another join from ``address`` (0: now); counted in the database, so
    every app process shares the count (``WORKSHOP_JOINS_PER_MINUTE``)."""
    per_minute = int(current_app.config["WORKSHOP_JOINS_PER_MINUTE"])
    limit = throttle.Limit(per_minute, timedelta(minutes=1))
    return auth_services.attempts_wait("workshop_join", address, limit)


@bp.route("/k/<code>", methods=["GET", "POST"])
@public
def join(code: str):
    study = services.study_by_join_code(code)
    if study is None:
        return render_template("studies/join_code.html", code=code, unknown=True), 404
    existing = current_participant_in_session(study)
    if existing is not None:
        return redirect(url_for("studies.participant_home"))
    form = JoinForm()
    form.group.choices = choices((g.id, g.name) for g in study.groups)
    if form.validate_on_submit():
        address = request.remote_addr or ""
        wait = _join_wait(address)
        if wait:
            flash(_("För många anslutningar från din adress.") + " " + wait_text(wait), "error")
            return render_template("studies/join.html", study=study, form=form), 429
        group = db.session.get(StakeholderGroup, form.group.data)
        if group is None or group.study_id != study.id:
            abort(400)
        p, token = services.join_workshop(study, group)
        auth_services.record_attempt("workshop_join", address)
        db.session.commit()
        remember_participant(p)
        flash(_("Välkommen! Du deltar som %(pseudonym)s.", pseudonym=p.pseudonym), "success")
        # The personal link is shown on this answer only: it never rides in the session cookie.
        return _home_page(p, new_link=mailing.personal_url(token))
    return render_template("studies/join.html", study=study, form=form)


def current_participant_in_session(study):
    p = load_session_participant()
    return p if p is not None and p.study_id == study.id else None


# --- the participant -------------------------------------------------------------------------


@bp.route("/deltagare", methods=["GET", "POST"])
@participant
def participant_home():
    p = current_participant()
    if p.kind == "expert":  # an invited expert answers the measures survey
        return redirect(url_for("survey.home", slug=p.study.slug))
    form = ConsentForm()
    if p.consent_at is None and form.validate_on_submit():
        services.give_consent(p)
        db.session.commit()
        flash(_("Tack! Ditt samtycke är registrerat."), "success")
        return redirect(url_for("studies.participant_home"))
    return _home_page(p, form=form)


def _home_page(p, *, form=None, new_link: str | None = None) -> str:
    sections = hooks().participant_home  # e.g. the rounds to answer
    return render_template(
        "studies/participant_home.html",
        participant=p,
        study=p.study,
        form=form or ConsentForm(formdata=None),
        new_link=new_link,
        link_form=OwnLinkForm(),
        leave_form=ButtonForm(),
        sections=[(section.template, section.context(p.study)) for section in sections],
    )


@bp.route("/deltagare/lanken", methods=["POST"])
@participant
@limiter.limit("5 per hour", methods=["POST"])
def own_link_by_email():
    """Mail the participant a personal link (workshop joiners have no address on file). The
    address is used for this one message and not kept. The new link is one more valid link
    (links sent earlier keep working); it is stored only when the message went out."""
    p = current_participant()
    form = OwnLinkForm()
    if not form.validate_on_submit():
        for error in form.email.errors:
            flash(_("E-postadressen: %(error)s", error=error), "error")
        return redirect(url_for("studies.participant_home") + "#own-link-h")
    token = issue_link(p)
    link = mailing.personal_url(token)
    message = mail.Outgoing(
        to=form.email.data,
        subject=_("Din personliga länk till ”%(title)s”", title=p.study.title),
        body=render_template("email/own_link.txt", study=p.study, member=p, link=link),
        key=p.id,
    )
    (delivery,) = mail.send([message])
    if not delivery.sent:
        db.session.rollback()  # the old link keeps working
        flash(_("Det gick inte att skicka länken just nu. Försök igen om en stund."), "error")
        return redirect(url_for("studies.participant_home") + "#own-link-h")
    db.session.commit()
    remember_participant(p)  # this device stays signed in
    flash(_("Länken är skickad. Adressen sparas inte."), "success")
    return redirect(url_for("studies.participant_home"))


# --- a lost personal link --------------------------------------------------------------------


@bp.route("/tappad-lank", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def lost_link():
    """ "Har du tappat din länk?": a new link by email to a panelist or expert of a study
    still under way. The answer is the same whether the address is known or not."""
    form = LostLinkForm()
    if form.validate_on_submit():
        for holder in links.lost_link_holders(form.email.data):
            mailing.send_links(
                holder.study,
                [holder],
                template="email/lost_link.txt",
                subject=lambda study=holder.study: _("Din länk till %(title)s", title=study.title),
                action="lost_link_sent",
                purpose="lost",
            )
        db.session.commit()
        return render_template("studies/lost_link.html", form=None, sent=True)
    return render_template("studies/lost_link.html", form=form, sent=False)
