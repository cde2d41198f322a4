"""Logging and error reporting, set up by ``create_app``.

One line per request (method, path, status, duration, request id), as plain text or as JSON
lines (``LOG_FORMAT = "json"``), at ``LOG_LEVEL``. The request id comes from an incoming
``X-Request-ID`` when it is sane (the proxy's), else it is generated; it goes back as a
response header and onto every line logged during the request.

What is never logged: query strings, form bodies, cookies, and the secrets in personal-link
paths. Every route argument named in ``SECRET_ARGUMENTS`` (``/l/<token>``, ``/k/<code>``,
``/matt/oppen/<token>`` ...) is replaced by ``REDACTED``; the patterns are derived from the
app's URL map, so a new token-bearing route is covered by its argument's name.

With ``SENTRY_DSN`` set, errors go to Sentry (optional extra ``consensus[sentry]``) without
personal data: no cookies, bodies, query strings or tokens.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, g, has_request_context, request
from werkzeug.routing import Map

REQUEST_ID_HEADER = "X-Request-ID"
SECRET_ARGUMENTS = frozenset({"token", "code"})
REDACTED = "[redacted]"
LOG_FORMATS = ("text", "json")

# A request id from outside is kept only when it cannot forge or break a log line.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_RULE_PART = re.compile(r"<(?:([a-zA-Z_][a-zA-Z0-9_]*)(?:\([^)]*\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>")
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

request_log = logging.getLogger("consensus.request")


# --- redaction ---------------------------------------------------------------------------------


def _rule_pattern(rule: str) -> re.Pattern | None:
    """A regex matching paths of ``rule`` from their start, with each secret argument a group."""
    pieces, position, secret = [], 0, False
    for match in _RULE_PART.finditer(rule):
        pieces.append(re.escape(rule[position : match.start()]))
        converter, name = match.groups()
        segment = ".+?" if converter == "path" else "[^/]+"
        if name in SECRET_ARGUMENTS:
            pieces.append(f"({segment})")
            secret = True
        else:
            pieces.append(f"(?:{segment})")
        position = match.end()
    pieces.append(re.escape(rule[position:]))
    return re.compile("^" + "".join(pieces)) if secret else None


class PathRedactor:
    """Replaces the secret arguments of the app's routes in a path (built on first use, when
    every blueprint is registered). A path that continues past a secret route is redacted too."""

    def __init__(self, url_map: Map):
        self._url_map = url_map
        self._patterns: list[re.Pattern] | None = None

    def patterns(self) -> list[re.Pattern]:
        if self._patterns is None:
            found = (_rule_pattern(rule.rule) for rule in self._url_map.iter_rules())
            self._patterns = [pattern for pattern in found if pattern is not None]
        return self._patterns

    def __call__(self, path: str) -> str:
        for pattern in self.patterns():
            match = pattern.match(path)
            if match:
                out, position = [], 0
                for index in range(1, (match.lastindex or 0) + 1):
                    out.append(path[position : match.start(index)])
                    out.append(REDACTED)
                    position = match.end(index)
                return "".join(out) + path[position:]
        return path


# --- formatting --------------------------------------------------------------------------------


class _RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, request fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update(getattr(record, "http", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):
    """Writes to the current ``sys.stderr`` (gunicorn and pytest replace it)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _handler(log_format: str) -> logging.Handler:
    handler = _StderrHandler()
    handler.addFilter(_RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(_TEXT_FORMAT))
    handler._consensus = True  # type: ignore[attr-defined]  # ours: replaced, not stacked
    return handler


# --- the factory step --------------------------------------------------------------------------


def configure_logging(app: Flask) -> None:
    """Handler and level of the ``consensus`` loggers, the request line, error reporting."""
    log_format = str(app.config.get("LOG_FORMAT") or "text").lower()
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    level = str(app.config.get("LOG_LEVEL") or "INFO").upper()

    logger = logging.getLogger("consensus")  # app.logger and every consensus.* logger
    for old in [h for h in logger.handlers if getattr(h, "_consensus", False)]:
        logger.removeHandler(old)
    logger.addHandler(_handler(log_format))
    logger.setLevel(level)

    redact = PathRedactor(app.url_map)
    app.extensions["consensus.redact_path"] = redact

    @app.before_request
    def start_request_log() -> None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        request_id = g.get("request_id") or uuid.uuid4().hex
        started = g.get("request_started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started else None
        response.headers[REQUEST_ID_HEADER] = request_id
        fields = {
            "method": request.method,
            "path": redact(request.path),
            "status": response.status_code,
            "duration_ms": duration,
        }
        request_log.info(
            "%s %s %s %sms",
            fields["method"],
            fields["path"],
            fields["status"],
            duration,
            extra={"http": fields, "request_id": request_id},
        )
        return response

    init_error_reporting(app, redact)


def init_error_reporting(app: Flask, redact: PathRedactor) -> bool:
    """Sentry when ``SENTRY_DSN`` is set (and the package installed); True when initialised."""
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return False
    try:
        import sentry_sdk
        from sentry_sdk.integrations.flask import FlaskIntegration
    except ImportError:
        app.logger.warning(
            "SENTRY_DSN is set but sentry-sdk is not installed (pip install 'consensus[sentry]'): "
            "errors are not reported"
        )
        return False

    def scrub(event, hint):
        """No query strings, bodies, cookies or personal-link tokens leave the server."""
        req = event.get("request")
        if isinstance(req, dict):
            for key in ("query_string", "data", "cookies", "env"):
                req.pop(key, None)
            if req.get("url"):
                parts = urlsplit(req["url"])
                req["url"] = urlunsplit(parts._replace(path=redact(parts.path), query=""))
            headers = req.get("headers")
            if isinstance(headers, dict):
                for name in list(headers):
                    if name.lower() in ("cookie", "referer", "authorization"):
                        headers.pop(name)
        return event

    sentry_sdk.init(
        dsn=dsn,
        integrations=[FlaskIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        before_send=scrub,
    )
    return True
