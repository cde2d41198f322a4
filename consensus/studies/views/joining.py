"""Joining in the room with the conference code (workshop page, QR code, join), and the
participant's own start page with the information text."""

import segno
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import (
    current_participant,
    load_session_participant,
    participant,
    public,
    remember_participant,
    staff,
)
from ...auth.roles import STUDY_LEADERS, STUDY_STAFF
from ...extensions import db, limiter
from .. import links, mailing, services
from ..forms import ButtonForm, ConsentForm, JoinForm, LostLinkForm, choices
from ..hooks import hooks
from ..models import StakeholderGroup
from . import bp, current_study

# --- joining in the room ---------------------------------------------------------------------


def _join_url(code: str) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for("studies.join", code=code)
    return url_for("studies.join", code=code, _external=True)


def qr_svg(text: str, scale: int = 8) -> str:
    """A QR code as inline SVG markup (server-side, no script), labelled for screen readers."""
    qr = segno.make(text, error="m")
    return qr.svg_inline(scale=scale, dark="#000000", light="#ffffff", border=2, title=text)


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
        qr=qr_svg(url) if url else None,
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


@bp.route("/k/<code>", methods=["GET", "POST"])
@public
@limiter.limit("30 per minute", methods=["POST"])
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
        group = db.session.get(StakeholderGroup, form.group.data)
        if group is None or group.study_id != study.id:
            abort(400)
        p, token = services.join_workshop(study, group)
        db.session.commit()
        remember_participant(p)
        session["new_link"] = mailing.personal_url(token)
        flash(_("Välkommen! Du deltar som %(pseudonym)s.", pseudonym=p.pseudonym), "success")
        return redirect(url_for("studies.participant_home"))
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
    new_link = session.pop("new_link", None)
    sections = hooks().participant_home  # e.g. the rounds to answer
    return render_template(
        "studies/participant_home.html",
        participant=p,
        study=p.study,
        form=form,
        new_link=new_link,
        sections=[(section.template, section.context(p.study)) for section in sections],
    )


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
