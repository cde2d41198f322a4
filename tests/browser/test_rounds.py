"""A two-round study with three panelists in separate browsers, the feedback in round 2 and
the facilitator's close, with axe-core on every page."""

import re

import pytest

from consensus.auth.services import issue_link
from consensus.extensions import db
from consensus.studies import services as study_services
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, share_studies

pytestmark = pytest.mark.browser


@pytest.fixture
def two_round_study(make_user, study):
    make_user()
    make_user(email="fac@example.se", role="facilitator")
    study_services.add_indicator(
        study, code="E01", title="Hållbara effekter", perspective="samhälle", type="effect"
    )
    study_services.add_indicator(
        study,
        code="M01",
        title="Respekt mellan myndigheter",
        perspective="medarbetare",
        type="process",
    )
    study.min_group_size = 1
    study.info_text = "Frivilligt."
    links = []
    for n in range(3):
        p = study_services.add_participant(
            study, email=f"p{n}@example.se", group_id=study.groups[n].id
        )
        links.append(issue_link(p))
    db.session.commit()
    return links


def _log_in(page, base, email):
    share_studies()  # the staff work on the test's studies
    page.goto(base + "/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/oversikt")


def _consent(page):
    page.get_by_label("Jag har läst informationen och vill delta.").check()
    page.get_by_role("button", name="Fortsätt").click()


def test_two_rounds_three_panelists(new_page, live_server, two_round_study):
    leader = new_page()
    _log_in(leader, live_server, "pl@example.se")
    leader.goto(live_server + "/studier/pilot/omgangar")
    assert_accessible(leader)
    leader.get_by_role("button", name="Skapa omgången").click()
    leader.get_by_role("button", name="Öppna omgången").click()
    assert leader.get_by_role("status").filter(has_text="är öppen").is_visible()
    assert_accessible(leader)

    panelists = []
    answers = [("9", "2", "5"), ("8", "1", "Kan ej bedöma"), ("7", "3", "6")]
    for link, (p01, e01, m01) in zip(two_round_study, answers, strict=True):
        page = new_page()
        page.set_viewport_size({"width": 400, "height": 900})
        page.goto(live_server + f"/l/{link}")
        _consent(page)
        page.get_by_role("link", name="Svara i omgång 1").click()
        assert_accessible(page)
        for code, value in (("P01", p01), ("E01", e01), ("M01", m01)):
            group = page.get_by_role("group", name=re.compile(code))
            group.get_by_label(value, exact=True).check()
            page.get_by_role("status").filter(has_text="Sparat.").wait_for()
        assert page.get_by_text("Du har besvarat 3 av 3.").is_visible()
        panelists.append(page)

    # A comment, saved as it is given.
    first = panelists[0]
    group = first.get_by_role("group", name=re.compile("P01"))
    group.get_by_text("Kommentar (frivillig)").click()
    group.get_by_label("Kommentar till P01").fill("Central för deltagarnas inflytande.")
    group.get_by_label("Kommentar till P01").blur()
    first.get_by_role("status").filter(has_text="Sparat.").wait_for()

    # The facilitator watches the count and closes... no: the leader closes; the facilitator sees.
    facilitator = new_page()
    _log_in(facilitator, live_server, "fac@example.se")
    facilitator.goto(live_server + "/studier/pilot/omgangar/1")
    assert facilitator.get_by_text("3 av 3 paneldeltagare har svarat.").is_visible()
    assert_accessible(facilitator)
    facilitator.goto(live_server + "/studier/pilot/omgangar/1/projektor")
    assert_accessible(facilitator)

    leader.goto(live_server + "/studier/pilot/omgangar/1")
    # Closing asks first: unticked, the page's error summary (not the browser's tooltip)
    # and the round stays open; ticked, the round closes.
    leader.get_by_role("link", name="Stäng omgången och beräkna resultaten …").click()
    assert leader.get_by_text("3 av 3 paneldeltagare har svarat.").is_visible()
    confirm = leader.get_by_label("Jag vill stänga omgången nu", exact=False)
    assert confirm.get_attribute("required") is None
    leader.get_by_role("button", name="Stäng omgången").click()
    summary = leader.locator(".error-summary")
    assert summary.is_visible()
    assert "Kryssa i rutan för att bekräfta att omgången ska stängas." in summary.inner_text()
    assert_accessible(leader)
    assert leader.url.endswith("/omgangar/1/stang")  # re-shown, nothing closed
    leader.get_by_label("Jag vill stänga omgången nu", exact=False).check()
    leader.get_by_role("button", name="Stäng omgången").click()
    assert leader.get_by_text("Omgång 1 är stängd och resultaten är beräknade.").is_visible()
    leader.get_by_role("link", name="Visa resultaten").click()
    assert leader.get_by_role("heading", name="Känslighetsanalys").is_visible()
    assert_accessible(leader)
    leader.get_by_role("link", name="Omgångar").click()
    leader.get_by_role("link", name="att bekräfta").click()
    assert_accessible(leader)
    leader.get_by_role("button", name="Bekräfta besluten").click()
    leader.goto(live_server + "/studier/pilot/omgangar")
    leader.get_by_label("Sista omgången: väljer kärnindikatorerna").check()
    leader.get_by_role("button", name="Skapa omgången").click()
    leader.get_by_role("button", name="Öppna omgången").click()

    # Round 2: the feedback, with the panelist's own previous answer.
    page = panelists[0]
    page.goto(live_server + "/deltagare/omgang/2")
    feedback = page.get_by_text("Så svarade gruppen i omgång 1 – ditt svar: 9")
    feedback.click()
    assert page.get_by_text("Central för deltagarnas inflytande.").is_visible()
    assert page.get_by_role("img", name=re.compile("Ditt svar: 9")).first.is_visible()
    assert_accessible(page)

    # The leader's report.
    leader.goto(live_server + "/studier/pilot/rapport")
    assert leader.get_by_role("heading", name="A priori-protokoll").is_visible()
    assert_accessible(leader)
