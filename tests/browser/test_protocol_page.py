"""The protocol in a real browser, checked with axe-core: the public page, and publishing then
importing it in a förbund."""

import json

import pytest

from consensus.extensions import db
from consensus.protocol import services
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, share_studies
from tests.protocol.test_protocol_services import make_protocol_study

pytestmark = pytest.mark.browser


def test_public_protocol_page_is_accessible(page, live_server):
    row = services.publish(make_protocol_study(), "1.0.0")
    db.session.commit()
    page.goto(f"{live_server}/protokoll/{row.protocol_id}/senaste")
    page.wait_for_url(f"**/protokoll/{row.protocol_id}/1.0.0")
    assert page.get_by_text(row.checksum).is_visible()
    assert page.get_by_role("link", name="Ladda ned som JSON").is_visible()
    assert_accessible(page)


def _sign_in(page, live_server, email):
    share_studies()  # the staff work on the test's studies
    page.goto(live_server + "/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/oversikt")


def test_publish_then_import_in_a_forbund(new_page, live_server, make_user, tmp_path):
    """The projektledare edits the texts, previews and publishes; a förbund downloads the
    JSON, first uploads a broken copy (every problem listed, nothing saved), then the real
    file, sees its plan and adds a local item. axe-core on every page."""
    study = make_protocol_study()
    make_user()
    make_user("f@example.se", role="forbund")

    leader = new_page()
    _sign_in(leader, live_server, "pl@example.se")
    leader.goto(f"{live_server}/studier/{study.slug}/protokoll")
    assert leader.get_by_text("Alla kärnindikatorer har minst ett godtaget mått.").is_visible()
    assert_accessible(leader)
    leader.get_by_role("link", name="Påbörja en ny version").click()
    assert leader.get_by_label("Versionsnummer").input_value() == "1.0.0"
    leader.get_by_label("Protokollets titel").fill("Kärnindikatorer för piloten")
    leader.get_by_label("Ägare", exact=True).fill("Nationella nätverket")
    leader.get_by_label("Kontakt").fill("info@example.se")
    leader.get_by_label("Vad är nytt i den här versionen").fill("Första versionen.")
    assert_accessible(leader)
    leader.get_by_role("button", name="Spara utkastet").click()
    assert leader.get_by_text("Utkastet är sparat.").is_visible()
    assert leader.get_by_text("Det här blir protokollets första version.").is_visible()
    leader.get_by_role("link", name="Visa hela utkastet som det kommer att publiceras").click()
    assert leader.get_by_role("heading", name="Kärnindikatorer för piloten").is_visible()
    assert_accessible(leader)
    leader.go_back()
    # Keyboard only: the confirmation box and the button.
    leader.get_by_label("Jag har granskat utkastet.").focus()
    leader.keyboard.press("Space")
    leader.get_by_role("button", name="Publicera").focus()
    leader.keyboard.press("Enter")
    leader.wait_for_url(f"**/studier/{study.slug}/protokoll")
    assert leader.get_by_text("Version 1.0.0 är publicerad.").is_visible()
    assert_accessible(leader)
    leader.get_by_role("link", name="1.0.0").click()
    with leader.expect_download() as info:
        leader.get_by_role("link", name="Ladda ned som JSON").click()
    path = tmp_path / "protokoll.json"
    info.value.save_as(path)
    broken = tmp_path / "trasig.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["version"] = "1.0"
    broken.write_text(json.dumps(document), encoding="utf-8")

    forbund = new_page()
    _sign_in(forbund, live_server, "f@example.se")
    forbund.get_by_role("link", name="Uppföljning", exact=True).first.click()
    assert_accessible(forbund)
    forbund.get_by_label("Protokollfil (JSON)").set_input_files(broken)
    forbund.get_by_role("button", name="Importera filen").click()
    forbund.wait_for_url("**/uppfoljning/importera")
    assert forbund.get_by_role("heading", name="Protokollet importerades inte").is_visible()
    assert forbund.get_by_role("cell", name="$.version", exact=True).first.is_visible()
    assert forbund.get_by_text("Inget protokoll är importerat ännu.").is_visible()
    assert_accessible(forbund)
    forbund.get_by_label("Protokollfil (JSON)").set_input_files(path)
    forbund.get_by_role("button", name="Importera filen").click()
    forbund.wait_for_url("**/uppfoljning/*")
    assert forbund.get_by_text("Protokollet är importerat.").is_visible()
    assert forbund.get_by_role("heading", name="Plan för datainsamling").is_visible()
    assert forbund.get_by_text("Upplevt inflytande").first.is_visible()
    assert_accessible(forbund)
    forbund.get_by_label("Frågans text").fill("Hur nöjd är du med stödet från oss?")
    forbund.get_by_label("Svarstyp").select_option("text")
    forbund.get_by_role("button", name="Lägg till frågan").click()
    assert forbund.get_by_text("Den lokala frågan L1 är tillagd.").is_visible()
    assert forbund.get_by_role("cell", name="Hur nöjd är du med stödet från oss?").is_visible()
    assert_accessible(forbund)
