"""Benchmark: close a rating round of 2,000 panelists x 150 indicators (300,000 ratings).

Generates a synthetic round and its previous round as lists of tuples (as rows read from the
database: panelist id, group code, indicator code, rating or None, unable flag), with about 5 %
"kan ej bedöma" and 6 stakeholder groups, then times the full computation of a close:

1. building both votes frames from the tuples,
2. per-indicator statistics overall and per group (RAM numbers and GIC included) and
   Krippendorff's alpha nominal, ordinal and interval, all in ``rating_stats``,
3. the primary rule's decision and the sensitivity table under every rating rule,
4. stability against the previous round.

Prints the median wall time of each step and in total over five runs (after a warm-up), and
peak memory: the process's maximum resident set size, and the tracemalloc peak of one more,
traced run. Target: under 5 s and under 500 MB.

    .venv/bin/python bench/bench_close_round.py [--panelists 2000] [--indicators 150]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from consensus.rounds.rules import decide, sensitivity
from consensus.rounds.stability import stability
from consensus.rounds.stats import rating_stats, votes_frame

GROUPS = ("brukare", "fk", "af", "kommun", "region", "forbund")


def synthetic_rows(
    n_panelists: int, n_indicators: int, *, seed: int, shift: float = 0.0
) -> list[tuple[Any, ...]]:
    """One round's rows; each indicator has its own level, each group a small offset."""
    rng = np.random.default_rng(seed)
    level = np.random.default_rng(0).uniform(2.5, 8.5, n_indicators) + shift
    offset = np.random.default_rng(1).normal(0, 0.5, len(GROUPS))
    group = np.arange(n_panelists) % len(GROUPS)
    noise = rng.normal(0, 1.6, (n_panelists, n_indicators))
    ratings = np.clip(np.rint(level[None, :] + offset[group][:, None] + noise), 1, 9).astype(int)
    unable = rng.random((n_panelists, n_indicators)) < 0.05
    codes = [f"IND{i:03d}" for i in range(n_indicators)]
    rows = []
    for p in range(n_panelists):
        g = GROUPS[group[p]]
        for i, (r, u) in enumerate(zip(ratings[p].tolist(), unable[p].tolist(), strict=True)):
            rows.append((p + 1, g, codes[i], None if u else r, u))
    return rows


def close_round(
    rows: list[tuple[Any, ...]], previous_rows: list[tuple[Any, ...]], indicators: list[str]
) -> dict[str, float]:
    timings: dict[str, float] = {}

    def timed(name: str, step: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = step()
        timings[name] = time.perf_counter() - start
        return result

    votes = timed("frame (current)", lambda: votes_frame(rows))
    previous = timed("frame (previous)", lambda: votes_frame(previous_rows))
    stats = timed(
        "stats (overall, groups, alpha)", lambda: rating_stats(votes, indicators, groups=GROUPS)
    )
    timed("primary rule", lambda: decide(stats, "comet_70_15"))
    timed("sensitivity (all rules)", lambda: sensitivity(stats, primary="comet_70_15"))
    timed("stability vs previous", lambda: stability(previous, votes, indicators))
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panelists", type=int, default=2000)
    parser.add_argument("--indicators", type=int, default=150)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    indicators = [f"IND{i:03d}" for i in range(args.indicators)]
    rows = synthetic_rows(args.panelists, args.indicators, seed=2)
    previous_rows = synthetic_rows(args.panelists, args.indicators, seed=1, shift=-0.3)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{len(rows):,} ratings ({sum(r[4] for r in rows):,} kan ej bedöma), "
        f"{args.panelists:,} panelists x {args.indicators} indicators, {len(GROUPS)} groups"
    )

    close_round(rows, previous_rows, indicators)  # warm-up (imports, caches)
    runs = [close_round(rows, previous_rows, indicators) for _ in range(args.runs)]
    for name in runs[0]:
        print(f"  {name:<32} {statistics.median(r[name] for r in runs) * 1000:8.1f} ms")
    totals = [sum(r.values()) for r in runs]
    total = statistics.median(totals)
    print(f"  {'total (median)':<32} {total * 1000:8.1f} ms   (min {min(totals) * 1000:.1f} ms)")

    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    tracemalloc.start()
    close_round(rows, previous_rows, indicators)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"peak RSS {rss_peak:.0f} MB (of which {rss_before:.0f} MB before the close: "
        f"interpreter, libraries and the two lists of tuples); "
        f"tracemalloc peak of one close {traced_peak / 2**20:.0f} MB"
    )
    ok = total < 5 and rss_peak < 500
    print("target (< 5 s, < 500 MB):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
