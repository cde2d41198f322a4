"""Sign-in for staff, and the personal links that panelists and experts use."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from ..extensions import db
from ..i18n import render_message
from . import services, throttle
from .access import (
    end_participant_sessions,
    public,
    remember_participant,
    role_label,
    staff,
)
from .forms import (
    AccountButtonForm,
    AccountCreateForm,
    ChangePasswordForm,
    LoginForm,
    OrganisationCreateForm,
)
from .models import Organisation, User
from .roles import Role

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


# A browser that signed in to an account keeps a signed note of it (the SHA-256 of the email,
# nothing else): it skips the account's delay after guesses from elsewhere (auth/throttle.py).
KNOWN_DEVICE_COOKIE = "consensus_known"
KNOWN_DEVICE_DAYS = 180


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="consensus-known-device")


def _known_accounts() -> list[str]:
    value = request.cookies.get(KNOWN_DEVICE_COOKIE)
    if not value:
        return []
    try:
        accounts = _device_serializer().loads(value, max_age=KNOWN_DEVICE_DAYS * 86400)
    except BadSignature:
        return []
    return [a for a in accounts if isinstance(a, str)] if isinstance(accounts, list) else []


def _remember_device(response, email: str) -> None:
    key = services.throttle_key(services.normalise_email(email))
    accounts = [key] + [a for a in _known_accounts() if a != key]
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        _device_serializer().dumps(accounts[:5]),
        max_age=KNOWN_DEVICE_DAYS * 86400,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )


def wait_text(seconds: int) -> str:
    """ "Försök igen om 12 minuter" in the page's language."""
    unit, n = throttle.wait_in_words(seconds)
    if unit == "seconds":
        return ngettext("Försök igen om %(num)d sekund.", "Försök igen om %(num)d sekunder.", n)
    return ngettext("Försök igen om %(num)d minut.", "Försök igen om %(num)d minuter.", n)


def sign_in(user) -> None:
    """Start a server-side session for ``user`` in this browser (the caller commits)."""
    session[services.SESSION_STAFF] = services.start_staff_session(user)
    login_user(user)


@bp.route("/logga-in", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("pages.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        email, address = form.email.data, request.remote_addr or ""
        known = services.throttle_key(services.normalise_email(email)) in _known_accounts()
        wait = services.login_wait(email, address, known_device=known)
        if wait:
            message = _("För många misslyckade inloggningar.") + " " + wait_text(wait)
            page = render_template("auth/login.html", form=form, throttled=message)
            response = make_response(page, 429)
            response.headers["Retry-After"] = str(wait)
            return response
        user = services.authenticate(email, form.password.data)
        if user is not None:
            sign_in(user)
            db.session.commit()
            response = redirect(safe_next(request.args.get("next")) or url_for("pages.dashboard"))
            _remember_device(response, email)
            return response
        services.record_login_failure(email, address)
        db.session.commit()
        flash(_("Fel e-postadress eller lösenord."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logga-ut", methods=["POST"])
@public
def logout():
    """Log out: the staff session and the participant's sessions end on the server too, so a
    copy of the cookie made before no longer opens anything."""
    services.end_staff_session(session.pop(services.SESSION_STAFF, None))
    end_participant_sessions()
    db.session.commit()
    logout_user()
    flash(_("Du är utloggad."), "info")
    return redirect(url_for("pages.index"))


@bp.route("/konto/logga-ut-overallt", methods=["POST"])
@staff()
def logout_everywhere():
    """End every session of this account, on every device, this one included."""
    if not AccountButtonForm().validate_on_submit():
        abort(400)
    services.end_staff_sessions(current_user._get_current_object())
    session.pop(services.SESSION_STAFF, None)
    db.session.commit()
    logout_user()
    flash(_("Du är utloggad på alla enheter."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/konto/losenord", methods=["GET", "POST"])
@staff()
def change_password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current.data, form.new.data)
        except services.AccountError as error:
            field = form.current if error.code == "wrong_current_password" else form.new
            field.errors.append(account_error_text(error))
        else:
            login_user(user)  # the session version changed: stay signed in here
            db.session.commit()
            flash(_("Lösenordet är bytt. Andra inloggningar har loggats ut."), "success")
            return redirect(url_for("pages.dashboard"))
    return render_template("auth/change_password.html", form=form, button=AccountButtonForm())


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


# --- the admin's pages: staff accounts and förbund ---------------------------------------------


def account_error_text(error: services.AccountError) -> str:
    """A refused account change in the page's language (catalogue: ``auth/messages.py``)."""
    return render_message(error)


# Which form field an account error belongs to.
_ACCOUNT_ERROR_FIELDS = {
    "unknown_role": "role",
    "organisation_required": "organisation",
    "organisation_not_allowed": "organisation",
    "password_too_short": "password",
    "email_taken": "email",
}


def _account_form() -> AccountCreateForm:
    form = AccountCreateForm()
    form.role.choices = [("", _("Välj en roll"))] + [(r.value, role_label(r)) for r in Role]
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name))
    form.organisation.choices = [("", _("Inget förbund"))] + [
        (str(org.id), f"{org.name} ({org.slug})") for org in organisations
    ]
    return form


@bp.route("/admin/konton", methods=["GET", "POST"])
@staff(Role.ADMIN)
def admin_accounts():
    form = _account_form()
    if form.validate_on_submit():
        organisation = (
            db.session.get(Organisation, int(form.organisation.data))
            if form.organisation.data
            else None
        )
        try:
            user = services.create_user(
                form.email.data,
                form.password.data,
                form.role.data,
                name=form.name.data.strip(),
                organisation=organisation,
            )
        except services.AccountError as error:
            field = form[_ACCOUNT_ERROR_FIELDS.get(error.code, "email")]
            field.errors = [*field.errors, account_error_text(error)]
        else:
            db.session.commit()
            flash(
                _(
                    "Kontot för %(email)s är skapat med rollen %(role)s. Ge personen det första "
                    "lösenordet på ett säkert sätt.",
                    email=user.email,
                    role=role_label(user.role),
                ),
                "success",
            )
            return redirect(url_for("auth.admin_accounts"))
    return render_template(
        "auth/admin_accounts.html",
        form=form,
        users=services.list_users(),
        button=AccountButtonForm(),
    )


@bp.route("/admin/konton/<int:user_id>/<any(inaktivera, aktivera):action>", methods=["POST"])
@staff(Role.ADMIN)
def admin_account_active(user_id: int, action: str):
    user = db.get_or_404(User, user_id)
    if not AccountButtonForm().validate_on_submit():
        abort(400)
    active = action == "aktivera"
    try:
        services.set_active(user, active, actor=current_user._get_current_object())
    except services.AccountError as error:
        flash(account_error_text(error), "error")
        return redirect(url_for("auth.admin_accounts"))
    db.session.commit()
    if active:
        flash(_("Kontot för %(email)s är aktivt igen.", email=user.email), "success")
    else:
        flash(
            _(
                "Kontot för %(email)s är inaktiverat. Personen har loggats ut och kan inte "
                "logga in.",
                email=user.email,
            ),
            "success",
        )
    return redirect(url_for("auth.admin_accounts"))


@bp.route("/admin/forbund", methods=["GET", "POST"])
@staff(Role.ADMIN)
def admin_organisations():
    form = OrganisationCreateForm()
    if form.validate_on_submit():
        try:
            org = services.create_organisation(form.name.data, form.slug.data)
        except services.AccountError as error:
            field = form.name if error.code == "organisation_name_required" else form.slug
            field.errors = [*field.errors, account_error_text(error)]
        else:
            db.session.commit()
            flash(
                _(
                    "Förbundet %(name)s är skapat med kortnamnet %(slug)s.",
                    name=org.name,
                    slug=org.slug,
                ),
                "success",
            )
            return redirect(url_for("auth.admin_organisations"))
    return render_template(
        "auth/admin_organisations.html", form=form, organisations=services.list_organisations()
    )
