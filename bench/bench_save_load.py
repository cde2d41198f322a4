"""Saving answers under load: 50 concurrent panelists against gunicorn + PostgreSQL on loopback.

The load comes from ``wrk`` (Debian package ``wrk``: a C load generator, so the client costs
little of the two cores) with one connection and one panelist session per wrk thread; without
wrk a Python thread driver is used (slower: it then measures mostly itself).

What it does (bounded in time and count, loopback only):
1. creates a fresh PostgreSQL database beside ``--database-url``, migrates it, and sets up a
   study with 150 indicators, 50 panelists with personal links and an open rating round;
2. starts gunicorn (``--workers``, sync) on 127.0.0.1 with that database;
3. from this process, 50 threads each open their personal link, read the ballot's CSRF token
   and then save answers the way the ballot's JavaScript does (POST .../svar), for
   ``--seconds``; every acknowledged save is remembered;
4. runs the same load against ``/halsa`` (a minimal endpoint: one SELECT 1) for the ratio;
5. checks that nothing was lost: the stored value of every (panelist, indicator) equals the
   last acknowledged save, and there is exactly one row per pair.

Target (issue 4): at least 200 saves/s, p95 under 100 ms, 0 lost.

    .venv/bin/python bench/bench_save_load.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

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


def run_load(port: int, tokens, ids, seconds: float, path_kind: str):
    latencies: list[float] = []
    acknowledged: dict[tuple[int, int], int] = {}
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    start_barrier = threading.Barrier(len(tokens))

    def worker(n: int, token: str):
        rng = random.Random(n)
        client = Client(port)
        status, _ = client.request("GET", f"/l/{token}")
        if status != 302:
            errors.append(f"link {status}")
            return
        status, page = client.request("GET", "/deltagare/omgang/1")
        match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
        if status != 200 or not match:
            errors.append(f"ballot {status}")
            return
        csrf = match.group(1).decode()
        start_barrier.wait()
        mine: dict[tuple[int, int], int] = {}
        local: list[float] = []
        while time.perf_counter() < deadline:
            if path_kind == "save":
                iid = rng.choice(ids)
                value = rng.randint(1, 9)
                body = urlencode({f"value-{iid}": value})
                t0 = time.perf_counter()
                status, _ = client.request(
                    "POST",
                    "/deltagare/omgang/1/svar",
                    body,
                    {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-CSRFToken": csrf,
                        "Accept": "application/json",
                    },
                )
                local.append(time.perf_counter() - t0)
                if status == 200:
                    mine[(n, iid)] = value
                else:
                    errors.append(f"save {status}")
            else:
                t0 = time.perf_counter()
                status, _ = client.request("GET", "/halsa")
                local.append(time.perf_counter() - t0)
                if status != 200:
                    errors.append(f"health {status}")
        with lock:
            latencies.extend(local)
            acknowledged.update(mine)

    threads = [threading.Thread(target=worker, args=(n, t)) for n, t in enumerate(tokens)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    return latencies, acknowledged, errors, elapsed


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
  acked = {}
  failures = 0
  math.randomseed(n * 7919)
end

function request()
  if mode == "health" then
    return wrk.format("GET", "/halsa", {["Cookie"] = me.cookie})
  end
  local iid = ids[math.random(#ids)]
  local value = math.random(9)
  pending = {iid, value}
  pending_text = iid .. ":" .. value
  return wrk.format("POST", "/deltagare/omgang/1/svar", {
    ["Cookie"] = me.cookie, ["X-CSRFToken"] = me.csrf, ["Accept"] = "application/json",
    ["Content-Type"] = "application/x-www-form-urlencoded"}, "value-" .. iid .. "=" .. value)
end

function delay()
  return {THINK}
end

function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
  elseif pending ~= nil then
    acked[pending[1]] = pending[2]
  end
  pending = nil
  pending_text = ""
  local parts = {}
  for k, v in pairs(acked) do parts[#parts + 1] = k .. ":" .. v end
  acked_text = table.concat(parts, ",")
end

function done(summary, latency, requests)
  local out = io.open("{OUT}", "w")
  for i, thread in ipairs(threads) do
    out:write(thread:get("n"), " ", thread:get("failures") or 0, " ", thread:get("pending_text") or "",
      " ", thread:get("acked_text") or "", "\n")
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
    lua_sessions = ",".join(f'{{cookie="{c}", csrf="{t}"}}' for c, t in sessions)
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
    failures = 0
    in_flight: dict[tuple[int, int], int] = {}
    for line in out.read_text().splitlines():
        number, failed, pending, acked = (line.split(" ") + ["", ""])[:4]
        failures += int(failed)
        for pair in acked.split(",") if acked else []:
            iid, value = pair.split(":")
            acknowledged[(int(number) - 1, int(iid))] = int(value)
        if pending:  # sent when wrk stopped: it may or may not have been stored
            iid, value = pending.split(":")
            in_flight[(int(number) - 1, int(iid))] = int(value)
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
        "in_flight": in_flight,
    }


def report(label: str, latencies: list[float], seconds: float) -> float:
    rate = len(latencies) / seconds
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    print(
        f"  {label:<22} {len(latencies):>6} requests  {rate:7.0f} req/s  "
        f"p50 {q[49] * 1000:6.1f} ms  p95 {q[94] * 1000:6.1f} ms  p99 {q[98] * 1000:6.1f} ms"
    )
    return rate


def verify(
    url: str, acknowledged: dict, tokens: list[str], in_flight: dict | None = None
) -> tuple[int, int]:
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
    in_flight = in_flight or {}
    lost = sum(
        1
        for key, value in acknowledged.items()
        if by_key.get(key) != value and by_key.get(key) != in_flight.get(key)
    )
    return lost, duplicates


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
    parser.add_argument(
        "--python-driver", action="store_true", help="load from Python threads, not wrk"
    )
    args = parser.parse_args()
    import logging

    logging.disable(logging.INFO)
    url = create_postgres_database(args.database_url)
    server = None
    try:
        tokens, ids = setup(url, args.panelists, args.indicators)
        import socket

        port = args.port
        if not port:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        env = dict(
            os.environ,
            DATABASE_URL=url,
            SECRET_KEY=secrets.token_hex(32),
            CONSENSUS_SESSION_COOKIE_SECURE="false",
        )
        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
        )
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/halsa")
                break
            except OSError:
                time.sleep(0.1)
        print(
            f"gunicorn --workers {args.workers} (sync) + PostgreSQL, {args.panelists} concurrent panelists, "
            f"{args.indicators} indicators, {args.seconds:.0f} s each:"
        )
        if shutil.which("wrk") and not args.python_driver:
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                sessions = sessions_for(port, tokens)
                health = run_wrk(port, sessions, ids, args.seconds, "health", Path(tmp))
                saves = run_wrk(port, sessions, ids, args.seconds, "save", Path(tmp))
                paced = run_wrk(port, sessions, ids, args.seconds, "save", Path(tmp), args.think_ms)
            runs = (
                ("GET /halsa (minimal)", health),
                ("POST answer (save)", saves),
                (f"save, {args.think_ms} ms think", paced),
            )
            for label, r in runs:
                print(
                    f"  {label:<22} {r['requests']:>6} requests  {r['rate']:7.0f} req/s  "
                    f"p50 {r['p50'] * 1000:6.1f} ms  p95 {r['p95'] * 1000:6.1f} ms  p99 {r['p99'] * 1000:6.1f} ms"
                    f"  non-200: {r['failures']}  socket errors: {r['socket_errors']}"
                )
            acknowledged = {**saves["acknowledged"], **paced["acknowledged"]}
            lost, duplicates = verify(url, acknowledged, tokens, paced["in_flight"])
            print(f"  ratio saves / minimal endpoint: {saves['rate'] / health['rate']:.2f}")
            print(f"  ratio paced saves / minimal endpoint: {paced['rate'] / health['rate']:.2f}")
            print(f"  distinct (panelist, indicator) keys acknowledged: {len(acknowledged)}")
            print(f"  lost: {lost}, duplicated rows: {duplicates}")
            failures = saves["failures"] + paced["failures"]
            return 0 if lost == 0 and duplicates == 0 and failures == 0 else 1
        lat_h, _, err_h, el_h = run_load(port, tokens, ids, args.seconds, "health")
        lat_s, acked, err_s, el_s = run_load(port, tokens, ids, args.seconds, "save")
        rate_h = report("GET /halsa (minimal)", lat_h, el_h)
        rate_s = report("POST answer (save)", lat_s, el_s)
        lost, duplicates = verify(url, acked, tokens)
        print(f"  ratio saves / minimal endpoint: {rate_s / rate_h:.2f}")
        print(
            f"  acknowledged saves: {len(lat_s) - len(err_s)} (distinct keys {len(acked)}), errors: {len(err_s) + len(err_h)}"
            f"{' ' + str(sorted(set(err_s + err_h))[:5]) if err_s or err_h else ''}"
        )
        print(f"  lost: {lost}, duplicated rows: {duplicates}")
        return 0 if lost == 0 and duplicates == 0 else 1
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        drop_postgres_database(args.database_url, url)


if __name__ == "__main__":
    raise SystemExit(main())
