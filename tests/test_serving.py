"""The production shape without containers: one migration, then TWO gunicorn processes of the
app (deploy/gunicorn.conf.py, the container's settings) on one PostgreSQL database, sharing the
secret key and the Redis rate-limit storage. A staff session made on one process holds on the
other; a vote saved through one is counted when the other closes the round; logging out on
one ends the session on the other; failed logins are counted once across both (issue 13)."""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from consensus import create_app
from consensus.auth import services as auth_services
from consensus.extensions import db
from consensus.rounds import services as round_services
from tests import databases
from tests.conftest import PASSWORD, make_config, migrate, share_studies
from tests.rounds.conftest import make_delphi
from tests.skips import skip_or_fail

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("CONSENSUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
STAFF = "pl@example.se"
LIMITS = "LIMITS:LIMITER/"  # Flask-Limiter's key prefix in Redis
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def require_redis():
    """A Redis client on the test database number, or skip (fail in CI) with the reason."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        skip_or_fail(f"Redis at {REDIS_URL} unreachable: {error}")
    return client


def clear_limits(cache) -> None:
    """Forget the login counters this test made (Flask-Limiter's keys; nothing else)."""
    keys = cache.keys(f"{LIMITS}*")
    if keys:
        cache.delete(*keys)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One person's cookies, sent to whichever app process is asked (as a browser would)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, form: dict | None = None, **headers):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            body = None
            if form is not None:
                body = urlencode(form)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            return response, data
        finally:
            connection.close()

    def csrf(self, port: int, path: str) -> str:
        response, page = self.request(port, "GET", path)
        assert response.status == 200, (path, response.status)
        return CSRF.search(page).group(1)


def start_gunicorn(port: int, env: dict, log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=dict(env, GUNICORN_BIND=f"127.0.0.1:{port}"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_until_serving(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 180  # a loaded machine starts workers slowly
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn on {port} exited:\n{log.read_text()}")
        try:
            response, _ = Browser().request(port, "GET", "/halsa")
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn on {port} did not answer /halsa:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def load_study(url: str) -> tuple[str, int]:
    """A study with an open rating round, a projektledare, one panelist's personal link and
    the id of indicator I1."""
    app = create_app(make_config(url))
    with app.app_context():
        delphi = make_delphi(min_group_size=1)
        auth_services.create_user(STAFF, PASSWORD, "projektledare")
        share_studies()  # the projektledare works on the study
        panelist = delphi.panel[0]
        panelist.consent_at = panelist.created_at
        token = auth_services.issue_link(panelist)
        round_services.open_round(round_services.create_round(delphi.study, "rating"))
        db.session.commit()
        indicator = delphi.indicators[0].id
        db.session.remove()
        db.engine.dispose()
    return token, indicator


def test_two_gunicorn_processes_share_sessions_database_and_rate_limits(tmp_path):
    base = databases.require_postgres()
    cache = require_redis()
    clear_limits(cache)
    processes: list[subprocess.Popen] = []
    try:
        with databases.fresh_postgres_database(base) as url:
            migrate(url)  # once, before any app process starts (compose's migrate service)
            token, indicator = load_study(url)
            env = dict(
                os.environ,
                SECRET_KEY=os.urandom(32).hex(),
                DATABASE_URL=url,
                CONSENSUS_INSTANCE_PATH=str(tmp_path),  # no instance/config.py from the checkout
                CONSENSUS_RATELIMIT_STORAGE_URI=REDIS_URL,
                CONSENSUS_SESSION_COOKIE_SECURE="false",
                CONSENSUS_REMEMBER_COOKIE_SECURE="false",
                CONSENSUS_LOG_FORMAT="json",
                CONSENSUS_PROXY_FIX_X_FOR="1",  # the tests name the client's address
                WEB_CONCURRENCY="2",  # two processes with two workers each
            )
            a, b = free_port(), free_port()
            logs = {a: tmp_path / "a.log", b: tmp_path / "b.log"}
            try:
                for port in (a, b):
                    processes.append(start_gunicorn(port, env, logs[port]))
                for process, port in zip(processes, (a, b), strict=True):
                    wait_until_serving(process, port, logs[port])

                # Staff signs in on A and carries on with the same cookie on B.
                staff = Browser()
                csrf = staff.csrf(a, "/logga-in")
                response, _ = staff.request(
                    a,
                    "POST",
                    "/logga-in",
                    {"email": STAFF, "password": PASSWORD, "csrf_token": csrf},
                )
                assert response.status == 302, logs[a].read_text()
                response, page = staff.request(b, "GET", "/studier/delphi/omgangar/1")
                assert response.status == 200 and "delphi" in page

                # A panelist opens the personal link and saves a vote through A's save route.
                panelist = Browser()
                response, _ = panelist.request(a, "GET", f"/l/{token}")
                assert response.status == 302
                ballot_csrf = panelist.csrf(a, "/deltagare/omgang/1")
                response, saved = panelist.request(
                    a,
                    "POST",
                    "/deltagare/omgang/1/svar",
                    {f"value-{indicator}": "8"},
                    **{"X-CSRFToken": ballot_csrf, "Accept": "application/json"},
                )
                assert response.status == 200 and json.loads(saved)["ok"] is True

                # B's close route closes the round; B's results count A's vote.
                close_csrf = staff.csrf(b, "/studier/delphi/omgangar/1")
                response, _ = staff.request(
                    b,
                    "POST",
                    "/studier/delphi/omgangar/1/stang",
                    {"csrf_token": close_csrf, "confirm": "y"},
                )
                assert response.status == 302, logs[b].read_text()
                response, document = staff.request(
                    b, "GET", "/studier/delphi/omgangar/1/resultat.json"
                )
                assert response.status == 200
                assert_vote_counted(document, "I1")

                assert_logout_ends_sessions_everywhere(a, b, staff, panelist, indicator)
                assert_failed_logins_are_counted_across_processes(a, b)
            finally:
                for process in processes:
                    stop(process)
            db_logs = {port: log.read_text() for port, log in logs.items()}
            assert token not in db_logs[a], "the personal link is redacted in the request log"
            assert '"path": "/l/[redacted]"' in db_logs[a]
            assert '"path": "/studier/delphi/omgangar/1/stang"' in db_logs[b]
    finally:
        clear_limits(cache)
        cache.close()


def log_in(port: int, address: str, password: str = PASSWORD) -> tuple[int, Browser]:
    """A login from a browser at ``address`` (X-Forwarded-For: the app trusts one proxy)."""
    browser = Browser()
    csrf = browser.csrf(port, "/logga-in")
    response, _ = browser.request(
        port,
        "POST",
        "/logga-in",
        {"email": STAFF, "password": password, "csrf_token": csrf},
        **{"X-Forwarded-For": address},
    )
    return response.status, browser


def assert_logout_ends_sessions_everywhere(a, b, staff, panelist, indicator) -> None:
    """Cookies saved before logging out on B open nothing on A afterwards."""
    saved_staff, saved_panelist = dict(staff.cookies), dict(panelist.cookies)
    for browser in (staff, panelist):
        csrf = browser.csrf(b, "/tillganglighet")  # the language form carries one
        response, _ = browser.request(b, "POST", "/logga-ut", {"csrf_token": csrf})
        assert response.status == 302
    replay = Browser()
    replay.cookies = saved_staff
    response, _ = replay.request(a, "GET", "/studier")
    assert response.status == 302 and response.getheader("Location").startswith("/logga-in")
    replay.cookies = saved_panelist
    response, _ = replay.request(a, "GET", "/deltagare/omgang/1")
    assert response.status == 403


def assert_failed_logins_are_counted_across_processes(a, b) -> None:
    """Ten failed logins per address in 15 minutes, whichever process and worker answers;
    a correct login from another address still goes through; correct logins never count."""
    statuses = [log_in((a, b)[n % 2], "203.0.113.5", "fel gissning!")[0] for n in range(12)]
    assert statuses == [200] * 10 + [429] * 2
    assert log_in(a, "203.0.113.5")[0] == 429  # this address waits, even with the password
    assert log_in(b, "203.0.113.9")[0] == 302  # the real user elsewhere does not
    assert [log_in((a, b)[n % 2], "203.0.113.7")[0] for n in range(12)] == [302] * 12


def assert_vote_counted(document: str, code: str) -> None:
    result = json.loads(document)
    assert result["round"] == 1 and result["n_panelists"] == 1
    [row] = [row for row in result["indicators"] if row["code"] == code]
    assert row["n"] == 1 and row["median"] == 8.0 and row["distribution"][7] == 1
