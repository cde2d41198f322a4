"""The results page in a real browser, checked with axe-core: status as text and sign, the
trend chart with its table, hidden cells said in words."""

import pytest

from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD
from tests.followup.test_results import imported, org  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_the_results_page_is_accessible(page, live_server, imported, make_user, org):  # noqa: F811
    make_user("f@example.se", role="forbund", organisation=org)
    page.goto(live_server + "/logga-in")
    page.get_by_label("E-postadress").fill("f@example.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/oversikt")
    page.goto(f"{live_server}/uppfoljning/{imported.id}/resultat")
    assert page.get_by_role("heading", name="Resultat").first.is_visible()
    chart = page.locator("svg.trend").first
    assert chart.is_visible() and chart.get_attribute("role") == "img"
    assert page.get_by_role("table", name="Trend för I01-M1").is_visible()
    assert page.get_by_text("Målet inte nått").first.is_visible()
    assert page.get_by_text("Färre än 5 svarande").first.is_visible()
    assert_accessible(page)
