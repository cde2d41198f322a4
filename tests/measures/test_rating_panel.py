"""The experts' rating of the measures, the leader's side: who has rated (complete, partial,
not started), the experts told by email when it opens and reminded with what is left, the
expert's progress and autosave, "nothing saved" for an empty form, and the export under
pseudonyms."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from consensus.auth.services import issue_link
from consensus.extensions import db
from consensus.measures import services as ms
from consensus.measures.models import Respondent
from consensus.studies.models import Indicator
from tests.conftest import make_config
from tests.measures import test_leader_views as leader_views

leader = leader_views.leader
proposals = leader_views.proposals


@pytest.fixture
def app_config(database_url, smtp_server):
    return make_config(database_url, MAIL_PORT=smtp_server.port)


@pytest.fixture
def rating(leader, proposals):
    """Two measures to rate (4 ratings per expert), the rating open, three experts."""
    survey = proposals["survey"]
    indicator = db.session.get(Indicator, proposals["indicator"])
    first = ms.merge_proposals(survey, indicator, proposals["ids"][:2], {"name": "Inflytande"})
    second = ms.merge_proposals(survey, indicator, proposals["ids"][2:], {"name": "Intervju"})
    db.session.commit()
    leader.post("/studier/pilot/matt/bedomning/oppna")
    experts = db.session.scalars(
        select(Respondent).where(Respondent.participant_id.is_not(None)).order_by(Respondent.id)
    ).all()
    return {"survey": survey, "measures": (first, second), "experts": experts}


def _expert_client(app, respondent):
    token = issue_link(respondent.participant)
    db.session.commit()
    c = app.test_client()
    assert c.get(f"/l/{token}").status_code == 302
    return c


def test_progress_autosave_reminders_and_export(app, leader, rating, smtp_server):
    first, second = rating["measures"]
    r1, r2, _r3 = rating["experts"]
    c1, c2 = _expert_client(app, r1), _expert_client(app, r2)

    # An empty form saves nothing and says so.
    empty = c1.post("/matt/pilot/bedomning", data={}, follow_redirects=True)
    assert "Ingenting sparades: du har inte valt någon bedömning." in empty.get_data(as_text=True)

    # Autosave, one rating at a time, with the progress.
    for n, (key, value) in enumerate(
        [
            (f"rate-{first.id}-relevance", "9"),
            (f"rate-{first.id}-feasibility", "unable"),
            (f"rate-{second.id}-relevance", "4"),
            (f"rate-{second.id}-feasibility", "6"),
        ],
        start=1,
    ):
        saved = c1.post("/matt/pilot/bedomning/spara", data={key: value})
        assert saved.status_code == 200
        assert saved.get_json()["message"] == f"Sparat. {n} av 4 bedömda."
    bad = c1.post("/matt/pilot/bedomning/spara", data={f"rate-{first.id}-relevance": "12"})
    assert bad.status_code == 400 and bad.get_json()["message"] == "Ogiltigt svar."
    assert "4 av 4 bedömda." in c1.get("/matt/pilot/bedomning").get_data(as_text=True)

    c2.post("/matt/pilot/bedomning/spara", data={f"rate-{first.id}-relevance": "7"})
    assert "1 av 4 bedömda." in c2.get("/matt/pilot/bedomning").get_data(as_text=True)

    page = leader.get("/studier/pilot/matt/bedomning").get_data(as_text=True)
    assert "Klara: 1 · Påbörjade: 1 · Inte påbörjade: 1" in page
    assert "4 av 4" in page and "1 av 4" in page and "0 av 4" in page
    assert "Anna Svensson" not in page and "anna@kommun.se" not in page

    # Reminders go to the partial and the not started, with what is left.
    leader.post("/studier/pilot/matt/bedomning/paminn")
    by_to = {m["To"]: m.get_body(("plain",)).get_content() for m in smtp_server.messages}
    assert sorted(by_to) == ["bo@fk.se", "cia@region.se"]
    assert "Du har börjat; 3 bedömningar återstår." in by_to["bo@fk.se"]
    assert "vi saknar ännu dina bedömningar" in by_to["cia@region.se"]
    assert "/l/" in by_to["cia@region.se"]

    # The export: one row per rating, pseudonyms only.
    export = leader.get("/studier/pilot/matt/bedomning/export.csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Pseudonym", "Nivå", "Indikator"]
    body = rows[1:]
    assert len(body) == 5
    assert {row[0] for row in body} == {r1.pseudonym, r2.pseudonym}
    unable = [row for row in body if row[0] == r1.pseudonym and row[3] == f"M{first.id}"]
    assert sorted((row[5], row[6], row[7]) for row in unable) == [
        ("Genomförbarhet", "", "ja"),
        ("Relevans", "9", ""),
    ]
    text = export.get_data().decode("utf-8-sig")
    assert "Anna" not in text and "@" not in text
    workbook = load_workbook(
        io.BytesIO(leader.get("/studier/pilot/matt/bedomning/export.xlsx").data)
    )
    assert workbook["Bedömningar"].max_row == 6


def test_the_experts_are_told_when_the_rating_opens(leader, rating, smtp_server):
    response = leader.post("/studier/pilot/matt/bedomning/bjud-in", follow_redirects=True)
    assert "3 inbjudningar skickades." in response.get_data(as_text=True)
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "anna@kommun.se",
        "bo@fk.se",
        "cia@region.se",
    ]
    message = smtp_server.messages[0]
    assert "Bedöm måtten i Pilotstudie" in message["Subject"]
    assert "Nu kan du bedöma de föreslagna måtten" in message.get_body(("plain",)).get_content()


def test_no_rating_emails_before_it_opens(leader, proposals, smtp_server):
    response = leader.post("/studier/pilot/matt/bedomning/bjud-in", follow_redirects=True)
    assert "Öppna expertbedömningen innan" in response.get_data(as_text=True)
    assert smtp_server.messages == []
