"""The study's members through the UI (issue 13): the owner adds a projektledare by email,
a refused address is explained, the new member finds the study and removes nobody; the
login page says how long to wait after too many failed logins. axe-core at desktop and
phone widths."""

import pytest

from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, live_server, email):
    page.goto(live_server + "/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/oversikt")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_owner_adds_a_member(new_page, live_server, make_user, width):
    from consensus.extensions import db
    from consensus.studies import services

    anna = make_user(email="anna@example.se")
    make_user(email="bo@example.se")
    services.create_study("egen", "Egen studie", created_by=anna)
    db.session.commit()

    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, "anna@example.se")
    page.goto(live_server + "/studier/egen")
    assert page.get_by_role("heading", name="Vilka arbetar med studien").is_visible()
    assert_accessible(page)

    page.get_by_label("E-postadress").fill("okand@example.se")
    page.get_by_role("button", name="Lägg till").click()
    assert page.get_by_role("alert").filter(has_text="Det finns inget aktivt").is_visible()
    assert_accessible(page)

    page.get_by_label("E-postadress").fill("bo@example.se")
    page.get_by_label("Roll i studien").select_option("projektledare")
    page.get_by_role("button", name="Lägg till").click()
    assert page.get_by_role("status").filter(has_text="bo@example.se arbetar nu").is_visible()
    assert page.get_by_role("cell", name="bo@example.se", exact=True).is_visible()
    assert_accessible(page)

    bo = new_page()
    bo.set_viewport_size({"width": width, "height": 900})
    sign_in(bo, live_server, "bo@example.se")
    bo.goto(live_server + "/studier")
    bo.get_by_role("link", name="Egen studie").click()
    bo.wait_for_url("**/studier/egen")
    assert bo.get_by_role("cell", name="anna@example.se", exact=True).is_visible()
    assert bo.get_by_role("button", name="Lägg till").count() == 0  # only the owner manages
    assert_accessible(bo)


def test_the_login_page_says_how_long_to_wait(new_page, live_server, make_user):
    make_user()
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    for _ in range(10):
        page.goto(live_server + "/logga-in")
        page.get_by_label("E-postadress").fill("pl@example.se")
        page.get_by_label("Lösenord").fill("fel lösenord igen")
        page.get_by_role("button", name="Logga in").click()
        assert page.get_by_role("alert").filter(has_text="Fel e-postadress").is_visible()
    page.get_by_label("E-postadress").fill("pl@example.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    alert = page.get_by_role("alert").filter(has_text="För många misslyckade inloggningar")
    assert alert.is_visible()
    assert "Försök igen om 15 minuter." in alert.inner_text()
    assert_accessible(page)
