"""Study setup in a real browser: import with preview, invite by email, personal link and
consent, joining by workshop code. axe-core on every page."""

import re

import pytest

from consensus.extensions import db
from consensus.studies import services
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, make_config, share_studies

pytestmark = pytest.mark.browser

POOL = (
    "Kod;Titel;Förtydligande;Perspektiv;Typ;Källa\r\n"
    "P01;Deltagare känner att insatserna är organiserade runt deras behov;;deltagare;process;NNS\r\n"
    "P08;Personalen upplever att andra myndigheter respekterar deras kunskap;;medarbetare;process;NNS\r\n"
    "E05;Insikter från samverkan leder till nya förebyggande insatser;;samhälle;effekt;NNS\r\n"
).encode("cp1252")


@pytest.fixture
def app_config(database_url, smtp_server):
    return make_config(database_url, MAIL_PORT=smtp_server.port, WTF_CSRF_ENABLED=True)


@pytest.fixture
def setup_study(make_user):
    make_user()
    study = services.create_study("pilot", "Pilotstudie", info_text="Deltagandet är frivilligt.")
    for code, name in [
        ("politiker", "Politiker"),
        ("chefer", "Chefer"),
        ("deltagare", "Deltagare"),
    ]:
        services.add_group(study, code, name)
    services.add_participant(
        study, name="Anna", email="anna@example.se", group_id=study.groups[0].id
    )
    db.session.commit()
    return study


def _log_in(page, base):
    share_studies()  # the staff work on the test's studies
    page.goto(base + "/logga-in")
    page.get_by_label("E-postadress").fill("pl@example.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/oversikt")


def test_import_invite_link_consent(new_page, live_server, setup_study, smtp_server, tmp_path):
    staff = new_page()
    _log_in(staff, live_server)
    staff.goto(live_server + "/studier/pilot")
    assert_accessible(staff)

    staff.get_by_role("link", name="Kandidatindikatorer", exact=True).click()
    staff.get_by_role("link", name="Importera från Excel eller CSV").click()
    assert_accessible(staff)
    pool = tmp_path / "pool.csv"
    pool.write_bytes(POOL)
    staff.get_by_label("Fil").set_input_files(str(pool))
    staff.get_by_role("button", name="Förhandsgranska").click()
    assert staff.get_by_text("Importen kommer att skapa 3 och uppdatera 0.").is_visible()
    assert_accessible(staff)
    staff.get_by_role("button", name="Genomför importen").click()
    assert staff.get_by_role("status").filter(has_text="3 nya och 0 uppdaterade").is_visible()
    assert staff.get_by_role("heading", name=re.compile("Samhälle")).is_visible()
    assert_accessible(staff)

    staff.get_by_role("link", name="Panel", exact=True).click()
    assert_accessible(staff)
    staff.get_by_role("button", name="Skicka inbjudan till alla som inte fått någon").click()
    assert staff.get_by_role("status").filter(has_text="1 inbjudningar skickades.").is_visible()
    (message,) = smtp_server.messages
    link = re.search(
        r"http://\S+/l/[A-Za-z0-9_-]{43}", message.get_body(("plain",)).get_content()
    ).group(0)

    panelist = new_page()
    panelist.goto(link)
    assert panelist.get_by_text("Deltagandet är frivilligt.").is_visible()
    assert_accessible(panelist)
    panelist.get_by_role("button", name="Fortsätt").click()
    assert panelist.get_by_role("alert").first.is_visible()  # the box was not ticked
    panelist.get_by_label("Jag har läst informationen och vill delta.").check()
    panelist.get_by_role("button", name="Fortsätt").click()
    assert panelist.get_by_role("status").filter(has_text="samtycke är registrerat").is_visible()
    assert_accessible(panelist)

    staff.reload()
    assert staff.get_by_text("har besökt").is_visible()


def test_join_by_workshop_code(new_page, live_server, setup_study):
    staff = new_page()
    _log_in(staff, live_server)
    staff.goto(live_server + "/studier/pilot/workshop")
    staff.get_by_role("button", name="Skapa en konferenskod").click()
    code = staff.locator(".join-code strong").inner_text()
    assert staff.get_by_role("img", name=re.compile("QR-kod")).is_visible()
    assert_accessible(staff)

    phone = new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(live_server + "/k")
    assert_accessible(phone)
    phone.get_by_label("Koden som visas i rummet").fill(code.lower())
    phone.get_by_role("button", name="Fortsätt").click()
    assert phone.get_by_text("Deltagandet är frivilligt.").is_visible()
    assert_accessible(phone)
    phone.get_by_label("Chefer").check()
    phone.get_by_label("Jag har läst informationen och vill delta.").check()
    phone.get_by_role("button", name="Delta").click()
    assert phone.get_by_role("heading", name="Spara din personliga länk").is_visible()
    assert "/l/" in phone.get_by_label("Din personliga länk").input_value()
    assert_accessible(phone)
