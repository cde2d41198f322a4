"""A förbund's results over time: 20,000 questionnaires in 8 yearly waves.

Each run: a fresh, migrated database (SQLite file by default, or ``--database-url`` for
PostgreSQL), the example protocol imported by a förbund with three local groups, eight yearly
waves (2019–2026) of 2,500 submitted participant questionnaires each (ten items D01–D10, kön
K/M/vill inte ange, groups A–C, about 8 % "vet inte"), register figures and a narrative per
year. Then what a förbund user's requests do: the results page (every indicator, trend and
breakdown) and the yearly report for 2026, each rendered through its view: the median of 5
requests each right after one more questionnaire came in (cold: nothing cached, as during an
open wave: the closed waves' counts are kept, :mod:`consensus.followup.services.result_counts`),
the median of 5 with nothing kept at all (as in a new process) and the median of 5 with the
data unchanged (the built rows and the page's tables
come from :mod:`consensus.followup.services.results_cache`).

Anchor, measured in the same run: a plain SQL aggregate of the same answers (per wave, item and
answer: ``count(*) ... GROUP BY``), i.e. reading every answer once in the database without any
scoring, suppression or HTML. Goals (issue 11): the page under 500 ms, the report under 2 s.

    .venv/bin/python bench/bench_followup_results.py [--database-url postgresql://...] [--rows N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consensus import create_app  # noqa: E402
from consensus.extensions import db  # noqa: E402

WAVES = 8
ITEMS = [f"D{k:02d}" for k in range(1, 11)]
PAGE_GOAL, REPORT_GOAL = 0.5, 2.0
RUNS = 5


def seed(org, imported, rows: int) -> None:
    from consensus.followup import services
    from consensus.followup.models import SurveyAnswer, SurveyResponse

    rng = random.Random(11)
    groups = [services.add_local_group(org, name) for name in ("Ett", "Två", "Tre")]
    per_wave = rows // WAVES
    for k in range(WAVES):
        year = 2026 - WAVES + 1 + k
        wave, _ = services.create_wave(
            org,
            imported,
            "deltagare",
            period=f"oktober {year}",
            opens_on=dt.date(year, 10, 1),
            closes_on=dt.date(year, 10, 31),
            local_group_ids=[g.id for g in groups],
        )
        wave.status = "closed"
        db.session.flush()
        responses = [
            {
                "wave_id": wave.id,
                "respondent_id": secrets.token_hex(8),
                "source": "import",
                "status": "submitted",
                "submitted_on": dt.date(year, 10, 5),
                "gender": rng.choice(("K", "K", "M", "M", "_U")),
                "local_group_id": groups[i % 3].id,
                "section": 0,
            }
            for i in range(per_wave)
        ]
        db.session.execute(db.insert(SurveyResponse), responses)
        ids = db.session.scalars(
            db.select(SurveyResponse.id).where(SurveyResponse.wave_id == wave.id)
        ).all()
        answers = []
        for rid in ids:
            for item in ITEMS:
                value = rng.choice((1, 2, 3, 4, 4, 5, 5, 3, 2, 4, 5, 9))
                missing = value == 9
                answers.append(
                    {
                        "response_id": rid,
                        "item_id": item,
                        "value": None if missing else str(value),
                        "number": None if missing else float(value),
                        "missing": "9" if missing else None,
                    }
                )
        db.session.execute(db.insert(SurveyAnswer), answers)
        period = str(year)
        for group in (None, *groups):
            size = rng.randint(25, 60) * (3 if group is None else 1)
            services.save_figure(
                imported,
                {
                    "measure": "I07-M2",
                    "period": period,
                    "group": group.letter if group else "",
                    "numerator": str(int(size * 0.5)),
                    "denominator": str(size),
                },
            )
        services.save_narrative(imported, "I09-M1", period, f"Berättelse för {year}.")
    db.session.commit()


def anchor_query(imported_id: int) -> float:
    from consensus.followup.models import SurveyAnswer, SurveyResponse, Wave

    query = (
        db.select(SurveyResponse.wave_id, SurveyAnswer.item_id, SurveyAnswer.value, db.func.count())
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(Wave, Wave.id == SurveyResponse.wave_id)
        .where(
            Wave.imported_protocol_id == imported_id,
            SurveyResponse.status == "submitted",
            SurveyAnswer.missing.is_(None),
        )
        .group_by(SurveyResponse.wave_id, SurveyAnswer.item_id, SurveyAnswer.value)
    )
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        rows = db.session.execute(query).all()
        times.append(time.perf_counter() - t0)
    assert rows
    return statistics.median(times)


def add_one(rng: random.Random) -> None:
    """One more submitted questionnaire in the last wave (as during an open wave): the data
    behind the results changed, so nothing cached may be served."""
    from consensus.followup.models import SurveyAnswer, SurveyResponse, Wave

    wave = db.session.scalars(db.select(Wave).order_by(Wave.opens_on.desc())).first()
    response = SurveyResponse(
        wave_id=wave.id,
        respondent_id=secrets.token_hex(8),
        source="import",
        status="submitted",
        submitted_on=wave.closes_on,
        gender=rng.choice(("K", "M")),
        local_group_id=wave.local_groups[0].id,
        section=0,
    )
    db.session.add(response)
    db.session.flush()
    for item in ITEMS:
        value = rng.choice((1, 2, 3, 4, 5))
        db.session.add(
            SurveyAnswer(response_id=response.id, item_id=item, value=str(value), number=value)
        )
    db.session.commit()


def timed(app, user, view, **kwargs) -> tuple[float, float, float, int]:
    """Medians of ``RUNS`` requests each: right after one more questionnaire came in (the
    closed waves' counts kept), with nothing kept at all (every count and row built again,
    as in a new process), and with the data unchanged; and the page's size."""
    from flask_login import login_user

    from consensus.followup.services import results_cache

    rng = random.Random(7)
    times: dict[str, list[float]] = {"changed": [], "nothing kept": [], "unchanged": []}
    size = 0
    for mode in [m for m in times for _ in range(RUNS)]:
        if mode == "changed":
            with app.app_context():
                add_one(rng)
        elif mode == "nothing kept":
            results_cache.clear()
        with app.test_request_context():
            login_user(user)
            t0 = time.perf_counter()
            html = view(**kwargs)
            times[mode].append(time.perf_counter() - t0)
            size = len(html)
    changed, empty, unchanged = (statistics.median(t) for t in times.values())
    return changed, empty, unchanged, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    logging.disable(logging.INFO)

    from flask_migrate import upgrade

    from consensus.auth import services as auth_services
    from consensus.followup import services
    from consensus.followup.views.report import yearly_report
    from consensus.followup.views.results import results
    from consensus.protocol.canonical import dumps
    from consensus.protocol.example import example_protocol

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
                imported = services.import_document(org, dumps(example_protocol())).imported
                user = auth_services.create_user(
                    "bench@example.se", "bench-password-1234", "forbund", organisation=org
                )
                seed(org, imported, args.rows)
                anchor = anchor_query(imported.id)
                t0 = time.perf_counter()
                rows = len(services.build_results(imported).rows)
                build = time.perf_counter() - t0
                cold, empty, page, page_size = timed(app, user, results, imported_id=imported.id)
                cold_report, empty_report, report, report_size = timed(
                    app, user, yearly_report, imported_id=imported.id, year=2026
                )
                db.session.remove()
                db.engine.dispose()
        finally:
            drop()
    kind = "PostgreSQL" if args.database_url else "SQLite"
    print(f"Results of {args.rows:,} questionnaires in {WAVES} waves x {len(ITEMS)} items, {kind}:")
    print(
        f"  goals: the page under {PAGE_GOAL * 1000:.0f} ms, the yearly report under {REPORT_GOAL:.0f} s"
    )
    print(f"  plain SQL aggregate of the answers (anchor): {anchor * 1000:7.0f} ms")
    print(
        f"  build_results alone, a new process (count + score + suppress): {build * 1000:7.0f} ms"
        f"  -> {build / anchor:.1f} x the anchor"
    )
    print(
        f"  results page, right after one more questionnaire (rows rebuilt, median of {RUNS}): "
        f"{cold * 1000:7.0f} ms  -> {cold / anchor:.1f} x the anchor  {verdict(cold, PAGE_GOAL)}"
    )
    print(
        f"  results page, nothing kept (a new process: every wave counted again): "
        f"{empty * 1000:7.0f} ms  -> {empty / anchor:.1f} x the anchor  {verdict(empty, PAGE_GOAL)}"
    )
    print(
        f"  results page, data unchanged ({rows:,} rows, {page_size / 1e3:.0f} kB): "
        f"{page * 1000:7.0f} ms  -> {page / anchor:.1f} x the anchor  {verdict(page, PAGE_GOAL)}"
    )
    print(
        f"  yearly report 2026, right after one more questionnaire ({report_size / 1e3:.0f} kB): "
        f"{cold_report * 1000:7.0f} ms  -> {cold_report / anchor:.1f} x the anchor  "
        f"{verdict(cold_report, REPORT_GOAL)}"
    )
    print(
        f"  yearly report 2026, nothing kept: {empty_report * 1000:7.0f} ms"
        f"  -> {empty_report / anchor:.1f} x the anchor  {verdict(empty_report, REPORT_GOAL)}"
    )
    print(
        f"  yearly report 2026, data unchanged: {report * 1000:7.0f} ms"
        f"  -> {report / anchor:.1f} x the anchor  {verdict(report, REPORT_GOAL)}"
    )
    return 0 if max(cold, page) < PAGE_GOAL and max(cold_report, report) < REPORT_GOAL else 1


def verdict(seconds: float, goal: float) -> str:
    return "OK" if seconds < goal else "OVER GOAL"


if __name__ == "__main__":
    sys.exit(main())
