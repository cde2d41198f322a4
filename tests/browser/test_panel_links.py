"""The panel in a real browser: an old emailed link still opens the ballot after a reminder
(both emails caught by the local SMTP server), and the panel table fits a 1280 px screen with
its row actions in view, axe-core clean at desktop and phone widths."""

import re

import pytest

from consensus.extensions import db
from consensus.studies import services
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, make_config

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(database_url, smtp_server):
    return make_config(database_url, MAIL_PORT=smtp_server.port, WTF_CSRF_ENABLED=True)


def _log_in(page, base):
    page.goto(base + "/logga-in")
    page.get_by_label("E-postadress").fill("pl@example.se")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/oversikt")


def _link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://\S+/l/[A-Za-z0-9_-]{43}", text).group(0)


def test_the_first_emailed_link_opens_the_ballot_after_a_reminder(
    new_page, live_server, make_user, study, smtp_server
):
    make_user()
    p = services.add_participant(
        study, name="Anna", email="anna@example.se", group_id=study.groups[0].id
    )
    p.consent_at = p.created_at
    db.session.commit()

    leader = new_page()
    _log_in(leader, live_server)
    leader.goto(live_server + "/studier/pilot/omgangar")
    leader.get_by_role("button", name="Skapa omgången").click()
    leader.get_by_role("button", name="Öppna omgången").click()
    leader.get_by_role("button", name="Meddela panelen att omgången är öppen").click()
    assert leader.get_by_role("status").filter(has_text="1 inbjudningar skickades.").is_visible()
    leader.get_by_role("button", name="Påminn dem som inte har svarat klart").click()
    assert leader.get_by_role("status").filter(has_text="1 inbjudningar skickades.").is_visible()
    assert_accessible(leader)

    first, second = smtp_server.messages
    assert first["To"] == second["To"] == "anna@example.se"
    assert "Påminnelse" in second["Subject"]
    assert _link(first) != _link(second)

    panelist = new_page()
    panelist.goto(_link(first))  # the older email's link
    panelist.goto(live_server + "/deltagare/omgang/1")
    assert panelist.get_by_role("heading", name=re.compile("Omgång 1")).first.is_visible()
    assert panelist.get_by_text("Deltagare är delaktiga").first.is_visible()
    assert "Länken fungerar inte" not in panelist.content()


@pytest.fixture
def crowded_panel(make_user, study):
    """Twelve panelists with long names, addresses and organisations, one failed delivery
    with the server's long answer, one who joined in the room."""
    make_user()
    for n in range(12):
        p = services.add_participant(
            study,
            name=f"Förnamn{n} Mellannamn Efternamnsson-Långström",
            email=f"forvaltningschef.for.socialtjanst.{n}@kommunens-langa-doman-{n}.example.se",
            group_id=study.groups[n % 3].id,
            organisation="Samordningsförbundet för de fyra kommunerna i södra länet",
            level="nationell",
        )
        if n == 3:
            p.invitation_status = "failed"
            p.invitation_error = (
                "550 5.1.1 <"
                + p.email
                + ">: Recipient address rejected: "
                + ("User unknown in virtual mailbox table " * 3)
            )
    services.join_workshop(study, study.groups[1])
    db.session.commit()


def _overflow(page) -> dict:
    return page.evaluate(
        """() => {
          const region = document.querySelector('.table-fit');
          return {
            page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            table: region.scrollWidth - region.clientWidth,
          };
        }"""
    )


def test_the_panel_table_fits_1280_px_with_its_actions_in_view(
    new_page, live_server, crowded_panel
):
    staff = new_page()
    staff.set_viewport_size({"width": 1280, "height": 900})
    _log_in(staff, live_server)
    staff.goto(live_server + "/studier/pilot/panel")
    assert _overflow(staff) == {"page": 0, "table": 0}  # no sideways scrolling
    for button in staff.get_by_role("button", name=re.compile("^Ny länk")).all():
        box = button.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1280
    # The details are a disclosure away, by keyboard too.
    summary = staff.locator("summary").first
    summary.focus()
    staff.keyboard.press("Enter")
    assert staff.get_by_text("Samordningsförbundet för de fyra kommunerna").first.is_visible()
    assert_accessible(staff)

    staff.set_viewport_size({"width": 390, "height": 844})
    staff.reload()
    assert staff.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert_accessible(staff)


def test_the_experts_table_fits_1280_px_and_is_axe_clean(new_page, live_server, make_user, study):
    from consensus.measures import services as measures

    make_user()
    survey = measures.create_survey(study)
    for n in range(8):
        measures.add_expert(
            survey,
            email=f"utredare.vid.myndigheten.{n}@forsakringskassans-langa-doman.example.se",
            name=f"Expertnamn{n} Långt Efternamnsson",
            organisation="Myndigheten för vård- och omsorgsanalys, enheten för uppföljning",
            organisation_type="Statlig myndighet",
            level="nationell",
            role="Utredare med ansvar för registerdata",
        )
    db.session.commit()
    staff = new_page()
    staff.set_viewport_size({"width": 1280, "height": 900})
    _log_in(staff, live_server)
    staff.goto(live_server + "/studier/pilot/matt/experter")
    assert _overflow(staff) == {"page": 0, "table": 0}
    assert_accessible(staff)  # the scroll region is focusable (scrollable-region-focusable)
    staff.set_viewport_size({"width": 390, "height": 844})
    staff.reload()
    assert _overflow(staff)["page"] == 0
    assert_accessible(staff)


def test_an_expert_rates_with_autosave_and_progress(new_page, live_server, make_user, study):
    """Each rating saves as it is chosen and the progress counts up ("1 av 2 bedömda"), with
    no submit; reloading shows what was saved. axe-core clean on a phone."""
    from consensus.auth.services import issue_link
    from consensus.measures import services as measures
    from tests.measures.test_leader_views import QUANT

    make_user()
    survey = measures.create_survey(study, indicator_ids=[study.indicators[0].id])
    measures.change_status(survey, "open")
    respondent = measures.add_expert(survey, email="anna@kommun.se", name="Anna")
    proposal = measures.save_proposal(respondent, study.indicators[0].id, QUANT)
    measures.submit(respondent)
    measures.merge_proposals(survey, study.indicators[0], [proposal.id], {"name": "Inflytande"})
    measures.change_rating_status(survey, "open_rating")
    token = issue_link(respondent.participant)
    db.session.commit()

    expert = new_page()
    expert.set_viewport_size({"width": 390, "height": 844})
    expert.goto(f"{live_server}/l/{token}")
    expert.goto(f"{live_server}/matt/pilot/bedomning")
    assert expert.get_by_text("0 av 2 bedömda.").is_visible()
    assert_accessible(expert)
    # By keyboard, as a screen-reader user would (the sticky save bar covers a click here).
    expert.locator("fieldset.question").first.locator("input[value='8']").focus()
    expert.keyboard.press("Space")
    status = expert.locator("#save-status")
    status.filter(has_text="Sparat. 1 av 2 bedömda.").wait_for()
    assert expert.locator("#rating-progress").inner_text() == "1 av 2 bedömda."
    expert.reload()
    assert expert.get_by_text("1 av 2 bedömda.").is_visible()
    assert expert.locator("fieldset.question").first.locator("input[value='8']").is_checked()
