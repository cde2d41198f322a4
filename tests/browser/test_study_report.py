"""The study report in a browser: the leader fills in the report's texts, the checklist points
to the sections, the file downloads self-contained; axe-core at desktop and phone widths."""

import re

import pytest

from consensus.extensions import db
from consensus.rounds import services as round_services
from consensus.studies import services as study_services
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def closed_round(make_user, study):
    """One closed rating round of three panelists (one per group), minimum group size 2."""
    make_user()
    study.min_group_size = 2
    study.min_ratings = 1
    study.indicators[0].source = "Kunskapsöversikt 2024"
    panel = [
        study_services.add_participant(study, email=f"p{n}@example.se", group_id=study.groups[n].id)
        for n in range(3)
    ]
    db.session.commit()
    r = round_services.create_round(study, "rating")
    round_services.open_round(r)
    for person in panel:
        round_services.save_answers(
            r, person, [{"indicator_id": study.indicators[0].id, "value": 8}]
        )
    round_services.close_round(r)
    db.session.commit()


def test_the_leader_completes_and_downloads_the_report(new_page, live_server, closed_round):
    page = new_page()
    page.goto(live_server + "/logga-in")
    page.get_by_label("E-postadress").fill("pl@example.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/oversikt")

    page.goto(live_server + "/studier/pilot/rapport")
    assert_accessible(page)
    page.get_by_role("link", name="Fyll i rapportens uppgifter").click()
    assert_accessible(page)
    page.get_by_label("Bakgrund och syfte").fill("Samverkan behöver följas upp.\nAndra stycket.")
    page.get_by_label("Etik och samtycke").fill("Ingen etikprövning krävdes; samtycke i appen.")
    page.get_by_role("button", name="Spara rapportens uppgifter").click()
    page.wait_for_url("**/studier/pilot/rapport")
    assert "Rapportens uppgifter är sparade." in page.content()

    cos = page.locator('table[data-guideline="cos-star"]')
    assert cos.locator("tbody tr").count() == 18
    assert page.locator('table[data-guideline="accord"] tbody tr').count() == 35
    row = cos.locator('tr[data-item="10"]')
    row.get_by_role("link", name="Etik och samtycke").click()
    assert page.url.endswith("#ethics")
    assert "ej rapporterat" in cos.locator('tr[data-item="18"]').inner_text()
    # Three panelists in three groups of one at minimum 2: no group count is shown.
    table = page.locator("#characteristics ~ .table-scroll table").first
    assert table.inner_text().count("för få för att redovisas") == 3
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    with page.expect_download() as info:
        page.get_by_role("link", name="Ladda ned som HTML-fil").click()
    download = info.value
    assert download.suggested_filename == "pilot-rapport.html"
    with open(download.path(), encoding="utf-8") as f:
        html = f.read()
    assert "Samverkan behöver följas upp." in html
    assert not re.search(r"<link|<script|src=|url\(", html)
    # The file opened on its own is accessible too.
    standalone = new_page()
    standalone.set_content(html)
    assert_accessible(standalone)


def test_the_leader_chooses_an_approval_rounds_rule(new_page, live_server, make_user, study):
    make_user()
    page = new_page()
    page.goto(live_server + "/logga-in")
    page.get_by_label("E-postadress").fill("pl@example.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/oversikt")
    page.goto(live_server + "/studier/pilot/omgangar")
    page.get_by_label("Omröstningsmetod").select_option("approval")
    page.get_by_label("Högsta antal val (K)").fill("1")
    page.get_by_label("Konsensusregel vid röstning").select_option("approval_threshold")
    page.get_by_label("Lägsta andel som röstar för, i procent").fill("75")
    page.get_by_role("button", name="Skapa omgången").click()
    page.wait_for_url("**/omgangar/1")
    assert "andel av de röstande ≥ 75" in page.locator("#round-rule").inner_text()
    page.get_by_text("Ändra konsensusregeln").click()
    assert_accessible(page)
    page.get_by_label("Lägsta andel som röstar för, i procent").fill("80")
    page.get_by_role("button", name="Spara konsensusregeln").click()
    page.wait_for_url("**/omgangar/1")
    assert "andel av de röstande ≥ 80" in page.locator("#round-rule").inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)
