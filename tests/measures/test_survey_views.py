"""The measures survey on the web, for respondents: the public start page, the open link,
an invited expert's personal link, drafts, validation, submission and closing."""

import re
from datetime import date, timedelta

import pytest

from consensus.auth.services import issue_link
from consensus.dbtypes import utcnow
from consensus.extensions import db
from consensus.measures import services as ms
from consensus.measures.models import IndicatorComment, Proposal
from consensus.studies import services as study_services

# The eight workshops and web seminars of the seed ("Tider för lokala workshops").
WORKSHOPS = [
    (date(2014, 9, 17), "", "", "Karlstad", "Jonas Wells", "workshop"),
    (date(2014, 9, 19), "", "", "Kalmar", "Peter Johansson", "workshop"),
    (date(2014, 9, 24), "kl. 13.00", "Linköping", "Östergötland", "Peter Johansson", "workshop"),
    (date(2014, 9, 25), "", "Skellefteå", "Västerbotten", "Jonas Wells", "workshop"),
    (date(2014, 9, 29), "", "Avesta", "Dalarna", "Jonas Wells", "workshop"),
    (date(2014, 9, 30), "e.m.", "Huddinge", "Stockholm", "Elin Asplund", "workshop"),
    (date(2014, 9, 30), "f.m. alt. 1/10 e.m.", "", "", "Jonas Wells", "webinar"),
    (date(2014, 10, 2), "", "", "Göteborg", "Jonas Wells", "workshop"),
]

QUANT = {
    "name": "Upplevd delaktighet",
    "description": "Enkätfråga till deltagare: Jag har varit med och planerat min insats (1–5).",
    "kind": "quantitative",
    "method": "survey",
    "source_choice": "Enkät till deltagare",
    "source_text": "",
    "respondent_group": "deltagare",
    "frequency": ["P0D", "P6M"],
    "unit": "andel (%)",
    "numerator": "Deltagare som svarat 4 eller 5",
    "denominator": "Alla deltagare som svarat på frågan",
    "how": "",
}


@pytest.fixture
def survey(study):
    study_services.add_indicator(
        study,
        code="M01",
        title="Respekt mellan myndigheter",
        perspective="medarbetare",
        type="process",
    )
    s = ms.create_survey(
        study,
        intro_text="Föreslå så många mått som möjligt.",
        indicator_ids=[i.id for i in study.indicators],
        closes_at=utcnow() + timedelta(days=14),
    )
    for day, time_text, place, area, contact, kind in WORKSHOPS:
        ms.add_workshop(
            s,
            date=day,
            time_text=time_text,
            place=place,
            area=area,
            contact_person=contact,
            kind=kind,
        )
    ms.change_status(s, "open")
    db.session.commit()
    return s


@pytest.fixture
def open_token(survey):
    token = ms.new_open_link(survey)
    db.session.commit()
    return token


@pytest.fixture
def expert_link(survey):
    r = ms.add_expert(
        survey,
        email="anna@kommun.se",
        name="Anna Svensson",
        organisation="Linköpings kommun",
        level="nationell",
        role="utvecklare",
    )
    token = issue_link(r.participant)
    db.session.commit()
    return token


def _indicator(study, code):
    return next(i for i in study.indicators if i.code == code)


def _join(client, token, **overrides):
    data = {
        "organisation": "Samordningsförbundet Östra Östergötland",
        "organisation_type": "samordningsförbund",
        "level": "lokal",
        "role": "förbundschef",
        **overrides,
    }
    return client.post(f"/matt/oppen/{token}", data=data)


def _proposals():
    return list(db.session.scalars(db.select(Proposal).order_by(Proposal.id)))


def test_start_page_lists_indicators_and_the_eight_workshops(client, study, survey):
    page = client.get("/matt/pilot").get_data(as_text=True)
    assert "Föreslå så många mått som möjligt." in page
    assert "Deltagare är delaktiga" in page and "Respekt mellan myndigheter" in page
    assert page.count('class="workshop"') == 8
    for place in ("Karlstad", "Kalmar", "Linköping", "Skellefteå", "Avesta", "Huddinge"):
        assert place in page
    assert "kl. 13.00" in page and "Peter Johansson" in page and "Elin Asplund" in page
    assert "Webbseminarium" in page
    assert "Enkäten är öppen." in page
    assert client.get("/matt/finns-inte").status_code == 404


def test_survey_pages_refuse_anyone_without_a_respondent_session(client, study, survey):
    ind = study.indicators[0].id
    assert client.get("/matt/pilot/enkat").status_code == 403
    assert client.get(f"/matt/pilot/enkat/{ind}").status_code == 403
    assert client.post("/matt/pilot/enkat/skicka").status_code == 403
    assert client.get("/matt/oppen/" + "x" * 43).status_code == 404
    assert client.get("/matt/svar/" + "x" * 43).status_code == 403


def test_open_link_join_draft_resume_and_submit(app, client, study, survey, open_token):
    page = client.get(f"/matt/oppen/{open_token}").get_data(as_text=True)
    assert "Organisation" in page and "lokal eller nationell" in page

    # Organisation, level and role are needed; nothing is created without them.
    response = _join(client, open_token, role="", level="")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Skriv din roll." in text and "Välj lokal eller nationell nivå." in text
    assert survey.id and ms.response_counts(survey)["respondents"] == 0

    response = _join(client, open_token)
    assert response.status_code == 302
    assert response.headers["Location"] == "/matt/pilot/enkat"
    home = client.get("/matt/pilot/enkat").get_data(as_text=True)
    assert "Du svarar som R001" in home
    own_link = re.search(r'value="(http[^"]+/matt/svar/[^"]+)"', home).group(1)
    # The link back is shown once.
    assert "/matt/svar/" not in client.get("/matt/pilot/enkat").get_data(as_text=True)
    # Back to the open link: no second respondent.
    assert client.get(f"/matt/oppen/{open_token}").status_code == 302

    ind = _indicator(study, "P01").id
    response = client.post(f"/matt/pilot/enkat/{ind}", data={**QUANT, "submit": "1"})
    assert response.status_code == 302
    (saved,) = _proposals()
    assert saved.status == "draft" and saved.data_source == "Enkät till deltagare"
    assert saved.frequency == ["P0D", "P6M"]
    client.post(
        f"/matt/pilot/enkat/{ind}",
        data={"c-comment": "Svårt att mäta i små insatser.", "c-submit": "1"},
    )
    assert db.session.scalar(db.select(IndicatorComment.text)) == "Svårt att mäta i små insatser."

    # A new browser comes back through the link back and finds the draft.
    other = app.test_client()
    assert other.get("/matt/pilot/enkat").status_code == 403
    path = own_link.split("localhost", 1)[1]
    response = other.get(path)
    assert response.status_code == 302 and response.headers["Location"] == "/matt/pilot/enkat"
    home = other.get("/matt/pilot/enkat").get_data(as_text=True)
    assert "Du har svarat för 1 av 2 indikatorer." in home
    assert "1 utkast" in home
    page = other.get(f"/matt/pilot/enkat/{ind}").get_data(as_text=True)
    assert "Upplevd delaktighet" in page and "Svårt att mäta i små insatser." in page

    response = other.post("/matt/pilot/enkat/skicka")
    assert response.status_code == 302
    assert "Tack! Dina svar är inskickade (1 förslag)." in other.get("/matt/pilot/enkat").get_data(
        as_text=True
    )
    db.session.refresh(saved)
    assert saved.status == "submitted"
    assert ms.response_counts(survey)["by_level"]["lokal"]["submitted"] == 1


def test_invited_expert_lands_on_the_survey_from_the_personal_link(
    client, study, survey, expert_link
):
    response = client.get(f"/l/{expert_link}")
    assert response.headers["Location"] == "/deltagare"
    response = client.get("/deltagare")
    assert response.status_code == 302 and response.headers["Location"] == "/matt/pilot/enkat"
    home = client.get("/matt/pilot/enkat").get_data(as_text=True)
    assert "Du svarar som R001" in home
    assert "Anna" not in home  # pseudonymous

    ind = _indicator(study, "M01").id
    assert client.post(f"/matt/pilot/enkat/{ind}", data={**QUANT, "submit": "1"}).status_code == 302
    assert client.post("/matt/pilot/enkat/skicka").status_code == 302
    assert [p.status for p in _proposals()] == ["submitted"]


def test_panelist_still_gets_the_participant_home(client, study, survey):
    p = study_services.add_participant(study, email="p@example.se", group_id=study.groups[0].id)
    token = issue_link(p)
    db.session.commit()
    client.get(f"/l/{token}")
    assert client.get("/deltagare").status_code == 200
    assert client.get("/matt/pilot/enkat").status_code == 403


@pytest.fixture
def joined(client, open_token):
    assert _join(client, open_token).status_code == 302
    return client


def test_proportion_without_denominator_is_refused_and_nothing_saved(joined, study, survey):
    ind = _indicator(study, "P01").id
    saved = joined.post(f"/matt/pilot/enkat/{ind}", data={**QUANT, "submit": "1"})
    assert saved.status_code == 302
    (draft,) = _proposals()
    # A draft may lack the denominator, but submitting needs it: nothing is submitted.
    joined.post(
        f"/matt/pilot/enkat/{ind}/forslag/{draft.id}",
        data={**QUANT, "denominator": "", "submit": "1"},
    )
    response = joined.post("/matt/pilot/enkat/skicka")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "En andel behöver en nämnare" in page
    assert "Inget skickades in" in page
    assert [p.status for p in _proposals()] == ["draft"]


def test_combination_with_itself_is_refused(joined, study, survey):
    ind = _indicator(study, "P01").id
    joined.post(f"/matt/pilot/enkat/{ind}", data={**QUANT, "submit": "1"})
    (first,) = _proposals()
    response = joined.post(
        f"/matt/pilot/enkat/{ind}/forslag/{first.id}",
        data={**QUANT, "name": "Nytt namn", "combines": str(first.id), "submit": "1"},
    )
    assert response.status_code == 422
    assert "Ett mått kan inte kombineras med sig självt." in response.get_data(as_text=True)
    db.session.refresh(first)
    assert first.name == "Upplevd delaktighet" and first.combinations == []


def test_combination_of_two_own_proposals(joined, study, survey):
    ind = _indicator(study, "P01").id
    joined.post(f"/matt/pilot/enkat/{ind}", data={**QUANT, "submit": "1"})
    (first,) = _proposals()
    page = joined.get(f"/matt/pilot/enkat/{ind}").get_data(as_text=True)
    assert "Kombinera med dina andra förslag" in page and "Upplevd delaktighet" in page
    joined.post(
        f"/matt/pilot/enkat/{ind}",
        data={
            **QUANT,
            "name": "Delaktighet, enkät och intervju",
            "kind": "qualitative",
            "method": "interview",
            "unit": "",
            "numerator": "",
            "denominator": "",
            "description": "Intervjuer med deltagare om hur de varit med och planerat insatsen.",
            "combines": str(first.id),
            "how": "Enkätsvaren fördjupas med intervjuer.",
            "submit": "1",
        },
    )
    second = _proposals()[1]
    assert [(c.combined_id, c.how) for c in second.combinations] == [
        (first.id, "Enkätsvaren fördjupas med intervjuer.")
    ]
    assert "Kombineras med:" in joined.get(f"/matt/pilot/enkat/{ind}").get_data(as_text=True)


def test_text_over_limit_is_refused_and_nothing_saved(joined, study, survey):
    ind = _indicator(study, "P01").id
    response = joined.post(f"/matt/pilot/enkat/{ind}", data={**QUANT, "name": "x" * 201})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Namn: texten är 201 tecken lång men får vara högst 200 tecken." in page
    assert 'class="error-summary"' in page and 'aria-invalid="true"' in page
    assert _proposals() == []
    response = joined.post(
        f"/matt/pilot/enkat/{ind}", data={"c-comment": "y" * 4001, "c-submit": "1"}
    )
    assert response.status_code == 422
    assert "högst 4000 tecken" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(IndicatorComment)) is None


def test_edit_and_delete_a_draft(joined, study, survey):
    ind = _indicator(study, "P01").id
    joined.post(f"/matt/pilot/enkat/{ind}", data={**QUANT, "submit": "1"})
    (draft,) = _proposals()
    form = joined.get(f"/matt/pilot/enkat/{ind}/forslag/{draft.id}").get_data(as_text=True)
    assert 'value="Upplevd delaktighet"' in form
    assert '<option selected value="Enkät till deltagare">' in form
    joined.post(
        f"/matt/pilot/enkat/{ind}/forslag/{draft.id}",
        data={**QUANT, "source_text": "fråga 12", "submit": "1"},
    )
    db.session.refresh(draft)
    assert draft.data_source == "Enkät till deltagare: fråga 12"
    # Someone else's proposal or the wrong indicator: not found.
    other = _indicator(study, "M01").id
    assert joined.get(f"/matt/pilot/enkat/{other}/forslag/{draft.id}").status_code == 404
    assert joined.post(f"/matt/pilot/enkat/forslag/{draft.id}/ta-bort").status_code == 302
    assert _proposals() == []


def test_closing_refuses_late_submission_and_keeps_drafts(joined, study, survey):
    ind = _indicator(study, "P01").id
    joined.post(f"/matt/pilot/enkat/{ind}", data={**QUANT, "submit": "1"})
    survey.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = joined.post("/matt/pilot/enkat/skicka")
    assert response.status_code == 302
    page = joined.get("/matt/pilot/enkat").get_data(as_text=True)
    assert "Enkäten är stängd, så det går inte längre att skicka in" in page
    assert "Dina utkast finns kvar" in page
    assert [p.status for p in _proposals()] == ["draft"]
    # Editing is refused as well, with the same message; the draft is unchanged.
    joined.post(f"/matt/pilot/enkat/{ind}", data={**QUANT, "name": "Sent", "submit": "1"})
    assert [p.name for p in _proposals()] == ["Upplevd delaktighet"]
    assert "Sent" not in joined.get(f"/matt/pilot/enkat/{ind}").get_data(as_text=True)
    # The open link no longer admits anyone.
    assert "Enkäten är stängd" in joined.get("/matt/pilot").get_data(as_text=True)


def test_an_archived_studys_survey_says_the_study_has_ended(client, study, survey, open_token):
    from consensus.studies import services as study_services

    _join(client, open_token)
    study_services.change_phase(study, "archive")
    db.session.commit()
    page = client.get("/matt/pilot").get_data(as_text=True)
    assert "Studien är avslutad." in page and "Enkäten är öppen." not in page
    # A respondent's write is refused: the study has ended; nothing is saved.
    ind = _indicator(study, "P01").id
    response = client.post(f"/matt/pilot/enkat/{ind}", data={**QUANT, "submit": "1"})
    assert response.status_code == 410
    assert "Studien är avslutad" in response.get_data(as_text=True)
    assert _proposals() == []
