"""A facilitator types a paper ballot for a panelist who has already answered online: the
page shows what would change and saves only with an explicit choice and a reason; what the
paper leaves blank is kept. axe-core at desktop and phone widths."""

import re

import pytest
from sqlalchemy import select

from consensus.extensions import db
from consensus.rounds import services as rounds
from consensus.rounds.models import Answer
from consensus.studies import services as study_services
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def answered_online(make_user, study):
    make_user(email="fac@example.se", role="facilitator")
    for code, title, perspective in (
        ("E01", "Hållbara effekter", "samhälle"),
        ("M01", "Respekt mellan myndigheter", "medarbetare"),
    ):
        study_services.add_indicator(
            study, code=code, title=title, perspective=perspective, type="process"
        )
    p = study_services.add_participant(study, email="p@example.se", group_id=study.groups[0].id)
    r = rounds.create_round(study, "rating")
    rounds.open_round(r)
    ids = {i.code: i.id for i in rounds.ballot(r)}
    rounds.save_answers(r, p, [{"indicator_id": i, "value": 9} for i in ids.values()])
    db.session.commit()
    return p.pseudonym, p.id, ids


def _stored(participant_id):
    db.session.expire_all()
    return {
        a.indicator_id: (a.value, a.unable, a.source)
        for a in db.session.scalars(select(Answer).where(Answer.participant_id == participant_id))
    }


def test_a_paper_ballot_shows_what_it_would_replace_and_needs_a_reason(
    page, live_server, answered_online
):
    pseudonym, pid, ids = answered_online
    page.goto(live_server + "/logga-in")
    page.get_by_label("E-postadress").fill("fac@example.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/oversikt")
    page.goto(live_server + "/studier/pilot/omgangar/1/papper")

    page.get_by_label("Deltagarkod").fill(pseudonym)
    page.get_by_role("group", name=re.compile("P01")).get_by_label("1", exact=True).check()
    page.get_by_role("group", name=re.compile("M01")).get_by_label("Kan ej bedöma").check()
    # E01 is left blank on the paper.
    page.get_by_role("button", name="Spara pappersblanketten").click()

    alert = page.get_by_role("alert").filter(has_text="har redan svarat på webben")
    assert alert.get_by_role("heading").inner_text() == (
        f"{pseudonym} har redan svarat på webben i den här omgången"
    )
    assert "Pappersblanketten skulle ändra 2 svar. Ingenting är sparat ännu." in alert.inner_text()
    table = page.get_by_role("table", name="Svar som ändras")
    rows = [
        [cell.inner_text().strip() for cell in row.locator("th, td").all()]
        for row in table.locator("tbody tr").all()
    ]
    assert rows == [
        ["P01 Deltagare är delaktiga", "9", "1"],
        ["M01 Respekt mellan myndigheter", "9", "Kan ej bedöma"],
    ]
    assert_accessible(page)
    page.set_viewport_size({"width": 400, "height": 900})
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert _stored(pid) == {i: (9, False, "online") for i in ids.values()}

    # Ticking "replace" without a reason saves nothing and says what is missing.
    page.get_by_label("Ersätt de ändrade webbsvaren med pappersblankettens svar").check()
    page.get_by_role("button", name="Spara pappersblanketten").click()
    assert page.locator("#replace_reason-error").inner_text() == (
        "Ange ett skäl till att pappersblanketten ersätter webbsvaren."
    )
    assert page.get_by_role("link", name=re.compile("^Skäl: Ange ett skäl")).is_visible()
    assert _stored(pid) == {i: (9, False, "online") for i in ids.values()}

    # The typed answers are still there; with the choice and a reason the ballot is saved.
    assert (
        page.get_by_role("group", name=re.compile("P01")).get_by_label("1", exact=True).is_checked()
    )
    page.get_by_label("Ersätt de ändrade webbsvaren med pappersblankettens svar").check()
    page.get_by_label("Skäl").fill("Lämnade pappersblankett på mötet efter diskussionen")
    page.get_by_role("button", name="Spara pappersblanketten").click()
    assert page.get_by_text(f"Blanketten för {pseudonym} är sparad.").is_visible()
    assert _stored(pid) == {
        ids["P01"]: (1, False, "paper"),
        ids["E01"]: (9, False, "online"),  # blank on the paper: kept
        ids["M01"]: (None, True, "paper"),
    }
