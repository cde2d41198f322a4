"""Benchmark the whole import, file to committed rows: 1,000 indicators and 5,000 panelists.

Each run: a fresh, migrated database (SQLite file by default, or ``--database-url`` for
PostgreSQL), an Excel-like XLSX, then exactly what the confirm button does: read and validate
the file, write every row, commit once. Reports wall time and peak memory (tracemalloc peak of
the timed step, and the process's ru_maxrss). Target (issue 3): under 5 s each on 2 cores.

    .venv/bin/python bench/bench_import_db.py [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_import import GROUPS, excel_like_xlsx, indicator_rows, panelist_rows  # noqa: E402
from consensus import create_app  # noqa: E402
from consensus.extensions import db  # noqa: E402
from consensus.studies import importing, services  # noqa: E402


def _app(url: str):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret-key-0123456789",
            "SQLALCHEMY_DATABASE_URI": url,
        }
    )
    return app


def _fresh_database(base_url: str | None, folder: Path, n: int) -> tuple[str, callable]:
    if base_url is None:
        return f"sqlite:///{folder / f'bench{n}.sqlite'}", lambda: None
    from tests.databases import create_postgres_database, drop_postgres_database

    url = create_postgres_database(base_url)
    return url, lambda: drop_postgres_database(base_url, url)


def run(kind: str, data: bytes, url: str, trace: bool) -> tuple[float, float, int]:
    from flask_migrate import upgrade

    app = _app(url)
    with app.app_context():
        upgrade()
        study = services.create_study("bench", "Bench")
        for code, name in GROUPS.items():
            services.add_group(study, code, name)
        db.session.commit()
        gc.collect()
        if trace:
            tracemalloc.start()
        start = time.perf_counter()
        if kind == "indicators":
            parsed = importing.parse_indicators(data, "pool.xlsx", services.indicator_codes(study))
            assert parsed.ok, parsed.problems[:3]
            created, _ = services.apply_indicator_import(study, parsed)
        else:
            parsed = importing.parse_panelists(data, "panel.xlsx", GROUPS, [])
            assert parsed.ok, parsed.problems[:3]
            created, _ = services.apply_panel_import(
                study, parsed, {g.code: g for g in study.groups}
            )
        db.session.commit()
        elapsed = time.perf_counter() - start
        peak = 0
        if trace:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        db.session.remove()
        db.engine.dispose()
    return elapsed, peak, created


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    cases = {
        "indicators": excel_like_xlsx("Indikatorer", *indicator_rows(1000)),
        "panel": excel_like_xlsx("Panel", *panelist_rows(5000)),
    }
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"Import to a committed database ({backend}), best and median of {args.repeat}:")
    with tempfile.TemporaryDirectory() as tmp:
        counter = 0
        for kind, data in cases.items():
            times, peaks = [], []
            # Timed runs without tracemalloc (it slows allocation-heavy code several times
            # over), then one traced run for the memory peak.
            for attempt in range(args.repeat + 1):
                counter += 1
                trace = attempt == args.repeat
                url, drop = _fresh_database(args.database_url, Path(tmp), counter)
                try:
                    elapsed, peak, created = run(kind, data, url, trace)
                finally:
                    drop()
                (peaks if trace else times).append(peak if trace else elapsed)
            times.sort()
            print(
                f"  {kind:<11} {created:>5} rows  best {times[0]:5.2f} s  median "
                f"{times[len(times) // 2]:5.2f} s  tracemalloc peak {max(peaks) / 1e6:6.1f} MB"
            )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  process peak RSS (ru_maxrss): {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
