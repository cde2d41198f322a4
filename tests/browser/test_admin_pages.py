"""The admin creates a förbund and a förbund account through the UI, checked with axe-core."""

import pytest

from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@example.se", role="admin")


def test_admin_creates_forbund_and_account(new_page, live_server, admin):
    page = new_page()
    page.goto(live_server + "/logga-in")
    page.get_by_label("E-postadress").fill("admin@example.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/oversikt")

    page.get_by_role("link", name="Konton", exact=True).click()
    page.wait_for_url("**/admin/konton")
    assert page.get_by_role("heading", level=1, name="Konton").is_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Förbund"
    ).click()
    page.wait_for_url("**/admin/forbund")
    assert_accessible(page)

    # A bad short name is refused, with the error tied to the field.
    page.get_by_label("Namn", exact=True).fill("Samordningsförbundet Norra")
    page.get_by_label("Kortnamn", exact=True).fill("Norra Förbundet")
    page.get_by_role("button", name="Skapa förbundet").click()
    assert page.get_by_role("alert").filter(has_text="Kortnamnet får bara innehålla").is_visible()
    assert page.get_by_label("Kortnamn", exact=True).get_attribute("aria-invalid") == "true"
    assert_accessible(page)

    page.get_by_label("Kortnamn", exact=True).fill("norra")
    page.get_by_role("button", name="Skapa förbundet").click()
    assert (
        page.get_by_role("status")
        .filter(has_text="Förbundet Samordningsförbundet Norra")
        .is_visible()
    )
    assert page.get_by_role("cell", name="norra", exact=True).is_visible()

    page.get_by_role("link", name="Konton", exact=True).first.click()
    page.wait_for_url("**/admin/konton")
    page.get_by_label("Namn", exact=True).fill("Frida Förbund")
    page.get_by_label("E-postadress", exact=True).fill("frida@example.se")
    page.get_by_label("Roll", exact=True).select_option("forbund")
    page.get_by_label("Första lösenord").fill("ett långt första lösenord")
    page.get_by_role("button", name="Skapa kontot").click()
    # Without a förbund the account is refused, and the error says where.
    assert page.get_by_role("alert").filter(has_text="Välj ett förbund").is_visible()
    assert_accessible(page)

    page.get_by_label("Förbund", exact=True).select_option(
        label="Samordningsförbundet Norra (norra)"
    )
    page.get_by_label("Första lösenord").fill("ett långt första lösenord")
    page.get_by_role("button", name="Skapa kontot").click()
    assert page.get_by_role("status").filter(has_text="Kontot för frida@example.se").is_visible()
    row = page.get_by_role("row").filter(has_text="frida@example.se")
    assert row.get_by_role("cell", name="Samordningsförbundet Norra").is_visible()
    assert_accessible(page)
