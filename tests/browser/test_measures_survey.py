"""The measures survey in a phone-sized browser: an invited expert proposes two measures for
one indicator, one combined with the other, saves drafts, comes back through the personal link
and submits; the projektledare merges the two and accepts; axe-core on every page."""

from datetime import date

import pytest

from consensus.auth.services import issue_link
from consensus.extensions import db
from consensus.measures import services as ms
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, share_studies

pytestmark = pytest.mark.browser


@pytest.fixture
def expert_link(study):
    survey = ms.create_survey(
        study, intro_text="Föreslå mått.", indicator_ids=[i.id for i in study.indicators]
    )
    ms.add_workshop(
        survey,
        date=date(2014, 9, 24),
        time_text="kl. 13.00",
        place="Linköping",
        area="Östergötland",
        contact_person="Peter Johansson",
    )
    ms.change_status(survey, "open")
    r = ms.add_expert(
        survey, email="anna@kommun.se", name="Anna Svensson", organisation="Linköpings kommun"
    )
    token = issue_link(r.participant)
    db.session.commit()
    return token


def _phone(new_page):
    page = new_page()
    page.set_viewport_size({"width": 400, "height": 900})
    return page


def test_expert_proposes_combines_resumes_and_submits(
    new_page, live_server, expert_link, make_user
):
    make_user()
    page = _phone(new_page)
    page.goto(live_server + "/matt/pilot")
    assert page.get_by_text("Peter Johansson").is_visible()
    assert_accessible(page)

    page.goto(live_server + f"/l/{expert_link}")
    page.wait_for_url("**/matt/pilot/enkat")
    assert page.get_by_text("Du svarar som R001").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="P01 Deltagare är delaktiga").click()
    assert_accessible(page)

    # The first measure: a proportion, with numerator and denominator in words.
    page.get_by_label("Namn på måttet").fill("Upplevd delaktighet")
    page.get_by_label("Beskrivning: hur mäts det?").fill(
        "Enkätfråga: Jag har varit med och planerat min insats (1–5)."
    )
    page.get_by_label("Kvantitativt", exact=True).check()
    page.get_by_label("Metod", exact=True).select_option("survey")
    page.get_by_label("Datakälla", exact=True).select_option("Enkät till deltagare")
    page.get_by_label("Respondentgrupp").select_option("deltagare")
    frequency = page.get_by_role("group", name="Hur ofta mäts det?")
    frequency.get_by_label("Vid start (inskrivning)").check()
    frequency.get_by_label("Efter 12 månader").check()
    page.get_by_label("Enhet", exact=True).fill("andel (%)")
    page.get_by_label("Täljare").fill("Deltagare som svarat 4 eller 5")
    page.get_by_label("Nämnare").fill("Alla deltagare som svarat på frågan")
    page.get_by_role("button", name="Spara som utkast").click()
    page.get_by_role("status").filter(has_text="är sparat som utkast").wait_for()

    # The second: qualitative, combined with the first. A mistake first: the name is too long.
    page.get_by_label("Namn på måttet").fill("x" * 201)
    page.get_by_role("button", name="Spara som utkast").click()
    assert page.get_by_role("alert").filter(has_text="högst 200 tecken").first.is_visible()
    assert_accessible(page)
    page.get_by_label("Namn på måttet").fill("Delaktighet fördjupad i intervjuer")
    page.get_by_label("Beskrivning: hur mäts det?").fill(
        "Intervjuer med deltagare om hur de har varit med och planerat sin insats."
    )
    page.get_by_label("Kvalitativt", exact=True).check()
    page.get_by_label("Metod", exact=True).select_option("interview")
    combine = page.get_by_role("group", name="Kombinera med dina andra förslag")
    combine.get_by_label("Upplevd delaktighet").check()
    page.get_by_label("Hur måtten kombineras").fill("Enkätsvaren fördjupas med intervjuer.")
    page.get_by_role("button", name="Spara som utkast").click()
    page.get_by_role("status").filter(has_text="är sparat som utkast").wait_for()
    assert page.get_by_text("Kombineras med: Upplevd delaktighet").is_visible()
    assert_accessible(page)

    # Back through the personal link in another browser: the drafts are there; submit.
    page = _phone(new_page)
    page.goto(live_server + f"/l/{expert_link}")
    page.wait_for_url("**/matt/pilot/enkat")
    assert page.get_by_text("Du har 2 utkast som inte är inskickade.").is_visible()
    assert page.get_by_text("Du har svarat för 1 av 1 indikatorer.").is_visible()
    page.get_by_role("button", name="Skicka in mina förslag").click()
    page.get_by_role("status").filter(
        has_text="Tack! Dina svar är inskickade (2 förslag)."
    ).wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="P01 Deltagare är delaktiga").click()
    assert page.get_by_text("inskickat").count() == 2

    # The projektledare reviews: both proposals side by side, merges them and accepts.
    leader = new_page()
    share_studies()  # the staff work on the test's studies
    leader.goto(live_server + "/logga-in")
    leader.get_by_label("E-postadress").fill("pl@example.se")
    leader.get_by_label("Lösenord").fill(PASSWORD)
    leader.get_by_role("button", name="Logga in").click()
    leader.wait_for_url("**/oversikt")
    leader.goto(live_server + "/studier/pilot/matt/granskning")
    assert_accessible(leader)
    leader.get_by_role("link", name="P01").first.click()
    assert leader.get_by_text("Upplevd delaktighet").first.is_visible()
    assert_accessible(leader)
    for box in leader.get_by_role("checkbox", name="Välj förslag").all():
        box.check()
    leader.get_by_role("button", name="Slå ihop till ett mått").click()
    section = leader.locator("section.callout").first
    section.get_by_label("Godta").check()
    section.get_by_role("button", name="Spara beslutet").click()
    assert leader.locator("section.callout .badge-ok").first.is_visible()
    assert_accessible(leader)
