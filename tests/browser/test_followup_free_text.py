# ruff: noqa: F811  (pytest fixtures imported from the follow-up tests)
"""Reviewing free-text answers in a real browser, checked with axe-core at desktop and phone
width: a flagged text is approved with its button and then shows on the results page."""

import pytest

from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD
from tests.followup.test_free_text_results import waves  # noqa: F401
from tests.followup.test_result_kinds import imported, org  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_approve_a_flagged_text(page, live_server, imported, org, waves, make_user, width):
    make_user("f@example.se", role="forbund", organisation=org)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server + "/logga-in")
    page.get_by_label("E-postadress").fill("f@example.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/oversikt")
    page.goto(f"{live_server}/uppfoljning/{imported.id}/resultat")
    assert page.get_by_text("2 svar väntar på granskning.").is_visible()
    assert page.get_by_text("Ring Anna på 070-123 45 67.").count() == 0
    page.get_by_role("link", name="Granska fritextsvar").click()
    page.wait_for_url("**/fritext")
    assert_accessible(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    item = page.locator("li.free-text", has_text="Ring Anna")
    assert item.get_by_text("Kan innehålla ett namn").is_visible()
    item.get_by_role("button", name="Godkänn").click()
    page.wait_for_load_state()
    assert page.get_by_text("Svaret visas i resultaten.").is_visible()
    page.goto(f"{live_server}/uppfoljning/{imported.id}/resultat")
    assert page.get_by_text("Ring Anna på 070-123 45 67.").is_visible()
    assert page.get_by_text("1 svar väntar på granskning.").is_visible()
    assert_accessible(page)
