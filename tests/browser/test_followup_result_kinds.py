"""The results page with every measure kind and the yearly report in a real browser, checked with axe-core at desktop
and phone width: status as text and sign, the trend chart with its table, hidden cells said in
words, register figures, paired change and narratives, the group key on the förbund's own
page, and the report reached from the page by its link."""

import pytest

from consensus.extensions import db
from consensus.followup import services
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD
from tests.followup.test_result_kinds import cohort, imported, org, yearly  # noqa: F401

pytestmark = pytest.mark.browser


def _log_in(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server + "/logga-in")
    page.get_by_label("E-postadress").fill("f@example.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/oversikt")


def _fits(page, width):
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize("width", [1280, 390])
def test_every_kind_and_the_yearly_report(
    page,
    live_server,
    imported,  # noqa: F811
    org,  # noqa: F811
    yearly,  # noqa: F811
    cohort,  # noqa: F811
    make_user,
    width,
):
    services.save_figure(
        imported,
        {
            "measure": "I07-M2",
            "period": "2026",
            "group": "",
            "numerator": "12",
            "denominator": "30",
        },
    )
    services.save_narrative(imported, "I09-M1", "2026", "Synpunkter samlas in varje kvartal.")
    db.session.commit()
    make_user("f@example.se", role="forbund", organisation=org)
    _log_in(page, live_server, width)
    page.goto(f"{live_server}/uppfoljning/{imported.id}/resultat")
    assert page.get_by_role(
        "heading", name="Förflyttning sedan första mätpunkten"
    ).first.is_visible()
    assert page.get_by_role("table", name="Förflyttning för I01-M1").is_visible()
    assert page.get_by_text("Registeruppgifter per period").first.is_visible()
    assert page.get_by_text("Synpunkter samlas in varje kvartal.").is_visible()
    assert page.get_by_text("Grupp A: Steget").is_visible()  # the förbund's own key
    assert page.get_by_text("Nära målet").first.is_visible()  # the index at its near edge
    assert_accessible(page)
    _fits(page, width)

    page.get_by_role("link", name="2026").click()
    page.wait_for_url("**/arsrapport/2026")
    assert page.get_by_role("heading", name="Årsrapport 2026").is_visible()
    assert page.get_by_role("table", name="Dolda celler och varför").is_visible()
    assert page.get_by_text("Synpunkter samlas in varje kvartal.").is_visible()
    assert page.get_by_text("Steget").count() == 0  # letters only in the report
    assert_accessible(page)
    _fits(page, width)
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Skriv ut").is_visible()
    assert page.get_by_role("table", name="Dolda celler och varför").is_visible()
