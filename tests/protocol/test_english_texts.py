"""The study's English texts in the protocol's ``en`` fields (protocol-format.md: every text a
language map with ``sv`` required)."""

from sqlalchemy import select

from consensus.extensions import db
from consensus.measures.models import CanonicalMeasure
from consensus.protocol import services
from consensus.protocol.validate import validate_document
from consensus.studies.models import Indicator
from tests.protocol.test_protocol_services import make_protocol_study


def test_english_texts_become_the_en_of_the_language_maps(app):
    study = make_protocol_study()
    i1 = db.session.scalar(select(Indicator).where(Indicator.code == "I1"))
    i1.title_en = "Indicator one"
    measure = db.session.scalar(
        select(CanonicalMeasure).where(CanonicalMeasure.name == "Upplevt inflytande")
    )
    measure.name_en = "Perceived influence"
    measure.description_en = "Share who agree"
    db.session.commit()
    doc, _ = services.preview(study)
    assert validate_document(doc) == []
    by_id = {i["id"]: i for i in doc["indicators"]}
    # I1 has no Swedish description: it falls back to the title, in both languages.
    assert by_id["I1"]["name"] == {"sv": "Indikator 1", "en": "Indicator one"}
    assert by_id["I1"]["description"] == {"sv": "Indikator 1", "en": "Indicator one"}
    # No English text: Swedish only.
    assert by_id["I2"]["name"] == {"sv": "Indikator 2"}
    (upplevt,) = [m for m in by_id["I1"]["measures"] if m["name"]["sv"] == "Upplevt inflytande"]
    assert upplevt["name"] == {"sv": "Upplevt inflytande", "en": "Perceived influence"}
    # An English description without a Swedish one is not written (sv is required).
    assert "description" not in upplevt


def test_the_english_protocol_page_shows_the_english_text(client):
    study = make_protocol_study()
    i1 = db.session.scalar(select(Indicator).where(Indicator.code == "I1"))
    i1.title_en = "Indicator one"
    db.session.commit()
    row = services.publish(study, "1.0.0")
    db.session.commit()
    client.post("/sprak", data={"lang": "en"})
    page = client.get(f"/protokoll/{row.protocol_id}/1.0.0").get_data(as_text=True)
    assert "Indicator one" in page
    client.post("/sprak", data={"lang": "sv"})
    page = client.get(f"/protokoll/{row.protocol_id}/1.0.0").get_data(as_text=True)
    assert "Indicator one" not in page and "Indikator 1" in page


def test_protocol_pages_name_perspectives_not_codes(client):
    from consensus.studies.models import Indicator as Ind

    study = make_protocol_study()
    db.session.scalar(select(Ind).where(Ind.code == "I1")).perspective = "samhälle"
    db.session.commit()
    row = services.publish(study, "1.0.0")
    db.session.commit()
    page = client.get(f"/protokoll/{row.protocol_id}/1.0.0").get_data(as_text=True)
    assert "Samhälle ·" in page and "samhalle ·" not in page
