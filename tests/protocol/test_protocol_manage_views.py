"""The projektledare's protocol pages: readiness, texts, preview, publish, compare."""

import re

from sqlalchemy import select

from consensus.extensions import db
from consensus.measures.models import CanonicalMeasure
from consensus.protocol import services
from consensus.protocol.services import ProtocolVersion
from consensus.studies.models import AuditEvent
from tests.protocol.test_protocol_services import make_protocol_study

TEXTS = {
    "version": "1.0.0",
    "title": "Protokoll för piloten",
    "description": "Kärnindikatorer med mått.",
    "owner_name": "NNS",
    "owner_contact": "info@example.se",
    "owner_url": "",
    "licence": "CC-BY-4.0",
    "locked_wording": "y",
    "changes": "Första versionen efter konsensuskonferensen.",
}


def fingerprint(page: str) -> str:
    return re.search(r'name="fingerprint" type="hidden" value="([^"]+)"', page).group(1)


def test_overview_draft_preview_publish(app, client, make_user, login):
    study = make_protocol_study()
    make_user()
    login()
    overview = client.get("/studier/delphi/protokoll").get_data(as_text=True)
    assert "Alla kärnindikatorer har minst ett godtaget mått." in overview
    assert "Ingen version är publicerad ännu." in overview

    page = client.get("/studier/delphi/protokoll/utkast")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'value="1.0.0"' in body and "Det här blir protokollets första version." in body

    saved = client.post("/studier/delphi/protokoll/utkast", data=TEXTS, follow_redirects=True)
    assert "Utkastet är sparat." in saved.get_data(as_text=True)
    draft = services.get_draft(study)
    assert draft.document["title"] == {"sv": "Protokoll för piloten"}
    assert draft.document["owner"]["contact"] == "info@example.se"

    preview = client.get("/studier/delphi/protokoll/utkast/forhandsvisning").get_data(as_text=True)
    assert "Protokoll för piloten" in preview and "inte publicerad" in preview
    assert "Upplevt inflytande" in preview

    page = client.get("/studier/delphi/protokoll/utkast").get_data(as_text=True)
    # Unchecked confirmation: nothing is published.
    refused = client.post(
        "/studier/delphi/protokoll/publicera",
        data={"fingerprint": fingerprint(page)},
        follow_redirects=True,
    )
    assert "Kryssa i att du har granskat utkastet." in refused.get_data(as_text=True)
    assert services.latest(study) is None

    done = client.post(
        "/studier/delphi/protokoll/publicera",
        data={"fingerprint": fingerprint(page), "confirm": "y"},
        follow_redirects=True,
    )
    text = done.get_data(as_text=True)
    row = services.latest(study)
    assert row is not None and row.version == "1.0.0"
    assert f"Version 1.0.0 är publicerad. Kontrollsumma {row.checksum}." in text
    assert row.document["changelog"][-1]["changes"] == {
        "sv": "Första versionen efter konsensuskonferensen."
    }
    assert services.get_draft(study) is None  # the draft became the version


def test_publishing_refuses_when_the_study_changed_since_the_preview(app, client, make_user, login):
    study = make_protocol_study()
    make_user()
    login()
    page = client.get("/studier/delphi/protokoll/utkast").get_data(as_text=True)
    measure = db.session.scalar(
        select(CanonicalMeasure).where(CanonicalMeasure.name == "Intervju om delaktighet")
    )
    measure.name = "Intervju om delaktighet och inflytande"
    db.session.commit()
    response = client.post(
        "/studier/delphi/protokoll/publicera",
        data={"fingerprint": fingerprint(page), "confirm": "y"},
        follow_redirects=True,
    )
    assert "har ändrats sedan sidan visades" in response.get_data(as_text=True)
    assert services.latest(study) is None


def test_second_version_shows_the_diff_and_refuses_a_too_small_number(
    app, client, make_user, login
):
    study = make_protocol_study()
    services.publish(study, "1.0.0")
    db.session.commit()
    make_user()
    login()
    removed = db.session.scalar(
        select(CanonicalMeasure).where(CanonicalMeasure.name == "Intervju om delaktighet")
    )
    removed.status = "rejected"
    removed.reason = "Ersätts"
    db.session.commit()

    page = client.get("/studier/delphi/protokoll/utkast").get_data(as_text=True)
    assert 'value="2.0.0"' in page  # removing a measure breaks comparability
    assert "Jämförbarheten bryts." in page
    assert "har tagits bort" in page

    response = client.post("/studier/delphi/protokoll/utkast", data={**TEXTS, "version": "1.1.0"})
    assert response.status_code == 302  # the number is saved with the texts ...
    page = client.get("/studier/delphi/protokoll/utkast").get_data(as_text=True)
    assert "Rätta problemen ovan först." in page  # ... but publishing it is refused
    assert "huvudversion" in page
    assert 'name="confirm"' not in page

    client.post("/studier/delphi/protokoll/utkast", data={**TEXTS, "version": "2.0.0"})
    page = client.get("/studier/delphi/protokoll/utkast").get_data(as_text=True)
    client.post(
        "/studier/delphi/protokoll/publicera",
        data={"fingerprint": fingerprint(page), "confirm": "y"},
    )
    assert [v.version for v in services.versions(study)] == ["1.0.0", "2.0.0"]
    assert [v.status for v in services.versions(study)] == ["retired", "active"]

    compare = client.get("/studier/delphi/protokoll/jamfor?fran=1.0.0&till=2.0.0")
    assert "Jämförbarheten bryts." in compare.get_data(as_text=True)
    public = client.get(
        f"/protokoll/{services.latest(study).protocol_id}/jamfor?fran=1.0.0&till=2.0.0"
    )
    assert public.status_code == 200 and "har tagits bort" in public.get_data(as_text=True)
    assert client.get("/studier/delphi/protokoll/jamfor?fran=9.9.9").status_code == 404


def test_bad_version_number_is_explained_and_nothing_saved(app, client, make_user, login):
    study = make_protocol_study()
    make_user()
    login()
    response = client.post("/studier/delphi/protokoll/utkast", data={**TEXTS, "version": "ett"})
    assert response.status_code == 200
    assert "tre tal med punkt emellan" in response.get_data(as_text=True)
    assert db.session.scalars(select(ProtocolVersion)).all() == []
    assert services.get_draft(study) is None


def test_readiness_names_core_indicators_without_measures(app, client, make_user, login):
    make_protocol_study()
    for m in db.session.scalars(select(CanonicalMeasure)):
        if m.name == "Antal samverkansmöten":
            m.status = "rejected"
            m.reason = "Saknar källa"
    db.session.commit()
    make_user()
    login()
    body = client.get("/studier/delphi/protokoll").get_data(as_text=True)
    assert "1 kärnindikator har inget godtaget mått och kommer inte med" in body


def test_facilitator_sees_but_cannot_publish(app, client, make_user, login):
    make_protocol_study()
    make_user("f@example.se", role="facilitator")
    login("f@example.se")
    assert client.get("/studier/delphi/protokoll").status_code == 200
    assert client.get("/studier/delphi/protokoll/utkast").status_code == 403
    assert client.post("/studier/delphi/protokoll/publicera", data={}).status_code == 403


def test_html_download_is_a_standalone_page(app, client):
    study = make_protocol_study()
    row = services.publish(study, "1.0.0")
    db.session.commit()
    response = client.get(f"/protokoll/{row.protocol_id}/1.0.0.html")
    assert response.status_code == 200 and response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert body.startswith("<!doctype html>") and '<html lang="sv">' in body
    assert row.checksum in body and "Upplevt inflytande" in body
    assert "consensus.css" not in body  # no dependency on the site


def test_nothing_to_publish_right_after_publishing(app, client, make_user, login):
    study = make_protocol_study()
    services.publish(study, "1.0.0")
    db.session.commit()
    make_user()
    login()
    page = client.get("/studier/delphi/protokoll/utkast").get_data(as_text=True)
    assert "Innehållet är detsamma i version 1.0.0 och utkastet." in page
    assert "Ingenting har ändrats sedan version 1.0.0" in page
    assert 'name="confirm"' not in page
    # A line in the changelog is a change worth a patch version.
    client.post(
        "/studier/delphi/protokoll/utkast",
        data={**TEXTS, "version": "1.0.1", "changes": "Rättat stavfel."},
    )
    page = client.get("/studier/delphi/protokoll/utkast").get_data(as_text=True)
    assert 'name="confirm"' in page


def test_pages_work_before_there_is_anything_to_publish(app, client, make_user, login, study):
    make_user()
    login()
    overview = client.get(f"/studier/{study.slug}/protokoll").get_data(as_text=True)
    assert "Slutomgångens kärnuppsättning är inte bekräftad ännu." in overview
    draft = client.get(f"/studier/{study.slug}/protokoll/utkast")
    assert draft.status_code == 200
    assert "Rätta problemen ovan först." in draft.get_data(as_text=True)
    assert "<code>$.indicators</code>" in draft.get_data(as_text=True)
    preview = client.get(f"/studier/{study.slug}/protokoll/utkast/forhandsvisning")
    assert "Protokollet har inga indikatorer ännu." in preview.get_data(as_text=True)
    refused = client.post(
        f"/studier/{study.slug}/protokoll/publicera", data={"confirm": "y", "fingerprint": "x"}
    )
    assert refused.status_code == 302
    assert services.latest(study) is None


def test_publishing_without_core_indicators_needs_an_explicit_choice_and_a_reason(
    app, client, make_user, login
):
    study = make_protocol_study()
    for m in db.session.scalars(select(CanonicalMeasure)):
        if m.name == "Antal samverkansmöten":
            m.status = "rejected"
            m.reason = "Saknar källa"
    db.session.commit()
    make_user()
    login()
    page = client.get("/studier/delphi/protokoll/utkast").get_data(as_text=True)
    assert "1 kärnindikator saknar godtaget mått och kommer inte med i protokollet:" in page
    assert "Publicera ändå utan dessa kärnindikatorer" in page
    # Reviewed, but no choice about the left-out indicator: the error summary, nothing published.
    data = {"fingerprint": fingerprint(page), "confirm": "y"}
    refused = client.post("/studier/delphi/protokoll/publicera", data=data)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'class="error-summary"' in body
    assert "Välj om protokollet ska publiceras utan kärnindikatorerna som saknar mått." in body
    assert "Skriv varför protokollet publiceras utan dem." in body
    assert services.versions(study) == []
    # Ticked without a reason: still refused.
    refused = client.post("/studier/delphi/protokoll/publicera", data={**data, "leave_out": "y"})
    assert refused.status_code == 400 and services.versions(study) == []
    # The choice and a reason: published; the audit keeps the codes and the reason.
    client.post(
        "/studier/delphi/protokoll/publicera",
        data={**data, "leave_out": "y", "leave_out_reason": "Måttet tas fram till version 1.1."},
    )
    (row,) = services.versions(study)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "protocol_published")
    ).one()
    assert event.reason == "Måttet tas fram till version 1.1."
    assert len(event.detail["left_out"]) == 1
    assert row.version == "1.0.0"
