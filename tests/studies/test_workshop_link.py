"""Workshop participants keep their personal link: mailed on request (the address is not
kept), and they can log out on a shared device (issue #16)."""

import re

import pytest
from sqlalchemy import select

from consensus.extensions import db
from consensus.studies import services
from consensus.studies.models import Participant
from tests.conftest import make_config


@pytest.fixture
def app_config(database_url, smtp_server):
    return make_config(database_url, MAIL_PORT=smtp_server.port)


@pytest.fixture
def joined(app, study):
    """A phone that joined the study with the conference code."""
    services.ensure_join_code(study)
    db.session.commit()
    phone = app.test_client()
    page = phone.post(
        f"/k/{study.join_code}",
        data={"group": str(study.groups[0].id), "accept": "y"},
        follow_redirects=True,
    ).get_data(as_text=True)
    (shown,) = re.findall(r"/l/[A-Za-z0-9_-]{43}", page)
    return phone, shown


def _link(message) -> str:
    (link,) = re.findall(r"/l/[A-Za-z0-9_-]{43}", message.get_body(("plain",)).get_content())
    return link


def test_the_link_is_mailed_on_request_and_the_address_is_not_kept(app, joined, smtp_server):
    phone, shown = joined
    home = phone.get("/deltagare").get_data(as_text=True)
    assert "Skicka länken till din e-post" in home and "Kopiera länken" not in home

    sent = phone.post("/deltagare/lanken", data={"email": "  jag@example.se "})
    assert sent.status_code == 302
    (message,) = smtp_server.messages
    assert message["To"] == "jag@example.se"
    assert re.search(r"Du deltar som P\d{3}\.", message.get_body(("plain",)).get_content())
    assert phone.get("/deltagare").status_code == 200  # this device stays signed in
    p = db.session.scalar(select(Participant))
    assert p.email is None
    other = app.test_client()
    assert other.get(_link(message)).headers["Location"] == "/deltagare"
    assert other.get("/deltagare").status_code == 200


def test_a_bad_address_says_what_and_sends_nothing(app, joined, smtp_server):
    phone, shown = joined
    page = phone.post("/deltagare/lanken", data={"email": "inte-en-adress"}, follow_redirects=True)
    assert "E-postadressen: Ange en giltig e-postadress" in page.get_data(as_text=True)
    assert smtp_server.messages == []
    assert app.test_client().get(shown).status_code == 302  # the link shown still works


def test_a_refused_message_leaves_the_old_link_working(app, joined, smtp_server):
    phone, shown = joined
    smtp_server.refuse.add("jag@example.se")
    page = phone.post("/deltagare/lanken", data={"email": "jag@example.se"}, follow_redirects=True)
    assert "Det gick inte att skicka länken just nu." in page.get_data(as_text=True)
    other = app.test_client()
    assert other.get(shown).headers["Location"] == "/deltagare"


def test_log_out_on_a_shared_device(app, joined):
    phone, shown = joined
    assert "Logga ut från den här enheten" in phone.get("/deltagare").get_data(as_text=True)
    phone.post("/logga-ut")
    assert phone.get("/deltagare").status_code in (302, 403)
    assert phone.get("/deltagare/omgang/1").status_code in (302, 403)
