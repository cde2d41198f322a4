"""The projektledare's cockpit and guards in a real browser (axe-core at desktop and phone
widths): the overview after the core set is confirmed, publishing without core indicators,
archiving and the read-only archived study, the browser's language on a first visit and
plurals in both languages."""

import pytest
from sqlalchemy import select

from consensus.auth.services import issue_link
from consensus.extensions import db
from consensus.measures.models import CanonicalMeasure
from consensus.protocol import services as protocol_services
from consensus.studies import services as study_services
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD
from tests.protocol.test_protocol_services import make_protocol_study
from tests.studies.test_cockpit_page import confirmed_core_set

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, email="pl@example.se"):
    page.goto(live_server + "/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/oversikt")


def _sign_in_any_language(page, live_server):
    page.goto(live_server + "/logga-in")
    page.locator("#email").fill("pl@example.se")
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    page.wait_for_url("**/oversikt")


def _accessible_at_both_widths(page):
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)


def test_cockpit_after_the_core_set_is_confirmed(page, live_server, make_user):
    confirmed_core_set()
    make_user()
    _sign_in(page, live_server)
    page.goto(live_server + "/studier/delphi")
    current = page.locator('.stages [aria-current="step"]')
    assert current.inner_text() == "Kärnuppsättning bekräftad"
    assert page.get_by_text("2 kärnindikatorer är bekräftade.").is_visible()
    assert page.get_by_role("cell", name="5 (83 %)").is_visible()
    _accessible_at_both_widths(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Förbered måttenkäten").click()
    page.wait_for_url("**/studier/delphi/matt")


def test_publishing_without_core_indicators_needs_the_explicit_choice(page, live_server, make_user):
    study = make_protocol_study()
    for m in db.session.scalars(select(CanonicalMeasure)):
        if m.name == "Antal samverkansmöten":
            m.status = "rejected"
            m.reason = "Saknar källa"
    db.session.commit()
    make_user()
    _sign_in(page, live_server)
    page.goto(f"{live_server}/studier/{study.slug}/protokoll/utkast")
    warning = page.locator("#utelamnade")
    assert "1 kärnindikator saknar godtaget mått" in warning.inner_text()
    assert "I2" in warning.inner_text()
    # Reviewed, but the choice about the left-out indicator not made: the app's error summary.
    box = page.get_by_label("Publicera ändå utan dessa kärnindikatorer")
    assert box.get_attribute("required") is None
    page.get_by_label("Jag har granskat utkastet.").check()
    page.get_by_role("button", name="Publicera").click()
    summary = page.locator(".error-summary", has_text="Något behöver rättas")
    assert summary.is_visible()
    assert "Välj om protokollet ska publiceras utan kärnindikatorerna" in summary.inner_text()
    assert protocol_services.versions(study) == []
    _accessible_at_both_widths(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Publicera ändå utan dessa kärnindikatorer").check()
    page.get_by_label("Varför publiceras protokollet utan dem?").fill("Mått tas fram till 1.1.")
    page.get_by_label("Jag har granskat utkastet.").check()
    page.get_by_role("button", name="Publicera").click()
    page.wait_for_url(f"**/studier/{study.slug}/protokoll")
    assert page.get_by_text("Version 1.0.0 är publicerad.").is_visible()


def test_archiving_asks_and_the_archived_study_is_read_only(
    new_page, live_server, make_user, study
):
    make_user()
    panelist = study_services.add_participant(
        study, email="p@example.se", group_id=study.groups[0].id
    )
    token = issue_link(panelist)
    study.info_text = "Frivilligt."
    db.session.commit()
    participant = new_page()
    participant.goto(f"{live_server}/l/{token}")
    participant.get_by_label("Jag har läst informationen och vill delta.").check()
    participant.get_by_role("button", name="Fortsätt").click()

    leader = new_page()
    _sign_in(leader, live_server)
    stale = new_page()  # the groups page, left open in another tab
    _sign_in(stale, live_server)
    stale.goto(live_server + "/studier/pilot/grupper")

    leader.goto(live_server + "/studier/pilot")
    leader.get_by_role("link", name="Arkivera studien …").click()
    leader.get_by_role("button", name="Arkivera studien").click()
    summary = leader.locator(".error-summary")
    assert "Kryssa i rutan för att bekräfta arkiveringen." in summary.inner_text()
    _accessible_at_both_widths(leader)
    leader.get_by_label("Jag förstår att studien blir skrivskyddad", exact=False).check()
    leader.get_by_role("button", name="Arkivera studien").click()
    assert leader.get_by_text("Studien är arkiverad. De personliga länkarna").is_visible()
    assert leader.get_by_role("button", name="Återställ studien").is_visible()

    # The form left open: refused with a Swedish message, nothing added.
    stale.get_by_label("Namn på gruppen").fill("Brukarorganisationer")
    stale.get_by_role("button", name="Lägg till grupp").click()
    assert stale.get_by_text(
        "Studien är arkiverad och skrivskyddad: ingenting har ändrats."
    ).is_visible()
    db.session.expire_all()
    assert [g.name for g in study_services.get_study_by_slug("pilot").groups] == [
        "Politiker",
        "Chefer",
        "Deltagare",
    ]
    stale.goto(live_server + "/studier/pilot/grupper")
    assert stale.get_by_role("heading", name="Lägg till en grupp").count() == 0

    # The participant's open session: "Studien är avslutad", not "open your personal link".
    participant.reload()
    assert participant.get_by_role("heading", name="Studien är avslutad").is_visible()
    assert participant.get_by_text("personliga länk").count() == 0
    _accessible_at_both_widths(participant)


def test_first_visit_in_the_browsers_language_and_plurals(browser, live_server, make_user, study):
    make_user()
    for lang, one in (("en-GB", "1 candidate."), ("sv-SE", "1 kandidat.")):
        context = browser.new_context(locale=lang)
        try:
            page = context.new_page()
            page.goto(live_server + "/")
            expected = lang[:2]
            assert page.locator("html").get_attribute("lang") == expected
            _sign_in_any_language(page, live_server)
            page.goto(live_server + "/studier/pilot/indikatorer")
            assert page.get_by_text(one).is_visible()
            assert_accessible(page)
        finally:
            context.close()
    study_services.add_indicator(
        study, code="P02", title="Tillit", perspective="deltagare", type="process"
    )
    db.session.commit()
    for lang, two in (("en-GB", "2 candidates."), ("sv-SE", "2 kandidater.")):
        context = browser.new_context(locale=lang)
        try:
            page = context.new_page()
            _sign_in_any_language(page, live_server)
            page.goto(live_server + "/studier/pilot/indikatorer")
            assert page.get_by_text(two).is_visible()
        finally:
            context.close()


def test_english_pages_of_a_study_with_english_texts(browser, live_server, study):
    """A panelist whose browser prefers English: the English indicator text where there is
    one, the Swedish study content marked lang="sv" where there is none; axe-core clean."""
    from consensus.rounds import services as round_services

    (p01,) = study.indicators
    p01.title_en = "Participants are involved"
    study_services.add_indicator(
        study, code="E01", title="Hållbara effekter", perspective="samhälle", type="effect"
    )
    study.info_text = "Frivilligt."
    panelist = study_services.add_participant(
        study, email="p@example.se", group_id=study.groups[0].id
    )
    token = issue_link(panelist)
    round_services.open_round(round_services.create_round(study, "rating"))
    db.session.commit()
    context = browser.new_context(locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/l/{token}")
        assert page.locator("html").get_attribute("lang") == "en"
        page.locator("#accept").check()
        page.locator("#submit").click()
        assert page.locator('h1 [lang="sv"]').inner_text() == "Pilotstudie"
        page.goto(f"{live_server}/deltagare/omgang/1")
        english = page.get_by_role("group", name="P01 Participants are involved")
        assert english.is_visible()
        assert english.locator("legend [lang=sv]").count() == 0
        swedish = page.locator('legend [lang="sv"]')
        assert swedish.inner_text() == "Hållbara effekter"
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            assert_accessible(page)
    finally:
        context.close()


def test_ballot_preview_is_read_only_and_accessible(page, live_server, make_user, study):
    from consensus.rounds import services as round_services

    round_services.create_round(study, "rating")
    db.session.commit()
    make_user()
    _sign_in(page, live_server)
    page.goto(live_server + "/studier/pilot/omgangar/1")
    page.get_by_role("link", name="Förhandsvisa som paneldeltagare").click()
    assert page.get_by_text("Ingenting kan sparas här.").is_visible()
    assert page.get_by_label("8", exact=True).is_checked()
    assert page.get_by_label("8", exact=True).is_disabled()
    _accessible_at_both_widths(page)
