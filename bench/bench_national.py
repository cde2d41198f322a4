"""The national figures over 80 förbund, each sharing a wave of 4,000 questionnaires.

What it does (one process, a temporary SQLite file, or ``--database-url`` PostgreSQL):
1. a förbund with the example protocol and a closed wave of ``--questionnaires`` submitted
   questionnaires (every participant item answered, kön and one of three local groups);
   the protocol is published on the same platform by a study (the owner);
2. **anchor**: the förbund's own results for that wave (``build_results``: read 4,000
   questionnaires, score every measure by total, kön and group, suppress): what a förbund
   already waits for on its results page, measured in the same run;
3. the förbund's aggregate report (``wave_report``), then 79 more förbund's reports built from
   it with invented figures (each measure's n, numerator and value varied; some kön cells
   hidden): the owner's side sees only aggregates, so 80 reports of this shape are what 80
   förbund × 4,000 questionnaires give it;
4. **receiving**: the 80 reports through ``receive_report`` (parse, JSON Schema, checksum,
   the owner's checks, store) and one commit;
5. **national figures** (the goal): the owner's national page through the real route (every
   measure × period × breakdown across the 80 förbund: median, type-7 quartiles, min–max,
   every förbund's value, the HTML) plus the CSV download.

Goal (issue 11): the national figures over 80 förbund × 4,000 questionnaires in under 2 s.

    .venv/bin/python bench/bench_national.py [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import logging
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 2.0
PASSWORD = "bench password 0123456789"


def invented(report: dict, key: str, rng: random.Random) -> dict:
    from consensus.followup import national
    from consensus.protocol.canonical import with_checksum

    doc = copy.deepcopy(report)
    doc["sender"] = {"key": hashlib.sha256(key.encode()).hexdigest(), "named": False}
    hide = rng.random() < 0.15
    for row in doc["rows"]:
        if row["status"] == "suppressed" or row.get("value") is None:
            continue
        if hide and row["breakdown"] != national.TOTAL:
            for name in national.FIGURES:
                row.pop(name, None)
            row["status"] = "suppressed"
            row["suppression"] = "primary"
            continue
        factor = rng.uniform(0.5, 1.5)
        if "denominator" in row:
            row["denominator"] = max(5, round(row["denominator"] * factor))
            row["n"] = row["denominator"]
            row["numerator"] = min(row["denominator"], round(row["numerator"] * factor))
            row["value"] = round(100 * row["numerator"] / row["denominator"], 2)
        else:
            row["n"] = max(5, round(row["n"] * factor))
            row["value"] = round(row["value"] * rng.uniform(0.8, 1.2), 2)
        row.pop("ciLow", None)
        row.pop("ciHigh", None)
    return with_checksum(doc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--forbund", type=int, default=80)
    parser.add_argument("--questionnaires", type=int, default=4000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    logging.disable(logging.INFO)

    from flask_migrate import upgrade
    from sqlalchemy import insert

    from consensus import create_app
    from consensus.auth import services as auth_services
    from consensus.extensions import db
    from consensus.followup import services
    from consensus.followup.models import SurveyAnswer, SurveyResponse
    from consensus.protocol.canonical import dumps
    from consensus.protocol.example import example_protocol
    from consensus.protocol.models import ProtocolVersion
    from consensus.studies import services as study_services

    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as folder:
        drop = lambda: None  # noqa: E731
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        if args.database_url:
            from tests.databases import create_postgres_database, drop_postgres_database

            url = create_postgres_database(args.database_url)
            drop = lambda: drop_postgres_database(args.database_url, url)  # noqa: E731
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench-" * 6,
                "SQLALCHEMY_DATABASE_URI": url,
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            }
        )
        try:
            with app.app_context():
                upgrade()
                doc = example_protocol()
                study = study_services.create_study("nns", "Nationella indikatorer")
                db.session.add(
                    ProtocolVersion(
                        study_id=study.id,
                        protocol_id=doc["id"],
                        version=doc["version"],
                        status="active",
                        document=doc,
                        checksum=doc["checksum"],
                        published_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
                    )
                )
                auth_services.create_user("pl@example.se", PASSWORD, "projektledare")
                org = auth_services.get_or_create_organisation("bench", "Bänkförbundet")
                imported = services.import_document(org, dumps(doc)).imported
                groups = [services.add_local_group(org, n) for n in ("Ett", "Två", "Tre")]
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
                items = [
                    i["id"]
                    for i in doc["items"]
                    if "deltagare" in (i.get("respondentGroups") or ())
                ]
                db.session.execute(
                    insert(SurveyResponse),
                    [
                        {
                            "wave_id": wave.id,
                            "respondent_id": secrets.token_hex(8),
                            "status": "submitted",
                            "source": "web",
                            "submitted_on": dt.date(2026, 10, 20),
                            "gender": rng.choice(("K", "M", "K", "M", "_U")),
                            "local_group_id": rng.choice(groups).id,
                            "section": 0,
                        }
                        for _ in range(args.questionnaires)
                    ],
                )
                ids = db.session.scalars(
                    db.select(SurveyResponse.id).where(SurveyResponse.wave_id == wave.id)
                ).all()
                answers = []
                for rid in ids:
                    for item in items:
                        value = rng.choices((1, 2, 3, 4, 5), (1, 2, 3, 5, 5))[0]
                        answers.append(
                            {
                                "response_id": rid,
                                "item_id": item,
                                "value": str(value),
                                "number": float(value),
                            }
                        )
                db.session.execute(insert(SurveyAnswer), answers)
                services.move_wave(wave, "close")
                db.session.commit()

                t0 = time.perf_counter()
                own = services.build_results(imported, wave)
                anchor = time.perf_counter() - t0

                report = services.wave_report(wave, named=False)
                reports = [dumps(report)] + [
                    dumps(invented(report, f"forbund-{i}", rng)) for i in range(1, args.forbund)
                ]
                t0 = time.perf_counter()
                for data in reports:
                    result = services.receive_report(data)
                    assert result.status == "received", [p.message for p in result.problems]
                db.session.commit()
                receiving = time.perf_counter() - t0
                db.session.remove()

                client = app.test_client()
                client.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
                client.get("/studier/nns/nationellt")  # warm: templates compiled once
                timings = []
                for _ in range(3):
                    t0 = time.perf_counter()
                    page = client.get("/studier/nns/nationellt")
                    csv = client.get("/studier/nns/nationellt.csv")
                    timings.append(time.perf_counter() - t0)
                    assert page.status_code == 200 and csv.status_code == 200
                figures = min(timings)
                cells = services.national_cells(doc["id"])
                counts = sorted(c.distribution.count for c in cells if c.distribution)
                db.session.remove()
                db.engine.dispose()
        finally:
            drop()
    kind = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"National figures: {args.forbund} förbund, each a wave of {args.questionnaires:,} "
        f"questionnaires ({len(items)} items), {kind}:"
    )
    print(f"  goal: national figures (owner's page + CSV) under {GOAL_SECONDS:.0f} s")
    print(
        f"  anchor: one förbund's own results of its wave (build_results, {len(own.rows)} rows): "
        f"{anchor:6.3f} s"
    )
    print(
        f"  receiving {args.forbund} reports (checks, checksum, store, commit): {receiving:6.3f} s"
    )
    print(
        f"  national figures (page + CSV; best of 3): {figures:6.3f} s -> "
        f"{figures / anchor:.2f} x the anchor"
    )
    print(
        f"  {len(cells)} cells; förbund with a value per cell: {counts[0]}–{counts[-1]} "
        f"(report size {len(reports[0]) / 1000:.0f} kB)"
    )
    ok = figures < GOAL_SECONDS
    print("  goal met" if ok else "  GOAL NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
