"""Sign-in for staff, and the personal links that panelists and experts use."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import db, limiter
from . import services
from .access import forget_participant, public, remember_participant, staff
from .forms import ChangePasswordForm, LoginForm

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative ``//host``."""
    if not target:
        return None
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _account_key() -> str:
    return "login-account:" + services.normalise_email(request.form.get("email", ""))


@bp.route("/logga-in", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"], key_func=_account_key
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("pages.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("pages.dashboard"))
        flash(_("Fel e-postadress eller lösenord."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logga-ut", methods=["POST"])
@public
def logout():
    logout_user()
    forget_participant()
    flash(_("Du är utloggad."), "info")
    return redirect(url_for("pages.index"))


@bp.route("/konto/losenord", methods=["GET", "POST"])
@staff()
def change_password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current.data, form.new.data)
        except services.AccountError as error:
            if error.code == "wrong_current_password":
                form.current.errors.append(_("Det nuvarande lösenordet stämmer inte."))
            else:
                form.new.errors.append(_("Lösenordet är för kort."))
        else:
            db.session.commit()
            login_user(user)  # the session version changed: stay signed in here
            flash(_("Lösenordet är bytt. Andra inloggningar har loggats ut."), "success")
            return redirect(url_for("pages.dashboard"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/l/<token>")
@public
def personal_link(token: str):
    """A panelist's or expert's personal link: admit them to this browser session."""
    check = services.check_link(token)
    if check.status != "ok":
        return render_template("auth/link_invalid.html", status=check.status), 403
    participant = check.participant
    services.record_visit(participant)
    db.session.commit()
    remember_participant(participant)
    # Redirect so that the token leaves the address bar and never reaches a Referer header.
    return redirect(url_for("studies.participant_home"))
