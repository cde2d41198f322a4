"""Saving answers under load: 50 concurrent panelists against gunicorn + PostgreSQL on loopback.

The load comes from ``wrk`` (Debian package ``wrk``: a C load generator, so the client costs
little of the two cores), one connection and one panelist session per wrk thread, each request
the body the ballot's script sends (urlencoded ``csrf_token``, ``value-<id>``, ``comment-<id>``
with the session cookie and the CSRF header).

What it does (bounded in time and count, loopback only), all in one run:
1. creates a fresh PostgreSQL database beside ``--database-url``, migrates it, and sets up a
   study with 150 indicators, 50 panelists with personal links and an open rating round;
2. the anchor: gunicorn (``--workers``, sync, ``--no-control-socket``) serving
   ``bench/minimal_upsert.py`` (Flask + psycopg, one upsert and a commit per request), flat
   out and at a human pace; its answers are then deleted;
3. the product under the same gunicorn: ``/halsa``, then the save route flat out and at a
   human pace (``--think-ms`` between a panelist's saves);
4. checks that nothing was lost: a save counts as lost only when it was acknowledged (200) and
   its value is not in the database, unless a later save of the same key was sent and not
   acknowledged (failed, or in flight when wrk stopped); and one row per key.

Goals (issue 12): saves >= 0.5 x the anchor's rate; p95 < 100 ms flat out and < 50 ms at
200 ms think; 0 lost.

    .venv/bin/python bench/bench_save_load.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.databases import create_postgres_database, drop_postgres_database  # noqa: E402


def setup(url: str, panelists: int, indicators: int) -> tuple[list[str], list[int]]:
    from flask_migrate import upgrade

    from consensus import create_app
    from consensus.auth.services import issue_link
    from consensus.extensions import db
    from consensus.rounds import services as rounds
    from consensus.studies import services

    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        study = services.create_study("load", "Belastning", min_group_size=5)
        groups = [services.add_group(study, f"g{i}", f"Grupp {i}") for i in range(5)]
        for i in range(indicators):
            services.add_indicator(
                study,
                code=f"I{i:03d}",
                title=f"Indikator {i}",
                perspective=("deltagare", "medarbetare", "organisation", "samhälle")[i % 4],
                type="process",
            )
        tokens = []
        for n in range(panelists):
            p = services.add_participant(
                study, email=f"p{n}@load.invalid", group_id=groups[n % 5].id
            )
            p.consent_at = p.created_at
            tokens.append(issue_link(p))
        r = rounds.create_round(study, "rating")
        rounds.open_round(r)
        db.session.commit()
        ids = [i.id for i in rounds.ballot(r)]
        db.engine.dispose()
    return tokens, ids


class Client:
    """One panelist's keep-alive HTTP connection with its session cookie."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                self.cookie = value.split(";", 1)[0]
        return response.status, data


WRK_SCRIPT = r"""
local sessions = {SESSIONS}
local ids = {IDS}
local mode = "{MODE}"
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("n", counter)
  table.insert(threads, thread)
end

function init(args)
  me = sessions[n]
  pending = nil
  acked = {}   -- indicator id -> the value of its last acknowledged save
  maybe = {}   -- indicator id -> values sent after that and not acknowledged ("v/v/")
  failures = 0
  math.randomseed(n * 7919)
end

function request()
  if mode == "health" then
    pending = nil
    return wrk.format("GET", "/halsa", {["Cookie"] = me.cookie})
  end
  local iid = ids[math.random(#ids)]
  local value = math.random(9)
  pending = {iid, value}
  -- What the ballot's script sends (URLSearchParams of the question's fields).
  return wrk.format("POST", me.path, {
    ["Cookie"] = me.cookie, ["X-CSRFToken"] = me.csrf, ["Accept"] = "application/json",
    ["Origin"] = "http://127.0.0.1", ["Referer"] = "http://127.0.0.1/deltagare/omgang/1",
    ["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8"},
    "csrf_token=" .. me.csrf .. "&value-" .. iid .. "=" .. value .. "&comment-" .. iid .. "=")
end

function delay()
  return {THINK}
end

function response(status, headers, body)
  if pending ~= nil then
    local iid, value = pending[1], pending[2]
    if status == 200 then
      acked[iid] = value
      maybe[iid] = nil
    else
      maybe[iid] = (maybe[iid] or "") .. value .. "/"
    end
  end
  if status ~= 200 then
    failures = failures + 1
  end
  pending = nil
end

function done(summary, latency, requests)
  local out = io.open("{OUT}", "w")
  for i, thread in ipairs(threads) do
    local a, m = {}, {}
    for k, v in pairs(thread:get("acked") or {}) do a[#a + 1] = k .. ":" .. v end
    local mb = thread:get("maybe") or {}
    local p = thread:get("pending")
    if p ~= nil then mb[p[1]] = (mb[p[1]] or "") .. p[2] .. "/" end  -- in flight at the end
    for k, v in pairs(mb) do m[#m + 1] = k .. ":" .. v end
    out:write(thread:get("n"), " ", thread:get("failures") or 0, " ", table.concat(a, ","),
      " ", table.concat(m, ","), "\n")
  end
  out:close()
  io.write(string.format("LAT %f %f %f %f\n", latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.requests / (summary.duration / 1e6)))
  io.write(string.format("REQ %d ERR %d %d %d %d\n", summary.requests, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout))
end
"""


def sessions_for(port: int, tokens: list[str]) -> list[tuple[str, str]]:
    """Open each personal link and the ballot: the session cookie and CSRF token to load with."""
    out = []
    for token in tokens:
        client = Client(port)
        client.request("GET", f"/l/{token}")
        _, page = client.request("GET", "/deltagare/omgang/1")
        csrf = (
            re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
        )
        out.append((client.cookie, csrf))
    return out


def run_wrk(port: int, sessions, ids, seconds: float, mode: str, workdir: Path, think_ms: int = 0):
    """``sessions``: (cookie, CSRF token, path to POST to) per simulated panelist."""
    lua_sessions = ",".join(f'{{cookie="{c}", csrf="{t}", path="{p}"}}' for c, t, p in sessions)
    out = workdir / f"wrk-{mode}.txt"
    script = (
        WRK_SCRIPT.replace("{SESSIONS}", "{" + lua_sessions + "}")
        .replace("{IDS}", "{" + ",".join(map(str, ids)) + "}")
        .replace("{MODE}", mode)
        .replace("{OUT}", str(out))
        .replace("{THINK}", str(think_ms))
    )
    path = workdir / f"wrk-{mode}.lua"
    path.write_text(script)
    n = len(sessions)
    result = subprocess.run(
        [
            "wrk",
            f"-t{n}",
            f"-c{n}",
            f"-d{int(seconds)}s",
            "--timeout",
            "10s",
            "-s",
            str(path),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    lat = re.search(r"LAT (\S+) (\S+) (\S+) (\S+)", result.stdout)
    req = re.search(r"REQ (\d+) ERR (\d+) (\d+) (\d+) (\d+)", result.stdout)
    p50, p95, p99 = (float(x) / 1e6 for x in lat.groups()[:3])  # wrk reports microseconds
    rate = float(lat.group(4))
    acknowledged: dict[tuple[int, int], int] = {}
    maybe: dict[tuple[int, int], set[int]] = {}
    failures = 0
    for line in out.read_text().splitlines():
        number, failed, acked, unsure = (line.split(" ") + ["", ""])[:4]
        failures += int(failed)
        for pair in acked.split(",") if acked else []:
            iid, value = pair.split(":")
            acknowledged[(int(number) - 1, int(iid))] = int(value)
        for pair in unsure.split(",") if unsure else []:
            iid, values = pair.split(":")
            maybe[(int(number) - 1, int(iid))] = {int(v) for v in values.split("/") if v}
    socket_errors = sum(int(x) for x in req.groups()[1:])
    return {
        "requests": int(req.group(1)),
        "rate": rate,
        "p50": p50,
        "p95": p95,
        "p99": p99,
        "failures": failures,
        "socket_errors": socket_errors,
        "acknowledged": acknowledged,
        "maybe": maybe,
    }


def merge_runs(runs) -> tuple[dict, dict]:
    """The last acknowledged value of each (panelist, indicator) over runs in order, and the
    values sent after it that were not acknowledged (failed, or in flight when wrk stopped):
    the database may hold any of those instead."""
    acknowledged: dict[tuple[int, int], int] = {}
    maybe: dict[tuple[int, int], set[int]] = {}
    for run in runs:
        for key, value in run["acknowledged"].items():
            acknowledged[key] = value
            maybe.pop(key, None)
        for key, values in run["maybe"].items():
            maybe.setdefault(key, set()).update(values)
    return acknowledged, maybe


def verify(
    url: str, acknowledged: dict, tokens: list[str], maybe: dict | None = None
) -> tuple[int, int]:
    """Lost: an acknowledged save whose value is not in the database (neither it nor a later
    unacknowledged one); duplicated: more than one row for a (panelist, indicator)."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    with psycopg.connect(
        host=u.host, port=u.port or 5432, user=u.username, dbname=u.database
    ) as conn:
        rows = conn.execute(
            "SELECT p.pseudonym, a.indicator_id, a.value, count(*) OVER (PARTITION BY a.participant_id, a.indicator_id) "
            "FROM answer a JOIN participant p ON p.id = a.participant_id"
        ).fetchall()
    by_key = {}
    duplicates = 0
    for pseudonym, iid, value, count in rows:
        n = int(pseudonym[1:]) - 1
        by_key[(n, iid)] = value
        duplicates += count > 1
    maybe = maybe or {}
    lost = sum(
        1
        for key, value in acknowledged.items()
        if by_key.get(key) != value and by_key.get(key) not in maybe.get(key, ())
    )
    return lost, duplicates


def start_gunicorn(app: str, port: int, workers: int, env: dict, log: Path) -> subprocess.Popen:
    """Serve ``app``; its output (the product logs one line per request) goes to ``log``."""
    output = log.open("ab")
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--no-control-socket",  # several gunicorns on one machine must not collide
            app,
        ],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    output.close()
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/halsa")
            conn.getresponse().read()
            break
        except OSError:
            time.sleep(0.1)
    return server


def stop(server: subprocess.Popen | None) -> None:
    if server is not None and server.poll() is None:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def participant_ids(url: str) -> list[int]:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    with psycopg.connect(
        host=u.host, port=u.port or 5432, user=u.username, dbname=u.database
    ) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM participant ORDER BY id").fetchall()]


def clear_answers(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    with psycopg.connect(
        host=u.host, port=u.port or 5432, user=u.username, dbname=u.database
    ) as conn:
        conn.execute("DELETE FROM answer")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--panelists", type=int, default=50)
    parser.add_argument("--indicators", type=int, default=150)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--think-ms",
        type=int,
        default=200,
        help="pause between a panelist's saves in the paced run (50 x 1/(0.2 s) = 250/s offered)",
    )
    args = parser.parse_args()
    import logging

    logging.disable(logging.INFO)
    url = create_postgres_database(args.database_url)
    server = None
    try:
        tokens, ids = setup(url, args.panelists, args.indicators)
        import socket
        import tempfile

        port = args.port
        if not port:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
        env = dict(
            os.environ,
            DATABASE_URL=url,
            SECRET_KEY=secrets.token_hex(32),
            CONSENSUS_SESSION_COOKIE_SECURE="false",
        )
        print(
            f"gunicorn --workers {args.workers} (sync) + PostgreSQL, {args.panelists} concurrent "
            f"panelists (wrk, one connection each), {args.indicators} indicators, "
            f"{args.seconds:.0f} s per run, browser-like urlencoded bodies:"
        )
        with tempfile.TemporaryDirectory() as tmp:
            # The anchor: a minimal Flask + psycopg upsert endpoint on the same stack.
            server = start_gunicorn(
                "bench.minimal_upsert:create_app()", port, args.workers, env, Path(tmp) / "log"
            )
            pids = participant_ids(url)
            bare = [("", "x" * 40, f"/svar/{pid}") for pid in pids]
            anchor = run_wrk(port, bare, ids, args.seconds, "save", Path(tmp))
            anchor_paced = run_wrk(port, bare, ids, args.seconds, "save", Path(tmp), args.think_ms)
            stop(server)
            clear_answers(url)
            # The product.
            server = start_gunicorn("wsgi:app", port, args.workers, env, Path(tmp) / "log")
            sessions = [
                (cookie, csrf, "/deltagare/omgang/1/svar")
                for cookie, csrf in sessions_for(port, tokens)
            ]
            health = run_wrk(port, sessions, ids, args.seconds, "health", Path(tmp))
            saves = run_wrk(port, sessions, ids, args.seconds, "save", Path(tmp))
            paced = run_wrk(port, sessions, ids, args.seconds, "save", Path(tmp), args.think_ms)
        runs = (
            ("minimal upsert (anchor)", anchor),
            (f"anchor, {args.think_ms} ms think", anchor_paced),
            ("GET /halsa", health),
            ("POST .../svar (save)", saves),
            (f"save, {args.think_ms} ms think", paced),
        )
        for label, r in runs:
            print(
                f"  {label:<26} {r['requests']:>6} requests  {r['rate']:7.0f} req/s  "
                f"p50 {r['p50'] * 1000:6.1f} ms  p95 {r['p95'] * 1000:6.1f} ms  "
                f"p99 {r['p99'] * 1000:6.1f} ms  non-200: {r['failures']}  "
                f"socket errors: {r['socket_errors']}"
            )
        acknowledged, maybe = merge_runs([saves, paced])
        lost, duplicates = verify(url, acknowledged, tokens, maybe)
        ratio = saves["rate"] / anchor["rate"]
        unsure = sum(1 for key in acknowledged if key in maybe)
        print(f"  /halsa / anchor: {health['rate'] / anchor['rate']:.2f}")
        print(f"  goal: saves >= 0.50 x the anchor; figure {ratio:.2f}")
        print(f"  goal: p95 < 100 ms flat out; figure {saves['p95'] * 1000:.1f} ms")
        print(
            f"  goal: p95 < 50 ms at {args.think_ms} ms think; figure {paced['p95'] * 1000:.1f} ms "
            f"(anchor {anchor_paced['p95'] * 1000:.1f} ms)"
        )
        print(
            f"  goal: 0 lost; figure {lost} lost of {len(acknowledged)} acknowledged keys "
            f"({unsure} with a later unacknowledged save), {duplicates} duplicated rows"
        )
        failures = saves["failures"] + paced["failures"]
        met = (
            ratio >= 0.5
            and saves["p95"] < 0.1
            and paced["p95"] < 0.05
            and lost == 0
            and duplicates == 0
            and failures == 0
        )
        print("goals:", "met" if met else "NOT met")
        return 0 if lost == 0 and duplicates == 0 and failures == 0 else 1
    finally:
        stop(server)
        drop_postgres_database(args.database_url, url)


if __name__ == "__main__":
    raise SystemExit(main())
