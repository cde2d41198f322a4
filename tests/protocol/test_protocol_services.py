"""Protocol versions from a real study (confirmed final round + accepted measures), imports in
a förbund, the command line, and two instances talking over HTTP on loopback."""

import json
import shutil
import threading

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from consensus import create_app
from consensus.auth import services as auth_services
from consensus.extensions import db
from consensus.measures import services as ms
from consensus.measures.models import CanonicalMeasure
from consensus.protocol import render, services
from consensus.protocol.canonical import canonical_json, dumps, with_checksum
from consensus.protocol.commands import register
from consensus.protocol.services import ImportedProtocol, LocalItem, ProtocolError, ProtocolVersion
from consensus.protocol.validate import validate_document
from consensus.rounds import services as round_services
from tests import databases
from tests.conftest import PASSWORD, make_config, migrate
from tests.rounds.conftest import make_delphi, rate


def make_protocol_study():
    """Study ``delphi``: a confirmed final rating round (I1, I2 core) and accepted measures."""
    d = make_delphi(min_group_size=1, target_core_size=2)
    r = round_services.create_round(d.study, "rating", is_final=True)
    round_services.open_round(r)
    i1, i2, i3 = d.study.indicators
    for p in d.panel:
        rate(r, p, {i1: 9, i2: 8, i3: 2})
    round_services.close_round(r)
    round_services.confirm_decisions(r)
    survey = ms.create_survey(d.study)
    for indicator, fields in [
        (
            i1,
            dict(
                name="Upplevt inflytande",
                kind="quantitative",
                method="survey",
                respondent_group="deltagare",
                frequency=["P0D", "P12M"],
                unit="andel (%)",
                numerator="svar 4-5",
                denominator="alla svar",
                recommended=True,
            ),
        ),
        (
            i1,
            dict(
                name="Intervju om delaktighet",
                kind="qualitative",
                method="interview",
                description="Vad deltagaren berättar om sitt inflytande i planeringen.",
            ),
        ),
        (
            i2,
            dict(
                name="Antal samverkansmöten", method="register", unit="antal", frequency=["yearly"]
            ),
        ),
    ]:
        db.session.add(
            CanonicalMeasure(
                survey_id=survey.id, indicator_id=indicator.id, status="accepted", **fields
            )
        )
    db.session.add(
        CanonicalMeasure(survey_id=survey.id, indicator_id=i2.id, name="Avvisat", status="rejected")
    )
    db.session.commit()
    return d.study


@pytest.fixture
def pstudy(app):
    return make_protocol_study()


@pytest.fixture
def org(app):
    o = auth_services.get_or_create_organisation("nv", "Norra förbundet")
    db.session.commit()
    return o


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_facts_and_draft_from_a_real_study(pstudy):
    facts = services.study_facts(pstudy)
    assert [i["code"] for i in facts["indicators"]] == ["I1", "I2"]
    assert facts["rounds"][0]["participants"] == [
        {"group": "a", "invited": 3, "responding": 3},
        {"group": "b", "invited": 3, "responding": 3},
    ]
    assert facts["indicators"][0]["rounds"][0]["decision"] == "core"
    row = services.draft(pstudy, {"title": "Protokoll för piloten"})
    assert row.status == "draft" and row.version == "1.0.0" and row.checksum is None
    doc = row.document
    assert validate_document(doc) == []
    assert doc["title"] == {"sv": "Protokoll för piloten"}
    names = [m["name"]["sv"] for m in doc["indicators"][0]["measures"]]
    assert names == ["Upplevt inflytande", "Intervju om delaktighet"]  # recommended first
    assert all(m["name"]["sv"] != "Avvisat" for i in doc["indicators"] for m in i["measures"])
    assert doc["indicators"][0]["provenance"]["rounds"][0]["n"] == 6
    assert doc["provenance"]["steps"][-1]["kind"] == "measure-survey"


def test_a_survey_measures_questions_become_its_items(pstudy):
    measure = db.session.scalar(
        select(CanonicalMeasure).where(CanonicalMeasure.name == "Upplevt inflytande")
    )
    ms.edit_canonical(
        measure, {"questions": ["Jag bestämmer över min plan.", "Jag blir lyssnad på."]}
    )
    doc = services.draft(pstudy).document
    first = doc["indicators"][0]["measures"][0]
    assert first["items"] == [f"M{measure.id}-F1", f"M{measure.id}-F2"]
    items = {i["id"]: i for i in doc["items"]}
    assert items[f"M{measure.id}-F2"]["text"] == {"sv": "Jag blir lyssnad på."}
    assert items[f"M{measure.id}-F2"]["scale"] == items[f"M{measure.id}-F1"]["scale"]
    assert first["numerator"]["rule"]["item"] == f"M{measure.id}-F1"
    assert validate_document(doc) == []


def test_publish_round_trip_through_a_forbund(pstudy, org):
    services.draft(pstudy, {"owner": {"name": "NNS", "contact": "info@example.se"}})
    v1 = services.publish(pstudy, "1.0.0")
    db.session.commit()
    assert v1.status == "active" and v1.checksum.startswith("sha256:")
    assert v1.document["owner"]["name"] == "NNS"  # the draft's texts
    assert services.latest(pstudy) is v1 and services.get_draft(pstudy) is None
    data = services.document_bytes(v1)
    assert validate_document(json.loads(data)) == []

    result = services.import_document(org, data, "fil.json")
    assert result.status == "imported" and result.diff is None
    db.session.commit()
    # Exporting the imported protocol gives the same document, byte for byte.
    assert dumps(result.imported.document) == data
    assert render.to_csv(result.imported.document) == render.to_csv(v1.document)

    again = services.import_document(org, data, "fil.json")
    assert again.status == "unchanged" and again.imported.id == result.imported.id
    assert count(ImportedProtocol) == 1


def test_published_versions_are_immutable(pstudy):
    v1 = services.publish(pstudy, "1.0.0")
    db.session.commit()
    with pytest.raises(ProtocolError) as error:
        services.publish(pstudy, "1.0.0")
    assert error.value.code == "version_exists"
    with pytest.raises(ProtocolError):
        services.draft(pstudy, version="1.0.0")
    v1.document = {**v1.document, "title": {"sv": "Ändrad"}}
    with pytest.raises(ProtocolError) as error:
        db.session.flush()
    assert error.value.code == "published_immutable"
    db.session.rollback()
    v1.checksum = "sha256:" + "0" * 64
    with pytest.raises(ProtocolError):
        db.session.commit()
    db.session.rollback()
    assert services.get_version(pstudy, "1.0.0").document["title"]["sv"] != "Ändrad"


def test_new_versions_start_from_the_previous_and_bumps_are_checked(pstudy, org):
    v1 = services.publish(pstudy, "1.0.0", texts={"owner": {"licence": "CC0-1.0"}})
    db.session.commit()
    i3 = pstudy.indicators[2]
    # Title only: a patch is enough, and the licence carries over.
    v2 = services.publish(pstudy, "1.0.1", texts={"title": "Ny titel"})
    assert v2.document["owner"]["licence"] == "CC0-1.0"
    assert v2.document["derivedFrom"] == {
        "id": "delphi",
        "version": "1.0.0",
        "checksum": v1.checksum,
    }
    assert [e["version"] for e in v2.document["changelog"]] == ["1.0.0", "1.0.1"]
    assert v1.status == "retired" and v2.status == "active"
    db.session.commit()

    # Nothing changed: no new version (the changelog line written for the leader is no change).
    with pytest.raises(ProtocolError) as error:
        services.publish(pstudy, "1.0.2")
    assert error.value.code == "nothing_changed"
    assert "Ingenting har ändrats sedan version 1.0.1" in error.value.message
    # ... but a changelog entry the leader writes is (a patch).
    db.session.rollback()

    # Removing a measure breaks comparability: a minor version is refused.
    measure = db.session.scalar(
        select(CanonicalMeasure).where(CanonicalMeasure.name == "Antal samverkansmöten")
    )
    measure.status = "rejected"
    db.session.add(
        CanonicalMeasure(
            survey_id=measure.survey_id,
            indicator_id=measure.indicator_id,
            name="Ny enkät",
            method="document-review",
            status="accepted",
        )
    )
    db.session.commit()
    with pytest.raises(ProtocolError) as error:
        services.publish(pstudy, "1.1.0")
    assert error.value.code == "bump_breaks_comparability"
    assert error.value.problems[0].path == "$.version"
    assert "måttet" in error.value.message
    draft = services.draft(pstudy)
    assert draft.version == "2.0.0"  # the step the changes require
    v3 = services.publish(pstudy, "2.0.0")
    db.session.commit()
    assert [v.version for v in services.versions(pstudy)] == ["1.0.0", "1.0.1", "2.0.0"]
    change = services.diff_versions(v2, v3)
    assert change.breaks_comparability and change.required_bump == "major"
    assert i3.code not in [i["id"] for i in v3.document["indicators"]]

    # A förbund imports 1.0.0, then 2.0.0: both are kept, and the diff is shown.
    assert services.import_document(org, services.document_bytes(v1)).status == "imported"
    newer = services.import_document(org, services.document_bytes(v3))
    assert newer.status == "imported" and newer.previous.version == "1.0.0"
    assert newer.diff.measures.removed and newer.diff.breaks_comparability
    db.session.commit()
    assert [r.version for r in services.imported_versions(org)] == ["1.0.0", "2.0.0"]


def test_publish_without_core_indicators_is_refused(app):
    d = make_delphi()
    with pytest.raises(ProtocolError) as error:
        services.publish(d.study, "1.0.0")
    assert error.value.code == "no_indicators"
    with pytest.raises(ProtocolError) as error:
        services.publish(d.study, "1.0")
    assert error.value.code == "invalid_version"
    assert count(ProtocolVersion) == 0


def _published(pstudy) -> dict:
    v1 = services.publish(pstudy, "1.0.0")
    db.session.commit()
    return json.loads(services.document_bytes(v1))


def _bad_duplicate(doc):
    doc["indicators"].append(json.loads(json.dumps(doc["indicators"][0])))
    return canonical_json(with_checksum(doc))


def _bad_checksum(doc):
    doc["title"] = {"sv": "Ändrad efteråt"}
    return canonical_json(doc)


def _bad_unknown_item(doc):
    doc["indicators"][0]["measures"][0]["items"] = ["FINNS-INTE"]
    return canonical_json(with_checksum(doc))


def _bad_codelist(doc):
    doc["indicators"][0]["measures"][0]["method"] = "telefon"
    return canonical_json(with_checksum(doc))


def _bad_missing(doc):
    del doc["owner"]
    return canonical_json(with_checksum(doc))


def _bad_schema_version(doc):
    doc["$schema"] = "https://consensus.example/schema/protocol/2.0"
    return canonical_json(with_checksum(doc))


def _bad_draft(doc):
    doc["status"] = "draft"
    return canonical_json(with_checksum(doc))


@pytest.mark.parametrize(
    ("make", "code", "path"),
    [
        (lambda doc: b'{"id": "x",', "invalid_json", "$"),
        (lambda doc: b" " * 20_000_001, "too_large", "$"),
        (_bad_checksum, "checksum_mismatch", "$.checksum"),
        (_bad_duplicate, "duplicate_id", "$.indicators[2].id"),
        (_bad_unknown_item, "unknown_item", "$.indicators[0].measures[0].items[0]"),
        (_bad_codelist, "enum", "$.indicators[0].measures[0].method"),
        (_bad_missing, "required", "$.owner"),
        (_bad_schema_version, "wrong_schema_version", "$['$schema']"),
        (_bad_draft, "not_published", "$.status"),
    ],
)
def test_import_refusals_write_nothing(pstudy, org, make, code, path):
    doc = _published(pstudy)
    result = services.import_document(org, make(doc), "fil.json")
    assert result.status == "refused"
    found = [p for p in result.problems if p.code == code]
    assert found, [str(p) for p in result.problems]
    assert found[0].path == path
    assert all(p.message and p.message != p.code for p in result.problems)
    db.session.commit()
    assert count(ImportedProtocol) == 0


def test_same_version_with_other_content_is_refused(pstudy, org):
    doc = _published(pstudy)
    assert services.import_document(org, canonical_json(doc)).status == "imported"
    doc["title"] = {"sv": "Annan"}
    result = services.import_document(org, canonical_json(with_checksum(doc)))
    assert result.status == "refused" and result.problems[0].code == "same_version_other_content"
    assert "redan importerad" in result.problems[0].message


def test_collection_plan_and_local_items(pstudy, org):
    doc = _published(pstudy)
    imported = services.import_document(org, canonical_json(doc)).imported
    plan = services.collection_plan(imported)
    assert [(r["indicator"], r["recommended"]) for r in plan] == [
        ("I1", True),
        ("I1", False),
        ("I2", True),
    ]
    first = plan[0]
    assert first["method"] == "survey" and first["timepoints"] == ["P0D", "P12M"]
    assert first["data_source"] and first["items"][0]["local"] is False
    assert plan[2]["schedule"] == "arlig"

    local = services.add_local_item(imported, "Hur nöjd är du med stödet från oss?")
    assert (local.item_id, local.local) == ("L1", True)
    assert services.add_local_item(imported, "En till").item_id == "L2"
    services.edit_item(imported, "L1", "Hur nöjd är du?")
    assert local.text == "Hur nöjd är du?"
    protocol_item = first["items"][0]["id"]
    with pytest.raises(ProtocolError) as error:
        services.edit_item(imported, protocol_item, "Omformulerad")
    assert error.value.code == "locked_wording" and "låst formulering" in error.value.message
    with pytest.raises(ProtocolError) as error:
        services.add_local_item(imported, "  ")
    assert error.value.code == "empty_text"
    db.session.commit()
    assert count(LocalItem) == 2


def test_fetch_url_refuses_other_schemes_and_unreachable_hosts(app):
    for url in ("file:///etc/passwd", "ftp://example.se/p.json", "protokoll.json"):
        with pytest.raises(ProtocolError) as error:
            services.fetch_url(url)
        assert error.value.code == "url_scheme"
    with pytest.raises(ProtocolError) as error:
        services.fetch_url("http://127.0.0.1:9/p.json", timeout=2)
    assert (
        error.value.code == "url_unreachable" and "Det gick inte att hämta" in error.value.message
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5000/p.json",
        "http://localhost/p.json",
        "http://[::1]/p.json",
        "http://10.1.2.3/p.json",
        "http://192.168.0.10/p.json",
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0/p.json",
    ],
)
def test_fetch_url_refuses_internal_networks_unless_allowed(app, url):
    with pytest.raises(ProtocolError) as error:
        services.fetch_url(url, allow_private=False)
    assert error.value.code == "url_private" and "internt nät" in error.value.message


def test_redirects_are_checked_too(app):
    from urllib.request import Request

    handler = services._CheckedRedirects(allow_private=False)
    request = Request("https://example.se/p.json")
    for target, code in [
        ("http://10.0.0.1/p.json", "url_private"),
        ("file:///etc/passwd", "url_scheme"),
    ]:
        with pytest.raises(ProtocolError) as error:
            handler.redirect_request(request, None, 302, "Found", {}, target)
        assert error.value.code == code
    # A public address is followed (resolving a literal needs no network).
    followed = handler.redirect_request(request, None, 302, "Found", {}, "http://93.184.216.34/p")
    assert followed.full_url == "http://93.184.216.34/p"


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli(app):
    if "protocol" not in app.cli.commands:
        register(app)
    return app.test_cli_runner()


def test_cli_publish_export_validate_import(cli, pstudy, org, tmp_path):
    result = cli.invoke(args=["protocol", "publish", "delphi", "--version", "1.0.0"])
    assert result.exit_code == 0, result.output
    assert "version 1.0.0" in result.output
    again = cli.invoke(args=["protocol", "publish", "delphi", "--version", "1.0.0"])
    assert again.exit_code == 1 and "finns redan" in again.output
    missing = cli.invoke(args=["protocol", "publish", "nope", "--version", "1.0.0"])
    assert missing.exit_code == 1 and "ingen studie" in missing.output

    out = tmp_path / "p.json"
    assert (
        cli.invoke(
            args=["protocol", "export", "delphi", "--format", "json", "-o", str(out)]
        ).exit_code
        == 0
    )
    assert out.read_bytes() == services.document_bytes(services.latest(pstudy))
    for fmt in ("csv", "xlsx"):
        target = tmp_path / f"p.{fmt}"
        r = cli.invoke(
            args=[
                "protocol",
                "export",
                "delphi",
                "--version",
                "1.0.0",
                "--format",
                fmt,
                "-o",
                str(target),
            ]
        )
        assert r.exit_code == 0, r.output
        assert target.stat().st_size > 0
    none = cli.invoke(args=["protocol", "export", "delphi", "--version", "9.9.9"])
    assert none.exit_code == 1

    ok = cli.invoke(args=["protocol", "validate", str(out)])
    assert ok.exit_code == 0 and "giltigt" in ok.output
    bad = tmp_path / "bad.json"
    doc = json.loads(out.read_bytes())
    doc["indicators"][0]["measures"][0]["method"] = "telefon"
    bad.write_bytes(canonical_json(doc))
    refused = cli.invoke(args=["protocol", "validate", str(bad)])
    assert refused.exit_code == 1
    assert "$.indicators[0].measures[0].method" in refused.output
    assert "$.checksum" in refused.output

    imported = cli.invoke(args=["protocol", "import", str(out), "--org", "nv"])
    assert imported.exit_code == 0 and "Importerade delphi version 1.0.0" in imported.output
    same = cli.invoke(args=["protocol", "import", str(out), "--org", "nv"])
    assert same.exit_code == 0 and "inget ändrades" in same.output
    wrong = cli.invoke(args=["protocol", "import", str(bad), "--org", "nv"])
    assert wrong.exit_code == 1 and "$.indicators[0].measures[0].method" in wrong.output
    no_org = cli.invoke(args=["protocol", "import", str(out), "--org", "saknas"])
    assert no_org.exit_code == 1 and "consensus org create" in no_org.output
    no_file = cli.invoke(args=["protocol", "import", str(tmp_path / "saknas.json"), "--org", "nv"])
    assert no_file.exit_code == 1 and "Det gick inte att läsa filen" in no_file.output
    assert count(ImportedProtocol) == 1


# --- two instances ----------------------------------------------------------------------------


@pytest.fixture
def second_database(database_template, tmp_path):
    """The second instance's own database: a copy of the SQLite template, or a fresh migrated
    PostgreSQL database beside the suite's."""
    kind, source = database_template
    if kind == "sqlite":
        target = tmp_path / "second.sqlite"
        shutil.copy(source, target)
        yield f"sqlite:///{target}"
        return
    base = databases.suite_url()
    with databases.fresh_postgres_database(base) as url:
        migrate(url)
        yield url


def test_two_instances_publish_and_import_over_http(app_config, second_database):
    """One app publishes; a second app with its own database serves a förbund user who imports
    the published JSON by its public URL, over HTTP on loopback, through the web form."""
    publisher = create_app(app_config)
    with publisher.app_context():
        study = make_protocol_study()
        v1 = services.publish(study, "1.0.0")
        db.session.commit()
        published = services.document_bytes(v1)
        pid = v1.protocol_id
        db.session.remove()

    server = make_server("127.0.0.1", 0, publisher, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/protokoll/{pid}/1.0.0.json"
        # Loopback is an internal address: the second instance allows it, as a platform on an
        # internal network would (refused by default; see the test above).
        importer = create_app(make_config(second_database, PROTOCOL_FETCH_ALLOW_PRIVATE=True))
        with importer.app_context():
            org = auth_services.get_or_create_organisation("nv", "Norra förbundet")
            auth_services.create_user("f@example.se", PASSWORD, "forbund", organisation=org)
            db.session.commit()
            db.session.remove()
        client = importer.test_client()
        client.post("/logga-in", data={"email": "f@example.se", "password": PASSWORD})
        page = client.post("/uppfoljning/hamta", data={"url": url}, follow_redirects=True)
        assert "Protokollet är importerat." in page.get_data(as_text=True)
        again = client.post("/uppfoljning/hamta", data={"url": url}, follow_redirects=True)
        assert "Inget ändrades." in again.get_data(as_text=True)
        missing = client.post("/uppfoljning/hamta", data={"url": url.replace("1.0.0", "9.9.9")})
        assert missing.status_code == 422 and "felkod 404" in missing.get_data(as_text=True)
        with importer.app_context():
            stored = db.session.scalars(select(ImportedProtocol)).all()
            assert len(stored) == 1
            assert dumps(stored[0].document) == published and stored[0].source == url
            with pytest.raises(ProtocolError) as error:
                services.fetch_url(url, max_bytes=100)
            assert error.value.code == "url_too_large"
            db.session.remove()
            db.engine.dispose()
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()
        with publisher.app_context():
            db.session.remove()
            db.engine.dispose()
