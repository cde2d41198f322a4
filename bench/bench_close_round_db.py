"""Benchmark: close a round of 2,000 panelists x 150 indicators through the real schema.

Builds a study (150 indicators, 2,000 panelists in 6 stakeholder groups) in a migrated
database, opens round 1 and writes 300,000 ratings (about 5 % "kan ej bedöma") with bulk
inserts (executemany on the ``answer`` table, not the ORM per row), then times
``services.close_round`` end to end: lock and status change, reading the votes (one query),
every statistic overall and per group, Krippendorff's alpha, the primary rule, the sensitivity
table, the response counts, storing the results document and the proposed decisions, and the
commit. With ``--with-previous`` round 1 is closed and confirmed first and round 2 (the same
ballot, 300,000 more ratings) is timed instead, so stability against round 1 is included.

Then times building the results page's data from the stored ``RoundResult.data`` (a fresh
read, sorted by p_high), which must stay far under 1 s.

Memory: the growth of the process's peak RSS (ru_maxrss) during the timed close, and the
tracemalloc peak of one more close (after a reopen), which counts Python allocations only.
Target: under 5 s and under 500 MB.

    .venv/bin/python bench/bench_close_round_db.py                      # SQLite (temp file)
    .venv/bin/python bench/bench_close_round_db.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/test        # a fresh database beside it
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from consensus import create_app  # noqa: E402
from consensus.dbtypes import utcnow  # noqa: E402
from consensus.extensions import db  # noqa: E402
from consensus.rounds import services  # noqa: E402
from consensus.rounds.models import Answer  # noqa: E402
from consensus.studies import services as study_services  # noqa: E402
from consensus.studies.models import Indicator, Participant  # noqa: E402

GROUPS = ("brukare", "fk", "af", "kommun", "region", "forbund")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def build_study(n_panelists: int, n_indicators: int):
    study = study_services.create_study("bench", "Benchmark", min_group_size=5)
    groups = [study_services.add_group(study, code, code.title()) for code in GROUPS]
    db.session.execute(
        insert(Indicator),
        [
            {
                "study_id": study.id,
                "code": f"IND{i:03d}",
                "title": f"Indikator {i}",
                "description": "",
                "perspective": "deltagare",
                "type": "process",
                "source": "",
                "position": i,
            }
            for i in range(n_indicators)
        ],
    )
    db.session.execute(
        insert(Participant),
        [
            {
                "study_id": study.id,
                "kind": "panelist",
                "pseudonym": f"P{p + 1:04d}",
                "group_id": groups[p % len(groups)].id,
                "joined_via": "import",
            }
            for p in range(n_panelists)
        ],
    )
    db.session.commit()
    return study


def write_ratings(round_, study, *, seed: int, shift: float = 0.0) -> int:
    participants = db.session.execute(
        db.select(Participant.id, Participant.group_id)
        .where(Participant.study_id == study.id)
        .order_by(Participant.id)
    ).all()
    items = [i.id for i in services.ballot(round_)]
    group_index = {gid: k for k, gid in enumerate(sorted({g for _, g in participants}))}
    rng = np.random.default_rng(seed)
    level = np.random.default_rng(0).uniform(2.5, 8.5, len(items)) + shift
    offset = np.random.default_rng(1).normal(0, 0.5, len(group_index))
    group = np.array([group_index[g] for _, g in participants])
    noise = rng.normal(0, 1.6, (len(participants), len(items)))
    ratings = np.clip(np.rint(level[None, :] + offset[group][:, None] + noise), 1, 9).astype(int)
    unable = rng.random((len(participants), len(items))) < 0.05
    now = utcnow()
    total = 0
    batch = []
    for p, (pid, _) in enumerate(participants):
        for i, iid in enumerate(items):
            u = bool(unable[p, i])
            batch.append(
                {
                    "round_id": round_.id,
                    "participant_id": pid,
                    "indicator_id": iid,
                    "value": None if u else int(ratings[p, i]),
                    "unable": u,
                    "comment": "",
                    "reason": "",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        if len(batch) >= 30_000:
            db.session.execute(insert(Answer.__table__), batch)
            total += len(batch)
            batch = []
    if batch:
        db.session.execute(insert(Answer.__table__), batch)
        total += len(batch)
    db.session.commit()
    return total


def timed_close(round_) -> tuple[float, float]:
    rss_before = rss_mb()
    start = time.perf_counter()
    services.close_round(round_)
    db.session.commit()
    elapsed = time.perf_counter() - start
    return elapsed, rss_mb() - rss_before


def run(url: str, args) -> int:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    with app.app_context():
        upgrade()
        t0 = time.perf_counter()
        study = build_study(args.panelists, args.indicators)
        first = services.create_round(study, "rating")
        services.open_round(first)
        db.session.commit()
        n = write_ratings(first, study, seed=1, shift=-0.3)
        timed = first
        if args.with_previous:
            services.close_round(first)
            # Keep the whole ballot for round 2 (an override needs a reason).
            keep = {
                d.indicator_id: ("carry", "benchmark: same ballot in round 2")
                for d in services.decisions(first)
                if d.decision != "carry"
            }
            services.confirm_decisions(first, keep)
            db.session.commit()
            timed = services.create_round(study, "rating")
            services.open_round(timed)
            db.session.commit()
            n = write_ratings(timed, study, seed=2)
        print(
            f"{db.engine.dialect.name}: {n:,} ratings written in round {timed.number} "
            f"({args.panelists:,} panelists x {args.indicators} indicators, {len(GROUPS)} groups) "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        db.session.expire_all()

        elapsed, rss_growth = timed_close(timed)
        print(f"close_round end to end (incl. commit): {elapsed:.2f} s")
        print(f"peak RSS {rss_mb():.0f} MB; growth during the close {rss_growth:.0f} MB")

        page_times = []
        for _ in range(5):
            db.session.expire_all()
            db.session.commit()
            start = time.perf_counter()
            page = services.results_page(timed, sort="p_high", descending=True)
            page_times.append(time.perf_counter() - start)
        assert page is not None and len(page["rows"]) == args.indicators
        print(
            f"results page data from RoundResult.data: median "
            f"{statistics.median(page_times) * 1000:.1f} ms (max {max(page_times) * 1000:.1f} ms)"
        )

        # The whole results page as a browser gets it: login, routing, template, SVG charts.
        from consensus.auth import services as auth_services

        auth_services.create_user("bench@example.se", "bench-password-123", "projektledare")
        db.session.commit()
        client = app.test_client()
        client.post(
            "/logga-in", data={"email": "bench@example.se", "password": "bench-password-123"}
        )
        html_times = []
        for _ in range(5):
            start = time.perf_counter()
            response = client.get(f"/studier/bench/omgangar/{timed.number}/resultat?sortera=p_high")
            html_times.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
        print(
            f"results page rendered (HTTP, {len(response.data) // 1024} KB): median "
            f"{statistics.median(html_times) * 1000:.0f} ms (max {max(html_times) * 1000:.0f} ms)"
        )
        page_times = html_times

        services.reopen_round(timed, reason="benchmark: measure memory")
        db.session.commit()
        db.session.expire_all()
        tracemalloc.start()
        services.close_round(timed)
        db.session.commit()
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"tracemalloc peak of one close: {traced_peak / 2**20:.0f} MB")
        db.session.remove()
        db.engine.dispose()

    ok = elapsed < 5 and rss_mb() < 500 and statistics.median(page_times) < 1
    print("target (< 5 s, < 500 MB, results page < 1 s):", "met" if ok else "NOT met")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="PostgreSQL server (default: SQLite)")
    parser.add_argument("--panelists", type=int, default=2000)
    parser.add_argument("--indicators", type=int, default=150)
    parser.add_argument("--with-previous", action="store_true", help="time round 2 (stability)")
    args = parser.parse_args(argv)

    if args.database_url:
        from tests import databases

        base = databases.normalise_database_url(args.database_url)
        with databases.fresh_postgres_database(base) as url:
            return run(url, args)
    with tempfile.TemporaryDirectory() as folder:
        return run(f"sqlite:///{os.path.join(folder, 'bench.sqlite')}", args)


if __name__ == "__main__":
    sys.exit(main())
