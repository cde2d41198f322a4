"""Invitations through a real SMTP server (aiosmtpd on loopback), and a refused connection."""

import re

import pytest
from sqlalchemy import select

from consensus.extensions import db
from consensus.studies import services
from consensus.studies.models import Participant
from tests.conftest import PASSWORD, free_port, make_config, share_studies


@pytest.fixture
def app_config(database_url, smtp_server):
    return make_config(database_url, MAIL_PORT=smtp_server.port)


@pytest.fixture
def leader(client, make_user):
    make_user()
    share_studies()  # the staff work on the test's studies
    client.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    return client


@pytest.fixture
def panel(study):
    members = [
        services.add_participant(
            study, name=f"Person {n}", email=f"p{n}@example.se", group_id=study.groups[n % 3].id
        )
        for n in range(3)
    ]
    db.session.commit()
    return members


def _links(message) -> list[str]:
    return re.findall(
        r"http://[^\s]+/l/[A-Za-z0-9_-]{43}", message.get_body(("plain",)).get_content()
    )


def test_invite_all_sends_personal_links_that_work(app, leader, panel, smtp_server):
    response = leader.post("/studier/pilot/panel/bjud-in/unsent", follow_redirects=True)
    assert "3 inbjudningar skickades." in response.get_data(as_text=True)
    assert len(smtp_server.messages) == 3
    message = smtp_server.messages[0]
    assert message["To"] == "p0@example.se"
    assert "Inbjudan: Pilotstudie" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "Hej Person 0!" in body
    (link,) = _links(message)
    for p in panel:
        db.session.refresh(p)
        assert p.invitation_status == "sent" and p.invited_at is not None

    other = app.test_client()
    assert other.get(link.replace("http://localhost", "")).status_code == 302
    assert other.get("/deltagare").status_code == 200
    db.session.refresh(panel[0])
    assert panel[0].first_visit_at is not None

    # Resend to those who have not visited: only the other two, with new links.
    smtp_server.messages.clear()
    leader.post("/studier/pilot/panel/bjud-in/unvisited")
    assert sorted(m["To"] for m in smtp_server.messages) == ["p1@example.se", "p2@example.se"]


def test_refused_recipient_is_marked_failed_with_reason(leader, panel, smtp_server):
    smtp_server.refuse.add("p1@example.se")
    response = leader.post("/studier/pilot/panel/bjud-in/unsent", follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "2 inbjudningar skickades." in body
    assert "1 inbjudningar kunde inte levereras" in body
    db.session.expire_all()
    failed = db.session.scalar(select(Participant).where(Participant.email == "p1@example.se"))
    assert failed.invitation_status == "failed"
    assert "550" in failed.invitation_error
    assert failed.token_hash is None  # no link was issued for a message that never arrived
    assert "misslyckades" in leader.get("/studier/pilot/panel").get_data(as_text=True)


def test_resend_one(leader, panel, smtp_server):
    p = panel[2]
    leader.post(f"/studier/pilot/panel/{p.id}/bjud-in")
    assert [m["To"] for m in smtp_server.messages] == ["p2@example.se"]


class TestMailOutage:
    @pytest.fixture
    def app_config(self, database_url):
        return make_config(database_url, MAIL_PORT=free_port())  # nothing listens here

    def test_outage_fails_visibly_and_keeps_everything(self, leader, panel):
        from consensus.auth.services import issue_link

        old_token = issue_link(panel[0])
        db.session.commit()
        response = leader.post("/studier/pilot/panel/bjud-in/unsent", follow_redirects=True)
        body = response.get_data(as_text=True)
        assert "Ingen kontakt med e-postservern" in body
        assert "står kvar som ej skickade" in body
        # In words, naming the server and the settings to check; never the socket's errno.
        port = leader.application.config["MAIL_PORT"]
        assert f"E-postservern svarar inte (127.0.0.1:{port}). Kontrollera MAIL_SERVER" in body
        assert "Errno" not in body and "Connection refused" not in body
        db.session.expire_all()
        for p in panel:
            db.session.refresh(p)
            assert p.invitation_status == "unsent"
            assert p.invitation_error.startswith("E-postservern svarar inte (127.0.0.1:")
        panel_page = leader.get("/studier/pilot/panel").get_data(as_text=True)
        assert "E-postservern svarar inte" in panel_page and "Errno" not in panel_page
        # The link the first panelist already had still works.
        assert leader.application.test_client().get(f"/l/{old_token}").status_code == 302
