"""A förbund's imports from a real study's published protocol: refusals, versions side by
side, the collection plan and local items, the command line, and two instances talking over
HTTP on loopback."""

import json
import shutil
import threading

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from consensus import create_app
from consensus.auth import services as auth_services
from consensus.extensions import db
from consensus.followup import services
from consensus.followup.models import ImportedProtocol, LocalItem
from consensus.protocol import render
from consensus.protocol import services as protocol_services
from consensus.protocol.canonical import canonical_json, dumps, with_checksum
from consensus.protocol.fetch import FetchError, fetch_url
from consensus.protocol.validate import validate_document
from tests import databases
from tests.conftest import PASSWORD, make_config, migrate
from tests.protocol.test_protocol_services import make_protocol_study, replace_a_measure


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


def test_publish_round_trip_through_a_forbund(pstudy, org):
    protocol_services.draft(pstudy, {"owner": {"name": "NNS", "contact": "info@example.se"}})
    v1 = protocol_services.publish(pstudy, "1.0.0")
    db.session.commit()
    assert v1.status == "active" and v1.checksum.startswith("sha256:")
    assert v1.document["owner"]["name"] == "NNS"  # the draft's texts
    assert protocol_services.latest(pstudy) is v1 and protocol_services.get_draft(pstudy) is None
    data = protocol_services.document_bytes(v1)
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


def test_a_newer_version_is_imported_beside_the_old_with_the_diff(pstudy, org):
    v1 = protocol_services.publish(pstudy, "1.0.0")
    db.session.commit()
    replace_a_measure()  # breaks comparability: 2.0.0
    v3 = protocol_services.publish(pstudy, "2.0.0")
    db.session.commit()

    # A förbund imports 1.0.0, then 2.0.0: both are kept, and the diff is shown.
    assert services.import_document(org, protocol_services.document_bytes(v1)).status == "imported"
    newer = services.import_document(org, protocol_services.document_bytes(v3))
    assert newer.status == "imported" and newer.previous.version == "1.0.0"
    assert newer.diff.measures.removed and newer.diff.breaks_comparability
    db.session.commit()
    assert [r.version for r in services.imported_versions(org)] == ["1.0.0", "2.0.0"]


def _published(pstudy) -> dict:
    v1 = protocol_services.publish(pstudy, "1.0.0")
    db.session.commit()
    return json.loads(protocol_services.document_bytes(v1))


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
    # Shown to people without ISO durations.
    assert first["schedule_text"] == "Inskrivning i insatsen: vid start, efter 12 månader"
    assert first["data_source"] and first["items"][0]["local"] is False
    assert plan[2]["schedule"] == "arlig"

    local = services.add_local_item(imported, "Hur nöjd är du med stödet från oss?")
    assert (local.item_id, local.local) == ("L1", True)
    assert services.add_local_item(imported, "En till").item_id == "L2"
    services.edit_item(imported, "L1", "Hur nöjd är du?")
    assert local.text == "Hur nöjd är du?"
    protocol_item = first["items"][0]["id"]
    with pytest.raises(services.FollowupError) as error:
        services.edit_item(imported, protocol_item, "Omformulerad")
    assert error.value.code == "locked_wording" and "låst formulering" in error.value.message
    with pytest.raises(services.FollowupError) as error:
        services.add_local_item(imported, "  ")
    assert error.value.code == "empty_text"
    db.session.commit()
    assert count(LocalItem) == 2


# --- the command line -------------------------------------------------------------------------


def test_cli_import(app, pstudy, org, tmp_path):
    cli = app.test_cli_runner()
    v1 = protocol_services.publish(pstudy, "1.0.0")
    db.session.commit()
    out = tmp_path / "p.json"
    out.write_bytes(protocol_services.document_bytes(v1))
    bad = tmp_path / "bad.json"
    doc = json.loads(out.read_bytes())
    doc["indicators"][0]["measures"][0]["method"] = "telefon"
    bad.write_bytes(canonical_json(doc))

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


# --- two instances, over HTTP ----------------------------------------------------------------------------


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
        v1 = protocol_services.publish(study, "1.0.0")
        db.session.commit()
        published = protocol_services.document_bytes(v1)
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
            with pytest.raises(FetchError) as error:
                fetch_url(url, max_bytes=100)
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
