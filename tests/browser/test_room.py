"""The conference day (issue #16): presenter mode, the ballot on a phone, refused answers
that never stay on screen, ranking by buttons and the facilitator's live views."""

import re
from urllib.parse import parse_qs

import pytest

from consensus.auth.services import issue_link
from consensus.dbtypes import utcnow
from consensus.extensions import db
from consensus.rounds import services
from consensus.rounds.models import Answer
from consensus.studies import services as study_services
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD
from tests.rounds.conftest import make_delphi, rate

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}


def _opened(d, method="rating", **kwargs):
    r = services.create_round(d.study, method, **kwargs)
    services.open_round(r)
    db.session.commit()
    return r


def _panelist_page(new_page, live_server, participant, viewport=PHONE):
    participant.consent_at = participant.consent_at or utcnow()
    token = issue_link(participant)
    db.session.commit()
    page = new_page()
    page.set_viewport_size(viewport)
    page.goto(f"{live_server}/l/{token}")
    return page


def _log_in(page, base, email="pl@example.se"):
    page.goto(base + "/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/oversikt")


def _saves(page) -> list[dict]:
    """The answers the page posts to the save endpoint, as parsed form fields."""
    posted: list[dict] = []

    def seen(request):
        if request.method == "POST" and request.url.endswith("/svar"):
            assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
            posted.append({k: v[-1] for k, v in parse_qs(request.post_data or "").items()})

    page.on("request", seen)
    return posted


def _is_save(response) -> bool:
    return response.url.endswith("/svar")


def _stored(round_, participant) -> dict[str, int | None]:
    db.session.expire_all()
    rows = db.session.execute(
        db.select(Answer.indicator_id, Answer.value).where(
            Answer.round_id == round_.id, Answer.participant_id == participant.id
        )
    ).all()
    codes = {i.id: i.code for i in services.ballot(round_)}
    return {codes[iid]: value for iid, value in rows}


# --- presenter mode ----------------------------------------------------------------------------


def test_presenter_mode_fills_a_1920_screen_and_turns_to_paged_results(
    new_page, live_server, make_user
):
    make_user()
    d = make_delphi(indicators=30)
    study_services.ensure_join_code(d.study)
    r = _opened(d)
    for p in d.panel[:4]:
        rate(r, p, {i: 7 + (k % 3) for k, i in enumerate(d.indicators)})
    db.session.commit()

    page = new_page()
    _log_in(page, live_server)
    page.set_viewport_size(PROJECTOR)
    page.goto(f"{live_server}/studier/delphi/omgangar/1/projektor")
    assert page.locator(".site-nav, .site-header").count() == 0
    assert "pl@example.se" not in page.content()
    assert page.get_by_role("img", name=re.compile("QR-kod")).is_visible()
    qr = page.locator(".presenter-qr svg path.qrline").bounding_box()  # the drawing itself
    assert qr["height"] >= 1080 / 3 and qr["width"] >= 1080 / 3, qr
    code = page.locator(".presenter-code strong")
    assert code.inner_text() == d.study.join_code
    assert code.bounding_box()["height"] >= 60  # readable from the back of the room
    assert page.locator("#live-answered").inner_text() == "4"
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    assert_accessible(page)

    # The leader turns on the live histogram: the answers 1-9 pooled over the ballot.
    page.get_by_role("link", name="Visa fördelningen medan omröstningen pågår").click()
    bars = page.locator("#live-histogram meter")
    assert bars.count() == 9
    assert page.get_by_label("7: 40").is_visible()  # 4 panelists x 10 indicators rated 7
    rate(r, d.panel[4], {d.indicators[0]: 7})
    db.session.commit()
    page.get_by_label("7: 41").wait_for(timeout=8000)
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    assert_accessible(page)

    # Closed: the results, paged by themselves, each page on the screen without scrolling.
    services.close_round(r)
    db.session.commit()
    page.get_by_role("heading", name=re.compile("Resultat")).wait_for(timeout=8000)
    indicator = page.locator("#page-indicator")
    assert re.fullmatch(r"sida 1 av [2-9]", indicator.inner_text())
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    shown = page.locator(".projector-results li:visible")
    first = shown.first.inner_text()
    assert 5 <= shown.count() < 30
    pause = page.get_by_role("button", name="Pausa bläddringen")
    pause.click()
    assert page.get_by_role("button", name="Fortsätt bläddra").get_attribute("aria-pressed") == (
        "true"
    )
    page.locator("h1").click()
    page.keyboard.press("ArrowRight")
    assert indicator.inner_text().startswith("sida 2 av")
    assert page.locator(".projector-results li:visible").first.inner_text() != first
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_accessible(page)


def test_projector_turns_to_results_when_the_round_closes_right_after_loading(
    new_page, live_server, make_user
):
    make_user()
    d = make_delphi()
    r = _opened(d)
    rate(r, d.panel[0], {d.indicators[0]: 8})
    db.session.commit()
    page = new_page()
    _log_in(page, live_server)
    page.set_viewport_size(PROJECTOR)
    page.goto(f"{live_server}/studier/delphi/omgangar/1/projektor")
    services.close_round(r)  # within the first poll's interval
    db.session.commit()
    page.get_by_role("heading", name="Resultat").wait_for(timeout=6000)
    assert page.locator(".projector-results li").count() == 3


def test_round_page_counts_per_group_live(new_page, live_server, make_user):
    make_user(email="fac@example.se", role="facilitator")
    d = make_delphi()
    r = _opened(d)
    page = new_page()
    _log_in(page, live_server, "fac@example.se")
    page.goto(f"{live_server}/studier/delphi/omgangar/1")
    answered_b = page.locator("[data-group='b'][data-count='partial']")  # one of 3 answered
    assert answered_b.inner_text() == "0"
    rate(r, d.member("b", 0), {d.indicators[0]: 5})
    rate(r, d.member("b", 1), {d.indicators[1]: 6})
    db.session.commit()
    from playwright.sync_api import expect  # installed with the browser tests (conftest)

    expect(answered_b).to_have_text("2", timeout=8000)
    assert page.locator("[data-group='a'][data-count='partial']").inner_text() == "0"
    assert page.locator("[data-group='b'][data-count='not_started']").inner_text() == "1"
    assert page.get_by_text("2 av 6 paneldeltagare har svarat.").is_visible()
    services.close_round(r)
    db.session.commit()
    page.get_by_text("Omgångens läge har ändrats.").wait_for(timeout=8000)
    assert_accessible(page)


# --- the ballot on a phone ---------------------------------------------------------------------


@pytest.fixture
def second_round():
    """Round 2 of a rating study asking for a reason on crossing 7 or 3; panelist a0 rated
    I1 8 in round 1 (undecided overall: 8, 2, 5)."""
    d = make_delphi(ask_reason_on_band_cross=True)
    r1 = _opened(d)
    i1 = d.ind("I1")
    for p, value in zip(d.panel, (8, 2, 5), strict=False):
        rate(r1, p, {i1: value, d.ind("I2"): value, d.ind("I3"): value})
    services.close_round(r1)
    services.confirm_decisions(r1)
    db.session.commit()
    return d, _opened(d)


def test_scale_on_one_row_answered_by_keyboard_saves_once_and_prompts_on_the_final_value(
    new_page, live_server, second_round
):
    d, r2 = second_round
    p, i1 = d.panel[0], d.ind("I1")
    page = _panelist_page(new_page, live_server, p)
    saves = _saves(page)
    page.goto(f"{live_server}/deltagare/omgang/2")
    question = page.locator(f"#q-{i1.id}")

    geometry = question.evaluate(
        """q => ({
          tops: [...q.querySelectorAll('.scale-option')].map(e => e.offsetTop),
          boxes: [...q.querySelectorAll('.scale-option span')].map(e => e.getBoundingClientRect().toJSON()),
          legend: [...q.querySelectorAll('.scale-legend')].map(e => e.getBoundingClientRect().toJSON()),
        })"""
    )
    assert len(set(geometry["tops"])) == 1, geometry["tops"]
    boxes, legend = geometry["boxes"], geometry["legend"]
    assert min(b["width"] for b in boxes) >= 24 and min(b["height"] for b in boxes) >= 44
    for band, (first, last) in zip(legend, ((0, 2), (3, 5), (6, 8)), strict=True):
        assert abs(band["left"] - boxes[first]["left"]) <= 1
        assert abs(band["right"] - boxes[last]["right"]) <= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    gap = page.evaluate(
        "document.querySelector('fieldset.question').getBoundingClientRect().top"
        " - document.querySelector('progress').getBoundingClientRect().bottom"
    )
    assert gap <= 90, gap  # the group's heading, no empty band above the first question
    assert_accessible(page)

    # From nothing to 7 by arrow keys (each arrow selects the next number), then on.
    question.get_by_label("1", exact=True).focus()
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    assert question.get_by_label("7", exact=True).is_checked()
    page.keyboard.press("Tab")
    page.get_by_role("status").filter(has_text="Sparat.").wait_for()
    assert [s[f"value-{i1.id}"] for s in saves] == ["7"]
    assert page.locator(f"#reason-wrap-{i1.id}").is_hidden()  # 8 -> 7 crosses nothing
    assert _stored(r2, p)["I1"] == 7

    # 7 -> 2 by keyboard, then a pause: one save, and 8 -> 2 does cross a boundary.
    question.get_by_label("7", exact=True).focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(1500)
    assert [s[f"value-{i1.id}"] for s in saves] == ["7", "2"]
    assert page.locator(f"#reason-wrap-{i1.id}").is_visible()
    # ... and back to 8 by a click: saved at once; the empty reason box goes away again.
    question.get_by_label("8", exact=True).click()
    page.locator(f"#reason-wrap-{i1.id}").wait_for(state="hidden")
    assert [s[f"value-{i1.id}"] for s in saves] == ["7", "2", "8"]
    assert _stored(r2, p)["I1"] == 8
    assert_accessible(page)


def test_a_save_refused_after_closing_shows_an_error_and_restores_the_answer(new_page, live_server):
    d = make_delphi()
    r = _opened(d)
    p, i1 = d.panel[0], d.ind("I1")
    page = _panelist_page(new_page, live_server, p)
    page.goto(f"{live_server}/deltagare/omgang/1")
    question = page.locator(f"#q-{i1.id}")
    question.get_by_label("5", exact=True).click()
    page.get_by_role("status").filter(has_text="Sparat.").wait_for()
    services.close_round(r)
    db.session.commit()

    question.get_by_label("9", exact=True).click()
    error = question.locator(".error-text")
    error.wait_for()
    assert error.inner_text() == "Omgången är stängd. Svaret sparades inte."
    assert question.get_by_label("5", exact=True).is_checked()
    assert not question.get_by_label("9", exact=True).is_checked()
    assert question.get_by_label("9", exact=True).get_attribute("aria-invalid") == "true"
    assert "is-error" in page.locator("#save-status").get_attribute("class")
    assert _stored(r, p) == {"I1": 5}
    assert_accessible(page)


def test_approval_disables_boxes_at_k_and_restores_a_refused_tick(new_page, live_server):
    d = make_delphi(indicators=4)
    r = _opened(d, "approval", max_selections=2)
    p = d.panel[0]
    i1, i2, i3, i4 = d.indicators
    page = _panelist_page(new_page, live_server, p)
    page.goto(f"{live_server}/deltagare/omgang/1")
    status = page.locator("#approval-status")
    assert status.inner_text() == "0 av 2 valda"
    page.get_by_label("Välj I1").check()
    page.get_by_role("status").filter(has_text="Sparat.").wait_for()
    assert status.inner_text() == "1 av 2 valda"

    # Another device of the same panelist ticks I4 meanwhile: the server holds 2 of 2.
    services.save_answers(r, p, [{"indicator_id": i4.id, "value": 1}])
    db.session.commit()
    page.get_by_label("Välj I2").check()
    error = page.locator(f"#q-{i2.id} .error-text")
    error.wait_for()
    assert error.inner_text() == "Du kan välja högst 2 indikatorer. Avmarkera någon först."
    assert not page.get_by_label("Välj I2").is_checked()
    assert status.inner_text() == "1 av 2 valda"
    assert _stored(r, p) == {"I1": 1, "I4": 1}

    # Reloaded, the page shows what is stored: K reached, the other boxes disabled.
    page.reload()
    assert status.inner_text() == "2 av 2 valda. Avmarkera någon för att välja en annan."
    assert page.get_by_label("Välj I2").is_disabled() and page.get_by_label("Välj I3").is_disabled()
    assert page.get_by_label("Välj I4").is_checked() and page.get_by_label("Välj I4").is_enabled()
    with page.expect_response(_is_save):
        page.get_by_label("Välj I4").uncheck()
    assert page.get_by_label("Välj I2").is_enabled() and status.inner_text() == "1 av 2 valda"
    with page.expect_response(_is_save):
        page.get_by_label("Välj I3").check()
        assert page.get_by_label("Välj I2").is_disabled()
    assert _stored(r, p) == {"I1": 1, "I3": 1, "I4": None}
    assert_accessible(page)


def test_ranking_by_buttons_on_a_phone(new_page, live_server):
    d = make_delphi(indicators=4)
    r = _opened(d, "ranking", top_m=3)
    p = d.panel[0]
    page = _panelist_page(new_page, live_server, p)
    saves = _saves(page)
    page.goto(f"{live_server}/deltagare/omgang/1")
    overview = page.locator("#rank-overview li")
    assert overview.all_inner_texts() == ["– ledig"] * 3

    page.get_by_role("button", name="Ge plats I2").click()
    page.get_by_role("status").filter(has_text="I2 har plats 1.").wait_for()
    page.get_by_role("button", name="Ge plats I1").click()
    page.get_by_role("status").filter(has_text="I1 har plats 2.").wait_for()
    page.get_by_role("button", name="Flytta upp I1").click()
    page.get_by_role("status").filter(has_text="I1 har plats 1.").wait_for()
    assert _stored(r, p) == {"I1": 1, "I2": 2}
    assert len(saves) == 3  # the swap is one save of both places
    assert overview.all_inner_texts() == ["I1 Indikator 1", "I2 Indikator 2", "– ledig"]

    # By keyboard: the focus stays on the button that was pressed.
    page.get_by_role("button", name="Flytta ner I1").focus()
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="I1 har plats 2.").wait_for()
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="I1 har plats 3.").wait_for()
    assert _stored(r, p) == {"I1": 3, "I2": 1}
    assert page.get_by_role("button", name="Flytta ner I1").is_disabled()  # place 3 of 3
    page.get_by_role("button", name="Ge plats I3").click()
    page.get_by_role("status").filter(has_text="I3 har plats 2.").wait_for()
    assert page.get_by_role("button", name="Ge plats I4").is_disabled()  # all 3 taken

    # A place typed twice is refused beside the field, the stored place put back.
    box = page.get_by_label("Plats (1 = viktigast)").nth(3)
    box.fill("1")
    box.press("Enter")
    error = page.locator(f"#q-{d.ind('I4').id} .error-text")
    error.wait_for()
    assert error.inner_text() == "Samma plats kan bara ges till en indikator."
    assert box.input_value() == ""
    assert _stored(r, p) == {"I1": 3, "I2": 1, "I3": 2}
    assert_accessible(page)
