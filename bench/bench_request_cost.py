"""Fixed cost per request: server CPU of ``/halsa`` and of one ballot save, in process.

Calls the WSGI app directly (no sockets, no client threads) with a panelist's session cookie,
as the browser sends it, and measures the process CPU time per request (``time.process_time``;
the database server's CPU is not counted). Anchors from the same run: a bare Flask "hello"
and a minimal Flask + psycopg upsert of one vote (``bench/minimal_upsert.py``).

Goal (issue 12): the save route at most 2x the minimal upsert endpoint's CPU (saves >= 0.5 x its
throughput when Python is the bottleneck).

    .venv/bin/python bench/bench_request_cost.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_save_load import setup  # noqa: E402
from tests.databases import create_postgres_database, drop_postgres_database  # noqa: E402

SECRET = "s" * 64


def cpu_per_request(client, method: str, path: str, n: int, body=None, headers=None) -> float:
    rng = random.Random(1)
    for _ in range(50):  # warm up: caches, compiled statements, pool
        client.open(path, method=method, data=body(rng) if body else None, headers=headers)
    t0 = time.process_time()
    for _ in range(n):
        response = client.open(
            path, method=method, data=body(rng) if body else None, headers=headers
        )
        assert response.status_code == 200, (path, response.status_code, response.data[:200])
    return (time.process_time() - t0) / n * 1000


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
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    url = create_postgres_database(args.database_url)
    try:
        tokens, ids = setup(url, 1, 150)
        os.environ.update(DATABASE_URL=url, SECRET_KEY=SECRET)
        os.environ["CONSENSUS_SESSION_COOKIE_SECURE"] = "false"
        from flask import Flask

        from bench import minimal_upsert
        from consensus import create_app

        app = create_app()
        client = app.test_client()
        assert client.get(f"/l/{tokens[0]}").status_code == 302
        page = client.get("/deltagare/omgang/1").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

        def browser_body(rng):
            iid = rng.choice(ids)
            return minimal_upsert.browser_body(csrf, iid, rng.randint(1, 9))

        save_headers = {
            "X-CSRFToken": csrf,
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
        }
        hello = Flask("hello")
        hello.add_url_rule("/", "hello", lambda: "hello")
        anchor = minimal_upsert.create_app(url).test_client()
        n = args.requests
        figures = {
            "Flask hello": cpu_per_request(hello.test_client(), "GET", "/", n),
            "minimal upsert (anchor)": cpu_per_request(
                anchor, "POST", "/svar/1", n, browser_body, save_headers
            ),
            "GET /halsa": cpu_per_request(client, "GET", "/halsa", n),
            "POST .../svar (save)": cpu_per_request(
                client, "POST", "/deltagare/omgang/1/svar", n, browser_body, save_headers
            ),
        }
        base = figures["minimal upsert (anchor)"]
        print(f"server CPU per request, in process, {n} requests each (PostgreSQL):")
        for label, ms in figures.items():
            print(f"  {label:<26} {ms:6.3f} ms CPU   ratio to the anchor {ms / base:5.2f}")
        ratio = figures["POST .../svar (save)"] / base
        print(f"  goal: save <= 2.00 x the anchor's CPU; figure {ratio:.2f}")
        set_cookie = client.get("/halsa").headers.get("Set-Cookie")
        print(f"  /halsa re-sends the session cookie: {'yes' if set_cookie else 'no'}")
        from consensus.extensions import db

        with app.app_context():
            db.engine.dispose()
        anchor.application.config["pool"].close()
        return 0
    finally:
        drop_postgres_database(args.database_url, url)


if __name__ == "__main__":
    raise SystemExit(main())
