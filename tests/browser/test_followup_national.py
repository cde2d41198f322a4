"""The national comparison in a real browser, checked with axe-core at desktop and phone
widths: a förbund shares a closed wave with one click and sees its own value beside the
national median; the owner sees the distribution, receives a file (a tampered one refused in
words) and opens the yearly report."""

import pytest

from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD
from tests.followup import test_national as national_tests
from tests.followup.test_national import _org_of, published_study_slug, receive, synthetic_report

published = national_tests.published  # the fixtures
wave = national_tests.wave

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def sign_in(page, live_server, email):
    page.goto(live_server + "/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/oversikt")


def both_widths(page):
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_forbund_shares_and_sees_its_value_beside_the_median(
    page,
    live_server,
    published,
    wave,
    make_user,
):
    for key, value in (("a", 40.0), ("b", 60.0), ("c", 70.0), ("d", 80.0)):
        receive(synthetic_report(published, key, value))
    make_user("f@example.se", role="forbund", organisation=_org_of(wave))
    sign_in(page, live_server, "f@example.se")
    page.goto(f"{live_server}/uppfoljning/{wave.imported.id}/matningar/{wave.id}")
    page.get_by_role("link", name="Dela med nationell nivå").click()
    assert page.get_by_role("heading", name="Dela med nationell nivå").is_visible()
    both_widths(page)
    page.get_by_label("Ja: förbundets namn visas för protokollets ägare").check()
    page.get_by_role("button", name="Dela med protokollets ägare").click()
    assert page.get_by_text("Mätningens siffror är delade med protokollets ägare.").is_visible()
    assert page.get_by_text("(med namn)").is_visible()
    page.get_by_role("link", name="Jämförelse med riket").click()
    table = page.get_by_role("table", name="Ert värde och riket")
    row = table.get_by_role("row").filter(has_text="I01-M1").filter(has_text="Totalt").first
    # own 55 beside 40, 55, 60, 70, 80: median 60, quartiles 55–70
    assert [c.strip() for c in row.locator("td").all_inner_texts()][2:] == [
        "55 %",
        "60 %",
        "55–70 %",
        "5",
    ]
    assert "80" not in row.inner_text() and "40" not in row.inner_text()
    both_widths(page)


def test_owner_sees_the_distribution_and_receives_a_file(
    page,
    live_server,
    published,
    wave,
    make_user,
    tmp_path,
):
    from consensus.followup import services
    from consensus.protocol.canonical import dumps

    receive(synthetic_report(published, "a", 80.0, name="Samordningsförbundet Norr"))
    for key, value in (("b", 60.0), ("c", 70.0), ("d", 40.0)):
        receive(synthetic_report(published, key, value))
    report = services.wave_report(wave, named=False)
    good = tmp_path / "aggregat.json"
    good.write_bytes(dumps(report))
    bad = tmp_path / "andrad.json"
    bad.write_bytes(dumps(report).replace(b'"value":55', b'"value":65'))
    make_user()
    sign_in(page, live_server, "pl@example.se")
    page.goto(f"{live_server}/studier/{published_study_slug(published)}/nationellt")
    assert page.get_by_role("heading", name="Nationell jämförelse").is_visible()
    assert page.get_by_text("Samordningsförbundet Norr").first.is_visible()
    both_widths(page)

    page.get_by_label("Aggregatrapport (JSON)").set_input_files(str(bad))
    page.get_by_role("button", name="Ta emot rapporten").click()
    assert page.get_by_role("heading", name="Rapporten togs inte emot").is_visible()
    assert page.get_by_text("Kontrollsumman stämmer inte med innehållet").is_visible()
    both_widths(page)

    page.get_by_label("Aggregatrapport (JSON)").set_input_files(str(good))
    page.get_by_role("button", name="Ta emot rapporten").click()
    assert page.get_by_text("Rapporten från Förbund 5 för oktober 2026 är mottagen.").is_visible()
    table = page.get_by_role("table", name="Fördelning över förbunden")
    row = table.get_by_role("row").filter(has_text="I01-M1").filter(has_text="Totalt").first
    # 40, 55, 60, 70, 80 over five förbund: min 40, q1 55, median 60, q3 70, max 80
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert cells[2:8] == ["5", "40 %", "55 %", "60 %", "70 %", "80 %"]
    page.get_by_role("link", name="Rapport 2026").click()
    assert page.get_by_role("heading", name="Nationell rapport 2026").is_visible()
    both_widths(page)
