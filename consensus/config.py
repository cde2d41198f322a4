"""Configuration defaults.

Layering (see ``create_app``): these defaults, then ``instance/config.py``, then the
environment: ``SECRET_KEY``, ``DATABASE_URL`` and ``SENTRY_DSN`` by their usual names, everything else
as ``CONSENSUS_<NAME>`` (values are parsed as JSON where possible, so
``CONSENSUS_MIN_GROUP_SIZE=5`` is an int and ``CONSENSUS_SESSION_COOKIE_SECURE=false`` a bool).
"""

from datetime import timedelta

# The value shipped in code. The app refuses to start with it outside debug/testing.
DEFAULT_SECRET_KEY = "dev-insecure-change-me"


class Defaults:
    SECRET_KEY = DEFAULT_SECRET_KEY
    # Set in create_app to sqlite:///<instance>/consensus.sqlite unless DATABASE_URL is given.
    SQLALCHEMY_DATABASE_URI: str | None = None
    # No pre-ping: it costs a round trip on every request (the vote path counts them, see
    # bench/bench_save_load.py). Connections are recycled instead, and a connection that the
    # server dropped fails one request, which the 500 handler rolls back.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_recycle": 1800}

    # Sessions and cookies (Flask's defaults are too lax for a public-sector service).
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "consensus_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    # A session in use slides its expiry, but its cookie is re-signed at most this often
    # (consensus.security.SessionInterface): not on every answer a panelist saves.
    SESSION_REFRESH_INTERVAL = timedelta(minutes=5)
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    # Uploads (indicator pools, panel lists, ballots, protocols).
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024

    # Forms.
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Languages: Swedish first, English second.
    LANGUAGES = ("sv", "en")
    BABEL_DEFAULT_LOCALE = "sv"
    BABEL_DEFAULT_TIMEZONE = "Europe/Stockholm"

    # Login throttling (consensus.auth.throttle; counted in the database, so every process
    # shares the count). Only failed logins count. Per address: at most this many failures in
    # the window. Per account: after the free failures in the window, each further one makes
    # the account wait the delay, doubling up to the cap (a browser that signed in before
    # skips it), so guessing from many addresses slows down without locking the user out.
    LOGIN_FAILURES_PER_ADDRESS = 10
    LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
    LOGIN_ACCOUNT_FREE_FAILURES = 10
    LOGIN_ACCOUNT_DELAY_SECONDS = 2
    LOGIN_ACCOUNT_DELAY_CAP_SECONDS = 60
    # Joining a workshop with its code: at most this many joins a minute from one address
    # (counted in the database too).
    WORKSHOP_JOINS_PER_MINUTE = 30
    # The other limits (Flask-Limiter: the survey's and the follow-up's open links). In-memory
    # storage is per process: use Redis in production, e.g.
    # CONSENSUS_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0. When Redis cannot be reached
    # the limiter counts in memory and logs it instead of failing the request.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    # werkzeug's generate_password_hash method for new passwords. The tests use a cheap one
    # (tests/conftest.py); existing hashes are checked by the method stored in them.
    PASSWORD_HASH_METHOD = "scrypt"

    # Behind a reverse proxy: number of proxies to trust for X-Forwarded-* (0 = none).
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0

    # Outgoing email (SMTP).
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    # From, with a display name: "Samordningsförbundet X <noreply@exempel.se>".
    # MAIL_DEFAULT_SENDER (Flask-Mail's name) wins over MAIL_SENDER when both are set.
    MAIL_DEFAULT_SENDER: str | None = None
    MAIL_SENDER = "Consensus <noreply@localhost>"
    MAIL_TIMEOUT = 10

    # The base URL used in links sent by email (personal links). Defaults to the request's.
    PUBLIC_BASE_URL: str | None = None

    # Logging: one line per request, "text" or "json" (JSON lines), at this level.
    LOG_FORMAT = "text"
    LOG_LEVEL = "INFO"

    # Error reporting to Sentry when set (needs the extra: pip install 'consensus[sentry]').
    SENTRY_DSN: str | None = None

    # Privacy.
    MIN_GROUP_SIZE_DEFAULT = 5

    # A förbund may import a protocol by its URL. The server fetches it, so by default it
    # refuses addresses on loopback, private, link-local and reserved networks (including
    # after a redirect). Allow them for a platform on an internal network, or for development.
    PROTOCOL_FETCH_ALLOW_PRIVATE = False


class ConfigurationError(RuntimeError):
    """The app cannot start with this configuration (the message says why and how to fix it)."""


def load(app, test_config: dict | None = None) -> None:
    """Fill ``app.config`` by the layering described in the module docstring."""
    import os

    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        if os.environ.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
        if os.environ.get("DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
        if os.environ.get("SENTRY_DSN"):
            app.config["SENTRY_DSN"] = os.environ["SENTRY_DSN"]
        app.config.from_prefixed_env("CONSENSUS")
    else:
        app.config.from_mapping(test_config)

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = os.path.join(app.instance_path, "consensus.sqlite")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )

    if not (app.debug or app.testing):
        key = app.config.get("SECRET_KEY")
        if not key or key == DEFAULT_SECRET_KEY or len(str(key)) < 16:
            raise ConfigurationError(
                "SECRET_KEY saknas eller är standardvärdet. Sätt miljövariabeln SECRET_KEY "
                "till en lång slumpmässig sträng (t.ex. python -c 'import secrets; "
                "print(secrets.token_hex(32))') eller lägg den i instance/config.py. "
                "/ SECRET_KEY is missing or the default; set it in the environment."
            )


def normalise_database_url(url: str) -> str:
    """Select psycopg 3 for PostgreSQL URLs given in the common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
