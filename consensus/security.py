"""HTTP hardening: security headers, proxy awareness, the session cookie, SQLite pragmas."""

import re
from datetime import UTC, datetime, timedelta

from flask import Flask, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import BadRequest
from werkzeug.http import dump_options_header, parse_options_header
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter as WerkzeugIntegerConverter

from .numbers import MAX_ID

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


class _Session(SecureCookieSession):
    signed_at: datetime | None = None


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, re-signed only when it changed or when its signature
    is older than ``SESSION_REFRESH_INTERVAL``: a permanent session still slides its
    expiry with use (``SESSION_REFRESH_EACH_REQUEST``), but a panelist saving answer after
    answer no longer costs a new signature and ``Set-Cookie`` on every request. The signing
    serializer is built once per key set instead of twice per request."""

    session_class = _Session

    def __init__(self) -> None:
        self._serializers: dict = {}

    def get_signing_serializer(self, app: Flask):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if key not in self._serializers:
            self._serializers = {key: super().get_signing_serializer(app)}
        return self._serializers[key]

    def open_session(self, app: Flask, request):
        s = self.get_signing_serializer(app)
        if s is None:
            return None
        val = request.cookies.get(self.get_cookie_name(app))
        if not val:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = s.loads(val, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app: Flask, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        interval = app.config.get("SESSION_REFRESH_INTERVAL") or timedelta(0)
        if not isinstance(interval, timedelta):  # seconds, from the environment
            interval = timedelta(seconds=float(interval))
        return signed_at is None or datetime.now(UTC) - signed_at >= interval


class IntegerConverter(WerkzeugIntegerConverter):
    """``<int:...>`` as werkzeug's, but no larger than a database integer: a twenty-digit id
    is a 404 instead of PostgreSQL's "integer out of range" (a 500). Same class name as
    werkzeug's, so code that tells converters by name keeps working."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max=None, signed=False):
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


# C0 control characters and DEL. Form values may carry tab and line breaks (text areas).
_CONTROL_IN_PATH = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_VALUE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ControlCharacters(BadRequest):
    reason = "control"  # the error page says which


def refuse_control_characters() -> None:
    """A NUL byte or other control character in the path, the query or a form field is a 400
    before any view or database sees it (PostgreSQL refuses NUL in text: a 500 otherwise).
    Uploaded files are not looked at here: their readers judge their content."""
    if _CONTROL_IN_PATH.search(request.path):
        raise ControlCharacters()
    for key, value in request.args.items(multi=True):
        if _CONTROL_IN_PATH.search(key) or _CONTROL_IN_VALUE.search(value):
            raise ControlCharacters()
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        for key, value in request.form.items(multi=True):
            if _CONTROL_IN_PATH.search(key) or _CONTROL_IN_VALUE.search(value):
                raise ControlCharacters()
        for key, upload in request.files.items(multi=True):
            if _CONTROL_IN_PATH.search(key) or _CONTROL_IN_PATH.search(upload.filename or ""):
                raise ControlCharacters()


def single_charset(response) -> None:
    """One ``charset`` in the Content-Type: a view that names ``text/csv; charset=utf-8`` as
    its mimetype gets werkzeug's own charset added a second time."""
    content_type = response.headers.get("Content-Type") or ""
    if content_type.lower().count("charset=") > 1:
        mimetype, options = parse_options_header(content_type)
        response.headers["Content-Type"] = dump_options_header(mimetype, options)


_FILTER_REGISTERED = False


def _no_rate_limit_applies() -> bool:
    """Flask-Limiter request filter: skip the limiter's bookkeeping for a route that carries
    no limit of its own when the app sets no default or application-wide limit (the ballot's
    save, ``/halsa`` ...). A route decorated with ``limiter.limit`` is checked as before;
    when the limiter's registry of decorated routes cannot be read, every route is."""
    from flask import current_app, request
    from flask_limiter.util import get_qualified_name

    from .extensions import limiter

    config = current_app.config
    if config.get("RATELIMIT_DEFAULT") or config.get("RATELIMIT_APPLICATION"):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    marked = getattr(limiter, "_marked_for_limiting", None)
    if view is None or not isinstance(marked, set):
        return False
    return get_qualified_name(view) not in marked


def init_app(app: Flask) -> None:
    from .extensions import limiter

    app.session_interface = SessionInterface()
    # Before any blueprint is registered: rules bind their converters when they are added.
    app.url_map.converters["int"] = IntegerConverter
    app.before_request(refuse_control_characters)
    # The limiter is module-level and shared by every app made in a process: register once.
    global _FILTER_REGISTERED
    if not _FILTER_REGISTERED:
        limiter.request_filter(_no_rate_limit_applies)
        _FILTER_REGISTERED = True
    x_for = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    x_proto = int(app.config.get("PROXY_FIX_X_PROTO") or 0)
    if x_for or x_proto:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=x_proto)  # type: ignore[method-assign]

    @app.after_request
    def set_security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # Pages and downloads (CSV, XLSX, JSON of answers and results) can carry personal
        # links and answers: never keep them in a cache. Static files keep their own rules.
        if not response.headers.get("Cache-Control") and request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        single_charset(response)
        return response


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys, wait on locks, and let readers run beside a writer."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
