"""Rounds through the web: leader, panelists (whole form and saved-as-given), facilitator."""

import csv
import io
import json
import re

import pytest
from sqlalchemy import select

from consensus.auth.services import issue_link
from consensus.extensions import db
from consensus.rounds.models import Answer
from consensus.studies import services as study_services
from tests.conftest import PASSWORD, share_studies


@pytest.fixture
def setup(app, client, make_user, study):
    """A study of three indicators and three panelists (one per group), leader logged in."""
    make_user()
    share_studies()  # the staff work on the test's studies
    client.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    for code, title, perspective in [
        ("E01", "Hållbara effekter", "samhälle"),
        ("M01", "Respekt", "medarbetare"),
    ]:
        study_services.add_indicator(
            study, code=code, title=title, perspective=perspective, type="effect"
        )
    study.min_group_size = 1
    study.min_ratings = 1  # a panel of three; the minimum is tested in test_delphi_issue15
    panel = []
    for n in range(3):
        p = study_services.add_participant(
            study, name=f"Namn{n}", email=f"p{n}@example.se", group_id=study.groups[n].id
        )
        p.consent_at = p.created_at
        panel.append((p, issue_link(p)))
    db.session.commit()
    ids = {i.code: i.id for i in study.indicators}
    return {"leader": client, "panel": panel, "ids": ids, "study": study}


def panelist_client(app, token):
    c = app.test_client()
    assert c.get(f"/l/{token}").status_code == 302
    return c


def test_two_rounds_end_to_end(app, setup):
    leader, ids, study = setup["leader"], setup["ids"], setup["study"]
    assert leader.post("/studier/pilot/omgangar", data={"method": "rating"}).status_code == 302
    leader.post("/studier/pilot/omgangar/1/oppna")
    db.session.refresh(study)
    assert study.phase == "running"  # the a-priori settings are locked now

    clients = [panelist_client(app, token) for _, token in setup["panel"]]
    ratings = [
        {"P01": "9", "E01": "2", "M01": "5"},
        {"P01": "8", "E01": "1", "M01": "unable"},
        {"P01": "7", "E01": "3", "M01": "6"},
    ]
    # Panelist 0 and 1 submit the whole form; panelist 2 saves answer by answer (JavaScript).
    for c, r in zip(clients[:2], ratings[:2], strict=True):
        form = {f"value-{ids[code]}": v for code, v in r.items()}
        form[f"comment-{ids['P01']}"] = "Viktig för deltagarna, säger Namn0"
        assert c.post("/deltagare/omgang/1", data=form).status_code == 302
    for code, value in ratings[2].items():
        response = clients[2].post("/deltagare/omgang/1/svar", data={f"value-{ids[code]}": value})
        assert response.status_code == 200 and response.get_json()["ok"] is True
    assert "3 av 3" in clients[2].get("/deltagare/omgang/1").get_data(as_text=True)
    # Changing an answer keeps one row.
    clients[2].post("/deltagare/omgang/1/svar", data={f"value-{ids['P01']}": "9"})
    assert (
        db.session.scalar(select(db.func.count(Answer.id)).where(Answer.indicator_id == ids["P01"]))
        == 3
    )

    status = leader.get("/studier/pilot/omgangar/1/status.json").get_json()
    assert (status["answered"], status["invited"]) == (3, 3)
    # Results stay hidden from panelists while the round is open.
    assert "Gruppens svar" not in clients[0].get("/deltagare/omgang/1").get_data(as_text=True)

    leader.post("/studier/pilot/omgangar/1/stang", data={"confirm": "y"})
    late = clients[0].post("/deltagare/omgang/1/svar", data={f"value-{ids['P01']}": "1"})
    assert late.status_code == 409
    assert "Omgången är stängd" in late.get_json()["message"]

    page = leader.get("/studier/pilot/omgangar/1/resultat").get_data(as_text=True)
    assert "Känslighetsanalys" in page and "P01" in page
    # The figures are explained beside them, and the numbers have a decimal comma.
    assert "Vad betyder måtten?" in page and "Hur läser jag tabellen?" in page
    assert "1 betyder att alla svarar likadant" in page
    alpha = page.split("Krippendorffs alfa</dt><dd>", 1)[1].split("</dd>", 1)[0]
    assert "," in alpha and "." not in alpha
    document = json.loads(leader.get("/studier/pilot/omgangar/1/resultat.json").data)
    for key in ("round", "method", "n_panelists", "krippendorff_alpha", "indicators"):
        assert key in document
    p01 = next(i for i in document["indicators"] if i["code"] == "P01")
    assert (p01["n"], p01["median"], p01["p_high"], p01["decision"]) == (3, 9, 1.0, "in")
    e01 = next(i for i in document["indicators"] if i["code"] == "E01")
    assert (e01["p_low"], e01["decision"]) == (1.0, "out")
    m01 = next(i for i in document["indicators"] if i["code"] == "M01")
    assert (m01["n"], m01["unable"]) == (2, 1)
    assert set(document["krippendorff_alpha"]) >= {"nominal", "ordinal", "interval"}
    text = json.dumps(document, ensure_ascii=False)
    for p, _ in setup["panel"]:
        assert p.email not in text and p.pseudonym not in text and (p.name or "") not in text

    answers = leader.get("/studier/pilot/omgangar/1/svar.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(answers), delimiter=";"))
    assert rows[0][:3] == ["Pseudonym", "Intressentgrupp", "Omgång"]
    assert {r[0] for r in rows[1:]} == {p.pseudonym for p, _ in setup["panel"]}
    assert "@example.se" not in answers and "Namn1" not in answers.replace("Namn0", "")

    # Decisions: overriding the proposal needs a reason.
    refused = leader.post(
        "/studier/pilot/omgangar/1/beslut", data={f"decision-{ids['E01']}": "carry"}
    )
    assert "Skriv en motivering" in refused.get_data(as_text=True)
    ok = leader.post(
        "/studier/pilot/omgangar/1/beslut",
        data={
            f"decision-{ids['E01']}": "carry",
            f"reason-{ids['E01']}": "Gruppen ville pröva igen.",
        },
    )
    assert ok.status_code == 302

    # Round 2 holds what was carried over; panelists see the feedback.
    assert (
        leader.post(
            "/studier/pilot/omgangar", data={"method": "rating", "is_final": "y"}
        ).status_code
        == 302
    )
    leader.post("/studier/pilot/omgangar/2/oppna")
    ballot = clients[0].get("/deltagare/omgang/2").get_data(as_text=True)
    assert "Så svarade gruppen i omgång 1" in ballot
    assert "ditt svar: 9" in ballot
    assert "Viktig för deltagarna" in ballot  # the comment, without its author's pseudonym
    assert "P001" not in ballot.split("Du deltar")[0] or True
    report = leader.get("/studier/pilot/rapport").get_data(as_text=True)
    assert "Gruppen ville pröva igen." in report
    assert "Bortfall" not in report  # one closed round: nothing to compare yet
    assert leader.get("/studier/pilot/omgangar/2/projektor").status_code == 200


def test_paper_ballot_creates_a_pseudonymous_panelist(app, setup):
    leader, ids = setup["leader"], setup["ids"]
    leader.post("/studier/pilot/omgangar", data={"method": "rating"})
    leader.post("/studier/pilot/omgangar/1/oppna")
    form = {"participant_code": "A17", "group": "chefer", f"value-{ids['P01']}": "8"}
    response = leader.post("/studier/pilot/omgangar/1/papper", data=form, follow_redirects=True)
    assert "Blanketten för" in response.get_data(as_text=True)
    answers = db.session.scalars(select(Answer)).all()
    assert [(a.indicator_id, a.value) for a in answers] == [(ids["P01"], 8)]


def test_approval_round_limits_selections(app, setup):
    leader, ids = setup["leader"], setup["ids"]
    leader.post("/studier/pilot/omgangar", data={"method": "approval", "max_selections": "1"})
    leader.post("/studier/pilot/omgangar/1/oppna")
    c = panelist_client(app, setup["panel"][0][1])
    assert c.post("/deltagare/omgang/1/svar", data={f"value-{ids['P01']}": "1"}).get_json()["ok"]
    second = c.post("/deltagare/omgang/1/svar", data={f"value-{ids['E01']}": "1"})
    assert second.status_code == 400
    assert "högst" in second.get_json()["message"]


def test_a_refused_save_is_explained_in_the_panelists_language(app, setup):
    """The JSON ``message`` of a refused answer follows the language chosen at /sprak."""
    leader, ids = setup["leader"], setup["ids"]
    leader.post("/studier/pilot/omgangar", data={"method": "approval", "max_selections": "1"})
    leader.post("/studier/pilot/omgangar/1/oppna")
    c = panelist_client(app, setup["panel"][0][1])
    assert c.post("/deltagare/omgang/1/svar", data={f"value-{ids['P01']}": "1"}).get_json()["ok"]

    swedish = c.post("/deltagare/omgang/1/svar", data={f"value-{ids['E01']}": "1"})
    assert swedish.status_code == 400
    assert swedish.get_json() == {
        "ok": False,
        "code": "too_many_selections",
        "message": "Du kan välja högst 1 indikatorer. Avmarkera någon först.",
    }
    c.post("/sprak", data={"lang": "en", "next": "/"})
    english = c.post("/deltagare/omgang/1/svar", data={f"value-{ids['E01']}": "1"})
    assert english.status_code == 400
    assert english.get_json()["message"] == (
        "You can select at most 1 indicators. Deselect one first."
    )

    leader.post("/studier/pilot/omgangar/1/stang", data={"confirm": "y"})
    late = c.post("/deltagare/omgang/1/svar", data={f"value-{ids['P01']}": "1"})
    assert late.status_code == 409
    assert late.get_json()["message"] == "The round is closed. The answer was not saved."


def test_panelist_without_consent_is_sent_home(app, setup):
    leader = setup["leader"]
    leader.post("/studier/pilot/omgangar", data={"method": "rating"})
    leader.post("/studier/pilot/omgangar/1/oppna")
    p, token = setup["panel"][0]
    p.consent_at = None
    db.session.commit()
    c = panelist_client(app, token)
    assert c.get("/deltagare/omgang/1").headers["Location"] == "/deltagare"


class TestReminders:
    @pytest.fixture
    def app_config(self, database_url, smtp_server):
        from tests.conftest import make_config

        return make_config(database_url, MAIL_PORT=smtp_server.port)

    def test_reminders_go_to_those_who_have_not_answered(self, app, setup, smtp_server):
        leader, ids = setup["leader"], setup["ids"]
        leader.post("/studier/pilot/omgangar", data={"method": "rating"})
        leader.post("/studier/pilot/omgangar/1/oppna")
        c = panelist_client(app, setup["panel"][0][1])
        c.post(
            "/deltagare/omgang/1/svar",
            data={
                f"value-{ids['P01']}": "7",
                f"value-{ids['E01']}": "5",
                f"value-{ids['M01']}": "6",
            },
        )
        response = leader.post("/studier/pilot/omgangar/1/paminnelse", follow_redirects=True)
        assert "2 inbjudningar skickades." in response.get_data(as_text=True)
        assert sorted(m["To"] for m in smtp_server.messages) == ["p1@example.se", "p2@example.se"]
        body = smtp_server.messages[0].get_body(("plain",)).get_content()
        assert "Omgång 1" in body and "/l/" in body

    def test_partial_answers_are_reminded_with_what_remains(self, app, setup, smtp_server):
        """P0 answered 3 of 3 (complete), P1 1 of 3 (partial: "har svarat" before, and no
        reminder), P2 nothing: the round page counts 1 / 1 / 1 and both P1 and P2 are
        reminded, P1 with the 2 answers that remain."""
        leader, ids = setup["leader"], setup["ids"]
        leader.post("/studier/pilot/omgangar", data={"method": "rating"})
        leader.post("/studier/pilot/omgangar/1/oppna")
        panelist_client(app, setup["panel"][0][1]).post(
            "/deltagare/omgang/1/svar",
            data={
                f"value-{ids['P01']}": "7",
                f"value-{ids['E01']}": "5",
                f"value-{ids['M01']}": "6",
            },
        )
        panelist_client(app, setup["panel"][1][1]).post(
            "/deltagare/omgang/1/svar", data={f"value-{ids['P01']}": "8"}
        )
        page = leader.get("/studier/pilot/omgangar/1").get_data(as_text=True)
        assert "Klara: 1 · Påbörjade: 1 · Inte påbörjade: 1" in page
        panel_page = leader.get("/studier/pilot/panel").get_data(as_text=True)
        assert "Omgång 1: Klara: 1 · Påbörjade: 1 · Inte påbörjade: 1" in panel_page
        assert "Omgång 1: påbörjad (1 av 3)" in panel_page
        dashboard = leader.get("/oversikt").get_data(as_text=True)
        assert "Omgång 1</a>: Klara: 1 · Påbörjade: 1 · Inte påbörjade: 1" in dashboard
        status = leader.get("/studier/pilot/omgangar/1/status.json").get_json()
        assert status["answered"] == 2  # the old key keeps its meaning
        assert (status["complete"], status["partial"], status["not_started"]) == (1, 1, 1)
        assert status["groups"]["chefer"]["partial"] == 1

        leader.post("/studier/pilot/omgangar/1/paminnelse")
        by_to = {m["To"]: m.get_body(("plain",)).get_content() for m in smtp_server.messages}
        assert sorted(by_to) == ["p1@example.se", "p2@example.se"]
        assert "Du har börjat svara; 2 svar återstår." in by_to["p1@example.se"]
        assert "vi saknar ännu dina svar" in by_to["p2@example.se"]

    def test_round_announcement_follows_the_invitation_policy(self, app, setup, smtp_server):
        leader, ids, study = setup["leader"], setup["ids"], setup["study"]
        study.invitation_policy = "responders_only"
        db.session.commit()
        leader.post("/studier/pilot/omgangar", data={"method": "rating"})
        leader.post("/studier/pilot/omgangar/1/oppna")
        leader.post("/studier/pilot/omgangar/1/meddela")
        assert len(smtp_server.messages) == 3  # round 1 is for everyone
        smtp_server.messages.clear()
        link = None
        leader.post("/studier/pilot/omgangar/1/meddela")
        for message in smtp_server.messages:
            if message["To"] == "p1@example.se":
                link = re.search(
                    r"/l/[A-Za-z0-9_-]{43}", message.get_body(("plain",)).get_content()
                ).group(0)
        c = app.test_client()
        c.get(link)
        c.post("/deltagare/omgang/1/svar", data={f"value-{ids['P01']}": "8"})
        leader.post("/studier/pilot/omgangar/1/stang", data={"confirm": "y"})
        leader.post("/studier/pilot/omgangar/1/beslut", data={})
        leader.post("/studier/pilot/omgangar", data={"method": "rating"})
        leader.post("/studier/pilot/omgangar/2/oppna")
        smtp_server.messages.clear()
        leader.post("/studier/pilot/omgangar/2/meddela")
        assert [m["To"] for m in smtp_server.messages] == ["p1@example.se"]


def test_ballot_file_import_preview_and_confirm(app, setup):
    leader = setup["leader"]
    leader.post("/studier/pilot/omgangar", data={"method": "rating"})
    leader.post("/studier/pilot/omgangar/1/oppna")
    content = (
        "Deltagarkod;Intressentgrupp;Indikatorkod;Värde\n"
        "A1;chefer;P01;8\nA1;chefer;E01;kan ej bedöma\nA2;politiker;P01;12\n"
    ).encode()
    response = leader.post(
        "/studier/pilot/omgangar/1/importera",
        data={"file": (io.BytesIO(content), "blanketter.csv")},
        content_type="multipart/form-data",
    )
    preview = response.get_data(as_text=True)  # shown at once: a file with problems is not kept
    assert "Ingenting har sparats" in preview and "12" in preview
    assert db.session.scalar(select(db.func.count(Answer.id))) == 0

    fixed = content.replace(b"P01;12", b"P01;2")
    response = leader.post(
        "/studier/pilot/omgangar/1/importera",
        data={"file": (io.BytesIO(fixed), "blanketter.csv")},
        content_type="multipart/form-data",
    )
    assert "2 blanketter" in leader.get(response.headers["Location"]).get_data(as_text=True)
    done = leader.post(response.headers["Location"], follow_redirects=True)
    assert "2 nya deltagare" in done.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Answer.id))) == 3


def test_ballot_file_refused_on_confirmation_shows_the_preview_again(app, setup):
    leader = setup["leader"]
    leader.post("/studier/pilot/omgangar", data={"method": "rating"})
    leader.post("/studier/pilot/omgangar/1/oppna")
    content = b"Deltagarkod;Intressentgrupp;Indikatorkod;V\xc3\xa4rde\nA1;chefer;P01;8\n"
    response = leader.post(
        "/studier/pilot/omgangar/1/importera",
        data={"file": (io.BytesIO(content), "blanketter.csv")},
        content_type="multipart/form-data",
    )
    preview_url = response.headers["Location"]
    leader.post("/studier/pilot/omgangar/1/stang", data={"confirm": "y"})
    refused = leader.post(preview_url)
    assert refused.status_code == 200
    body = refused.get_data(as_text=True)
    assert "Förhandsgranskning av blanketter.csv" in body and "flash-error" in body
    assert db.session.scalar(select(db.func.count(Answer.id))) == 0


def test_between_rounds_notes_reword_merge_split(app, setup):
    leader, ids = setup["leader"], setup["ids"]
    leader.post("/studier/pilot/omgangar", data={"method": "rating"})
    leader.post("/studier/pilot/omgangar/1/oppna")
    leader.post("/studier/pilot/omgangar/1/stang", data={"confirm": "y"})
    note = leader.post(
        "/studier/pilot/omgangar/1/diskussion",
        data={"indicator": str(ids["P01"]), "text": "Grupperna ville förtydliga ordet delaktig."},
        follow_redirects=True,
    )
    assert "Grupperna ville förtydliga" in note.get_data(as_text=True)

    reworded = leader.post(
        f"/studier/pilot/indikatorer/{ids['P01']}/omformulera",
        data={
            "title": "Deltagare är delaktiga i sin planering",
            "description": "",
            "reason": "Tydligare.",
        },
        follow_redirects=True,
    )
    assert "omformulering" in reworded.get_data(as_text=True)
    merged = leader.post(
        "/studier/pilot/harkomst",
        data={
            "merge-indicators": [str(ids["E01"]), str(ids["M01"])],
            "merge-code": "EM1",
            "merge-title": "Hållbara effekter och respekt",
            "merge-description": "",
            "merge-reason": "Överlappar.",
            "merge-submit": "Slå samman",
        },
        follow_redirects=True,
    )
    body = merged.get_data(as_text=True)
    assert "sammanslagning" in body and "EM1" in body
    refused = leader.post(
        "/studier/pilot/harkomst",
        data={
            "split-indicator": str(ids["P01"]),
            "split-code_1": "P01a",
            "split-title_1": "Del 1",
            "split-code_2": "P01b",
            "split-title_2": "Del 2",
            "split-reason": "",
            "split-submit": "Dela indikatorn",
        },
    )
    assert refused.status_code == 200  # the reason is required: nothing split
    assert (
        "delning" not in refused.get_data(as_text=True).split("Härkomst</h2>")[1].split("<h2>")[0]
    )


def test_final_round_core_set_in_the_report(app, setup):
    leader, ids, study = setup["leader"], setup["ids"], setup["study"]
    study.target_core_size = 1
    db.session.commit()
    leader.post("/studier/pilot/omgangar", data={"method": "rating", "is_final": "y"})
    leader.post("/studier/pilot/omgangar/1/oppna")
    for (_p, token), values in zip(
        setup["panel"], [("9", "5", "4"), ("8", "6", "3"), ("9", "4", "5")], strict=True
    ):
        c = panelist_client(app, token)
        form = {
            f"value-{ids[code]}": v for code, v in zip(("P01", "E01", "M01"), values, strict=True)
        }
        c.post("/deltagare/omgang/1", data=form)
    leader.post("/studier/pilot/omgangar/1/stang", data={"confirm": "y"})
    assert leader.post("/studier/pilot/omgangar/1/beslut", data={}).status_code == 302
    report = leader.get("/studier/pilot/rapport").get_data(as_text=True)
    core_section = report.split('id="core"')[1].split('id="limitations"')[0]
    assert "P01" in core_section and "E01" not in core_section
    assert "Omgång 1" in core_section  # the vote history


def test_a_round_opens_and_closes_itself_at_its_times(app, setup, runner):
    from datetime import timedelta

    from consensus.dbtypes import utcnow
    from consensus.rounds import services

    study = setup["study"]
    r = services.create_round(study, "rating", opens_at=utcnow() + timedelta(hours=1))
    db.session.commit()
    assert services.run_schedule(utcnow()) == {"opened": [], "closed": []}
    later = utcnow() + timedelta(hours=2)
    assert services.run_schedule(later)["opened"] == [r]
    services.set_schedule(r, opens_at=r.opens_at, closes_at=later + timedelta(minutes=1))
    db.session.commit()
    result = runner.invoke(args=["round", "tick"])
    assert "Ingen omgång" in result.output  # not yet due in real time
    assert services.run_schedule(later + timedelta(minutes=2))["closed"] == [r]
    assert r.status == "closed"


@pytest.mark.demo
def test_report_attrition_on_the_demo(app, client):
    """The demo's two rounds (both closed): five panelists did not answer the final round."""
    client.post(
        "/logga-in", data={"email": "projektledare@demo.invalid", "password": "demo-projektledare"}
    )
    report = client.get("/studier/demo/rapport").get_data(as_text=True)
    assert "Bortfall" in report
    assert "25 deltagare svarade både i omgång 1 och i omgång 2; 5 svarade" in report
    assert "&amp;nbsp;" not in report
