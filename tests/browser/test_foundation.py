"""Log in, see the dashboard, switch language: in a real browser, checked with axe-core."""

import pytest

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output


def test_login_dashboard_language(page, live_server, demo):
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert_accessible(page)

    page.get_by_role("link", name="Logga in som personal").click()
    assert_accessible(page)
    page.get_by_label("E-postadress").fill("projektledare@demo.invalid")
    page.get_by_label("Lösenord").fill("wrong password")
    page.get_by_role("button", name="Logga in").click()
    assert page.get_by_role("alert").filter(has_text="Fel e-postadress eller lösenord").is_visible()
    assert_accessible(page)

    page.get_by_label("Lösenord").fill("demo-projektledare")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/oversikt")
    assert page.get_by_role("heading", level=1, name="Översikt").is_visible()
    assert page.get_by_role(
        "link", name="Hur vet vi att det blir bättre?", exact=False
    ).is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="In English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1, name="Overview").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="På svenska").click()
    assert page.locator("html").get_attribute("lang") == "sv"

    page.get_by_role("button", name="Logga ut").click()
    assert page.get_by_role("status").filter(has_text="Du är utloggad").is_visible()


def test_keyboard_skip_link_and_focus(page, live_server):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Hoppa till innehållet"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


@pytest.mark.parametrize("path", ["/tillganglighet", "/personuppgifter", "/finns-inte"])
def test_public_pages_are_accessible(page, live_server, path):
    page.goto(live_server + path)
    assert_accessible(page)
