"""Importing questionnaires from another survey tool: 20,000 respondents x 30 items.

Each run: a fresh, migrated database (SQLite file by default, or ``--database-url`` for
PostgreSQL), a protocol with 30 items for the participants imported by a förbund, an open wave
with three local groups, and a CSV file as a survey tool exports it (a row per respondent, a
column per item id, kön, grupp). Then exactly what the confirm button does: read and check every
row (:func:`preview_import`), write all rows (:func:`import_answers`), commit once.

Anchor, measured in the same run: reading the same file with ``consensus.tabular.read_table``
alone (no checks, no database). Goal (issue 10): the whole import under 10 s on 2 cores.

    .venv/bin/python bench/bench_followup_import.py [--database-url postgresql://...] [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import logging
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consensus import (
    create_app,  # noqa: E402
    tabular,  # noqa: E402
)
from consensus.extensions import db  # noqa: E402

ITEMS = 30
GOAL_SECONDS = 10.0


def protocol_with_items(n: int) -> dict:
    """The example protocol with ``n`` participant items (the extra ones in a last section)."""
    from consensus.protocol.canonical import with_checksum
    from consensus.protocol.example import example_protocol

    doc = example_protocol()
    have = [i for i in doc["items"] if "deltagare" in i["respondentGroups"]]
    template = have[0]
    for k in range(len(have) + 1, n + 1):
        doc["items"].append({**template, "id": f"D{k:02d}", "text": {"sv": f"Påstående {k}"}})
    doc["indicators"][0]["measures"][0]["items"] += [
        f"D{k:02d}" for k in range(len(have) + 1, n + 1)
    ]
    return with_checksum(doc)


def survey_file(rows: int, seed: int = 10) -> bytes:
    rng = random.Random(seed)
    items = [f"D{k:02d}" for k in range(1, ITEMS + 1)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["respondent", *items, "kön", "ålder", "grupp"])
    for n in range(rows):
        answers = [str(rng.choice((1, 2, 3, 4, 5, 5, 4, 9))) for _ in items]
        writer.writerow(
            [
                n + 1,
                *answers,
                rng.choice("KM"),
                rng.choice(("16-29", "30-49", "50-64")),
                "ABC"[n % 3],
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    logging.disable(logging.INFO)

    from flask_migrate import upgrade

    from consensus.auth import services as auth_services
    from consensus.followup import services
    from consensus.followup.models import SurveyAnswer, SurveyResponse
    from consensus.protocol.canonical import dumps

    data = survey_file(args.rows)
    t0 = time.perf_counter()
    table = tabular.read_table(data, "svar.csv", max_bytes=50_000_000)
    anchor = time.perf_counter() - t0
    assert table.ok and len(table.rows) == args.rows

    with tempfile.TemporaryDirectory() as folder:
        drop = lambda: None  # noqa: E731
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        if args.database_url:
            from tests.databases import create_postgres_database, drop_postgres_database

            url = create_postgres_database(args.database_url)
            drop = lambda: drop_postgres_database(args.database_url, url)  # noqa: E731
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "bench-" * 6, "SQLALCHEMY_DATABASE_URI": url}
        )
        try:
            with app.app_context():
                upgrade()
                org = auth_services.get_or_create_organisation("bench", "Bänkförbundet")
                imported = services.import_document(org, dumps(protocol_with_items(ITEMS))).imported
                groups = [services.add_local_group(org, name) for name in ("Ett", "Två", "Tre")]
                wave, _ = services.create_wave(
                    org,
                    imported,
                    "deltagare",
                    period="oktober 2026",
                    opens_on=dt.date(2026, 10, 1),
                    closes_on=dt.date(2026, 10, 31),
                    local_group_ids=[g.id for g in groups],
                )
                services.move_wave(wave, "open")
                db.session.commit()

                t0 = time.perf_counter()
                preview = services.preview_import(wave, data, "svar.csv")
                checked = time.perf_counter() - t0
                assert preview.ok, [str(p) for p in preview.problems[:5]]
                written = services.import_answers(preview)
                db.session.commit()
                total = time.perf_counter() - t0
                responses = db.session.scalar(
                    db.select(db.func.count()).select_from(SurveyResponse)
                )
                answers = db.session.scalar(db.select(db.func.count()).select_from(SurveyAnswer))
                db.session.remove()
                db.engine.dispose()
        finally:
            drop()
    kind = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"Import of {args.rows:,} questionnaires x {ITEMS} items ({len(data) / 1e6:.1f} MB CSV), {kind}:"
    )
    print(f"  goal: under {GOAL_SECONDS:.0f} s (file to committed rows)")
    print(f"  read_table alone (anchor):  {anchor:6.2f} s")
    print(f"  read + check every row:     {checked:6.2f} s")
    print(f"  whole import (+ write, commit): {total:6.2f} s  -> {total / anchor:.1f} x the anchor")
    print(
        f"  rows written: {written:,} questionnaires, {answers:,} answers (in database: {responses:,})"
    )
    ok = total < GOAL_SECONDS and responses == args.rows and answers == args.rows * (ITEMS + 1)
    print("  goal met" if ok else "  GOAL NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
