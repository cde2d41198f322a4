"""The project leader's measures pages through the test client: setup, workshops, experts,
invitations over real SMTP, review (merge, edit, accept, reject, recommend) and exports."""

import csv
import io
import json
import re
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from consensus.extensions import db
from consensus.measures import services as ms
from consensus.measures.models import CanonicalMeasure, Workshop
from consensus.studies import services as study_services
from consensus.studies.models import PendingUpload
from tests.conftest import PASSWORD, make_config, share_studies

QUANT = {
    "name": "Upplevt inflytande",
    "description": "Enkätfråga om inflytande över insatsen",
    "kind": "kvantitativ",
    "method": "enkät",
    "unit": "andel (%)",
    "numerator": "deltagare som svarar 4-5",
    "denominator": "alla deltagare som svarat",
}


@pytest.fixture
def leader(client, make_user, study):
    make_user()
    share_studies()  # the staff work on the test's studies
    client.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    study_services.add_indicator(
        study, code="E01", title="Hållbara effekter", perspective="samhälle", type="effect"
    )
    db.session.commit()
    return client


def ids(study) -> dict[str, int]:
    return {i.code: i.id for i in study.indicators}


def create_survey(leader, study, codes=("P01", "E01")):
    response = leader.post(
        "/studier/pilot/matt/installningar",
        data={
            "intro_text": "Välkommen till enkäten",
            "opens_on": "2030-09-01",
            "closes_on": "2030-09-30",
            "indicators": [str(ids(study)[c]) for c in codes],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return ms.get_survey(study)


def body(response) -> str:
    return response.get_data(as_text=True)


def test_measures_link_in_study_navigation(leader, study):
    page = body(leader.get("/studier/pilot"))
    assert 'href="/studier/pilot/matt"' in page
    assert "Skapa måttenkäten" in body(leader.get("/studier/pilot/matt"))


def test_create_edit_open_close_survey(leader, study):
    # Nothing picked: refused with a message beside the field.
    response = leader.post("/studier/pilot/matt/installningar", data={"intro_text": "x"})
    assert response.status_code == 200 and "Välj minst en indikator." in body(response)
    assert ms.get_survey(study) is None

    survey = create_survey(leader, study, codes=("E01",))
    assert [i.code for i in ms.survey_indicators(survey)] == ["E01"]
    assert survey.closes_at.date() == date(2030, 9, 30)
    page = body(leader.get("/studier/pilot/matt", follow_redirects=True))
    assert "Välkommen till enkäten" in page and "förberedelse" in page

    # Edit while a draft: the indicators can change.
    create = leader.post(
        "/studier/pilot/matt/installningar",
        data={"intro_text": "Ny text", "indicators": [str(ids(study)["P01"])]},
    )
    assert create.status_code == 302
    db.session.expire_all()
    assert survey.intro_text == "Ny text" and survey.closes_at is None
    assert [i.code for i in ms.survey_indicators(survey)] == ["P01"]

    # Closing before it opens is refused; opening, closing, reopening go through the lifecycle.
    refused = leader.post("/studier/pilot/matt/stang", follow_redirects=True)
    assert "Det går inte i enkätens nuvarande läge." in body(refused)
    assert "Enkäten är öppen." in body(
        leader.post("/studier/pilot/matt/oppna", follow_redirects=True)
    )
    db.session.expire_all()
    assert survey.status == "open"
    # Once open, the indicators are locked but the texts still change.
    page = body(leader.get("/studier/pilot/matt/installningar"))
    assert "indikatorerna kan inte längre ändras" in page
    leader.post("/studier/pilot/matt/installningar", data={"intro_text": "Öppen text"})
    db.session.expire_all()
    assert survey.intro_text == "Öppen text"
    assert [i.code for i in ms.survey_indicators(survey)] == ["P01"]
    assert "Enkäten är stängd." in body(
        leader.post("/studier/pilot/matt/stang", follow_redirects=True)
    )
    leader.post("/studier/pilot/matt/oppna-igen")
    db.session.expire_all()
    assert survey.status == "open"


def test_closing_date_before_opening_is_refused(leader, study):
    response = leader.post(
        "/studier/pilot/matt/installningar",
        data={
            "opens_on": "2030-09-30",
            "closes_on": "2030-09-01",
            "indicators": [str(ids(study)["P01"])],
        },
    )
    assert "Enkäten kan inte stänga innan den öppnar." in body(response)
    assert ms.get_survey(study) is None


def test_core_set_is_the_default_pick(app, client, make_user):
    from consensus.rounds import services as round_services
    from tests.rounds.conftest import make_delphi, rate

    d = make_delphi(min_group_size=1)
    r = round_services.create_round(d.study, "rating", is_final=True)
    round_services.open_round(r)
    i1, i2, i3 = d.study.indicators
    for p in d.panel:
        rate(r, p, {i1: 9, i2: 2, i3: 2})
    round_services.close_round(r)
    round_services.confirm_decisions(r)
    db.session.commit()
    make_user()
    share_studies()  # the staff work on the test's studies
    client.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})

    page = body(client.get("/studier/delphi/matt/installningar"))
    checked = re.findall(
        r'<input[^>]*checked[^>]*value="(\d+)"|<input[^>]*value="(\d+)"[^>]*checked', page
    )
    core = {i.id for i in ms.core_set(d.study)}
    assert core and {int(a or b) for a, b in checked} == core
    assert "kärnindikator" in page


def test_open_link_created_shown_once_and_disabled(leader, study):
    survey = create_survey(leader, study)
    page = body(leader.post("/studier/pilot/matt/oppen-lank", follow_redirects=True))
    (url,) = re.findall(r'id="open-link">(http://[^<]+)<', page)
    token = url.rsplit("/", 1)[1]
    assert ms.survey_by_open_link(token) == survey
    # Shown once: the next visit does not show it again.
    assert url not in body(leader.get("/studier/pilot/matt"))
    leader.post("/studier/pilot/matt/oppen-lank", data={"action": "disable"})
    db.session.expire_all()
    assert ms.survey_by_open_link(token) is None


def test_response_counts_per_level_and_organisation(leader, study):
    survey = create_survey(leader, study)
    ms.change_status(survey, "open")
    ms.add_expert(survey, email="a@kommun.se", organisation="Kommunen", level="lokal")
    ms.join_open_link(survey, organisation="Regionen", level="nationell", role="handläggare")
    db.session.commit()
    page = body(leader.get("/studier/pilot/matt"))
    assert "Svar per nivå" in page and "Svar per organisation" in page
    assert "Kommunen" in page and "Regionen" in page and "nationell" in page


def test_workshops_add_edit_delete(leader, study):
    create_survey(leader, study)
    refused = leader.post("/studier/pilot/matt/traffar", data={"place": "Linköping"})
    assert "Ange ett datum." in body(refused)
    leader.post(
        "/studier/pilot/matt/traffar",
        data={
            "date": "2014-09-24",
            "time_text": "kl. 13.00",
            "place": "Linköping",
            "area": "Östergötland",
            "contact_person": "Peter Johansson",
            "kind": "workshop",
        },
    )
    (w,) = db.session.scalars(select(Workshop)).all()
    page = body(leader.get("/studier/pilot/matt/traffar"))
    assert "2014-09-24" in page and "Linköping" in page and "Peter Johansson" in page
    assert "Linköping" in body(leader.get(f"/studier/pilot/matt/traffar/{w.id}"))
    leader.post(
        f"/studier/pilot/matt/traffar/{w.id}",
        data={"date": "2014-10-01", "place": "Webben", "kind": "webinar"},
    )
    db.session.expire_all()
    assert (w.date, w.place, w.kind) == (date(2014, 10, 1), "Webben", "webinar")
    assert "webbseminarium" in body(leader.get("/studier/pilot/matt/traffar"))
    leader.post(f"/studier/pilot/matt/traffar/{w.id}/ta-bort")
    assert db.session.scalars(select(Workshop)).all() == []


def test_pages_need_a_survey_first(leader, study):
    response = leader.get("/studier/pilot/matt/experter", follow_redirects=True)
    assert "Skapa måttenkäten först." in body(response)


def _upload(leader, content: bytes, name="experter.csv"):
    return leader.post(
        "/studier/pilot/matt/experter/importera",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_expert_import_preview_confirm(leader, study):
    survey = create_survey(leader, study)
    content = (
        "Namn;E-post;Organisation;Organisationstyp;Nivå;Roll\n"
        "Anna Svensson;anna@kommun.se;Linköpings kommun;kommun;lokal;utvecklare\n"
        "Bo Ek;bo@fk.se;Försäkringskassan;myndighet;nationell;analytiker\n"
    ).encode()
    response = _upload(leader, content)
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = body(leader.get(preview_url))
    assert "Importen lägger till 2 experter." in page and "bo@fk.se" in page
    assert ms.expert_targets(survey) == []  # nothing saved by the preview
    done = leader.post(preview_url, follow_redirects=True)
    assert "Importen är klar: 2 experter lades till." in body(done)
    page = body(leader.get("/studier/pilot/matt/experter"))
    assert "R001" in page and "anna@kommun.se" in page and "ej skickad" in page
    assert len(ms.expert_targets(survey)) == 2


def test_expert_import_with_errors_saves_nothing(leader, study):
    survey = create_survey(leader, study)
    ms.add_expert(survey, email="anna@kommun.se")
    db.session.commit()
    content = (
        "Namn;E-post;Nivå\n"
        "Anna;anna@kommun.se;lokal\n"
        "Bo;inte-en-adress;lokal\n"
        "Cia;cia@region.se;kommunal\n"
        "Dan;dan@region.se;nationell\n"
    ).encode()
    page = body(_upload(leader, content))  # shown at once: a file with problems is not kept
    assert "Filen har 3 fel. Ingenting har sparats." in page
    assert "anna@kommun.se finns redan" in page
    assert "inte-en-adress" in page and "kommunal" in page
    for row in ('<td class="num">2</td>', '<td class="num">3</td>', '<td class="num">4</td>'):
        assert row in page
    assert db.session.scalar(select(func.count(PendingUpload.id))) == 0
    assert len(ms.expert_targets(survey)) == 1


def test_add_one_expert_and_refuse_a_duplicate(leader, study):
    create_survey(leader, study)
    data = {"name": "Anna", "email": "anna@kommun.se", "level": "lokal", "role": "utvecklare"}
    ok = leader.post("/studier/pilot/matt/experter", data=data, follow_redirects=True)
    assert "Experten är tillagd som R001." in body(ok)
    again = leader.post("/studier/pilot/matt/experter", data=data)
    assert "anna@kommun.se finns redan i studien." in body(again)


class TestInvitations:
    @pytest.fixture
    def app_config(self, database_url, smtp_server):
        return make_config(database_url, MAIL_PORT=smtp_server.port)

    def test_invite_and_remind_over_smtp(self, app, leader, study, smtp_server):
        survey = create_survey(leader, study)
        anna = ms.add_expert(survey, email="anna@kommun.se", name="Anna Svensson")
        ms.add_expert(survey, email="bo@fk.se", name="Bo Ek", level="nationell")
        db.session.commit()
        # Not before the survey opens.
        refused = leader.post("/studier/pilot/matt/experter/bjud-in", follow_redirects=True)
        assert "Öppna enkäten innan" in body(refused)
        assert smtp_server.messages == []
        leader.post("/studier/pilot/matt/oppna")

        sent = leader.post("/studier/pilot/matt/experter/bjud-in", follow_redirects=True)
        assert "2 inbjudningar skickades." in body(sent)
        assert sorted(m["To"] for m in smtp_server.messages) == ["anna@kommun.se", "bo@fk.se"]
        message = smtp_server.messages[0]
        assert "föreslå mått för Pilotstudie" in message["Subject"]
        text = message.get_body(("plain",)).get_content()
        assert "Hej Anna Svensson!" in text and "2030-09-30" in text
        (link,) = re.findall(r"http://[^\s]+/l/[A-Za-z0-9_-]{43}", text)
        assert "skickad" in body(leader.get("/studier/pilot/matt/experter"))
        # The personal link admits the expert.
        other = app.test_client()
        assert other.get(link.replace("http://localhost", "")).status_code == 302

        # Anna submits; the reminder goes only to Bo.
        ms.save_proposal(anna, ids(study)["P01"], QUANT)
        ms.submit(anna)
        db.session.commit()
        smtp_server.messages.clear()
        reminded = leader.post("/studier/pilot/matt/experter/paminn", follow_redirects=True)
        assert "1 inbjudningar skickades." in body(reminded)
        assert [m["To"] for m in smtp_server.messages] == ["bo@fk.se"]
        assert "Påminnelse" in smtp_server.messages[0]["Subject"]
        assert (
            "vi saknar ännu dina förslag"
            in smtp_server.messages[0].get_body(("plain",)).get_content()
        )


@pytest.fixture
def proposals(leader, study):
    """An open survey with three submitted proposals for P01 (two alike) from named experts."""
    survey = create_survey(leader, study)
    ms.change_status(survey, "open")
    p01 = ids(study)["P01"]
    made = []
    for n, (email, data) in enumerate(
        [
            ("anna@kommun.se", QUANT),
            ("bo@fk.se", {**QUANT, "name": "Upplevt inflytande över insatsen"}),
            (
                "cia@region.se",
                {
                    "name": "Intervju om delaktighet",
                    "description": "Samtal med Anna Svensson, anna@kommun.se, om delaktighet",
                    "kind": "kvalitativ",
                    "method": "intervju",
                },
            ),
        ]
    ):
        r = ms.add_expert(
            survey,
            email=email,
            name=["Anna Svensson", "Bo Ek", "Cia Lund"][n],
            organisation=["Linköpings kommun", "Försäkringskassan", "Region Östergötland"][n],
            organisation_type=["kommun", "myndighet", "region"][n],
        )
        made.append(ms.save_proposal(r, p01, data))
        ms.submit(r)
    db.session.commit()
    return {"survey": survey, "ids": [p.id for p in made], "indicator": p01}


def test_review_shows_proposals_pseudonymous_flags_and_suggestions(leader, study, proposals):
    listing = body(leader.get("/studier/pilot/matt/granskning"))
    assert "P01" in listing and "E01" in listing
    assert re.search(
        r"P01</code> Deltagare är delaktiga</a></th>\s*<td class=\"num\">3</td>", listing
    )
    page = body(leader.get(f"/studier/pilot/matt/granskning/{proposals['indicator']}"))
    for pseudonym in ("R001", "R002", "R003"):
        assert pseudonym in page
    assert "kommun" in page and "myndighet" in page
    assert "Bo Ek" not in page and "bo@fk.se" not in page  # respondents are pseudonymous
    assert "innehåller en e-postadress" in page and "innehåller ett namn" in page
    a, b, _ = proposals["ids"]
    assert f"Förslag {a} och {b}: likhet" in page
    assert "Gemensamma ord" in page
    # An indicator outside the survey is not found.
    assert leader.get("/studier/pilot/matt/granskning/99999").status_code == 404


def test_merge_edit_decide_and_recommend(leader, study, proposals):
    ind = proposals["indicator"]
    a, b, c = proposals["ids"]
    url = f"/studier/pilot/matt/granskning/{ind}"
    nothing = leader.post(f"{url}/sla-ihop", data={}, follow_redirects=True)
    assert "Välj minst ett förslag att slå ihop." in body(nothing)

    merged = leader.post(
        f"{url}/sla-ihop", data={"proposals": [str(a), str(b)], "name": "Inflytande (andel)"}
    )
    assert merged.status_code == 302
    m1 = db.session.scalar(
        select(CanonicalMeasure).where(CanonicalMeasure.name.like("Inflytande%"))
    )
    assert ms.lineage(m1) == sorted([a, b])
    leader.post(f"{url}/sla-ihop", data={"proposals": [str(c)]})
    m2 = db.session.scalar(select(CanonicalMeasure).where(CanonicalMeasure.id != m1.id))

    # Edit the wording: lineage stays.
    edit_url = f"/studier/pilot/matt/granskning/matt/{m1.id}"
    assert "Inflytande (andel)" in body(leader.get(edit_url))
    leader.post(
        edit_url,
        data={
            "name": "Andel deltagare med upplevt inflytande",
            "description": "Enkätfråga",
            "kind": "quantitative",
            "method": "survey",
            "unit": "andel (%)",
            "numerator": "svar 4-5",
            "denominator": "alla svar",
            "frequency": ["P0D", "P12M"],
            "respondent_group": "deltagare",
            "question_lines": "Jag har varit med och planerat min insats.\n\n  Jag kan påverka vad som händer.  ",
        },
    )
    db.session.expire_all()
    assert m1.questions == [
        "Jag har varit med och planerat min insats.",
        "Jag kan påverka vad som händer.",
    ]
    assert "Jag kan påverka vad som händer." in body(leader.get(url))
    assert m1.name == "Andel deltagare med upplevt inflytande"
    assert m1.frequency == ["P0D", "P12M"] and ms.lineage(m1) == sorted([a, b])
    too_long = leader.post(edit_url, data={"name": "x" * 201})
    assert too_long.status_code == 200 and "Namn" in body(too_long)

    # Recommending before accepting is refused; rejecting needs a reason.
    decide, recommend = f"{edit_url}/beslut", f"{edit_url}/rekommendera"
    assert "Bara ett godtaget mått" in body(leader.post(recommend, follow_redirects=True))
    no_reason = leader.post(
        f"/studier/pilot/matt/granskning/matt/{m2.id}/beslut",
        data={f"c{m2.id}-decision": "rejected"},
        follow_redirects=True,
    )
    assert "Skriv ett skäl när ett mått avvisas." in body(no_reason)
    leader.post(
        f"/studier/pilot/matt/granskning/matt/{m2.id}/beslut",
        data={f"c{m2.id}-decision": "rejected", f"c{m2.id}-reason": "Svårt att jämföra"},
    )
    leader.post(decide, data={f"c{m1.id}-decision": "accepted"})
    page = body(leader.post(recommend, data={"action": "set"}, follow_redirects=True))
    assert "är rekommenderat för indikatorn" in page
    db.session.expire_all()
    assert (m1.status, m1.recommended) == ("accepted", True)
    assert (m2.status, m2.reason) == ("rejected", "Svårt att jämföra")
    listing = body(leader.get("/studier/pilot/matt/granskning"))
    assert "badge-ok" in listing
    leader.post(recommend, data={"action": "unset"})
    db.session.expire_all()
    assert m1.recommended is False


def test_exports_have_no_names_or_emails(leader, study, proposals):
    ind = proposals["indicator"]
    a, b, _ = proposals["ids"]
    leader.post(f"/studier/pilot/matt/granskning/{ind}/sla-ihop", data={"proposals": [a, b]})
    m = db.session.scalar(select(CanonicalMeasure))
    leader.post(
        f"/studier/pilot/matt/granskning/matt/{m.id}/beslut", data={f"c{m.id}-decision": "accepted"}
    )
    forbidden = ["Bo Ek", "bo@fk.se", "Cia Lund", "Linköpings kommun", "Försäkringskassan"]

    for table, expected in [("forslag", 3), ("beslut", 1), ("valda_matt", 1)]:
        response = leader.get(f"/studier/pilot/matt/export/{table}.csv")
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
        text = response.data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert len(rows) == expected + 1
        for word in forbidden:
            assert word not in text
    proposals_csv = leader.get("/studier/pilot/matt/export/forslag.csv").data.decode("utf-8-sig")
    assert "R001" in proposals_csv and "myndighet" in proposals_csv

    book = openpyxl.load_workbook(io.BytesIO(leader.get("/studier/pilot/matt/export.xlsx").data))
    assert book.sheetnames == ["Förslag", "Beslut", "Valda mått"]
    cells = " ".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    )
    assert "R002" in cells
    for word in forbidden:
        assert word not in cells

    document = leader.get("/studier/pilot/matt/export.json")
    data = json.loads(document.data)
    assert data["measures"][0]["derivedFrom"] == sorted([a, b])
    for word in forbidden:
        assert word not in document.get_data(as_text=True)


def test_facilitator_sees_review_but_cannot_change(client, make_user, leader, study, proposals):
    make_user(email="fac@example.se", role="facilitator")
    other = client.application.test_client()
    share_studies()  # the staff work on the test's studies
    other.post("/logga-in", data={"email": "fac@example.se", "password": PASSWORD})
    ind = proposals["indicator"]
    assert other.get(f"/studier/pilot/matt/granskning/{ind}").status_code == 200
    assert other.get("/studier/pilot/matt").status_code == 200
    assert other.post(f"/studier/pilot/matt/granskning/{ind}/sla-ihop").status_code == 403
    assert other.get("/studier/pilot/matt/experter").status_code == 403
