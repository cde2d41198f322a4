"""Benchmark: close a round of 2,000 (and 4,000) panelists x 150 indicators through the real schema.

For each size, builds a study (150 indicators, the panelists in 6 stakeholder groups) in a fresh
migrated database, opens round 1 and writes the ratings (about 5 % "kan ej bedöma") with bulk
inserts, then closes the round in a **fresh child process** (as a web worker would), so that
its peak RSS (``ru_maxrss``: what the operating system gives the process, not tracemalloc's
Python-only count) is the close's and not the set-up's. The close is timed end to end
(``services.close_round``: lock and status change, reading the votes, every statistic, the
rule, the response counts, storing the results document and the decisions, the commit), three
times (reopened between), median reported.

Anchor, in the same child after the closes: reading the same votes with the bare DBAPI cursor
(``fetchall``), i.e. the database's own speed. With ``--with-previous`` round 1 is closed and
confirmed first and round 2 (300,000 more ratings) is timed, so stability is included.

Goals (issue 12): close 2,000 x 150 in <= 0.6 s and <= 250 MB peak RSS; 4,000 x 150 under
300 MB; the results page data far under 1 s.

    .venv/bin/python bench/bench_close_round_db.py                      # SQLite (temp file)
    .venv/bin/python bench/bench_close_round_db.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/test        # fresh databases beside it
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
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


def child(url: str, round_number: int, repeats: int) -> None:
    """In a fresh process: close the round ``repeats`` times (reopened between), then read the
    votes with the bare cursor; print one JSON line."""
    import logging

    from sqlalchemy import func, or_

    from consensus.rounds.models import Round

    logging.disable(logging.INFO)
    app = create_app(_config(url))
    with app.app_context():
        timed = db.session.scalar(db.select(Round).where(Round.number == round_number))
        db.session.commit()
        baseline = rss_mb()
        times = []
        for k in range(repeats):
            if k:
                services.reopen_round(timed, reason="benchmark: close again")
                db.session.commit()
            db.session.expire_all()
            start = time.perf_counter()
            services.close_round(timed)
            db.session.commit()
            times.append(time.perf_counter() - start)
        peak = rss_mb()
        connection = db.session.connection()
        votes = (
            db.select(
                Answer.participant_id,
                func.coalesce(Participant.group_id, 0),
                Answer.indicator_id,
                Answer.value,
                Answer.unable,
            )
            .join(Participant, Participant.id == Answer.participant_id)
            .where(Answer.round_id == timed.id, or_(Answer.value.is_not(None), Answer.unable))
        )
        compiled = votes.compile(dialect=connection.dialect)
        params = compiled.construct_params()
        if compiled.positional:
            params = tuple(params[name] for name in compiled.positiontup or ())
        reads = []
        for _ in range(3):
            cursor = connection.connection.cursor()
            start = time.perf_counter()
            cursor.execute(compiled.string, params)
            rows = cursor.fetchall()
            reads.append(time.perf_counter() - start)
            cursor.close()
            del rows
        db.session.remove()
        db.engine.dispose()
    print(
        json.dumps(
            {
                "close": statistics.median(times),
                "closes": times,
                "peak_rss": peak,
                "baseline_rss": baseline,
                "read": statistics.median(reads),
            }
        )
    )


def _config(url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
    }


GOALS = {2000: (0.6, 250), 4000: (None, 300)}


def run(url: str, args, panelists: int) -> bool:
    app = create_app(_config(url))
    with app.app_context():
        upgrade()
        t0 = time.perf_counter()
        study = build_study(panelists, args.indicators)
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
        number = timed.number
        print(
            f"{db.engine.dialect.name}: {n:,} ratings in round {number} "
            f"({panelists:,} panelists x {args.indicators} indicators, {len(GROUPS)} groups) "
            f"written in {time.perf_counter() - t0:.1f} s"
        )
        db.session.remove()
        db.engine.dispose()

    result = subprocess.run(
        [sys.executable, __file__, "--child", url, "--round", str(number)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    close, peak, read = figures["close"], figures["peak_rss"], figures["read"]
    time_goal, rss_goal = GOALS.get(panelists, (None, None))
    print(
        f"  close_round end to end (median of 3, fresh process): {close:.2f} s "
        f"(runs {', '.join(f'{t:.2f}' for t in figures['closes'])})"
    )
    print(
        f"  anchor: the same votes through the bare DBAPI cursor: {read:.2f} s; "
        f"ratio close / anchor {close / read:.1f}"
    )
    print(
        f"  peak RSS of the closing process: {peak:.0f} MB "
        f"(after imports and app: {figures['baseline_rss']:.0f} MB)"
    )
    ok = True
    if time_goal is not None:
        met = close <= time_goal
        ok &= met
        print(
            f"  goal: close <= {time_goal} s; figure {close:.2f} s: {'met' if met else 'NOT met'}"
        )
    if rss_goal is not None:
        met = peak <= rss_goal
        ok &= met
        print(
            f"  goal: peak RSS <= {rss_goal} MB; figure {peak:.0f} MB: {'met' if met else 'NOT met'}"
        )

    with app.app_context():
        from consensus.rounds.models import Round

        timed = db.session.scalar(db.select(Round).where(Round.number == number))
        page_times = []
        for _ in range(5):
            db.session.expire_all()
            db.session.commit()
            start = time.perf_counter()
            page = services.results_page(timed, sort="p_high", descending=True)
            page_times.append(time.perf_counter() - start)
        assert page is not None and len(page["rows"]) == args.indicators
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
            response = client.get(f"/studier/bench/omgangar/{number}/resultat?sortera=p_high")
            html_times.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
        print(
            f"  results page data: median {statistics.median(page_times) * 1000:.1f} ms; "
            f"rendered over HTTP ({len(response.data) // 1024} KB): median "
            f"{statistics.median(html_times) * 1000:.0f} ms (goal for 2,000 x 300: < 300 ms)"
        )
        db.session.remove()
        db.engine.dispose()
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="PostgreSQL server (default: SQLite)")
    parser.add_argument(
        "--panelists", default="2000,4000", help="comma-separated sizes (default 2000,4000)"
    )
    parser.add_argument("--indicators", type=int, default=150)
    parser.add_argument("--with-previous", action="store_true", help="time round 2 (stability)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--round", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.round, repeats=3)
        return 0

    import logging

    logging.disable(logging.INFO)
    ok = True
    for panelists in (int(x) for x in args.panelists.split(",")):
        if args.database_url:
            from tests import databases

            base = databases.normalise_database_url(args.database_url)
            with databases.fresh_postgres_database(base) as url:
                ok &= run(url, args, panelists)
        else:
            with tempfile.TemporaryDirectory() as folder:
                ok &= run(f"sqlite:///{os.path.join(folder, 'bench.sqlite')}", args, panelists)
    print("goals:", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
