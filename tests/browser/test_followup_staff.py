"""A förbund's staff pages of the follow-up, clicked through from /uppfoljning at desktop width
and at 390 px: local groups, creating and opening a wave, paper entry, a file import preview
with problems, a register figure, a narrative and the raw answers download; axe-core clean
(serious and critical) on every page. Deleting a paper questionnaire by keyboard only."""

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from consensus.auth import services as auth_services
from consensus.extensions import db
from consensus.followup import services
from consensus.followup.models import Correction, SurveyResponse
from consensus.protocol.canonical import dumps
from consensus.protocol.example import example_protocol
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

BAD_CSV = (
    "D01;D02;D03;D04;D05;D06;D07;D08;D09;D10;kön;ålder;grupp\n"
    "4;4;4;4;4;4;4;4;4;4;K;30-49;A\n"
    "7;4;4;4;4;4;4;4;4;4;K;30-49;Q\n"
).encode("utf-8-sig")


@pytest.fixture
def imported(app, make_user):
    org = auth_services.get_or_create_organisation("testforbund", "Testförbundet")
    make_user("f@example.se", role="forbund", organisation=org)
    result = services.import_document(org, dumps(example_protocol()))
    db.session.commit()
    return result.imported


def _log_in(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server + "/logga-in")
    page.get_by_label("E-postadress").fill("f@example.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()


def _checked(page, width):
    assert_accessible(page)
    if width <= 390:
        wide = page.evaluate(
            "w => [...document.querySelectorAll('body *')].filter(e => "
            "e.getBoundingClientRect().right > w).slice(-3).map(e => e.outerHTML.slice(0, 120))",
            width,
        )
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width, (
            page.url,
            wide,
        )


@pytest.mark.parametrize("width", [1280, 390])
def test_staff_pages_clicked_through(new_page, live_server, imported, width, tmp_path):
    page = new_page()
    _log_in(page, live_server, width)
    page.goto(live_server + "/uppfoljning")
    _checked(page, width)

    # local groups (on the waves page)
    page.get_by_role("link", name="Mätningar", exact=True).first.click()
    page.wait_for_url("**/matningar")
    _checked(page, width)
    page.get_by_label("Gruppens namn").fill("Steget")
    page.get_by_role("button", name="Lägg till gruppen").click()
    expect(page.get_by_role("status").filter(has_text="har bokstaven A")).to_be_visible()
    _checked(page, width)

    # create a wave with a problem first (no time point), then properly
    page.get_by_label("Svarsgrupp").select_option("deltagare")
    page.get_by_label("Öppnar").fill("2025-10-01")
    page.get_by_label("Sista svarsdag").fill("2025-10-31")
    page.get_by_role("button", name="Skapa mätningen").click()
    expect(page.locator(".error-summary").first).to_be_visible()
    _checked(page, width)
    page.get_by_label("Eller en kalenderperiod").fill("oktober 2025")
    page.get_by_label("A: Steget").check()
    page.get_by_role("button", name="Skapa mätningen").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _checked(page, width)  # the open link and QR code, shown once

    # open it
    page.get_by_role("link", name="Till mätningen").click()
    page.wait_for_url("**/matningar/*")
    _checked(page, width)
    page.get_by_role("button", name="Öppna för svar").click()
    expect(page.get_by_role("status").filter(has_text="öppen för svar")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Sista svarsdagen")).to_be_visible()
    _checked(page, width)

    # paper entry: refused when incomplete, then saved
    page.get_by_role("link", name="Inmatning och import").click()
    page.wait_for_url("**/inmatning")
    _checked(page, width)
    page.get_by_role("link", name="Mata in en pappersenkät").click()
    page.wait_for_url("**/papper")
    _checked(page, width)
    page.get_by_role("button", name="Spara").first.click()
    expect(page.locator(".error-summary").first).to_be_visible()
    _checked(page, width)
    for fieldset in page.locator("form fieldset").all():
        inputs = fieldset.locator("input[type=radio], input[type=checkbox]")
        if inputs.count():
            inputs.first.check()
    page.get_by_role("button", name="Spara").first.click()
    expect(page.get_by_role("status").filter(has_text="Pappersenkäten är sparad")).to_be_visible()
    _checked(page, width)

    # a file with problems: every problem by row and column, nothing written
    page.get_by_role("link", name="Tillbaka till inmatning och import").click()
    page.wait_for_url("**/inmatning")
    bad = tmp_path / "svar.csv"
    bad.write_bytes(BAD_CSV)
    page.get_by_label("Fil med enkätsvar (CSV eller Excel)").set_input_files(str(bad))
    page.get_by_role("button", name="Förhandsgranska").click()
    page.wait_for_url("**/importera/*")
    expect(page.get_by_role("alert").filter(has_text="Ingenting har sparats")).to_be_visible()
    problems = page.get_by_role("table", name="Fel i filen")
    expect(problems.get_by_role("cell", name="D01", exact=True)).to_be_visible()
    expect(problems.get_by_role("cell", name="grupp", exact=True)).to_be_visible()
    assert problems.get_by_role("cell", name="3", exact=True).count() == 2
    _checked(page, width)

    # the raw answers download
    page.get_by_role("link", name="Ladda upp en rättad fil").click()
    page.wait_for_url("**/inmatning#fil")
    with page.expect_download() as download:
        page.get_by_role("link", name="Råsvar som CSV").click()
    body = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert body.splitlines()[0].startswith("respondent") and len(body.splitlines()) == 2

    # register figures and narratives
    page.get_by_role("link", name="Register och berättelser").click()
    page.wait_for_url("**/register")
    _checked(page, width)
    page.get_by_label("Mått", exact=True).select_option("I07-M2")
    page.get_by_label("Period", exact=True).first.fill("2026")
    page.get_by_label("Täljare").fill("12")
    page.get_by_label("Nämnare").fill("40")
    page.get_by_role("button", name="Spara uppgiften").click()
    expect(page.get_by_role("cell", name="I07-M2").first).to_be_visible()
    _checked(page, width)
    page.locator("#p-I09-M1").fill("2026")
    page.locator("#t-I09-M1").fill("Synpunkter samlas in varje månad.")
    page.locator("#t-I09-M1").locator("xpath=..").get_by_role(
        "button", name="Spara berättelsen"
    ).click()
    expect(page.get_by_text("2026", exact=True).first).to_be_visible()
    _checked(page, width)


def test_deleting_a_paper_questionnaire_by_keyboard_only(new_page, live_server, imported):
    org = auth_services.get_or_create_organisation("testforbund", "Testförbundet")
    group = services.add_local_group(org, "Steget")
    wave, _token = services.create_wave(
        org,
        imported,
        "deltagare",
        period="oktober 2026",
        opens_on=dt.date(2026, 10, 1),
        closes_on=dt.date(2026, 10, 31),
        local_group_ids=[group.id],
    )
    services.move_wave(wave, "open")
    form = {f"D{n:02d}": ["4"] for n in range(1, 11)}
    form.update(
        {"bakgrund.kon": ["K"], "bakgrund.alder": ["30-49"], "bakgrund.grupp": [str(group.id)]}
    )
    response, problems = services.enter_paper(wave, form)
    assert problems == []
    db.session.commit()
    url = (
        f"{live_server}/uppfoljning/{imported.id}/matningar/{wave.id}/inmatning/svar/"
        f"{response.respondent_id}"
    )

    page = new_page()
    _log_in(page, live_server, 1280)
    page.goto(url)
    assert_accessible(page)

    def tab_to(selector: str) -> None:
        for _ in range(400):
            page.keyboard.press("Tab")
            if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"{selector} is not reached by Tab")

    tab_to("#reason")
    page.keyboard.type("Inmatad två gånger")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.value") == "Ta bort enkäten"
    page.keyboard.press("Enter")
    page.wait_for_url("**/inmatning#borttagna")
    expect(page.get_by_role("status").filter(has_text="är borttagen")).to_be_visible()
    expect(page.get_by_role("cell", name="Inmatad två gånger")).to_be_visible()
    assert_accessible(page)
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    assert db.session.scalar(select(func.count()).select_from(Correction)) == 1
