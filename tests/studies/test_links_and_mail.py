"""Links that keep working, the lost-link page, one panel count and email that looks like it
comes from the organisation (against a real SMTP server on loopback: aiosmtpd)."""

import re
from email.utils import parseaddr, parsedate_to_datetime

import pytest
from sqlalchemy import select

from consensus.dbtypes import utcnow
from consensus.extensions import db
from consensus.studies import lifecycle, services
from consensus.studies.models import PersonalLink
from tests.conftest import PASSWORD, free_port, make_config

SENDER = "Samordningsförbundet Södertörn <kansli@example.se>"


@pytest.fixture
def app_config(database_url, smtp_server):
    return make_config(database_url, MAIL_PORT=smtp_server.port, MAIL_DEFAULT_SENDER=SENDER)


@pytest.fixture
def leader(client, make_user):
    make_user()
    client.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    return client


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def _link(message) -> str:
    (link,) = re.findall(r"http://localhost(/l/[A-Za-z0-9_-]{43})", _text(message))
    return link


def _main(response) -> str:
    """The page's main content (the request id and the like live outside it)."""
    body = response.get_data(as_text=True)
    return body[body.index("<main") : body.index("</main>")]


# --- the lost-link page ------------------------------------------------------------------------


class TestLostLink:
    @pytest.fixture
    def panelist(self, study):
        p = services.add_participant(
            study, name="Anna", email="anna@example.se", group_id=study.groups[0].id
        )
        db.session.commit()
        return p

    def test_a_known_address_gets_a_new_link_and_an_unknown_one_the_same_answer(
        self, app, client, panelist, smtp_server
    ):
        form = client.get("/tappad-lank")
        assert form.status_code == 200 and 'autocomplete="email"' in form.get_data(as_text=True)

        known = client.post("/tappad-lank", data={"email": " Anna@Example.se "})
        assert known.status_code == 200
        assert [m["To"] for m in smtp_server.messages] == ["anna@example.se"]
        message = smtp_server.messages[0]
        assert "Din länk till Pilotstudie" in message["Subject"]
        assert app.test_client().get(_link(message)).status_code == 302
        assert db.session.scalar(select(PersonalLink.purpose)) == "lost"

        unknown = client.post("/tappad-lank", data={"email": "nobody@example.se"})
        assert unknown.status_code == 200
        assert _main(unknown) == _main(known)  # nothing tells the addresses apart
        assert len(smtp_server.messages) == 1
        # Asked again at once: the same answer, no second email (one per 10 minutes).
        again = client.post("/tappad-lank", data={"email": "anna@example.se"})
        assert _main(again) == _main(known) and len(smtp_server.messages) == 1

    def test_nothing_is_sent_for_an_ended_study_or_revoked_links(
        self, client, study, panelist, smtp_server
    ):
        services.revoke_links(panelist)
        db.session.commit()
        client.post("/tappad-lank", data={"email": "anna@example.se"})
        assert smtp_server.messages == []
        services.new_personal_link(panelist)
        study.phase = lifecycle.transition(study.phase, "archive")
        db.session.commit()
        response = client.post("/tappad-lank", data={"email": "anna@example.se"})
        assert response.status_code == 200 and smtp_server.messages == []

    def test_a_malformed_address_is_explained_and_nothing_is_sent(
        self, client, panelist, smtp_server
    ):
        response = client.post("/tappad-lank", data={"email": "anna.example.se"})
        assert response.status_code == 200
        assert "Det där ser inte ut som en e-postadress" in response.get_data(as_text=True)
        empty = client.post("/tappad-lank", data={"email": ""})
        assert "Skriv den e-postadress som inbjudan skickades till." in empty.get_data(as_text=True)
        assert smtp_server.messages == []


class TestLostLinkRateLimit:
    @pytest.fixture
    def app_config(self, database_url):
        return make_config(database_url, RATELIMIT_ENABLED=True, MAIL_PORT=free_port())

    def test_the_page_is_rate_limited(self, client):
        codes = [
            client.post("/tappad-lank", data={"email": f"x{n}@example.se"}).status_code
            for n in range(6)
        ]
        assert codes == [200] * 5 + [429]
        assert client.get("/tappad-lank").status_code == 200  # reading the page is not


# --- links that keep working ----------------------------------------------------------------


def test_an_old_invitation_link_works_after_a_reminder(app, leader, study, smtp_server):
    p = services.add_participant(study, email="a@example.se", group_id=study.groups[0].id)
    db.session.commit()
    leader.post("/studier/pilot/panel/bjud-in/unsent")
    leader.post("/studier/pilot/panel/bjud-in/unvisited")  # sent again: a second link
    first, second = (_link(m) for m in smtp_server.messages)
    assert first != second
    assert app.test_client().get(first).status_code == 302
    assert app.test_client().get(second).status_code == 302
    assert [link.purpose for link in db.session.scalars(select(PersonalLink))] == [
        "invitation",
        "invitation",
    ]
    # The panel page tells how many links work and offers to revoke them.
    page = leader.get("/studier/pilot/panel").get_data(as_text=True)
    assert "2 giltiga länkar" in page
    leader.post(f"/studier/pilot/panel/{p.id}/sparra-lankar")
    assert app.test_client().get(first).status_code == 403


# --- one count of the panel ----------------------------------------------------------------


def test_the_panel_counts_agree_on_every_page(leader, study):
    """Three invited panelists (one opened the link), one who joined in the room, one erased;
    and two measures experts (one opened the link) who are not the panel. Before: the
    dashboard and the list said 7 (everyone), the overview "5 paneldeltagare, varav 3 har
    öppnat sin länk" (the room joiner and the expert counted as visitors)."""
    members = [
        services.add_participant(study, email=f"p{n}@example.se", group_id=study.groups[0].id)
        for n in range(3)
    ]
    members[0].first_visit_at = utcnow()
    services.join_workshop(study, study.groups[1])
    erased = services.add_participant(study, email="gone@example.se", group_id=study.groups[2].id)
    services.erase_participant(erased)
    expert = services.add_participant(study, email="e1@example.se", kind="expert")
    expert.first_visit_at = utcnow()
    services.add_participant(study, email="e2@example.se", kind="expert")
    db.session.commit()

    dashboard = leader.get("/oversikt").get_data(as_text=True)
    studies = leader.get("/studier").get_data(as_text=True)
    overview = leader.get("/studier/pilot").get_data(as_text=True)
    panel = leader.get("/studier/pilot/panel").get_data(as_text=True)
    assert re.search(r"Pilotstudie</a></td>\s*<td>[^<]*</td>\s*<td>1</td>\s*<td>5</td>", dashboard)
    assert re.search(r'<td class="num">1</td>\s*<td class="num">5</td>', studies)
    assert "Paneldeltagare: 5, varav 2 har öppnat sin länk" in overview
    assert "(2 utan e-postadress: anslöt i rummet eller svarar på papper)" in overview
    assert len(re.findall(r"<code>P\d+</code>", panel)) == 5
    assert "5 paneldeltagare." in panel


# --- email that looks like it comes from the organisation -------------------------------------


def test_email_headers_parts_and_the_recipients_language(leader, study, smtp_server):
    study.reply_to = "projektledare@example.se"
    sv = services.add_participant(
        study, name="Sven", email="sv@example.se", group_id=study.groups[0].id
    )
    en = services.add_participant(
        study, name="Emma", email="en@example.se", group_id=study.groups[1].id, language="en"
    )
    db.session.commit()
    leader.post("/sprak", data={"lang": "en"})  # the sender works in English
    leader.post("/studier/pilot/panel/bjud-in/unsent")
    by_to = {m["To"]: m for m in smtp_server.messages}
    assert sorted(by_to) == [en.email, sv.email]
    for message in by_to.values():
        assert parseaddr(message["From"]) == ("Samordningsförbundet Södertörn", "kansli@example.se")
        assert message["Reply-To"] == "projektledare@example.se"
        assert abs((parsedate_to_datetime(message["Date"]) - utcnow()).total_seconds()) < 120
        assert re.fullmatch(r"<[^<>@\s]+@example\.se>", message["Message-ID"])
        assert message.get_content_type() == "multipart/alternative"
        assert [part.get_content_type() for part in message.iter_parts()] == [
            "text/plain",
            "text/html",
        ]
        html = message.get_body(("html",)).get_content()
        link = "http://localhost" + _link(message)
        assert f'<a href="{link}">{link}</a>' in html
    swedish, english = by_to[sv.email], by_to[en.email]
    assert swedish["Subject"] == "Inbjudan: Pilotstudie"
    assert "Hej Sven!" in _text(swedish) and "Du är inbjuden" in _text(swedish)
    assert '<html lang="sv">' in swedish.get_body(("html",)).get_content()
    assert english["Subject"] == "Invitation: Pilotstudie"
    assert "Hello Emma!" in _text(english) and "Du är inbjuden" not in _text(english)
    assert '<html lang="en">' in english.get_body(("html",)).get_content()


def test_a_participant_who_switches_language_gets_email_in_it(app, study):
    p = services.add_participant(study, email="a@example.se", group_id=study.groups[0].id)
    token = services.new_personal_link(p)
    db.session.commit()
    c = app.test_client()
    c.get(f"/l/{token}")
    c.post("/sprak", data={"lang": "en"})
    db.session.refresh(p)
    assert p.language == "en"


def test_the_reply_to_setting_is_validated(leader, study):
    response = leader.post(
        "/studier/pilot/installningar",
        data={
            "title": "Pilotstudie",
            "scale": "rating_1_9",
            "primary_rule": study.primary_rule,
            "min_group_size": 5,
            "invitation_policy": "all_every_round",
            "reply_to": "inte en adress",
        },
    )
    assert "Det där ser inte ut som en e-postadress" in response.get_data(as_text=True)
    db.session.refresh(study)
    assert study.reply_to is None


def test_a_sample_email_goes_to_the_signed_in_leader(leader, study, smtp_server):
    study.reply_to = "svar@example.se"
    db.session.commit()
    page = leader.get("/studier/pilot").get_data(as_text=True)
    assert "Samordningsförbundet Södertörn &lt;kansli@example.se&gt;" in page
    assert "svar@example.se" in page
    response = leader.post("/studier/pilot/provutskick", follow_redirects=True)
    assert "Ett provmeddelande skickades till pl@example.se." in response.get_data(as_text=True)
    (message,) = smtp_server.messages
    assert message["To"] == "pl@example.se" and message["Subject"] == "Provutskick: Pilotstudie"
    assert message["Reply-To"] == "svar@example.se"
    assert db.session.scalar(select(PersonalLink.id)) is None  # its link opens nothing
    assert "Du är inbjuden" in _text(message)
    # With the study's own invitation text, the sample shows that text.
    study.mail_texts = {"invitation": {"sv": {"subject": "Hej", "body": "Egen text {länk}"}}}
    db.session.commit()
    leader.post("/studier/pilot/provutskick")
    assert _text(smtp_server.messages[-1]).startswith("Egen text http://localhost/l/")


class TestDeliveryErrorsInWords:
    @pytest.fixture
    def app_config(self, database_url):
        return make_config(database_url, MAIL_PORT=free_port())  # nothing listens here

    def test_the_sample_email_explains_a_mail_outage(self, leader, study, app):
        response = leader.post("/studier/pilot/provutskick", follow_redirects=True)
        body = response.get_data(as_text=True)
        port = app.config["MAIL_PORT"]
        assert f"E-postservern svarar inte (127.0.0.1:{port})" in body
        assert "Kontrollera MAIL_SERVER och MAIL_PORT" in body
        assert "Errno" not in body and "Connection refused" not in body


# --- the study's own email texts ------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "body", "codes"),
    [
        ("Inbjudan {studie}", "Hej {namn}! {länk} {sista_dag} {återstår} {omgång}", []),
        ("Inbjudan", "Hej {namn}! {lank}", ["mail_unknown_placeholder", "mail_link_required"]),
        ("", "{länk}", ["mail_subject_required"]),
        ("Rad ett\nrad två", "{länk}", ["mail_subject_one_line"]),
        ("Hej {namn", "{länk}", ["mail_brace_unclosed_subject"]),
        ("Hej", "", ["mail_body_required"]),
    ],
)
def test_mail_text_check(subject, body, codes):
    from consensus.studies.mail_texts import check

    assert [p.code for p in check(subject, body)] == codes


def test_mail_text_fill():
    from consensus.studies.mail_texts import fill

    values = {"namn": "Anna", "länk": "https://x/l/abc", "studie": "Pilot"}
    assert fill("Hej {namn}! {länk} ({studie}) {okänd}", values) == (
        "Hej Anna! https://x/l/abc (Pilot) {okänd}"
    )
    assert fill("Hej{ namn }.", {"namn": ""}) == "Hej."


def test_a_study_words_its_own_invitation(leader, study, smtp_server):
    page = leader.get("/studier/pilot/e-posttexter/invitation/sv").get_data(as_text=True)
    # The default text is the starting point, placeholders where the recipient's details go.
    assert "Inbjudan: {studie}" in page and "{länk}" in page and "Hej {namn}!" in page

    bad = leader.post(
        "/studier/pilot/e-posttexter/invitation/sv",
        data={"subject": "Välkommen", "body": "Hej {namn}! Klicka på {lank}.", "action": "save"},
    )
    text = bad.get_data(as_text=True)
    assert "Okänd platshållare {lank}." in text
    assert "Texten måste innehålla {länk}" in text
    db.session.refresh(study)
    assert study.mail_texts is None

    preview = leader.post(
        "/studier/pilot/e-posttexter/invitation/sv",
        data={
            "subject": "Välkommen till {studie}",
            "body": "Hej {namn}!\n\n{länk}",
            "action": "preview",
        },
    ).get_data(as_text=True)
    assert "Välkommen till Pilotstudie" in preview and "Hej Anna Andersson!" in preview
    db.session.refresh(study)
    assert study.mail_texts is None  # a preview saves nothing

    leader.post(
        "/studier/pilot/e-posttexter/invitation/sv",
        data={
            "subject": "Välkommen till {studie}",
            "body": "Hej {namn}!\n\nDin länk: {länk}\n\nVänliga hälsningar, förbundet",
            "action": "save",
        },
    )
    services.add_participant(study, name="Sven", email="sv@example.se", group_id=study.groups[0].id)
    services.add_participant(
        study, name="Emma", email="en@example.se", group_id=study.groups[0].id, language="en"
    )
    db.session.commit()
    leader.post("/studier/pilot/panel/bjud-in/unsent")
    by_to = {m["To"]: m for m in smtp_server.messages}
    swedish = by_to["sv@example.se"]
    assert swedish["Subject"] == "Välkommen till Pilotstudie"
    assert _text(swedish).startswith("Hej Sven!")
    assert "Vänliga hälsningar, förbundet" in _text(swedish)
    assert app_link_works(leader, _link(swedish))
    # The English recipient has no own English text: the built-in English one.
    assert by_to["en@example.se"]["Subject"] == "Invitation: Pilotstudie"

    leader.post("/studier/pilot/e-posttexter/invitation/sv", data={"action": "reset"})
    db.session.refresh(study)
    assert not (study.mail_texts or {}).get("invitation")


def app_link_works(client, path: str) -> bool:
    return client.application.test_client().get(path).status_code == 302
