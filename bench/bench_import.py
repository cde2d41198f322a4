"""Benchmark the parsing and validation of imports (no database).

Generates an XLSX of 1,000 indicators and one of 5,000 panelists in a temporary directory (plus
the same lists as our own XLSX and CSV exports), then times ``read_table`` followed by
``parse_indicators`` / ``parse_panelists`` (each case = both steps) and reports wall time and
peak memory (tracemalloc peak of one run, and the process's ru_maxrss at the end).

    .venv/bin/python bench/bench_import.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from consensus.studies.importing import (
    INDICATOR_COLUMNS,
    INDICATOR_SHEET_NAMES,
    PANELIST_COLUMNS,
    PANELIST_SHEET_NAMES,
    PERSPECTIVES,
    parse_indicators,
    parse_panelists,
)
from consensus.tabular import read_table, write_csv, write_xlsx


def excel_like_xlsx(title: str, headers: list[str], rows: list[list[str]]) -> bytes:
    """A workbook written in openpyxl's normal mode, which (like Excel) stores the sheet's
    <dimension>. Our write_only exports do not, and then openpyxl's read-only loader parses
    the whole sheet once more just to size it: those are timed separately as the worst case."""
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GROUPS = {f"g{i}": name for i, name in enumerate(
    ["Politiker", "Chefer", "Medarbetare", "Deltagare", "Forskare", "Brukarorganisationer"]
)}  # fmt: skip


def indicator_rows(n: int) -> tuple[list[str], list[list[str]]]:
    headers = [c.label for c in INDICATOR_COLUMNS]
    rows = []
    for i in range(n):
        rows.append(
            [
                f"I{i:04d}",
                f"Indikator {i}: andel deltagare som upplever ökad delaktighet i rehabiliteringen",
                "Förtydligande: " + "mäts med enkät vid start, 6, 12 och 18 månader. " * 6,
                PERSPECTIVES[i % 4],
                "effekt" if i % 3 else "process",
                "Uppföljning Finsam (SUS)",
            ]
        )
    return headers, rows


def panelist_rows(n: int) -> tuple[list[str], list[list[str]]]:
    headers = [c.label for c in PANELIST_COLUMNS]
    names = list(GROUPS.values())
    rows = []
    for i in range(n):
        rows.append(
            [
                f"Åsa Öberg {i}",
                f"person.{i}@forbund{i % 80}.se",
                names[i % len(names)],
                f"Samordningsförbundet {i % 80}",
                "nationell" if i % 10 == 0 else "lokal",
            ]
        )
    return headers, rows


def measure(label: str, run: Callable[[], object], repeat: int) -> None:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    problems = getattr(result, "problems", [])
    created = len(getattr(result, "to_create", [])) + len(getattr(result, "to_update", []))
    print(
        f"{label:<34} best {min(times):6.3f} s  median {sorted(times)[len(times) // 2]:6.3f} s  "
        f"tracemalloc peak {peak / 1e6:6.1f} MB  valid rows {created}  problems {len(problems)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files: dict[str, bytes] = {}
        h, r = indicator_rows(1_000)
        files["indicators.xlsx"] = excel_like_xlsx("Indikatorer", h, r)
        files["indicators-export.xlsx"] = write_xlsx({"Indikatorer": (h, r)})
        files["indicators.csv"] = write_csv(h, r)
        h, r = panelist_rows(5_000)
        files["panelists.xlsx"] = excel_like_xlsx("Panel", h, r)
        files["panelists-export.xlsx"] = write_xlsx({"Panel": (h, r)})
        files["panelists.csv"] = write_csv(h, r)
        for name, data in files.items():
            (folder / name).write_bytes(data)
            print(f"{name:<24} {len(data) / 1e6:6.2f} MB")

        def indicators(name: str) -> Callable[[], object]:
            def run() -> object:
                data = (folder / name).read_bytes()
                table = read_table(
                    data, name, columns=INDICATOR_COLUMNS, sheet_names=INDICATOR_SHEET_NAMES
                )
                return parse_indicators(table, name, {f"I{i:04d}" for i in range(0, 1000, 2)})

            return run

        def panelists(name: str) -> Callable[[], object]:
            def run() -> object:
                data = (folder / name).read_bytes()
                table = read_table(
                    data, name, columns=PANELIST_COLUMNS, sheet_names=PANELIST_SHEET_NAMES
                )
                return parse_panelists(table, name, GROUPS, set())

            return run

        def read_only(name: str) -> Callable[[], object]:
            return lambda: read_table((folder / name).read_bytes(), name)

        print()
        cases = [
            ("read_table only, indicators.xlsx", read_only("indicators.xlsx")),
            ("indicators.xlsx (1,000)", indicators("indicators.xlsx")),
            ("indicators-export.xlsx (1,000)", indicators("indicators-export.xlsx")),
            ("indicators.csv (1,000)", indicators("indicators.csv")),
            ("read_table only, panelists.xlsx", read_only("panelists.xlsx")),
            ("panelists.xlsx (5,000)", panelists("panelists.xlsx")),
            ("panelists-export.xlsx (5,000)", panelists("panelists-export.xlsx")),
            ("panelists.csv (5,000)", panelists("panelists.csv")),
        ]
        for label, run in cases:
            measure(label, run, args.repeat)

    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    scale = 1 if sys.platform == "darwin" else 1024
    print(f"\nprocess peak RSS (ru_maxrss): {maxrss * scale / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
