"""The published protocol on the web: a page per version, downloads, latest, the schema."""

import json

from consensus.extensions import db
from consensus.protocol import services
from tests.protocol.test_protocol_services import make_protocol_study


def test_public_version_page_and_downloads(app, client):
    study = make_protocol_study()
    row = services.publish(study, "1.0.0")
    db.session.commit()
    pid = row.protocol_id

    page = client.get(f"/protokoll/{pid}/1.0.0")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert row.checksum in body
    first = row.document["indicators"][0]
    assert first["id"] in body
    assert client.get(f"/protokoll/{pid}/senaste").headers["Location"] == f"/protokoll/{pid}/1.0.0"

    download = client.get(f"/protokoll/{pid}/1.0.0.json")
    assert download.data == services.document_bytes(row)
    assert download.headers["X-Checksum-SHA256"] == row.checksum.removeprefix("sha256:")
    assert json.loads(download.data)["version"] == "1.0.0"
    csv = client.get(f"/protokoll/{pid}/1.0.0.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    xlsx = client.get(f"/protokoll/{pid}/1.0.0.xlsx")
    assert xlsx.data[:2] == b"PK"


def test_unknown_versions_and_drafts_are_not_public(app, client):
    study = make_protocol_study()
    draft = services.draft(study, version="1.0.0")
    db.session.commit()
    assert client.get(f"/protokoll/{draft.protocol_id}/1.0.0").status_code == 404
    assert client.get(f"/protokoll/{draft.protocol_id}/senaste").status_code == 404
    assert client.get("/protokoll/finns-inte/1.0.0.json").status_code == 404


def test_schema_is_served_at_its_id(client):
    response = client.get("/schema/protocol/1.0")
    assert response.mimetype == "application/schema+json"
    schema = json.loads(response.data)
    assert schema["$id"].endswith("/schema/protocol/1.0")
    assert client.get("/schema/protocol/9.9").status_code == 404
