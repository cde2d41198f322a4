"""What part 1 and part 2 left: deleting a whole paper or imported questionnaire with a logged
reason (the log survives), answers only while a wave is open whatever its dates, the staff
warning for an open wave past its closing date, and purging unfinished web questionnaires."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from consensus.auth import services as auth_services
from consensus.extensions import db
from consensus.followup import lifecycle, services
from consensus.followup.models import Correction, SurveyAnswer, SurveyResponse
from consensus.followup.questionnaire import Cleaned
from consensus.followup.services.answering import today
from consensus.protocol.canonical import dumps
from consensus.protocol.example import example_protocol

from .test_entry import paper_form

OPENS, CLOSES = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


@pytest.fixture
def org(app):
    return auth_services.get_or_create_organisation("testforbund", "Testförbundet")


@pytest.fixture
def imported(org):
    result = services.import_document(org, dumps(example_protocol()))
    assert result.status == "imported", result.problems
    db.session.commit()
    return result.imported


def make_wave(org, imported, status="open", opens_on=OPENS, closes_on=CLOSES):
    group = services.add_local_group(org, f"Steget {opens_on}")
    wave, token = services.create_wave(
        org,
        imported,
        "deltagare",
        period="oktober 2026",
        opens_on=opens_on,
        closes_on=closes_on,
        local_group_ids=[group.id],
    )
    if status in ("open", "closed"):
        services.move_wave(wave, "open")
    if status == "closed":
        services.move_wave(wave, "close")
    db.session.commit()
    return wave, token


@pytest.fixture
def wave(org, imported):
    return make_wave(org, imported)[0]


@pytest.fixture
def forbund(make_user, login, org):
    user = make_user("f@example.se", role="forbund", organisation=org)
    login("f@example.se")
    return user


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- deleting a whole questionnaire -----------------------------------------------------------


def test_a_paper_questionnaire_is_deleted_with_a_reason_and_the_log_survives(wave, make_user):
    actor = make_user("staff@example.se", role="forbund")
    response, _ = services.enter_paper(wave, paper_form(wave))
    other, _ = services.enter_paper(wave, paper_form(wave, value="2"))
    services.correct_answer(response, "D01", ["5"], "Fel avläst", actor.id)
    db.session.commit()
    respondent_id, response_id = response.respondent_id, response.id

    with pytest.raises(services.FollowupError) as refused:
        services.delete_response(response, " ", actor.id)
    assert refused.value.code == "reason_required"
    assert count(SurveyResponse) == 2

    services.delete_response(response, "Inmatad två gånger", actor.id)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(SurveyResponse, response_id) is None
    assert count(SurveyAnswer, SurveyAnswer.response_id == response_id) == 0
    assert count(SurveyResponse) == 1 and other.answers  # the other questionnaire is untouched

    log = db.session.scalars(select(Correction).order_by(Correction.id)).all()
    assert [(c.item_id, c.response_id, c.respondent_id, c.wave_id) for c in log] == [
        ("D01", None, respondent_id, wave.id),  # the earlier correction is kept
        (None, None, respondent_id, wave.id),  # the deletion
    ]
    deletion = log[1]
    assert deletion.reason == "Inmatad två gånger" and deletion.actor_id == actor.id
    assert deletion.after is None and deletion.before["D01"] == {"value": "5"}
    assert deletion.before["bakgrund.kon"] == {"value": "K"}
    assert services.deletions(wave) == [deletion]


def test_the_database_keeps_the_log_when_a_questionnaire_row_is_deleted(wave, make_user):
    """``SET NULL`` on the link, not ``CASCADE``: even a delete outside the service keeps it."""
    actor = make_user("staff@example.se", role="forbund")
    response, _ = services.enter_paper(wave, paper_form(wave))
    services.correct_answer(response, "D02", ["1"], "Fel ruta", actor.id)
    db.session.commit()
    respondent_id = response.respondent_id
    db.session.execute(SurveyResponse.__table__.delete())
    db.session.commit()
    db.session.expire_all()
    (kept,) = db.session.scalars(select(Correction)).all()
    assert kept.response_id is None and kept.respondent_id == respondent_id


def test_a_web_questionnaire_cannot_be_deleted_by_staff(wave, forbund, client):
    response, _token = services.start(wave)
    services.store_answers(response, {"D01": Cleaned(value="3", number=3.0)})
    db.session.commit()
    with pytest.raises(services.FollowupError) as refused:
        services.delete_response(response, "Dubblett", forbund.id)
    assert refused.value.code == "web_not_editable"

    base = f"/uppfoljning/{wave.imported_protocol_id}/matningar/{wave.id}/inmatning"
    page = client.get(f"{base}/svar/{response.respondent_id}").get_data(as_text=True)
    assert "Ta bort hela enkäten" not in page
    posted = client.post(
        f"{base}/svar/{response.respondent_id}/ta-bort",
        data={"reason": "Dubblett"},
        follow_redirects=True,
    )
    assert "kan inte ändras av personal" in posted.get_data(as_text=True)
    assert count(SurveyResponse) == 1 and count(Correction) == 0


def test_delete_page_flow(wave, forbund, client):
    base = f"/uppfoljning/{wave.imported_protocol_id}/matningar/{wave.id}/inmatning"
    response, _ = services.enter_paper(wave, paper_form(wave))
    db.session.commit()
    rid = response.respondent_id
    page = client.get(f"{base}/svar/{rid}").get_data(as_text=True)
    assert "Ta bort hela enkäten" in page and "Varför tas enkäten bort?" in page

    refused = client.post(f"{base}/svar/{rid}/ta-bort", data={"reason": ""}, follow_redirects=True)
    assert "Skriv varför enkäten tas bort." in refused.get_data(as_text=True)
    assert count(SurveyResponse) == 1

    done = client.post(
        f"{base}/svar/{rid}/ta-bort", data={"reason": "Dubblett av papper"}, follow_redirects=True
    )
    body = done.get_data(as_text=True)
    assert done.request.path == base
    assert f"Enkäten {rid} är borttagen" in body and "Dubblett av papper" in body
    assert count(SurveyResponse) == 0 and count(Correction) == 1
    assert client.get(f"{base}/svar/{rid}").status_code == 404
    assert client.post(f"{base}/svar/{rid}/ta-bort", data={"reason": "igen"}).status_code == 404


def test_another_forbund_cannot_delete(wave, make_user, login, client):
    other = auth_services.get_or_create_organisation("annat", "Annat förbund")
    make_user("o@example.se", role="forbund", organisation=other)
    response, _ = services.enter_paper(wave, paper_form(wave))
    db.session.commit()
    login("o@example.se")
    base = f"/uppfoljning/{wave.imported_protocol_id}/matningar/{wave.id}/inmatning"
    posted = client.post(f"{base}/svar/{response.respondent_id}/ta-bort", data={"reason": "x"})
    assert posted.status_code == 404 and count(SurveyResponse) == 1


# --- dates ----------------------------------------------------------------------------------

D = dt.date


@pytest.mark.parametrize(
    ("status", "today", "expected"),
    [
        ("draft", D(2026, 9, 30), None),
        ("draft", D(2026, 10, 1), "wave_draft_past_opening"),
        ("open", D(2026, 9, 20), None),  # opened early: answers are taken, no notice
        ("open", D(2026, 10, 31), None),  # the closing day itself is inside the period
        ("open", D(2026, 11, 1), "wave_open_past_closing"),
        ("closed", D(2026, 10, 15), None),  # closed early: that is staff's decision
        ("closed", D(2027, 1, 1), None),
    ],
)
def test_date_notice(status, today, expected):
    assert lifecycle.date_notice(status, OPENS, CLOSES, today) == expected


def test_answers_follow_the_status_not_the_dates(org, imported):
    """An open wave past its closing date takes answers; a draft inside its dates does not."""
    past, _ = make_wave(org, imported, "open", D(2020, 1, 1), D(2020, 1, 31))
    response, _token = services.start(past)
    assert response.id is not None
    now = today()
    draft, _ = make_wave(org, imported, "draft", now - dt.timedelta(days=1), now)
    with pytest.raises(services.FollowupError) as refused:
        services.start(draft)
    assert refused.value.code == "wave_not_open"


def test_staff_are_warned_and_respondents_see_the_dates(org, imported, forbund, client):
    past, token = make_wave(org, imported, "open", D(2020, 1, 1), D(2020, 1, 31))
    page = client.get(f"/uppfoljning/{imported.id}/matningar/{past.id}").get_data(as_text=True)
    assert "Sista svarsdagen (2020-01-31) har passerat" in page
    listing = client.get(f"/uppfoljning/{imported.id}/matningar").get_data(as_text=True)
    assert "sista svarsdagen har passerat" in listing
    current, _ = make_wave(org, imported, "open", today(), today())
    page = client.get(f"/uppfoljning/{imported.id}/matningar/{current.id}").get_data(as_text=True)
    assert "har passerat" not in page

    answer_start = client.get(f"/enkat/{token}").get_data(as_text=True)
    assert "Svarsperiod: 2020-01-01 – 2020-01-31." in answer_start
    services.move_wave(past, "close")
    db.session.commit()
    closed = client.get(f"/enkat/{token}").get_data(as_text=True)
    assert "tar inte emot fler svar" in closed and "2020-01-31" in closed


# --- unfinished questionnaires --------------------------------------------------------------


def test_unfinished_web_questionnaires_are_purged_30_days_after_closing(org, imported):
    old, _ = make_wave(org, imported, "open", D(2026, 1, 1), D(2026, 1, 31))
    draft, _t = services.start(old)
    services.store_answers(draft, {"D01": Cleaned(value="3", number=3.0)})
    sent, _t = services.start(old)
    sent_id = sent.id
    services.store_answers(sent, {"D01": Cleaned(value="4", number=4.0)})
    sent.status, sent.submitted_on = "submitted", D(2026, 1, 20)
    paper, _ = services.enter_paper(old, paper_form(old))
    services.move_wave(old, "close")
    db.session.commit()

    assert services.purge_drafts(D(2026, 3, 2)) == 0  # closing + 30 days: still kept
    assert services.purge_drafts(D(2026, 3, 3)) == 1
    db.session.commit()
    left = db.session.scalars(select(SurveyResponse.id)).all()
    assert sorted(left) == sorted([sent_id, paper.id])
    assert count(SurveyAnswer, SurveyAnswer.response_id.not_in(left)) == 0


def test_purge_command(org, imported, runner):
    old, _ = make_wave(org, imported, "open", D(2020, 1, 1), D(2020, 1, 31))
    services.start(old)
    services.start(old)
    recent, _ = make_wave(org, imported, "open", today(), today())
    services.start(recent)
    db.session.commit()
    dry = runner.invoke(args=["followup", "purge", "--dry-run"])
    assert dry.exit_code == 0 and "2 påbörjade enkäter skulle tas bort" in dry.output
    assert count(SurveyResponse) == 3
    done = runner.invoke(args=["followup", "purge"])
    assert done.exit_code == 0, done.output
    assert "2 påbörjade enkäter" in done.output
    db.session.expire_all()
    assert count(SurveyResponse) == 1


def test_the_privacy_page_says_drafts_are_purged(client):
    page = client.get("/personuppgifter").get_data(as_text=True)
    assert "30 dagar efter mätningens sista svarsdag" in page


# --- links and navigation -------------------------------------------------------------------


def test_every_followup_page_is_reached_by_clicking_from_the_start_page(
    app, org, imported, wave, forbund, client
):
    """Follow every link from /uppfoljning: each staff page of the follow-up (its GET routes,
    except the previews of a just-uploaded file) is reached, and none answers an error."""
    import re
    from urllib.parse import urlsplit

    from consensus.protocol.canonical import with_checksum

    services.enter_paper(wave, paper_form(wave))
    services.add_local_item(imported, "Något mer?", "text")
    newer = example_protocol()
    newer["version"] = "1.1.0"
    assert services.import_document(org, dumps(with_checksum(newer))).status == "imported"
    db.session.commit()
    adapter = app.url_map.bind("localhost")
    wanted = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("followup.")
        and rule.rule.startswith("/uppfoljning")
        and "GET" in rule.methods
        and "<key>" not in rule.rule
    }
    seen_paths: set[str] = set()
    reached: set[str] = set()
    queue = ["/uppfoljning"]
    while queue:
        path = queue.pop()
        if path in seen_paths:
            continue
        seen_paths.add(path)
        response = client.get(path)
        assert response.status_code == 200, path
        reached.add(adapter.match(path)[0])
        if not response.mimetype == "text/html":
            continue
        for href in re.findall(r'href="([^"]+)"', response.get_data(as_text=True)):
            target = urlsplit(href.replace("&amp;", "&"))
            if target.path.startswith("/uppfoljning") and not target.netloc:
                queue.append(target.path)
    assert wanted - reached == set()
