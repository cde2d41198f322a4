"""Waves, anonymous answering, longitudinal codes and the command line, end to end."""

import datetime as dt
import json
import re

import pytest
from sqlalchemy import func, inspect, select

from consensus.auth import services as auth_services
from consensus.extensions import db
from consensus.followup import services
from consensus.followup.models import (
    LongitudinalCode,
    SurveyAnswer,
    SurveyResponse,
    Wave,
)
from consensus.followup.services.waves import letter
from consensus.protocol.canonical import dumps
from consensus.protocol.example import example_protocol

OPENS, CLOSES = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


@pytest.fixture
def org(app):
    return auth_services.get_or_create_organisation("testforbund", "Testförbundet")


@pytest.fixture
def imported(org):
    result = services.import_document(org, dumps(example_protocol()))
    assert result.status == "imported", result.problems
    services.add_local_item(
        result.imported, "Hur fick du veta om insatsen?", "choice", options=["Vän", "Handläggare"]
    )
    db.session.commit()
    return result.imported


@pytest.fixture
def forbund(make_user, login, org):
    user = make_user("f@example.se", role="forbund", organisation=org)
    login("f@example.se")
    return user


def make_wave(org, imported, **kw):
    group = services.add_local_group(org, kw.pop("group_name", "Steget"))
    wave, token = services.create_wave(
        org,
        imported,
        kw.pop("respondent_group", "deltagare"),
        period=kw.pop("period", "oktober 2026"),
        opens_on=OPENS,
        closes_on=CLOSES,
        local_group_ids=[group.id],
        **kw,
    )
    db.session.commit()
    return wave, token, group


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def full_answers(questionnaire, group_id):
    """Every page's form data: the highest option of every scale, kön K, the group."""
    pages = []
    for section in questionnaire.sections:
        data = {}
        for q in section.questions:
            if q.id == "bakgrund.grupp":
                data[q.id] = str(group_id)
            elif q.id == "bakgrund.kon":
                data[q.id] = "K"
            elif q.options:
                data[q.id] = q.options[-1].value
        pages.append(data)
    return pages


def answer_all(client, base, pages):
    for number, data in enumerate(pages):
        response = client.post(f"{base}/sida/{number}", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)
    return client.post(f"{base}/skicka")


# --- waves -----------------------------------------------------------------------------------


def test_local_group_letters_are_fixed_and_never_reused(org):
    a = services.add_local_group(org, "Steget")
    b = services.add_local_group(org, "Vägen")
    services.rename_local_group(a, "Steget vidare")
    c = services.add_local_group(org, "Lotsen")
    assert [g.letter for g in (a, b, c)] == ["A", "B", "C"]
    with pytest.raises(services.FollowupError) as refused:
        services.add_local_group(org, "vägen")
    assert refused.value.message == "Förbundet har redan en grupp som heter ”vägen”."
    assert [letter(n) for n in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"respondent_group": "styrelse"}, "unknown_respondent_group"),
        ({"period": "", "schedule_id": "inskrivning", "timepoint": "P3M"}, "unknown_timepoint"),
        ({"period": "", "schedule_id": "finns-ej", "timepoint": "P0D"}, "unknown_schedule"),
        ({"period": ""}, "time_point_missing"),
        ({"closes_on": dt.date(2026, 9, 1)}, "dates_order"),
        ({"local_group_ids": [999]}, "unknown_local_group"),
    ],
)
def test_a_bad_wave_is_refused_and_nothing_written(org, imported, kw, code):
    args = {
        "respondent_group": "deltagare",
        "period": "oktober 2026",
        "opens_on": OPENS,
        "closes_on": CLOSES,
        **kw,
    }
    group = args.pop("respondent_group")
    with pytest.raises(services.FollowupError) as refused:
        services.create_wave(org, imported, group, **args)
    assert refused.value.code == code
    db.session.rollback()
    assert count(Wave) == 0


def test_an_event_wave_and_its_transitions(org, imported):
    wave, token, _ = make_wave(org, imported, period="", schedule_id="inskrivning", timepoint="P6M")
    assert (wave.status, wave.period, wave.timepoint) == ("draft", None, "P6M")
    assert "6 månader" in services.time_point_text(wave)
    assert wave.open_token_hash != token and len(wave.open_token_hash) == 64
    with pytest.raises(services.FollowupError) as refused:
        services.move_wave(wave, "close")
    assert refused.value.message == "Mätningen kan inte stängas när den är ett utkast."
    services.move_wave(wave, "open")
    services.move_wave(wave, "close")
    assert wave.status == "closed"
    with pytest.raises(services.FollowupError):
        services.move_wave(wave, "open")


def test_wave_pages_create_open_and_show_the_link_once(client, forbund, org, imported):
    group = services.add_local_group(org, "Steget")
    db.session.commit()
    base = f"/uppfoljning/{imported.id}/matningar"
    page = client.get(base)
    assert page.status_code == 200 and "Skapa en mätning" in page.get_data(as_text=True)
    refused = client.post(
        base,
        data={
            "respondent_group": "deltagare",
            "timepoint": "",
            "period": "",
            "opens_on": "2026-10-01",
            "closes_on": "2026-10-31",
        },
    )
    assert refused.status_code == 422
    assert "Ange mätpunkten" in refused.get_data(as_text=True) and count(Wave) == 0
    created = client.post(
        base,
        data={
            "respondent_group": "deltagare",
            "timepoint": "inskrivning|P0D",
            "period": "",
            "opens_on": "2026-10-01",
            "closes_on": "2026-10-31",
            "local_groups": [str(group.id)],
        },
    )
    body = created.get_data(as_text=True)
    assert created.status_code == 200 and "Länken visas bara nu." in body and "<svg" in body
    token = re.search(r"/enkat/([A-Za-z0-9_-]{43})", body).group(1)
    wave = db.session.scalar(select(Wave))
    assert wave.local_groups == [group] and wave.open_token_hash != token
    assert token not in client.get(f"{base}/{wave.id}").get_data(as_text=True)
    moved = client.post(f"{base}/{wave.id}/status", data={"action": "open"}, follow_redirects=True)
    assert "Mätningen är öppen för svar." in moved.get_data(as_text=True)
    assert client.get(f"/enkat/{token}").status_code == 200
    # a new link replaces the old one
    renewed = client.post(f"{base}/{wave.id}/lank").get_data(as_text=True)
    new_token = re.search(r"/enkat/([A-Za-z0-9_-]{43})", renewed).group(1)
    assert client.get(f"/enkat/{token}").status_code == 404
    assert client.get(f"/enkat/{new_token}").status_code == 200


def test_another_forbund_sees_no_waves_or_answers(client, make_user, login, org, imported):
    wave, token, _ = make_wave(org, imported)
    other = auth_services.get_or_create_organisation("annat", "Annat förbund")
    make_user("x@example.se", role="forbund", organisation=other)
    login("x@example.se")
    base = f"/uppfoljning/{imported.id}/matningar"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/{wave.id}").status_code == 404
    assert client.post(f"{base}/{wave.id}/status", data={"action": "open"}).status_code == 404
    assert client.post(f"{base}/{wave.id}/koder", data={"count": "3"}).status_code == 404
    assert client.post(f"{base}/{wave.id}/lank").status_code == 404
    assert wave.status == "draft"
    # its own imported protocol does not reach the first förbund's wave either
    own = services.import_document(other, dumps(example_protocol())).imported
    db.session.commit()
    assert client.get(f"/uppfoljning/{own.id}/matningar/{wave.id}").status_code == 404


# --- answering -------------------------------------------------------------------------------


def test_anonymous_answering_end_to_end(client, org, imported):
    wave, token, group = make_wave(org, imported)
    services.move_wave(wave, "open")
    db.session.commit()
    base = f"/enkat/{token}"
    start = client.get(base)
    assert start.status_code == 200 and "Börja svara" in start.get_data(as_text=True)
    started = client.post(base)
    assert started.status_code == 302 and started.headers["Location"].endswith("/sida/0")
    cookie = started.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Path=/enkat/" in cookie and "SameSite=Lax" in cookie
    response = db.session.scalar(select(SurveyResponse))
    assert response.status == "draft" and re.fullmatch(r"[0-9a-f]{16}", response.respondent_id)

    questionnaire = services.questionnaire_for(wave)
    pages = full_answers(questionnaire, group.id)
    # a page with a missing required answer is refused, names the question, saves nothing
    first = questionnaire.sections[0]
    missing = client.post(f"{base}/sida/0", data={first.questions[0].id: "5"})
    text = missing.get_data(as_text=True)
    assert missing.status_code == 422 and "error-summary" in text
    assert f"Svara på frågan ”{first.questions[1].text}”." in text
    assert count(SurveyAnswer) == 0
    outside = client.post(f"{base}/sida/0", data={**pages[0], first.questions[0].id: "7"})
    assert outside.status_code == 422 and "”7” är inget av svarsalternativen" in outside.get_data(
        as_text=True
    )
    # page by page; resuming on the same device goes back to the next page
    assert client.post(f"{base}/sida/0", data=pages[0]).status_code == 302
    resumed = client.post(base)
    assert resumed.headers["Location"].endswith("/sida/1")
    early = client.post(f"{base}/skicka")
    assert early.status_code == 422 and "saknar svar" in early.get_data(as_text=True)

    done = answer_all(client, base, pages)
    assert done.status_code == 302 and done.headers["Location"].endswith("/tack")
    db.session.refresh(response)
    assert response.status == "submitted" and response.submitted_on is not None
    assert response.gender == "K" and response.local_group_id == group.id
    n_items = sum(len(s.questions) for s in questionnaire.sections) - 2  # kön, group on the row
    assert len(response.answers) == n_items
    local = next(a for a in response.answers if a.item_id == "L1")
    assert (local.value, local.number) == ("2", 2.0)
    d01 = next(a for a in response.answers if a.item_id == "D01")
    assert (d01.value, d01.number, d01.missing) == ("5", 5.0, None)
    # a second submit is refused kindly; pages no longer change anything
    again = client.post(f"{base}/skicka", follow_redirects=True)
    assert "Tack för dina svar" in again.get_data(as_text=True)
    client.post(f"{base}/sida/0", data={**pages[0], first.questions[0].id: "1"})
    db.session.refresh(d01)
    assert d01.value == "5"
    assert count(SurveyResponse) == 1

    # a new device (no cookie) starts a new, separate questionnaire
    other = client.application.test_client()
    assert other.post(base).status_code == 302
    assert count(SurveyResponse) == 2


def test_a_closed_wave_refuses_answers_and_keeps_what_was_saved(client, org, imported):
    wave, token, group = make_wave(org, imported)
    services.move_wave(wave, "open")
    db.session.commit()
    base = f"/enkat/{token}"
    client.post(base)
    pages = full_answers(services.questionnaire_for(wave), group.id)
    assert client.post(f"{base}/sida/0", data=pages[0]).status_code == 302
    services.move_wave(wave, "close")
    db.session.commit()
    saved = count(SurveyAnswer)
    refused = client.post(f"{base}/sida/1", data=pages[1])
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Mätningen är stängd och tar inte emot fler svar." in text
    assert "Det som redan sparats finns kvar." in text
    assert client.post(f"{base}/skicka").status_code == 409
    assert client.get(base).status_code == 200
    assert client.post(base).status_code == 409
    fresh = client.application.test_client()
    assert fresh.post(base).status_code == 409
    assert count(SurveyAnswer) == saved and count(SurveyResponse) == 1
    with pytest.raises(services.FollowupError) as error:
        services.start(wave)
    assert error.value.code == "wave_closed"


def test_no_ip_address_user_agent_or_time_is_stored(client, org, imported):
    wave, token, group = make_wave(org, imported)
    services.move_wave(wave, "open")
    codes = services.generate_codes(org, 1, "Höst", wave)
    db.session.commit()
    base = f"/enkat/{token}"
    headers = {"User-Agent": "Spionwebbläsare/1.0", "X-Forwarded-For": "203.0.113.77"}
    client.post(f"{base}/kod", data={"code": codes[0]}, headers=headers)
    answer_all(client, base, full_answers(services.questionnaire_for(wave), group.id))
    assert db.session.scalar(select(SurveyResponse)).status == "submitted"
    inspector = inspect(db.engine)
    suspicious = re.compile(r"(^|_)(ip|ip_address|address|user_agent|agent|email|e_mail)($|_)")
    tables = ["survey_response", "survey_answer", "longitudinal_code", "wave", "correction"]
    for table in tables:
        names = [c["name"] for c in inspector.get_columns(table)]
        assert not [n for n in names if suspicious.search(n)], (table, names)
    with db.engine.connect() as connection:
        for table in inspector.get_table_names():
            for row in connection.exec_driver_sql(f'SELECT * FROM "{table}"'):
                text = " ".join(str(v) for v in row)
                assert "203.0.113.77" not in text and "Spionwebbläsare" not in text, table
    for column in inspector.get_columns("survey_response"):
        assert "time" not in str(column["type"]).lower() or column["name"] == "id"


# --- longitudinal codes ----------------------------------------------------------------------


def test_codes_link_t0_to_twelve_months_and_refuse_unknown_and_used(client, org, imported):
    group = services.add_local_group(org, "Steget")
    waves = {}
    for offset in ("P0D", "P12M"):
        wave, token = services.create_wave(
            org,
            imported,
            "deltagare",
            schedule_id="inskrivning",
            timepoint=offset,
            opens_on=OPENS,
            closes_on=CLOSES,
            local_group_ids=[group.id],
        )
        waves[offset] = (wave, token)
    t0, t0_token = waves["P0D"]
    services.move_wave(t0, "open")
    codes = services.generate_codes(org, 3, "Inskrivna hösten 2026", t0)
    db.session.commit()
    assert len(set(codes)) == 3 and all(re.fullmatch(r"(\w{4}-){2}\w{4}", c) for c in codes)
    assert count(LongitudinalCode) == 3
    stored = " ".join(r.code_hash for r in db.session.scalars(select(LongitudinalCode)))
    assert not any(c.replace("-", "") in stored for c in codes)

    pages = full_answers(services.questionnaire_for(t0), group.id)
    # T0 through the global code page (lower case, spaces: still the code)
    typed = codes[0].lower().replace("-", " ")
    entered = client.post("/enkat/kod", data={"code": typed})
    assert entered.status_code == 302 and f"/enkat/m/{t0.id}/sida/0" in entered.headers["Location"]
    answer_all(client, f"/enkat/m/{t0.id}", pages)
    first = db.session.scalar(select(SurveyResponse))
    assert first.status == "submitted" and first.longitudinal_code is not None

    # the same code again in T0: refused, from the wave's page and the global page
    again = client.application.test_client()
    used = again.post(f"/enkat/{t0_token}/kod", data={"code": codes[0]})
    assert used.status_code == 422
    assert "har redan använts för den här mätningen" in used.get_data(as_text=True)
    assert again.post("/enkat/kod", data={"code": codes[0]}).status_code == 422
    unknown = again.post("/enkat/kod", data={"code": "AAAA-BBBB-CCCC"})
    assert unknown.status_code == 422 and "finns inte" in unknown.get_data(as_text=True)

    # twelve months later the same code answers the next wave, linked by the code
    services.move_wave(t0, "close")
    t12, t12_token = waves["P12M"]
    services.move_wave(t12, "open")
    db.session.commit()
    later = client.application.test_client()
    started = later.post(f"/enkat/{t12_token}/kod", data={"code": codes[0]})
    assert started.status_code == 302
    answer_all(later, f"/enkat/{t12_token}", pages)
    code = first.longitudinal_code
    assert [w.timepoint for w in services.codes_answered(code)] == ["P0D", "P12M"]
    rows = db.session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).all()
    assert [r.longitudinal_code_id for r in rows] == [code.id, code.id]
    assert rows[0].respondent_id != rows[1].respondent_id


def test_codes_of_another_forbund_are_refused(client, org, imported):
    wave, token, _ = make_wave(org, imported)
    services.move_wave(wave, "open")
    other = auth_services.get_or_create_organisation("annat", "Annat förbund")
    [code] = services.generate_codes(other, 1)
    db.session.commit()
    refused = client.post(f"/enkat/{token}/kod", data={"code": code})
    assert refused.status_code == 422 and count(SurveyResponse) == 0


def test_code_slips_and_csv_are_shown_once(client, forbund, org, imported):
    wave, _token, _ = make_wave(org, imported)
    base = f"/uppfoljning/{imported.id}/matningar/{wave.id}/koder"
    slips = client.post(base, data={"count": "4", "cohort": "Höst", "fmt": "slips"})
    body = slips.get_data(as_text=True)
    assert slips.status_code == 200 and "Koderna visas bara nu." in body
    assert "Nyckeln mellan kod och person stannar hos förbundet" in body
    assert len(re.findall(r"<strong>\w{4}-\w{4}-\w{4}</strong>", body)) == 4
    assert slips.headers["Cache-Control"] == "no-store"
    csv = client.post(base, data={"count": "2", "fmt": "csv"})
    assert csv.mimetype == "text/csv" and len(csv.get_data(as_text=True).splitlines()) == 3
    assert count(LongitudinalCode) == 6
    too_many = client.post(base, data={"count": "999999", "fmt": "csv"}, follow_redirects=True)
    assert "mellan 1 och 5000" in too_many.get_data(as_text=True)


# --- the command line ------------------------------------------------------------------------


def test_cli_wave_create_open_list_codes_close(runner, org, imported):
    services.add_local_group(org, "Steget")
    db.session.commit()
    created = runner.invoke(
        args=[
            "followup", "wave", "create", "testforbund",
            "--protocol", imported.protocol_id, "--group", "deltagare",
            "--schedule", "inskrivning", "--timepoint", "P0D",
            "--opens", "2026-10-01", "--closes", "2026-10-31", "--local-group", "A",
        ]
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert re.search(r"/enkat/[A-Za-z0-9_-]{43}", created.output)
    wave = db.session.scalar(select(Wave))
    assert (
        runner.invoke(args=["followup", "wave", "open", "testforbund", str(wave.id)]).exit_code == 0
    )
    codes = runner.invoke(args=["followup", "codes", "testforbund", str(wave.id), "--count", "5"])
    assert codes.exit_code == 0 and len(codes.output.split()) == 5
    listed = runner.invoke(args=["followup", "wave", "list", "testforbund", "--format", "json"])
    [row] = json.loads(listed.output)
    assert (row["id"], row["respondentGroup"], row["status"], row["questionnaires"]) == (
        wave.id,
        "deltagare",
        "open",
        0,
    )
    assert row["timePoint"]["timepoint"] == "P0D" and row["localGroups"] == ["A"]
    closed = runner.invoke(args=["followup", "wave", "close", "testforbund", str(wave.id)])
    assert closed.exit_code == 0
    again = runner.invoke(args=["followup", "wave", "close", "testforbund", str(wave.id)])
    assert again.exit_code == 1 and "kan inte stängas när den är stängd" in again.output


def test_cli_refuses_bad_input_and_writes_nothing(runner, org, imported):
    bad = runner.invoke(
        args=[
            "followup", "wave", "create", "testforbund",
            "--protocol", imported.protocol_id, "--group", "styrelse",
            "--period", "oktober 2026", "--opens", "2026-10-01", "--closes", "2026-10-31",
        ]
    )  # fmt: skip
    assert bad.exit_code == 1 and "Svarsgruppen ”styrelse” finns inte i protokollet" in bad.output
    assert runner.invoke(args=["followup", "wave", "list", "okänt"]).exit_code == 1
    assert (
        runner.invoke(args=["followup", "codes", "testforbund", "99", "--count", "2"]).exit_code
        == 1
    )
    assert count(Wave) == 0 and count(LongitudinalCode) == 0
