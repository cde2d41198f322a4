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


def test_schema_is_served_at_its_path(client):
    from consensus.protocol.validate import SCHEMA_ID

    response = client.get("/schema/protocol/1.0")
    assert response.mimetype == "application/schema+json"
    schema = json.loads(response.data)
    assert schema["$id"] == SCHEMA_ID  # a name, not this location (docs/decisions.md)
    assert SCHEMA_ID.startswith("urn:uuid:")
    assert client.get("/schema/protocol/9.9").status_code == 404


def test_every_rendering_carries_the_same_content(app, client):
    """Each indicator, measure and item of the JSON, with its Swedish text, the measure's data
    source, schedule, target and disaggregations, appears in the CSV, the XLSX, the HTML
    download and the web page; the codelists with their codes in all but the CSV."""
    import csv
    import html
    import io

    from openpyxl import load_workbook
    from sqlalchemy import select

    from consensus.measures import services as measure_services
    from consensus.measures.models import CanonicalMeasure
    from consensus.protocol import render

    study = make_protocol_study()
    share = db.session.scalar(
        select(CanonicalMeasure).where(CanonicalMeasure.name == "Upplevt inflytande")
    )
    measure_services.edit_canonical(
        share,
        {
            "target_value": "80",
            "target_near_margin": "5",
            "direction": "increase",
            "disaggregations": ["kon"],
        },
    )
    db.session.commit()
    row = services.publish(study, "1.0.0")
    db.session.commit()
    base = f"/protokoll/{row.protocol_id}/1.0.0"
    doc = json.loads(client.get(base + ".json").data)
    csv_text = client.get(base + ".csv").data.decode("utf-8-sig")
    csv_cells = {cell for r in csv.reader(io.StringIO(csv_text), delimiter=";") for cell in r}
    book = load_workbook(io.BytesIO(client.get(base + ".xlsx").data), read_only=True)
    xlsx_cells = {
        str(value) for sheet in book for r in sheet.iter_rows(values_only=True) for value in r
    }
    book.close()
    pages = {
        "html": html.unescape(client.get(base + ".html").get_data(as_text=True)),
        "page": html.unescape(client.get(base).get_data(as_text=True)),
    }
    schedules = {s["id"]: render.text(s["name"]) for s in doc["schedules"]}
    expected = []
    for indicator in doc["indicators"]:
        expected += [indicator["id"], render.text(indicator["name"])]
        for m in indicator["measures"]:
            expected += [m["id"], render.text(m["name"]), render.text(m["dataSource"]["name"])]
            if m.get("schedule"):
                expected.append(schedules[m["schedule"]])
            if m.get("target"):
                expected += [str(m["target"]["value"]), str(m["target"]["nearMargin"])]
            expected += m.get("disaggregations", [])
    assert any(m.get("target") for i in doc["indicators"] for m in i["measures"])
    assert doc["codelists"]
    for codelist in doc["codelists"]:
        words = [codelist["id"], render.text(codelist["name"]), codelist["total"]["code"]]
        words += [render.text(c["label"]) for c in codelist["codes"]]
        for word in words:
            assert word in xlsx_cells, word
            assert all(word in text for text in pages.values()), word
    items = [(i["id"], render.text(i["text"])) for i in doc["items"]]
    assert items  # the survey measure asks a question
    for value in expected:
        assert value in csv_cells, value
        assert value in xlsx_cells, value
        for name, text in pages.items():
            assert value in text, (name, value)
    for item_id, item_text in items:
        assert {item_id, item_text} <= xlsx_cells
        for text in pages.values():
            assert item_id in text and item_text in text
    assert doc["checksum"] in xlsx_cells and all(doc["checksum"] in t for t in pages.values())


def test_swedish_protocol_texts_are_marked_on_english_pages(app, client):
    row = services.publish(make_protocol_study(), "1.0.0")
    db.session.commit()
    page = client.get(f"/protokoll/{row.protocol_id}/1.0.0").get_data(as_text=True)
    assert 'lang="sv"' in page and "<span lang" not in page  # Swedish page: nothing to mark
    client.post("/sprak", data={"lang": "en", "next": "/"})
    page = client.get(f"/protokoll/{row.protocol_id}/1.0.0").get_data(as_text=True)
    assert '<html lang="en">' in page
    name = row.document["indicators"][0]["name"]["sv"]
    assert f'<span lang="sv">{name}</span>' in page
    assert "Core indicators and measures" in page  # the page's own words are English
