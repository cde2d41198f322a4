"""Request logging (text and JSON lines, request id, redaction) and optional error reporting."""

import json
import logging
import re
import sys
import types

import pytest

from consensus import create_app
from consensus.extensions import db
from consensus.logs import REDACTED, SECRET_ARGUMENTS, PathRedactor, _rule_pattern
from tests.conftest import make_config

TOKEN = "S3cr3tT0kenValue-abcdefghijklmnopqrstuvwxyz"


def request_lines(captured: str) -> list[str]:
    return [line for line in captured.splitlines() if "consensus.request" in line]


def _dispose(app) -> None:
    """Close the pool of an app a test made itself (on PostgreSQL an open connection left to
    the garbage collector warns in whichever test happens to run then)."""
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def json_app(database_url):
    app = create_app(make_config(database_url, LOG_FORMAT="json"))
    yield app
    _dispose(app)


def test_one_text_line_per_request_with_its_id(client, capsys):
    response = client.get("/halsa?personnummer=191212121212")
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    lines = request_lines(capsys.readouterr().err)
    assert len(lines) == 1
    line = lines[0]
    assert f"[{request_id}]" in line and "INFO" in line
    assert re.search(r"GET /halsa 200 [0-9.]+ms$", line)
    assert "personnummer" not in line and "1912" not in line


def test_json_lines_parse_and_carry_the_request_fields(json_app, capsys):
    client = json_app.test_client()
    client.post("/logga-in?next=/studier", data={"email": "x@example.se", "password": "hemligt"})
    lines = request_lines(capsys.readouterr().err)
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["logger"] == "consensus.request" and entry["level"] == "INFO"
    assert entry["method"] == "POST" and entry["path"] == "/logga-in"
    assert isinstance(entry["status"], int) and entry["duration_ms"] >= 0
    assert re.fullmatch(r"[0-9a-f]{32}", entry["request_id"])
    assert "hemligt" not in lines[0] and "next" not in lines[0] and "x@example" not in lines[0]


def test_a_sane_incoming_request_id_round_trips(client, capsys):
    response = client.get("/halsa", headers={"X-Request-ID": "proxy-4f2a.91:b_7"})
    assert response.headers["X-Request-ID"] == "proxy-4f2a.91:b_7"
    assert "[proxy-4f2a.91:b_7]" in request_lines(capsys.readouterr().err)[0]


@pytest.mark.parametrize("bad", ["two words", "x" * 129, 'a"} {"forged', "ö", ""])
def test_an_insane_request_id_is_replaced(client, capsys, bad):
    response = client.get("/halsa", headers={"X-Request-ID": bad})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    assert "forged" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "path",
    [
        f"/l/{TOKEN}",
        f"/k/{TOKEN}",
        f"/k/{TOKEN}/qr.svg",
        f"/matt/oppen/{TOKEN}",
        f"/matt/svar/{TOKEN}",
    ],
)
def test_personal_link_tokens_are_redacted(json_app, capsys, path):
    json_app.test_client().get(path + "?x=1")
    out = capsys.readouterr().err
    assert TOKEN not in out
    entry = json.loads(request_lines(out)[0])
    assert entry["path"] == path.replace(TOKEN, REDACTED)


def test_every_route_with_a_secret_argument_is_redacted(app):
    """Found from the URL map, so a new token-bearing route is covered by its argument's name."""
    redact = app.extensions["consensus.redact_path"]
    secret_rules = [r for r in app.url_map.iter_rules() if set(r.arguments) & SECRET_ARGUMENTS]
    assert {r.endpoint for r in secret_rules} >= {"auth.personal_link", "studies.join"}
    for rule in secret_rules:
        values = {name: TOKEN if name in SECRET_ARGUMENTS else "1" for name in rule.arguments}
        values = {k: v for k, v in values.items() if k not in (rule.defaults or {})}
        with app.test_request_context():
            path = app.url_map.bind("localhost").build(rule.endpoint, values, force_external=False)
        path = path.split("?")[0]
        assert TOKEN not in redact(path), rule.rule
        assert REDACTED in redact(path + "/more"), rule.rule


def test_paths_without_secrets_are_kept():
    assert _rule_pattern("/studier/<slug>/omgangar/<int:number>") is None
    redact = PathRedactor(create_app(make_config("sqlite://")).url_map)
    assert redact("/studier/demo/omgangar/1") == "/studier/demo/omgangar/1"
    assert redact("/matt/demo") == "/matt/demo"
    assert redact("/") == "/"


def test_log_level_is_configurable(database_url, capsys):
    quiet = create_app(make_config(database_url, LOG_LEVEL="WARNING"))
    quiet.test_client().get("/halsa")
    _dispose(quiet)
    assert request_lines(capsys.readouterr().err) == []


def test_unknown_log_format_stops_the_app(database_url):
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        create_app(make_config(database_url, LOG_FORMAT="xml"))


def test_handlers_are_replaced_not_stacked(database_url):
    for _ in range(3):
        create_app(make_config(database_url))
    ours = [h for h in logging.getLogger("consensus").handlers if getattr(h, "_consensus", False)]
    assert len(ours) == 1


def test_a_server_error_is_logged_with_its_request_id(app, client, capsys, monkeypatch):
    from consensus.auth.access import public

    @public
    def boom():
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "pages.health", boom)
    app.testing = False  # let the 500 handler answer instead of re-raising
    try:
        response = client.get("/halsa")
    finally:
        app.testing = True
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    err = capsys.readouterr().err
    assert f"[{request_id}]" in err and "RuntimeError: boom" in err
    assert re.search(r"GET /halsa 500 ", err)


# --- error reporting ---------------------------------------------------------------------------


@pytest.fixture
def fake_sentry(monkeypatch):
    """A stand-in ``sentry_sdk`` that records init calls (no network, no real package)."""
    calls = []
    sdk = types.ModuleType("sentry_sdk")
    sdk.init = lambda **kwargs: calls.append(kwargs)  # type: ignore[attr-defined]
    integrations = types.ModuleType("sentry_sdk.integrations")
    flask_integration = types.ModuleType("sentry_sdk.integrations.flask")

    class FlaskIntegration:
        pass

    flask_integration.FlaskIntegration = FlaskIntegration  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sentry_sdk", sdk)
    monkeypatch.setitem(sys.modules, "sentry_sdk.integrations", integrations)
    monkeypatch.setitem(sys.modules, "sentry_sdk.integrations.flask", flask_integration)
    return calls, FlaskIntegration


def test_without_a_dsn_nothing_is_initialised(database_url, fake_sentry):
    calls, _ = fake_sentry
    create_app(make_config(database_url))
    assert calls == []


def test_a_dsn_initialises_sentry_without_personal_data(database_url, fake_sentry):
    calls, integration = fake_sentry
    create_app(make_config(database_url, SENTRY_DSN="https://key@sentry.invalid/1"))
    [options] = calls
    assert options["dsn"] == "https://key@sentry.invalid/1"
    assert options["send_default_pii"] is False
    assert options["max_request_body_size"] == "never"
    assert [type(i) for i in options["integrations"]] == [integration]
    event = {
        "request": {
            "url": f"https://consensus.example.se/l/{TOKEN}",
            "query_string": "a=1",
            "data": {"password": "x"},
            "cookies": {"consensus_session": "y"},
            "headers": {"Cookie": "y", "User-Agent": "z"},
        }
    }
    scrubbed = options["before_send"](event, {})["request"]
    assert scrubbed == {
        "url": f"https://consensus.example.se/l/{REDACTED}",
        "headers": {"User-Agent": "z"},
    }


def test_a_dsn_without_the_package_warns_and_goes_on(database_url, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # import fails as if not installed
    app = create_app(make_config(database_url, SENTRY_DSN="https://key@sentry.invalid/1"))
    assert "sentry-sdk is not installed" in capsys.readouterr().err
    assert app.test_client().get("/halsa").status_code == 200
    _dispose(app)
