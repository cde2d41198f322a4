"""Paper questionnaires, logged corrections, importing answers from a file (preview and every
refusal, nothing written), the raw answers export, and the command line."""

import csv
import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from consensus.auth import services as auth_services
from consensus.extensions import db
from consensus.followup import services
from consensus.followup.lifecycle import Source
from consensus.followup.models import Correction, SurveyAnswer, SurveyResponse
from consensus.followup.questionnaire import Cleaned
from consensus.protocol.canonical import dumps
from consensus.protocol.example import example_protocol
from consensus.tabular import write_xlsx

OPENS, CLOSES = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
DELTAGARE_ITEMS = [f"D{n:02d}" for n in range(1, 11)]


@pytest.fixture
def org(app):
    return auth_services.get_or_create_organisation("testforbund", "Testförbundet")


@pytest.fixture
def imported(org):
    result = services.import_document(org, dumps(example_protocol()))
    assert result.status == "imported", result.problems
    db.session.commit()
    return result.imported


@pytest.fixture
def wave(org, imported):
    steget = services.add_local_group(org, "Steget")
    services.add_local_group(org, "Vägen")  # a group of the förbund, not in this wave
    wave, _token = services.create_wave(
        org,
        imported,
        "deltagare",
        period="oktober 2026",
        opens_on=OPENS,
        closes_on=CLOSES,
        local_group_ids=[steget.id],
    )
    services.move_wave(wave, "open")
    db.session.commit()
    return wave


@pytest.fixture
def forbund(make_user, login, org):
    user = make_user("f@example.se", role="forbund", organisation=org)
    login("f@example.se")
    return user


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def paper_form(wave, value="4"):
    group = wave.local_groups[0]
    form = {i: [value] for i in DELTAGARE_ITEMS}
    form["bakgrund.kon"] = ["K"]
    form["bakgrund.alder"] = ["30-49"]
    form["bakgrund.grupp"] = [str(group.id)]
    return form


def csv_bytes(rows, headers=None):
    headers = headers or list(rows[0])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return buffer.getvalue().encode("utf-8-sig")


def good_row(n=0, **over):
    row = {i: str(1 + (n % 5)) for i in DELTAGARE_ITEMS}
    row.update({"kön": "K" if n % 2 else "Man", "ålder": "30-49", "grupp": "A"})
    row.update(over)
    return row


# --- paper and corrections --------------------------------------------------------------------


def test_paper_questionnaire_is_checked_like_a_web_answer(wave):
    missing = paper_form(wave)
    del missing["D03"]
    response, problems = services.enter_paper(wave, missing)
    assert response is None and [p.code for p in problems] == ["answer_required"]
    assert count(SurveyResponse) == 0

    response, problems = services.enter_paper(wave, paper_form(wave))
    db.session.commit()
    assert problems == [] and response.source == Source.PAPER
    assert response.status == "submitted" and response.submitted_on is not None
    assert response.gender == "K" and response.local_group_id == wave.local_groups[0].id
    assert {a.item_id for a in response.answers} == {*DELTAGARE_ITEMS, "bakgrund.alder"}


def test_a_paper_answer_is_corrected_and_removed_with_a_logged_reason(wave, make_user):
    actor = make_user("staff@example.se", role="forbund")
    response, _ = services.enter_paper(wave, paper_form(wave))
    db.session.commit()

    with pytest.raises(services.FollowupError) as refused:
        services.correct_answer(response, "D01", ["5"], "  ", actor.id)
    assert refused.value.code == "reason_required"
    with pytest.raises(services.FollowupError) as refused:
        services.correct_answer(response, "D01", ["7"], "Fel avläst", actor.id)
    assert refused.value.code == "answer_not_in_scale"
    with pytest.raises(services.FollowupError) as refused:  # a required answer stays
        services.correct_answer(response, "D01", [], "Fel avläst", actor.id)
    assert refused.value.code == "answer_required"
    assert count(Correction) == 0

    services.correct_answer(response, "D01", ["9"], "Kryss i Vet inte, fel avläst", actor.id)
    services.correct_answer(response, "bakgrund.kon", ["M"], "Fel ruta", actor.id)
    db.session.commit()
    log = services.corrections(response)
    assert [(c.item_id, c.before, c.after, c.actor_id) for c in log] == [
        ("D01", {"value": "4"}, {"missing": "9"}, actor.id),
        ("bakgrund.kon", {"value": "K"}, {"value": "M"}, actor.id),
    ]
    assert log[0].reason == "Kryss i Vet inte, fel avläst" and log[0].at is not None
    answer = db.session.scalar(
        select(SurveyAnswer).where(
            SurveyAnswer.response_id == response.id, SurveyAnswer.item_id == "D01"
        )
    )
    assert answer.missing == "9" and answer.value is None


def test_a_web_answer_cannot_be_edited_by_staff(wave, forbund, client):
    response, _token = services.start(wave)
    services.store_answers(response, {"D01": Cleaned(value="3", number=3.0)})
    db.session.commit()
    with pytest.raises(services.FollowupError) as refused:
        services.correct_answer(response, "D01", ["5"], "Ändrat", forbund.id)
    assert refused.value.code == "web_not_editable"

    url = f"/uppfoljning/{wave.imported_protocol_id}/matningar/{wave.id}/inmatning/svar/{response.respondent_id}"
    page = client.get(url).get_data(as_text=True)
    assert "besvarades på webben och kan inte ändras" in page and "Spara rättelsen" not in page
    posted = client.post(url, data={"item_id": "D01", "value": "5", "reason": "Ändrat"})
    assert posted.status_code == 422
    assert "kan inte ändras av personal" in posted.get_data(as_text=True)
    assert count(Correction) == 0


def test_paper_and_correction_pages(wave, forbund, client):
    base = f"/uppfoljning/{wave.imported_protocol_id}/matningar/{wave.id}/inmatning"
    assert "Mata in en pappersenkät" in client.get(base).get_data(as_text=True)
    form = paper_form(wave)
    del form["D05"]
    refused = client.post(base + "/papper", data=form)
    assert refused.status_code == 422 and "Svara på frågan" in refused.get_data(as_text=True)
    assert count(SurveyResponse) == 0
    saved = client.post(base + "/papper", data=paper_form(wave), follow_redirects=True)
    assert "Pappersenkäten är sparad" in saved.get_data(as_text=True)
    response = db.session.scalar(select(SurveyResponse))
    url = f"{base}/svar/{response.respondent_id}"
    corrected = client.post(
        url, data={"item_id": "D02", "value": "2", "reason": "Felskrivning"}, follow_redirects=True
    )
    body = corrected.get_data(as_text=True)
    assert "Rättelsen är sparad och loggad." in body and "Felskrivning" in body
    assert count(Correction) == 1


# --- import from a file -------------------------------------------------------------------------


def test_import_preview_then_all_rows(wave):
    data = csv_bytes([good_row(n) for n in range(12)] + [good_row(99, D04="Vet inte")])
    preview = services.preview_import(wave, data, "svar.csv")
    assert preview.ok, [str(p) for p in preview.problems]
    assert preview.count == 13 and count(SurveyResponse) == 0  # a preview writes nothing
    assert services.import_answers(preview) == 13
    db.session.commit()
    rows = db.session.scalars(select(SurveyResponse)).all()
    assert {r.source for r in rows} == {"import"} and {r.status for r in rows} == {"submitted"}
    assert sorted({r.gender for r in rows}) == ["K", "M"]
    assert count(SurveyAnswer) == 13 * 11  # ten items and the age group
    vet_inte = db.session.scalar(select(SurveyAnswer).where(SurveyAnswer.missing.is_not(None)))
    assert vet_inte.item_id == "D04" and vet_inte.missing == "9"


def test_import_of_an_xlsx_file(wave):
    headers = [*DELTAGARE_ITEMS, "Kön", "Grupp", "Åldersgrupp"]
    rows = [[4] * 10 + ["Kvinna", "Steget", "16–29 år"], [5] * 10 + ["M", "A", "50-64"]]
    preview = services.preview_import(wave, write_xlsx({"Svar": (headers, rows)}), "svar.xlsx")
    assert preview.ok, [str(p) for p in preview.problems]
    assert services.import_answers(preview) == 2


def _code(wave, org):
    return services.generate_codes(org, 1, cohort="Hösten 2026", wave=wave)[0]


@pytest.mark.parametrize(
    "rows, headers, where, code, words",
    [
        (
            [good_row(0, X99="3")],
            None,
            (None, "X99"),
            "import_unknown_column",
            "finns inte i enkäten",
        ),
        ([good_row(0, D01="7")], None, (2, "D01"), "answer_not_in_scale", "”7” är inget av"),
        ([good_row(0, D02="")], None, (2, "D02"), "answer_required", "svara på frågan"),
        ([good_row(0, grupp="B")], None, (2, "grupp"), "import_unknown_group", "deltar inte"),
        (
            [good_row(0, version="2.0.0")],
            None,
            (2, "version"),
            "import_other_version",
            "version 1.0.0",
        ),
        (
            [{k: v for k, v in good_row(0).items() if k != "kön"}],
            None,
            (None, None),
            "import_missing_column",
            "Kolumnen för frågan ”Kön” (bakgrund.kon) saknas",
        ),
        (
            [good_row(0, kod="ABCD-EFGH-JKMN")],
            None,
            (2, "kod"),
            "import_code_unknown",
            "finns inte",
        ),
        (
            [{"M01": "4", "M02": "3"}],
            None,
            (None, "M01"),
            "import_unknown_column",
            "annan version",
        ),
    ],
    ids=[
        "unknown-item",
        "outside-scale",
        "missing-required",
        "group-not-in-wave",
        "other-version",
        "no-gender-column",
        "unknown-code",
        "other-group-items",
    ],
)
def test_import_refusals_name_row_and_column_and_write_nothing(
    wave, rows, headers, where, code, words
):
    preview = services.preview_import(wave, csv_bytes(rows, headers), "svar.csv")
    assert not preview.ok
    first = preview.problems[0]
    assert (first.row, first.column) == where and first.code == code
    text = str(first)
    assert words in text
    if first.row is not None:
        assert text.startswith(f"Rad {first.row}, kolumn ”{first.column}”: ")
    with pytest.raises(ValueError):
        services.import_answers(preview)
    assert count(SurveyResponse) == 0 and count(SurveyAnswer) == 0


def test_a_used_or_repeated_code_is_refused(wave, org):
    code = _code(wave, org)
    db.session.commit()
    twice = services.preview_import(
        wave, csv_bytes([good_row(0, kod=code), good_row(1, kod=code.lower())]), "svar.csv"
    )
    assert [(p.row, p.code) for p in twice.problems] == [(3, "import_code_twice")]
    once = services.preview_import(wave, csv_bytes([good_row(0, kod=code)]), "svar.csv")
    assert once.ok
    services.import_answers(once)
    db.session.commit()
    again = services.preview_import(wave, csv_bytes([good_row(0, kod=code)]), "svar.csv")
    assert [(p.row, p.column, p.code) for p in again.problems] == [(2, "kod", "import_code_used")]
    assert count(SurveyResponse) == 1


def test_the_preview_page_shows_the_first_200_problems_and_a_count(wave, forbund, client):
    base = f"/uppfoljning/{wave.imported_protocol_id}/matningar/{wave.id}/inmatning"
    rows = [good_row(n, D01="0") for n in range(230)]
    posted = client.post(
        base + "/importera",
        data={"file": (io.BytesIO(csv_bytes(rows)), "svar.csv")},
        content_type="multipart/form-data",
    )
    assert posted.status_code == 302
    page = client.get(posted.headers["Location"])
    body = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Filen har 230 fel. Ingenting har sparats." in body
    assert "… och 30 fel till." in body and "Rad 201, kolumn ”D01”" in body
    assert "Rad 232, kolumn" not in body
    confirm = client.post(posted.headers["Location"], data={}, follow_redirects=True)
    assert "importerades inte" in confirm.get_data(as_text=True)
    assert count(SurveyResponse) == 0

    good = client.post(
        base + "/importera",
        data={"file": (io.BytesIO(csv_bytes([good_row(n) for n in range(3)])), "svar.csv")},
        content_type="multipart/form-data",
    )
    preview = client.get(good.headers["Location"]).get_data(as_text=True)
    assert "Importera 3 enkäter" in preview and count(SurveyResponse) == 0
    done = client.post(good.headers["Location"], data={}, follow_redirects=True)
    assert "3 enkäter är importerade." in done.get_data(as_text=True)
    assert count(SurveyResponse) == 3


# --- the raw answers export ---------------------------------------------------------------------


def test_the_export_has_no_time_no_code_and_neutralised_formulas(wave, org, forbund, client):
    code = _code(wave, org)
    preview = services.preview_import(
        wave, csv_bytes([good_row(0, kod=code), good_row(1)]), "svar.csv"
    )
    services.import_answers(preview)
    services.add_local_item(wave.imported, "Något mer?", "text")
    db.session.commit()
    paper = paper_form(wave)
    paper["L1"] = ['=HYPERLINK("http://x")']
    local_id = services.local_items(wave.imported)[0].item_id
    paper[local_id] = paper.pop("L1")
    response, problems = services.enter_paper(wave, paper)
    assert problems == []
    db.session.commit()

    base = f"/uppfoljning/{wave.imported_protocol_id}/matningar/{wave.id}/svar"
    got = client.get(base + ".csv")
    assert got.headers["Cache-Control"] == "no-store"
    text = got.data.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert header[:6] == ["respondent", "grupp", "kon", "kohort", "kalla", "inskickad"]
    assert header[6:16] == DELTAGARE_ITEMS and "bakgrund.alder" in header
    assert len(rows) == 3
    assert code not in text and code.replace("-", "") not in text
    assert "Hösten 2026" in text  # the cohort flag, not the code
    for row in rows:
        assert len(row[5]) == 10 and dt.date.fromisoformat(row[5])  # a date, no time
        assert row[1] == "A"
    assert "'=HYPERLINK" in text

    book = load_workbook(io.BytesIO(client.get(base + ".xlsx").data))
    values = [c.value for c in next(book.active.iter_rows(min_row=1, max_row=1))]
    assert values[:6] == header[:6]
    assert any(
        isinstance(c.value, str) and c.value.startswith("'=HYPERLINK")
        for r in book.active.iter_rows()
        for c in r
    )
    data = json.loads(client.get(base + ".json").data)
    assert len(data["respondents"]) == 3 and "inskickad" in data["columns"]
    assert all("T" not in r["inskickad"] for r in data["respondents"])


# --- another förbund sees nothing ---------------------------------------------------------------


def test_another_forbund_gets_404(wave, make_user, login, client):
    other = auth_services.get_or_create_organisation("annat", "Annat förbund")
    make_user("o@example.se", role="forbund", organisation=other)
    login("o@example.se")
    base = f"/uppfoljning/{wave.imported_protocol_id}"
    response, _ = services.enter_paper(wave, paper_form(wave))
    db.session.commit()
    for url in [
        f"{base}/matningar/{wave.id}/inmatning",
        f"{base}/matningar/{wave.id}/inmatning/papper",
        f"{base}/matningar/{wave.id}/inmatning/svar/{response.respondent_id}",
        f"{base}/matningar/{wave.id}/svar.csv",
        f"{base}/matningar/{wave.id}/svar.json",
        f"{base}/register",
    ]:
        assert client.get(url).status_code == 404, url


# --- the command line ---------------------------------------------------------------------------


def test_cli_import_and_export(runner, wave, tmp_path):
    good = tmp_path / "svar.csv"
    good.write_bytes(csv_bytes([good_row(n) for n in range(4)]))
    result = runner.invoke(
        args=["followup", "answers", "import", "testforbund", str(wave.id), str(good)]
    )
    assert result.exit_code == 0, result.output
    assert "Importerade 4 enkäter" in result.output

    bad = tmp_path / "fel.csv"
    bad.write_bytes(csv_bytes([good_row(0), good_row(1, D03="8", grupp="Z")]))
    result = runner.invoke(
        args=["followup", "answers", "import", "testforbund", str(wave.id), str(bad)]
    )
    assert result.exit_code == 1
    assert "Rad 3, kolumn ”D03”: ”8” är inget av svarsalternativen" in result.output
    assert "Rad 3, kolumn ”grupp”: gruppen ”Z” deltar inte i mätningen" in result.output
    assert "Inget importerades: 2 fel i filen." in result.output
    assert count(SurveyResponse) == 4

    out = tmp_path / "svar.json"
    result = runner.invoke(
        args=[
            "followup",
            "answers",
            "export",
            "testforbund",
            str(wave.id),
            "--format",
            "json",
            "-o",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(out.read_text())["respondents"]) == 4
    result = runner.invoke(args=["followup", "answers", "export", "testforbund", str(wave.id)])
    assert result.exit_code == 0 and result.output.count("\n") == 5

    result = runner.invoke(args=["followup", "answers", "export", "finnsinte", str(wave.id)])
    assert result.exit_code == 1 and "inget förbund med kortnamnet ”finnsinte”" in result.output


def test_the_entered_questionnaires_are_paged(wave, forbund, client):
    data = csv_bytes([good_row(n) for n in range(205)])
    services.import_answers(services.preview_import(wave, data, "svar.csv"))
    db.session.commit()
    base = f"/uppfoljning/{wave.imported_protocol_id}/matningar/{wave.id}/inmatning"
    first = client.get(base).get_data(as_text=True)
    assert "Inmatade och importerade enkäter</h2>" not in first  # the count follows the heading
    assert "(205)" in first and "Visar 1–200 av 205." in first
    assert first.count(f"{base}/svar/") == 200
    second = client.get(base + "?sida=2").get_data(as_text=True)
    assert second.count(f"{base}/svar/") == 5
