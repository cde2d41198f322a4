# ruff: noqa: F811  (pytest fixtures imported from test_result_kinds)
"""Free-text answers in the results: only where the question's cell reaches the minimum, and a
text that may name someone only after a staff member approved it (a hidden one never)."""

import datetime as dt
import secrets

import pytest

from consensus.auth import services as auth_services
from consensus.extensions import db
from consensus.followup import services
from consensus.followup.models import FreeTextReview, SurveyAnswer, SurveyResponse
from consensus.protocol.canonical import dumps
from tests.followup.test_result_kinds import groups, imported, kinds_protocol, org  # noqa: F401

TEXTS = [
    "Bra bemötande.",
    "Mer tid behövs.",
    "Ring Anna på 070-123 45 67.",  # name and phone: waits for review
    "Skriv till ola.p@example.se.",  # e-mail: waits for review
    "Tydlig plan.",
]


@pytest.fixture
def waves(imported, org):  # noqa: F811
    item = services.add_local_item(imported, "Vad vill du säga till oss?", "text")
    g = groups(org)
    made = []
    for year, texts in ((2025, TEXTS[:4]), (2026, TEXTS)):
        wave, _token = services.create_wave(
            org,
            imported,
            "deltagare",
            period=f"oktober {year}",
            opens_on=dt.date(year, 10, 1),
            closes_on=dt.date(year, 10, 31),
            local_group_ids=[g["A"].id],
        )
        for text in texts:
            response = SurveyResponse(
                wave_id=wave.id,
                respondent_id=secrets.token_hex(8),
                status="submitted",
                submitted_on=wave.opens_on,
                gender="K",
                local_group_id=g["A"].id,
            )
            db.session.add(response)
            db.session.flush()
            db.session.add(SurveyAnswer(response_id=response.id, item_id=item.item_id, value=text))
        made.append(wave)
    db.session.commit()
    return item, made


@pytest.fixture
def forbund(make_user, login, org):  # noqa: F811
    user = make_user("f@example.se", role="forbund", organisation=org)
    login("f@example.se")
    return user


def cells(imported, made):  # noqa: F811
    return {c.wave.id: c for c in services.free_texts(imported, made)}


def test_texts_only_from_a_cell_that_reaches_the_minimum(imported, waves):  # noqa: F811
    _item, (small, full) = waves
    out = cells(imported, [small, full])
    assert (out[small.id].n, out[small.id].released, out[small.id].answers) == (4, False, [])
    assert out[full.id].n == 5 and out[full.id].released
    assert [a.text for a in out[full.id].shown] == [
        "Bra bemötande.",
        "Mer tid behövs.",
        "Tydlig plan.",
    ]
    waiting = out[full.id].waiting
    assert [(a.text, a.flags) for a in waiting] == [
        ("Ring Anna på 070-123 45 67.", ["name", "phone"]),
        ("Skriv till ola.p@example.se.", ["email"]),
    ]


def test_a_flagged_text_is_shown_after_approval_and_never_when_hidden(
    imported,
    waves,
    forbund,
    client,
    org,  # noqa: F811
):
    _item, (small, full) = waves
    base = f"/uppfoljning/{imported.id}"
    page = client.get(base + "/resultat").get_data(as_text=True)
    assert "Bra bemötande." in page and "Tydlig plan." in page
    assert "070-123 45 67" not in page and "ola.p@example.se" not in page
    assert "Visas inte: färre än 5 svar." in page  # the 2025 wave (4 answers)
    assert "2 svar väntar på granskning." in page
    # the 2025 wave's texts are nowhere, not even the harmless ones
    assert page.count("Bra bemötande.") == 1

    review = client.get(base + "/fritext").get_data(as_text=True)
    assert "Ring Anna på 070-123 45 67." in review and "Kan innehålla ett namn" in review
    phone, mail = out_ids = [a.answer_id for a in cells(imported, [full])[full.id].waiting]
    assert len(out_ids) == 2
    client.post(f"{base}/fritext/{phone}", data={"action": "approve"})
    client.post(f"{base}/fritext/{mail}", data={"action": "hide"})
    page = client.get(base + "/resultat").get_data(as_text=True)
    assert "Ring Anna på 070-123 45 67." in page
    assert "ola.p@example.se" not in page
    statuses = dict(
        db.session.execute(db.select(FreeTextReview.answer_id, FreeTextReview.status)).all()
    )
    assert statuses == {phone: "approved", mail: "hidden"}
    # hiding an approved text takes it away again; approving twice is refused with a message
    client.post(f"{base}/fritext/{phone}", data={"action": "hide"})
    assert "070-123 45 67" not in client.get(base + "/resultat").get_data(as_text=True)
    response = client.post(f"{base}/fritext/{mail}", data={"action": "hide"}, follow_redirects=True)
    assert "kan inte få beslutet" in response.get_data(as_text=True)


def test_another_forbund_cannot_review(imported, waves, make_user, login, client):  # noqa: F811
    _item, (_small, full) = waves
    answer = cells(imported, [full])[full.id].waiting[0].answer_id
    other = auth_services.get_or_create_organisation("annat3", "Annat")
    theirs = services.import_document(other, dumps(kinds_protocol())).imported
    db.session.commit()
    make_user("o@example.se", role="forbund", organisation=other)
    login("o@example.se")
    assert client.get(f"/uppfoljning/{imported.id}/fritext").status_code == 404
    response = client.post(
        f"/uppfoljning/{theirs.id}/fritext/{answer}",
        data={"action": "approve"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Fritextsvaret finns inte bland förbundets svar." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(FreeTextReview)) == 0
