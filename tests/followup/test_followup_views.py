"""A förbund's pages: import (file, URL, published here), the plan, local items, versions."""

import io
import json
import re

import pytest
from sqlalchemy import func, select

from consensus.auth import services as auth_services
from consensus.extensions import db
from consensus.followup import services
from consensus.followup.models import ImportedProtocol, LocalItem
from consensus.protocol import services as protocol_services
from consensus.protocol.canonical import dumps, with_checksum
from tests.protocol.test_protocol_services import make_protocol_study


@pytest.fixture
def published(app):
    study = make_protocol_study()
    row = protocol_services.publish(study, "1.0.0")
    db.session.commit()
    return row


@pytest.fixture
def forbund(make_user, login):
    user = make_user("f@example.se", role="forbund")
    login("f@example.se")
    return user


@pytest.fixture
def org_forbund(published):
    org = auth_services.get_or_create_organisation("nv", "Norra förbundet")
    result = services.import_document(org, protocol_services.document_bytes(published))
    db.session.commit()
    return result.imported


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def upload(client, data: bytes, name="protokoll.json"):
    return client.post(
        "/uppfoljning/importera",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_import_a_file_then_the_same_again(client, published, forbund):
    first = upload(client, protocol_services.document_bytes(published))
    body = first.get_data(as_text=True)
    assert "Protokollet är importerat." in body
    assert "Plan för datainsamling" in body
    assert "Upplevt inflytande" in body and "rekommenderat" in body
    assert count(ImportedProtocol) == 1

    again = upload(client, protocol_services.document_bytes(published))
    assert "redan importerad med samma kontrollsumma. Inget ändrades." in again.get_data(
        as_text=True
    )
    assert count(ImportedProtocol) == 1


@pytest.mark.parametrize(
    "mutate, path, words",
    [
        (lambda d: b"{ not json", "$", "inte giltig JSON"),
        (lambda d: d.replace(b'"version":"1.0.0"', b'"version":"1.0"'), "$.version", ""),
        (
            lambda d: json.dumps({**json.loads(d), "checksum": "sha256:" + "0" * 64}).encode(),
            "$.checksum",
            "",
        ),
    ],
    ids=["invalid-json", "bad-version", "wrong-checksum"],
)
def test_bad_files_list_every_problem_with_its_path_and_write_nothing(
    client, published, forbund, mutate, path, words
):
    response = upload(client, mutate(protocol_services.document_bytes(published)))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Protokollet importerades inte" in body
    assert f"<code>{path}</code>" in body
    assert words in body
    assert count(ImportedProtocol) == 0


def test_missing_required_field_is_named(client, published, forbund):
    doc = dict(published.document)
    del doc["owner"]
    doc = with_checksum({k: v for k, v in doc.items() if k != "checksum"})
    body = upload(client, dumps(doc)).get_data(as_text=True)
    assert "<code>$.owner</code>" in body and "Fältet ”owner” saknas" in body
    assert count(ImportedProtocol) == 0


def test_newer_version_keeps_the_old_one_and_shows_the_diff(app, client, published, forbund):
    client.post(f"/uppfoljning/importera/{published.protocol_id}/1.0.0", follow_redirects=True)
    study = published.study_id
    from consensus.studies.models import Study

    newer = protocol_services.publish(
        db.session.get(Study, study), "1.0.1", texts={"title": "Ny titel"}
    )
    db.session.commit()
    response = upload(client, protocol_services.document_bytes(newer))
    body = response.get_data(as_text=True)
    assert "Version 1.0.1 är importerad. Version 1.0.0 finns kvar" in body
    assert "Skillnader mellan version 1.0.0 och 1.0.1" in body
    assert "Ny titel" in body
    assert count(ImportedProtocol) == 2


def test_url_import_refusals_are_explained(app, client, published, forbund):
    response = client.post("/uppfoljning/hamta", data={"url": "ftp://example.se/p.json"})
    assert response.status_code == 422
    assert "http:// eller https://" in response.get_data(as_text=True)
    response = client.post("/uppfoljning/hamta", data={"url": "http://127.0.0.1:9/p.json"})
    assert response.status_code == 422
    assert "pekar på ett internt nät" in response.get_data(as_text=True)
    app.config["PROTOCOL_FETCH_ALLOW_PRIVATE"] = True
    response = client.post("/uppfoljning/hamta", data={"url": "http://127.0.0.1:9/p.json"})
    assert response.status_code == 422
    assert "Det gick inte att hämta adressen" in response.get_data(as_text=True)
    assert count(ImportedProtocol) == 0


def test_local_items_are_marked_and_protocol_items_are_locked(client, published, forbund):
    client.post(f"/uppfoljning/importera/{published.protocol_id}/1.0.0")
    imported = db.session.scalar(select(ImportedProtocol))
    indicator = imported.document["indicators"][0]["id"]
    question = {"text": "Hur nöjd är du med stödet?", "item_type": "choice", "indicator": indicator}
    refused = client.post(
        f"/uppfoljning/{imported.id}/fragor", data=question, follow_redirects=True
    )
    assert "minst två svarsalternativ" in refused.get_data(as_text=True)
    assert db.session.scalar(select(LocalItem)) is None
    response = client.post(
        f"/uppfoljning/{imported.id}/fragor",
        data={**question, "options": "Nöjd\r\nVarken eller\r\nMissnöjd\r\n"},
        follow_redirects=True,
    )
    body = response.get_data(as_text=True)
    assert "Den lokala frågan L1 är tillagd." in body and "lokal" in body
    item = db.session.scalar(select(LocalItem))
    assert (item.item_id, item.item_type, item.indicator, item.local, item.options) == (
        "L1",
        "choice",
        indicator,
        True,
        ["Nöjd", "Varken eller", "Missnöjd"],
    )

    response = client.post(
        f"/uppfoljning/{imported.id}/fragor/L1",
        data={"text": "Hur nöjd är du?", "item_type": "text", "indicator": ""},
        follow_redirects=True,
    )
    assert "Frågan L1 är sparad." in response.get_data(as_text=True)
    db.session.refresh(item)
    assert (item.text, item.item_type, item.indicator, item.options) == (
        "Hur nöjd är du?",
        "text",
        None,
        None,
    )

    protocol_items = [i["id"] for i in imported.document["items"]]
    assert protocol_items  # the survey measure asks a question
    response = client.get(
        f"/uppfoljning/{imported.id}/fragor/{protocol_items[0]}", follow_redirects=True
    )
    assert "har låst formulering" in response.get_data(as_text=True)
    response = client.post(
        f"/uppfoljning/{imported.id}/fragor/{protocol_items[0]}/ta-bort", follow_redirects=True
    )
    assert "har låst formulering" in response.get_data(as_text=True)

    empty = client.post(
        f"/uppfoljning/{imported.id}/fragor",
        data={"text": " ", "item_type": "text", "indicator": ""},
        follow_redirects=True,
    )
    assert "Skriv frågans text." in empty.get_data(as_text=True)
    assert count(LocalItem) == 1

    client.post(f"/uppfoljning/{imported.id}/fragor/L1/ta-bort")
    assert count(LocalItem) == 0


def test_another_forbund_cannot_see_the_import(app, client, published, forbund, make_user, login):
    client.post(f"/uppfoljning/importera/{published.protocol_id}/1.0.0")
    imported = db.session.scalar(select(ImportedProtocol))
    other = auth_services.get_or_create_organisation("syd", "Södra förbundet")
    make_user("s@example.se", role="forbund", organisation=other)
    client.post("/logga-ut")
    login("s@example.se")
    assert client.get(f"/uppfoljning/{imported.id}").status_code == 404
    assert client.get(f"/uppfoljning/{imported.id}/protokoll").status_code == 404
    assert client.post(f"/uppfoljning/{imported.id}/fragor", data={"text": "x"}).status_code == 404


def test_projektledare_is_not_a_forbund(client, make_user, login):
    make_user()
    login()
    assert client.get("/uppfoljning").status_code == 403


def test_a_20_mb_upload_is_refused_with_a_message_and_nothing_written(client, published, forbund):
    boundary = "grans"
    big = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.json"\r\n'
            "Content-Type: application/json\r\n\r\n"
        ).encode()
        + b'{"id": "'
        + b"x" * (20 * 1024 * 1024)
        + b'"}\r\n'
        + f"--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/uppfoljning/importera",
        data=big,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "Filen är för stor" in body and "10 MB" in body
    assert count(ImportedProtocol) == 0


def test_plan_downloads_list_every_question_and_the_local_ones(client, published, forbund):
    import csv

    from openpyxl import load_workbook

    client.post(f"/uppfoljning/importera/{published.protocol_id}/1.0.0")
    imported = db.session.scalar(select(ImportedProtocol))
    services.add_local_item(imported, "=Egen fråga om stödet?", "text")
    db.session.commit()
    response = client.get(f"/uppfoljning/{imported.id}/plan.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Indikator", "Indikatorns namn", "Mått", "Måttets namn"]
    measures = [m for i in imported.document["indicators"] for m in i["measures"]]
    items = imported.document["items"]
    # One row per question of a survey measure, one row per other measure, one per local item.
    expected = sum(max(len(m.get("items") or []), 1) for m in measures) + 1
    assert len(rows) == 1 + expected
    assert {r[10] for r in rows[1:]} >= {i["id"] for i in items}
    local = rows[-1]
    assert (local[10], local[11], local[13]) == ("L1", "'=Egen fråga om stödet?", "ja")
    book = load_workbook(io.BytesIO(client.get(f"/uppfoljning/{imported.id}/plan.xlsx").data))
    sheet = book["Plan"]
    assert sheet.max_row == 1 + expected
    assert sheet.cell(row=sheet.max_row, column=12).value == "'=Egen fråga om stödet?"


def test_one_list_of_answer_types_everywhere():
    """The schema's item types, the service's, the form's labels and the renderings' words."""
    from consensus.followup.forms import ITEM_TYPE_LABELS
    from consensus.protocol import render
    from consensus.protocol.validate import load_schema

    schema = set(load_schema()["$defs"]["item"]["properties"]["type"]["enum"])
    assert schema == set(services.ITEM_TYPES) == set(ITEM_TYPE_LABELS)
    assert schema == set(render.LABELS["itemType"])


def test_editing_a_local_item_checks_its_type_and_indicator(app, published, org_forbund):
    imported = org_forbund
    item = services.add_local_item(imported, "Egen fråga")
    with pytest.raises(services.FollowupError) as error:
        services.edit_item(imported, item.item_id, "Egen fråga", "färg")
    assert error.value.code == "unknown_item_type"
    with pytest.raises(services.FollowupError) as error:
        services.edit_item(imported, item.item_id, "Egen fråga", "text", "I999")
    assert error.value.code == "unknown_indicator"
    assert (item.item_type, item.indicator) == ("text", None)


def test_import_buttons_of_two_protocols_are_told_apart(client, published, forbund):
    from consensus.protocol.models import ProtocolVersion
    from consensus.studies import services as study_services

    other = study_services.create_study("annan", "Annan studie")
    document = json.loads(protocol_services.document_bytes(published))
    document.update(id="annan", title={"sv": "Annat protokoll"})
    document.pop("checksum", None)
    document = with_checksum(document)
    db.session.add(
        ProtocolVersion(
            study_id=other.id,
            protocol_id="annan",
            version="1.0.0",
            status="active",
            document=document,
            checksum=document["checksum"],
            published_at=published.published_at,
        )
    )
    db.session.commit()
    page = client.get("/uppfoljning").get_data(as_text=True)
    buttons = re.findall(
        r'<button type="submit" class="button button-secondary">(.*?)</button>', page
    )
    imports = [b for b in buttons if b.startswith("Importera ")]
    assert len(imports) == 2 and len(set(imports)) == 2
    assert any("Annat protokoll" in b and "version 1.0.0" in b for b in imports)
