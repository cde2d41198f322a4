"""Benchmark: a protocol of 50 core indicators and 300 accepted measures.

In a migrated SQLite database: a study with 50 indicators, a confirmed final rating round (all
50 in the core set) and a measures survey with 300 accepted measures (6 per indicator: survey,
register, interview ... with frequencies). Timed, each with a target under 2 s:

1. building: ``services.study_facts`` + ``build.build_protocol`` (reading the database too);
2. publishing: ``services.publish`` (build, version check, checksum, full validation, store);
3. importing: ``followup.import_document`` of the published bytes into a förbund (parse,
   schema, semantics, checksum, store).

Then the pages over the WSGI test client (median of 5, rendering included): the
projektledare's draft page (live preview, validation, diff against 1.0.0), the public version
page, a förbund's upload of the JSON file, and its data-collection plan.

    .venv/bin/python bench/bench_protocol.py
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from consensus import create_app  # noqa: E402
from consensus.auth import services as auth_services  # noqa: E402
from consensus.extensions import db  # noqa: E402
from consensus.followup import services as followup  # noqa: E402
from consensus.measures import services as ms  # noqa: E402
from consensus.measures.models import CanonicalMeasure  # noqa: E402
from consensus.protocol import models as protocol_models  # noqa: E402, F401
from consensus.protocol import services  # noqa: E402
from consensus.protocol.build import build_protocol  # noqa: E402
from consensus.rounds import services as rs  # noqa: E402
from consensus.studies import services as study_services  # noqa: E402

INDICATORS = 50
MEASURES_PER_INDICATOR = 6
TARGET = 2.0

KINDS = [
    dict(
        method="survey",
        kind="quantitative",
        unit="andel (%)",
        respondent_group="deltagare",
        frequency=["P0D", "P6M", "P12M", "P18M"],
        numerator="svar 4-5",
        denominator="alla svar",
    ),
    dict(
        method="register",
        kind="quantitative",
        unit="antal",
        frequency=["yearly"],
        data_source="Uppföljning Finsam",
    ),
    dict(
        method="interview",
        kind="qualitative",
        frequency=["yearly"],
        description="Vad samtalen visar om samverkan och deltagarnas inflytande.",
    ),
    dict(
        method="survey",
        kind="quantitative",
        unit="medelvärde",
        respondent_group="insatspersonal",
        frequency=["continuous"],
    ),
    dict(
        method="document-review",
        kind="qualitative",
        frequency=["P12M"],
        description="Vad dokumenten säger om planering och uppföljning av insatsen.",
    ),
    dict(
        method="focus-group",
        kind="qualitative",
        frequency=["P0D", "P12M"],
        description="Vad fokusgruppen tar upp om hinder och möjligheter i samverkan.",
    ),
]


def setup() -> tuple:
    study = study_services.create_study(
        "bench", "Benchstudie", min_group_size=1, target_core_size=INDICATORS
    )
    group = study_services.add_group(study, "chefer", "Chefer")
    indicators = [
        study_services.add_indicator(
            study,
            code=f"I{k:02d}",
            title=f"Indikator {k} om samverkan och delaktighet",
            description="En beskrivning av vad indikatorn fångar i den finansiella samordningen.",
            perspective=["deltagare", "medarbetare", "organisation", "samhälle"][k % 4],
            type="process" if k % 2 else "effect",
        )
        for k in range(1, INDICATORS + 1)
    ]
    panel = [
        study_services.add_participant(
            study, kind="panelist", group_id=group.id, name=f"P{k}", email=f"p{k}@example.se"
        )
        for k in range(5)
    ]
    db.session.commit()
    r = rs.create_round(study, "rating", is_final=True)
    rs.open_round(r)
    for p in panel:
        rs.save_answers(r, p, [{"indicator_id": i.id, "value": 9} for i in indicators])
    rs.close_round(r)
    rs.confirm_decisions(r)
    survey = ms.create_survey(study)
    for i in indicators:
        for n in range(MEASURES_PER_INDICATOR):
            db.session.add(
                CanonicalMeasure(
                    survey_id=survey.id,
                    indicator_id=i.id,
                    name=f"Mått {n + 1} för {i.code}",
                    status="accepted",
                    recommended=n == 0,
                    **KINDS[n],
                )
            )
    org = auth_services.get_or_create_organisation("bench-forbund", "Benchförbundet")
    db.session.commit()
    return study, org


def timed(label: str, fn):
    start = time.perf_counter()
    value = fn()
    elapsed = time.perf_counter() - start
    verdict = "ok" if elapsed < TARGET else "SLOW"
    print(f"{label:<34} {elapsed:6.3f} s  (target < {TARGET:.0f} s: {verdict})")
    return value, elapsed


def median_of(label: str, fn, runs: int = 5) -> None:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = fn()
        times.append(time.perf_counter() - start)
        assert response.status_code in (200, 302), (label, response.status_code)
    print(f"{label:<34} {statistics.median(times) * 1000:6.0f} ms median of {runs}")


def pages(app, address: str, data: bytes) -> None:
    password = "bench-password-0123456789"
    with app.app_context():
        auth_services.create_user("pl@bench.invalid", password, "projektledare")
        other = auth_services.get_or_create_organisation("bench-web", "Webbförbundet")
        auth_services.create_user("f@bench.invalid", password, "forbund", organisation=other)
        db.session.commit()
    leader, forbund = app.test_client(), app.test_client()
    for client, email in ((leader, "pl@bench.invalid"), (forbund, "f@bench.invalid")):
        answer = client.post("/logga-in", data={"email": email, "password": password})
        assert answer.status_code == 302 and "logga-in" not in answer.location, answer.status_code
    median_of("draft page (preview + diff)", lambda: leader.get("/studier/bench/protokoll/utkast"))
    median_of(
        "public version page",
        lambda: leader.get(address),
    )
    median_of(
        "förbund: upload the JSON file",
        lambda: forbund.post(
            "/uppfoljning/importera",
            data={"file": (io.BytesIO(data), "protokoll.json")},
            content_type="multipart/form-data",
        ),
    )
    with app.app_context():
        other = auth_services.get_or_create_organisation("bench-web", "Webbförbundet")
        imported_id = followup.imported_versions(other)[0].id
    median_of("förbund: data-collection plan", lambda: forbund.get(f"/uppfoljning/{imported_id}"))


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite"
        app = create_app(
            {
                "SECRET_KEY": "bench-secret-key-0123456789abcdef",
                "SQLALCHEMY_DATABASE_URI": url,
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            upgrade()
            study, org = setup()
            doc, t_build = timed(
                "build (facts + build_protocol)",
                lambda: build_protocol(services.study_facts(study)),
            )
            n_measures = sum(len(i["measures"]) for i in doc["indicators"])
            print(
                f"  {len(doc['indicators'])} indicators, {n_measures} measures, {len(doc['items'])} items"
            )
            version, t_publish = timed("publish 1.0.0", lambda: services.publish(study, "1.0.0"))
            db.session.commit()
            data = services.document_bytes(version)
            print(f"  {len(data) / 1000:.0f} kB canonical JSON, {version.checksum[:19]}…")
            result, t_import = timed(
                "import into a förbund", lambda: followup.import_document(org, data, "bench")
            )
            db.session.commit()
            assert result.status == "imported", [str(p) for p in result.problems]
            address = f"/protokoll/{version.protocol_id}/{version.version}"
            db.session.remove()
        # Outside the app context: each test-client request gets its own (and its own ``g``).
        pages(app, address, data)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return 0 if max(t_build, t_publish, t_import) < TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
