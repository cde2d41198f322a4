"""The anchor of the save benches: a minimal Flask + psycopg endpoint that upserts one vote.

``POST /svar/<participant_id>`` with the same browser-like urlencoded body as the ballot's
script sends (``csrf_token``, ``value-<id>``, ``comment-<id>``), one
``INSERT ... ON CONFLICT DO UPDATE`` on the real ``answer`` table and a commit on one
connection per process. No session, CSRF check, access check, round lock or validation:
what any Flask endpoint that stores a vote must at least cost on this stack.

    DATABASE_URL=postgresql://... gunicorn 'bench.minimal_upsert:create_app()'
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

import psycopg
from flask import Flask, jsonify, request
from sqlalchemy.engine import make_url

ROUND_ID = 1

UPSERT = (
    "INSERT INTO answer (round_id, participant_id, indicator_id, value, unable, comment,"
    " reason, created_at, updated_at) VALUES (%s, %s, %s, %s, false, %s, '', now(), now())"
    " ON CONFLICT (round_id, participant_id, indicator_id) DO UPDATE SET"
    " value = excluded.value, comment = excluded.comment, updated_at = excluded.updated_at"
)


def browser_body(csrf: str, indicator_id: int, value: int) -> str:
    """What the ballot's script sends when a rating is given (URLSearchParams)."""
    return urlencode(
        {
            "csrf_token": csrf,
            f"value-{indicator_id}": value,
            f"comment-{indicator_id}": "",
        }
    )


def connect(url: str) -> psycopg.Connection:
    u = make_url(url)
    return psycopg.connect(
        host=u.host,
        port=u.port or 5432,
        user=u.username,
        password=u.password,
        dbname=u.database,
    )


def create_app(url: str | None = None) -> Flask:
    url = url or os.environ["DATABASE_URL"]
    app = Flask(__name__)
    app.config["pool"] = None

    def conn() -> psycopg.Connection:
        if app.config["pool"] is None:  # one connection per (sync) worker, opened lazily
            app.config["pool"] = connect(url)
        return app.config["pool"]

    @app.post("/svar/<int:participant_id>")
    def save(participant_id: int):
        for key, value in request.form.items():
            if key.startswith("value-"):
                iid = int(key[6:])
                comment = request.form.get(f"comment-{iid}", "")
                c = conn()
                c.execute(UPSERT, (ROUND_ID, participant_id, iid, int(value), comment))
                c.commit()
                return jsonify({"ok": True, "message": "Sparat."})
        return jsonify({"ok": False}), 400

    @app.get("/halsa")
    def health():
        return {"status": "ok"}

    return app
