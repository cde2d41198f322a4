"""The panel's pages: the navigation is a labelled landmark, keyboard reachable, and the page
is axe-clean at desktop and phone widths."""

import pytest

from consensus.extensions import db
from consensus.studies import services as study_services
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_panel_pages(page, live_server, make_user, study):
    make_user()
    for n in range(230):
        study_services.add_participant(
            study, email=f"p{n:03d}@example.se", group_id=study.groups[n % 3].id
        )
    db.session.commit()
    page.goto(live_server + "/logga-in")
    page.get_by_label("E-postadress").fill("pl@example.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/oversikt")
    page.goto(live_server + "/studier/pilot/panel")
    nav = page.get_by_role("navigation", name="Sidor med paneldeltagare")
    assert "Visar 1–200 av 230." in nav.inner_text()
    assert nav.get_by_role("link", name="Sida 1").get_attribute("aria-current") == "page"
    assert_accessible(page)
    page.set_viewport_size({"width": 400, "height": 900})
    assert_accessible(page)
    nav.get_by_role("link", name="Nästa sida").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/panel?sida=2")
    assert (
        "Visar 201–230 av 230."
        in page.get_by_role("navigation", name="Sidor med paneldeltagare").inner_text()
    )
    assert page.locator("tbody tr").count() == 30
