"""The demo's national comparison: the demo förbund shares its closed yearly waves (named),
and six invented förbund have sent aggregate reports for the same waves (some named, some
not; a small one whose kön cells are hidden). Their figures are invented around the demo
förbund's, through the same checks as any report (:func:`.followup.services.receive_report`).

Kept beside :mod:`.demo` (it sits above every feature, like ``demo.py``)."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from .followup import national
from .followup.scoring import Target, status_for
from .protocol.canonical import with_checksum


def _data() -> dict[str, Any]:
    text = resources.files("consensus").joinpath("data", "demo", "national.json").read_text("utf-8")
    return json.loads(text)


def _measures(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        str(m.get("id")): m
        for indicator in doc.get("indicators") or ()
        for m in indicator.get("measures") or ()
    }


def _invented_rows(rows, measures, rng: random.Random, size: float, small: bool) -> list[dict]:
    """Rows like ``rows`` (the demo förbund's shared rows) with invented figures."""
    out = []
    by_measure: dict[str, list[dict]] = {}
    for row in rows:
        by_measure.setdefault(row["measure"], []).append(row)
    for measure_id, table in by_measure.items():
        measure = measures.get(measure_id) or {}
        target = Target.from_protocol(measure.get("target"))
        direction = measure.get("direction") or "increase"
        total = next((r for r in table if r["breakdown"] == national.TOTAL), None)
        if total is None or total.get("value") is None:
            continue
        n = max(1, int(total["n"] * size * rng.uniform(0.8, 1.2)))
        shift = rng.uniform(-0.25, 0.25)
        parts = {"total": n, "kon:K": int(n * rng.uniform(0.45, 0.65))}
        parts["kon:M"] = n - parts["kon:K"]
        for breakdown, count in parts.items():
            base = {"indicator": total["indicator"], "measure": measure_id, "breakdown": breakdown}
            if small and breakdown != national.TOTAL:
                reason = "primary" if breakdown == "kon:K" else "complementary"
                out.append({**base, "status": "suppressed", "suppression": reason})
                continue
            entry: dict[str, Any] = {**base, "n": count}
            if "denominator" in total and "numerator" in total:
                share = min(1.0, max(0.0, total["value"] / 100 + shift + rng.uniform(-0.05, 0.05)))
                entry.update(numerator=round(count * share), denominator=count)
                entry["value"] = round(100 * entry["numerator"] / count, 2) if count else None
            else:
                entry["value"] = round(total["value"] * (1 + shift / 2), 2)
            if target is not None:
                entry["target"] = total.get("target", target.value)
            entry["status"] = status_for(entry["value"], target, direction).value
            out.append(entry)
    return out


def load_national(forbund, imported) -> int:
    """Share the demo förbund's closed yearly waves and receive the invented förbund's
    reports; the number of reports received."""
    from .followup import services as followup

    data = _data()
    rng = random.Random(data["seed"])
    created = datetime.strptime(data["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    measures = _measures(imported.document)
    received = 0
    yearly = [w for w in followup.waves(forbund) if w.period and w.status == "closed"]
    for wave in yearly:
        report, result = followup.share_wave(wave, named=True, now=created)
        if result is None or not result.ok:  # pragma: no cover - built here, valid by design
            raise RuntimeError(f"demo share refused: {result and result.problems}")
        received += 1
        for other in data["forbund"]:
            size = float(other["size"])
            doc = national.build_report(
                protocol=report["protocol"],
                sender_key=hashlib.sha256(other["name"].encode()).hexdigest(),
                name=other["name"] if other["named"] else None,
                wave=report["wave"],
                min_cell_size=report["minCellSize"],
                rows=[],
                created_at=created,
            )
            doc["rows"] = _invented_rows(report["rows"], measures, rng, size, size < 0.1)
            result = followup.receive_report(with_checksum(doc))
            if not result.ok:  # pragma: no cover - invented within the rules
                raise RuntimeError(f"demo report refused: {[p.message for p in result.problems]}")
            received += 1
    return received
