"""Benchmark: duplicate suggestions over 2,000 proposals, and one indicator's review data.

1. ``similarity.suggest_by_indicator`` over 2,000 real-looking Swedish proposals spread over
   15 indicators (all pairs within each indicator), and the worst case of all 2,000 in one
   indicator. Target: under 5 s.
2. ``services.review_data`` for one indicator with 300 submitted proposals (from 300 open-link
   respondents) in a migrated SQLite database: the proposals side by side, the suggestions,
   the canonical measures with their sources and the comments. Target: well under 1 s (the
   review page renders from this data).

    .venv/bin/python bench/bench_measures.py
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from consensus import create_app  # noqa: E402
from consensus.extensions import db  # noqa: E402
from consensus.measures import services as ms  # noqa: E402
from consensus.measures import similarity  # noqa: E402
from consensus.studies import services as study_services  # noqa: E402

SUBJECTS = ["Andel deltagare", "Antal deltagare", "Deltagarnas", "Insatspersonalens", "Styrelsens"]
VERBS = ["som upplever", "med ökat", "som anger", "upplevda", "bedömning av"]
OBJECTS = [
    "inflytande över planeringen",
    "delaktighet i insatsen",
    "avslut till arbete eller studier",
    "förtroende för samverkan",
    "hälsa och välbefinnande",
    "kontakt med handläggare",
]
SOURCES = ["enkät vid 6 mån", "enkätfråga vid sex månader", "enligt SUS", "intervju", "register"]


def proposal(rng: random.Random, n: int, indicator: str) -> dict:
    name = (
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} ({rng.choice(SOURCES)})"
    )
    return {
        "id": n,
        "indicator": indicator,
        "name": name,
        "description": f"{rng.choice(OBJECTS).capitalize()} mäts {rng.choice(SOURCES)}.",
        "method": rng.choice(["survey", "register", "interview"]),
        "unit": rng.choice(["andel", "antal", ""]),
        "data_source": rng.choice(["Uppföljning Finsam", "lokal enkät", ""]),
    }


def bench_similarity() -> None:
    rng = random.Random(1)
    spread = [proposal(rng, n, f"I{n % 15}") for n in range(2000)]
    one = [proposal(rng, n, "I0") for n in range(2000)]
    for label, props in (("2,000 proposals / 15 indicators", spread), ("2,000 in one", one)):
        start = time.perf_counter()
        result = similarity.suggest_by_indicator(props)
        elapsed = time.perf_counter() - start
        count = sum(len(v) for v in result.values())
        print(f"duplicate suggestions, {label}: {elapsed:.2f} s ({count} suggestions)")


def bench_review() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                "WTF_CSRF_ENABLED": False,
                "SESSION_COOKIE_SECURE": False,
            }
        )
        with app.app_context():
            upgrade()
            study = study_services.create_study("bench", "Bench")
            indicator = study_services.add_indicator(
                study, code="P01", title="Delaktighet", perspective="deltagare", type="process"
            )
            survey = ms.create_survey(study, indicator_ids=[indicator.id])
            ms.change_status(survey, "open")
            rng = random.Random(2)
            ids = []
            for k in range(300):
                r, _ = ms.join_open_link(
                    survey, organisation=f"Förbund {k % 40}", level="lokal", role="r"
                )
                data = proposal(rng, k, "P01")
                p = ms.save_proposal(
                    r,
                    indicator.id,
                    {**data, "kind": "kvantitativ", "unit": "antal", "method": data["method"]},
                )
                ids.append(p.id)
                ms.submit(r)
            for k in range(0, 60, 3):
                ms.merge_proposals(survey, indicator, ids[k : k + 3])
            db.session.commit()
            db.session.expire_all()
            start = time.perf_counter()
            data = ms.review_data(survey, indicator)
            elapsed = time.perf_counter() - start
            print(
                f"review data, 1 indicator / 300 proposals: {elapsed:.3f} s "
                f"({len(data['suggestions'])} suggestions, {len(data['canonical'])} canonical)"
            )
            # The page as the projektledare gets it: login, routing, template, over HTTP.
            from consensus.auth import services as auth_services

            auth_services.create_user("bench@example.se", "bench-password-123", "projektledare")
            db.session.commit()
            client = app.test_client()
            client.post(
                "/logga-in", data={"email": "bench@example.se", "password": "bench-password-123"}
            )
            times = []
            for _ in range(5):
                start = time.perf_counter()
                response = client.get(f"/studier/bench/matt/granskning/{indicator.id}")
                times.append(time.perf_counter() - start)
                assert response.status_code == 200, response.status_code
            times.sort()
            print(
                f"review page rendered, 1 indicator / 300 proposals ({len(response.data) // 1024} KB):"
                f" median {times[2] * 1000:.0f} ms (max {times[-1] * 1000:.0f} ms)"
            )
            db.engine.dispose()


if __name__ == "__main__":
    bench_similarity()
    bench_review()
