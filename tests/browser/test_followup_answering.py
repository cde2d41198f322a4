"""Answering a follow-up wave on a phone (390 px): by the open link with the pointer, and with
a longitudinal code by keyboard only; axe-core clean on every page."""

import datetime as dt

import pytest
from sqlalchemy import select

from consensus.auth import services as auth_services
from consensus.extensions import db
from consensus.followup import services
from consensus.followup.models import SurveyResponse
from consensus.protocol.canonical import dumps
from consensus.protocol.example import example_protocol
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def wave(app):
    org = auth_services.get_or_create_organisation("testforbund", "Testförbundet")
    imported = services.import_document(org, dumps(example_protocol())).imported
    services.add_local_item(
        imported, "Hur fick du veta om insatsen?", "choice", options=["Vän", "Handläggare"]
    )
    group = services.add_local_group(org, "Steget")
    wave, token = services.create_wave(
        org,
        imported,
        "deltagare",
        schedule_id="inskrivning",
        timepoint="P0D",
        opens_on=dt.date(2026, 10, 1),
        closes_on=dt.date(2026, 10, 31),
        local_group_ids=[group.id],
    )
    services.move_wave(wave, "open")
    [code] = services.generate_codes(org, 1, "Höst", wave)
    db.session.commit()
    return wave, token, code


def _phone(new_page):
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    return page


def _no_sideways_scroll(page):
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


def test_open_link_on_a_phone(new_page, live_server, wave):
    row, token, _code = wave
    page = _phone(new_page)
    page.goto(f"{live_server}/enkat/{token}")
    assert_accessible(page)
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Börja svara").click()
    pages = len(services.questionnaire_for(row).sections)
    for number in range(pages):
        page.wait_for_url(f"**/sida/{number}")
        assert_accessible(page)
        _no_sideways_scroll(page)
        if number == 0:  # the error summary first: send the page unanswered
            page.get_by_role("button", name="Spara och fortsätt").click()
            assert page.locator(".error-summary").is_visible()
            assert_accessible(page)
        for fieldset in page.locator("fieldset").all():
            fieldset.locator("input").last.check()
        page.get_by_role("button", name="Spara och fortsätt").click()
    page.wait_for_url("**/skicka")
    assert_accessible(page)
    page.get_by_role("button", name="Skicka in").click()
    page.wait_for_url("**/tack")
    assert page.get_by_text("Tack för dina svar!").is_visible()
    assert_accessible(page)
    response = db.session.scalar(select(SurveyResponse))
    db.session.refresh(response)
    assert response.status == "submitted" and response.longitudinal_code_id is None


def _tab_to(page, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def test_a_code_by_keyboard_only(new_page, live_server, wave):
    row, _token, code = wave
    page = _phone(new_page)
    page.goto(f"{live_server}/enkat/kod")
    assert_accessible(page)
    _tab_to(page, "input[name=code]")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    questionnaire = services.questionnaire_for(row)
    for number, section in enumerate(questionnaire.sections):
        page.wait_for_url(f"**/sida/{number}")
        assert_accessible(page)
        for question in section.questions:
            _tab_to(page, f'input[name="{question.id}"]')
            page.keyboard.press("Space")  # the focused radio: its first option
        _tab_to(page, "main button[type=submit]")
        page.keyboard.press("Enter")
    page.wait_for_url("**/skicka")
    assert_accessible(page)
    _tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/tack")
    assert_accessible(page)
    response = db.session.scalar(select(SurveyResponse))
    db.session.refresh(response)
    assert response.status == "submitted" and response.longitudinal_code_id is not None
    assert response.gender == "K"

    # the same code again: refused with a clear message
    page.goto(f"{live_server}/enkat/kod")
    _tab_to(page, "input[name=code]")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_selector(".error-summary")
    assert page.get_by_text("har redan använts").first.is_visible()
    assert_accessible(page)
