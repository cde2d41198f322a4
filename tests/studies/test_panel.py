"""The panel: adding, importing, erasing, new links, and joining in the room."""

import io
import re

import pytest
from sqlalchemy import func, select

from consensus.auth.services import issue_link
from consensus.extensions import db
from consensus.studies import services
from consensus.studies.models import Participant
from tests.conftest import PASSWORD, share_studies


@pytest.fixture
def leader(client, make_user):
    make_user()
    share_studies()  # the staff work on the test's studies
    client.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    return client


def test_add_panelist_gets_pseudonym(leader, study):
    response = leader.post(
        "/studier/pilot/panel/ny",
        data={
            "name": "Åsa Öberg",
            "email": "Asa@Example.se",
            "group": str(study.groups[1].id),
            "organisation": "Samordningsförbundet Östra Östergötland",
            "level": "lokal",
        },
    )
    assert response.status_code == 302
    p = db.session.scalar(select(Participant))
    assert (p.email, p.group.code) == ("asa@example.se", "chefer")
    assert re.fullmatch(r"P\d{3}", p.pseudonym)
    again = leader.post(
        "/studier/pilot/panel/ny",
        data={"email": "asa@example.se", "group": str(study.groups[0].id), "level": "lokal"},
    )
    assert "asa@example.se finns redan i panelen." in again.get_data(as_text=True)


def test_add_panelist_refuses_bad_email_and_unknown_group(leader, study):
    bad = leader.post(
        "/studier/pilot/panel/ny",
        data={"email": "inte-en-adress", "group": str(study.groups[0].id), "level": "lokal"},
    )
    assert "Ange en giltig e-postadress." in bad.get_data(as_text=True)
    foreign = leader.post(
        "/studier/pilot/panel/ny",
        data={"email": "a@example.se", "group": "99999", "level": "lokal"},
    )
    assert foreign.status_code == 200
    assert db.session.scalar(select(func.count(Participant.id))) == 0


PANEL_CSV = (
    "Namn,E-post,Intressentgrupp,Organisation,Nivå\n"
    "Anna Andersson,anna@example.se,Politiker,Huddinge,lokal\n"
    "Bo Berg,bo@example.se,chefer,NNS,nationell\n"
).encode()


def test_panel_import_preview_confirm_and_update(leader, study):
    response = leader.post(
        "/studier/pilot/panel/importera",
        data={"file": (io.BytesIO(PANEL_CSV), "panel.csv")},
        content_type="multipart/form-data",
    )
    preview = leader.get(response.headers["Location"]).get_data(as_text=True)
    assert "skapa 2 och uppdatera 0" in preview
    leader.post(response.headers["Location"])
    members = db.session.scalars(select(Participant).order_by(Participant.id)).all()
    assert [(m.email, m.group.code, m.level) for m in members] == [
        ("anna@example.se", "politiker", "lokal"),
        ("bo@example.se", "chefer", "nationell"),
    ]
    pseudonyms = [m.pseudonym for m in members]
    assert all(re.fullmatch(r"P\d{3}", x) for x in pseudonyms) and len(set(pseudonyms)) == 2
    changed = PANEL_CSV.replace(b"Huddinge,lokal", b"Botkyrka,nationell")
    response = leader.post(
        "/studier/pilot/panel/importera",
        data={"file": (io.BytesIO(changed), "panel.csv")},
        content_type="multipart/form-data",
    )
    assert "skapa 0 och uppdatera 2" in leader.get(response.headers["Location"]).get_data(
        as_text=True
    )
    leader.post(response.headers["Location"])
    db.session.expire_all()
    anna = db.session.scalar(select(Participant).where(Participant.email == "anna@example.se"))
    assert (anna.organisation, anna.level) == ("Botkyrka", "nationell")
    assert anna.pseudonym == pseudonyms[0]  # an update keeps the pseudonym


def test_panel_import_with_unknown_group_writes_nothing(leader, study):
    bad = PANEL_CSV.replace(b"chefer", b"journalister")
    response = leader.post(
        "/studier/pilot/panel/importera",
        data={"file": (io.BytesIO(bad), "panel.csv")},
        content_type="multipart/form-data",
    )
    body = response.get_data(as_text=True)  # shown at once: a file with problems is not kept
    assert "journalister" in body and "Ingenting har sparats" in body
    assert db.session.scalar(select(func.count(Participant.id))) == 0


def test_erasure_removes_identity_but_keeps_the_pseudonym(leader, study, client):
    p = services.add_participant(
        study,
        name="Anna A",
        email="anna@example.se",
        group_id=study.groups[0].id,
        organisation="Huddinge",
    )
    token = issue_link(p)
    pseudonym = p.pseudonym
    db.session.commit()
    refused = leader.post(f"/studier/pilot/panel/{p.id}/radera", data={})
    assert refused.status_code == 302
    db.session.refresh(p)
    assert p.email == "anna@example.se"  # not confirmed: nothing erased

    leader.post(f"/studier/pilot/panel/{p.id}/radera", data={"confirm": "y"})
    db.session.refresh(p)
    assert (p.name, p.email, p.organisation) == (None, None, "")
    assert p.pseudonym == pseudonym and p.group_id == study.groups[0].id
    assert p.erased_at is not None
    panel_page = leader.get("/studier/pilot/panel").get_data(as_text=True)
    assert "anna@example.se" not in panel_page and "Anna A" not in panel_page
    assert leader.application.test_client().get(f"/l/{token}").status_code == 403


def test_new_link_is_shown_once_and_the_old_keeps_working(leader, study):
    p = services.add_participant(study, email="a@example.se", group_id=study.groups[0].id)
    old = issue_link(p)
    db.session.commit()
    page = leader.post(f"/studier/pilot/panel/{p.id}/ny-lank").get_data(as_text=True)
    (new,) = re.findall(r"/l/([A-Za-z0-9_-]{43})", page)
    assert leader.application.test_client().get(f"/l/{old}").status_code == 302
    assert leader.application.test_client().get(f"/l/{new}").status_code == 302


def test_revoke_links_on_the_panel_page(leader, study):
    p = services.add_participant(study, email="a@example.se", group_id=study.groups[0].id)
    first, second = issue_link(p), issue_link(p)
    db.session.commit()
    page = leader.get("/studier/pilot/panel").get_data(as_text=True)
    assert "2 giltiga länkar" in page and "Spärra länkarna" in page
    response = leader.post(f"/studier/pilot/panel/{p.id}/sparra-lankar", follow_redirects=True)
    assert f"Alla länkar till {p.pseudonym} är spärrade" in response.get_data(as_text=True)
    assert "länkarna är spärrade" in response.get_data(as_text=True)
    for token in (first, second):
        assert leader.application.test_client().get(f"/l/{token}").status_code == 403


def test_consent_is_recorded_with_time(client, study):
    study.info_text = "Frivilligt deltagande."
    p = services.add_participant(study, email="a@example.se", group_id=study.groups[0].id)
    token = issue_link(p)
    db.session.commit()
    client.get(f"/l/{token}")
    page = client.get("/deltagare").get_data(as_text=True)
    assert "Frivilligt deltagande." in page
    refused = client.post("/deltagare", data={})
    assert "Du behöver bekräfta" in refused.get_data(as_text=True)
    client.post("/deltagare", data={"accept": "y"})
    db.session.refresh(p)
    assert p.consent_at is not None
    assert "Frivilligt deltagande." not in client.get("/deltagare").get_data(as_text=True)


class TestWorkshop:
    def test_code_qr_and_join(self, leader, study, app):
        leader.post("/studier/pilot/workshop", data={"action": "create"})
        db.session.refresh(study)
        code = study.join_code
        assert re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", code)
        page = leader.get("/studier/pilot/workshop").get_data(as_text=True)
        assert f"/k/{code}" in page and "<svg" in page
        qr = leader.get(f"/k/{code}/qr.svg")
        assert qr.mimetype == "image/svg+xml" and qr.data.startswith(b"<svg")

        phone = app.test_client()
        form = phone.get(f"/k/{code.lower()}").get_data(as_text=True)
        assert "Vilken intressentgrupp tillhör du?" in form
        missing = phone.post(f"/k/{code}", data={"group": str(study.groups[2].id)})
        assert "Du behöver bekräfta" in missing.get_data(as_text=True)
        joined = phone.post(
            f"/k/{code}",
            data={"group": str(study.groups[2].id), "accept": "y"},
            follow_redirects=True,
        )
        body = joined.get_data(as_text=True)
        p = db.session.scalar(select(Participant))
        assert f"Du deltar som {p.pseudonym}" in body
        assert re.search(r"/l/[A-Za-z0-9_-]{43}", body)  # the link to keep, shown once
        p = db.session.scalar(select(Participant))
        assert (p.email, p.joined_via, p.group.code) == (None, "workshop", "deltagare")
        assert p.consent_at is not None
        # Opening the code again in the same browser does not create a second panelist.
        assert phone.get(f"/k/{code}").status_code == 302
        assert db.session.scalar(select(func.count(Participant.id))) == 1

    def test_unknown_or_disabled_code(self, leader, study, app):
        assert app.test_client().get("/k/ZZZZZZ").status_code == 404
        leader.post("/studier/pilot/workshop", data={"action": "create"})
        db.session.refresh(study)
        code = study.join_code
        leader.post("/studier/pilot/workshop", data={"action": "disable"})
        assert app.test_client().get(f"/k/{code}").status_code == 404

    def test_group_from_another_study_is_refused(self, leader, study, app):
        other = services.create_study("annan", "Annan")
        foreign = services.add_group(other, "x", "X")
        db.session.commit()
        leader.post("/studier/pilot/workshop", data={"action": "create"})
        db.session.refresh(study)
        response = app.test_client().post(
            f"/k/{study.join_code}", data={"group": str(foreign.id), "accept": "y"}
        )
        assert response.status_code in (200, 400)
        assert db.session.scalar(select(func.count(Participant.id))) == 0

    def test_typed_code(self, leader, study, app):
        leader.post("/studier/pilot/workshop", data={"action": "create"})
        db.session.refresh(study)
        phone = app.test_client()
        assert phone.get(f"/k?kod={study.join_code.lower()}").headers["Location"] == (
            f"/k/{study.join_code}"
        )
        assert "finns inte" in phone.get("/k?kod=NOPE12").get_data(as_text=True)


ANNA = ("Annika Zetterqvist", "annika.zetterqvist@example.se", "070-123 45 67")


def _everything_stored(app) -> list[tuple[str, str, str]]:
    """Every text, JSON and binary value of every table (reflected: tables added later are
    searched too), as (table, column, text)."""
    from sqlalchemy import JSON, LargeBinary, MetaData, String, Text

    metadata = MetaData()
    metadata.reflect(bind=db.engine)
    found = []
    for table in metadata.sorted_tables:
        columns = [
            c
            for c in table.columns
            if isinstance(c.type, String | Text | JSON | LargeBinary)
            or c.type.__class__.__name__ in ("JSONB", "BYTEA", "BLOB")
        ]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                if isinstance(value, bytes | memoryview):
                    text = bytes(value).decode("utf-8", "ignore")
                else:
                    text = value if isinstance(value, str) else repr(value)
                found.append((table.name, column.name, text.casefold()))
    assert {name for name, _c, _t in found} >= {"participant", "pending_upload", "audit_event"}
    return found


def test_erasure_leaves_no_trace_in_any_table(leader, study, app):
    name, email, phone = ANNA
    first = (
        f"Namn,E-post,Intressentgrupp,Organisation,Nivå\n{name},{email},Politiker,Huddinge,lokal\n"
    )
    response = leader.post(
        "/studier/pilot/panel/importera",
        data={"file": (io.BytesIO(first.encode()), "panel.csv")},
        content_type="multipart/form-data",
    )
    leader.post(response.headers["Location"])
    # A second file that mentions her (with her phone number in a column the import ignores)
    # is left at its preview; another file that does not mention her is left too.
    staged = (
        "Namn;E-post;Intressentgrupp;Organisation;Nivå;Telefon\n"
        f"{name};{email};Politiker;Botkyrka;lokal;{phone}\n"
    )
    other = (
        "Namn,E-post,Intressentgrupp,Organisation,Nivå\nBo Berg,bo@example.se,chefer,NNS,lokal\n"
    )
    for content in (staged, other):
        response = leader.post(
            "/studier/pilot/panel/importera",
            data={"file": (io.BytesIO(content.encode("cp1252")), "panel.csv")},
            content_type="multipart/form-data",
        )
        assert "/importera/" in response.headers["Location"]
    p = db.session.scalar(select(Participant).where(Participant.email == email))
    before = _everything_stored(app)
    assert any(phone in text for _t, _c, text in before)  # the search finds what is there

    leader.post(f"/studier/pilot/panel/{p.id}/radera", data={"confirm": "y"})
    db.session.expire_all()
    after = _everything_stored(app)
    traces = [
        (table, column)
        for table, column, text in after
        for needle in (name.casefold(), email, phone, "zetterqvist")
        if needle in text
    ]
    assert traces == []
    # The upload that does not mention her is still there to be confirmed.
    assert sum(1 for t, c, text in after if t == "pending_upload" and "bo@example.se" in text) == 1


def test_staged_uploads_expire_after_a_day_by_the_purge_command(leader, study, runner):
    from datetime import timedelta

    from consensus.dbtypes import utcnow
    from consensus.studies.models import PendingUpload

    uploads = [services.stage_upload(study, "panel", "panel.csv", PANEL_CSV) for _ in range(2)]
    for upload, age in zip(uploads, (25, 23), strict=True):
        upload.created_at = utcnow() - timedelta(hours=age)
    db.session.commit()
    dry = runner.invoke(args=["uploads", "purge", "--dry-run"])
    assert dry.exit_code == 0 and "1 uppladdade filer skulle tas bort" in dry.output
    assert db.session.scalar(select(func.count(PendingUpload.id))) == 2
    done = runner.invoke(args=["uploads", "purge"])
    assert done.exit_code == 0 and "1 uppladdade filer" in done.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(PendingUpload.id))) == 1


def test_a_file_with_problems_is_not_kept(leader, study):
    from consensus.studies.models import PendingUpload

    bad = PANEL_CSV.replace(b"chefer", b"journalister")
    response = leader.post(
        "/studier/pilot/panel/importera",
        data={"file": (io.BytesIO(bad), "panel.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Förhandsgranskning av panel.csv" in body and "journalister" in body
    assert db.session.scalar(select(func.count(PendingUpload.id))) == 0


def test_a_preview_shows_the_first_100_problems_and_counts_the_rest(leader, study):
    rows = "".join(f"Person {i},inte-en-adress-{i},Politiker,X,lokal\n" for i in range(250))
    content = ("Namn,E-post,Intressentgrupp,Organisation,Nivå\n" + rows).encode()
    response = leader.post(
        "/studier/pilot/panel/importera",
        data={"file": (io.BytesIO(content), "panel.csv")},
        content_type="multipart/form-data",
    )
    body = response.get_data(as_text=True)
    assert "Filen har 250 fel." in body
    assert body.count("inte-en-adress-") == 100
    assert "… och 150 fel till." in body
