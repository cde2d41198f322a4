"""A förbund's results: rows built once (hand-computed here), small cells hidden with their
complementary cell, and the page, the CSV/XLSX/JSON downloads and the command line carrying
the same numbers and none of a hidden cell's figures."""

import csv
import datetime as dt
import io
import json
import re
import secrets
import time

import openpyxl
import pytest

from consensus.auth import services as auth_services
from consensus.extensions import db
from consensus.followup import services
from consensus.followup.models import ImportedProtocol, SurveyAnswer, SurveyResponse
from consensus.followup.services.results import COLUMNS
from consensus.followup.suppression import Grouping, recoverable
from consensus.protocol.canonical import dumps
from consensus.protocol.example import example_protocol

MEASURE = "I01-M1"  # the share answering 4 or 5 on D01; target 70, near margin 5
FIGURES = ("numerator", "denominator", "n", "value", "ci_low", "ci_high")

# (kön, group letter, answer to D01; "9" = vet inte, stored as a missing value)
PEOPLE = (
    [("K", "A", 5)] * 4
    + [("K", "A", 4)] * 3
    + [("K", "A", 2)] * 3
    + [("K", "A", "9")]  # vet inte: in no numerator and no denominator
    + [("M", "B", 4)] * 3
    + [("M", "B", 1)] * 5
    + [("_U", "B", 5), ("_U", "B", 3)]
)


@pytest.fixture
def org(app):
    return auth_services.get_or_create_organisation("testforbund", "Testförbundet")


@pytest.fixture
def imported(org):
    result = services.import_document(org, dumps(example_protocol()))
    groups = {g.letter: g for g in (services.add_local_group(org, n) for n in ("Steget", "Vägen"))}
    wave, _token = services.create_wave(
        org,
        result.imported,
        "deltagare",
        period="oktober 2026",
        opens_on=dt.date(2026, 10, 1),
        closes_on=dt.date(2026, 10, 31),
        local_group_ids=[g.id for g in groups.values()],
    )
    for gender, letter, answer in PEOPLE:
        response = SurveyResponse(
            wave_id=wave.id,
            respondent_id=secrets.token_hex(8),
            status="submitted",
            submitted_on=dt.date(2026, 10, 5),
            gender=gender,
            local_group_id=groups[letter].id,
        )
        db.session.add(response)
        db.session.flush()
        missing = answer == "9"
        db.session.add(
            SurveyAnswer(
                response_id=response.id,
                item_id="D01",
                value=None if missing else str(answer),
                number=None if missing else float(answer),
                missing="9" if missing else None,
            )
        )
    db.session.commit()
    return result.imported


@pytest.fixture
def forbund(make_user, login, org):
    user = make_user("f@example.se", role="forbund", organisation=org)
    login("f@example.se")
    return user


def rows_of(built, measure=MEASURE):
    return {r["breakdown"]: r for r in built.rows if r["measure"] == measure}


def test_rows_by_hand_with_primary_and_complementary_suppression(imported):
    rows = rows_of(services.build_results(imported))
    assert set(rows) == {"total", "kon:K", "kon:M", "kon:_U", "grupp:A", "grupp:B"}
    total = rows["total"]
    # 7 (K) + 3 (M) + 1 (_U) of 10 + 8 + 2 = 20 who answered; "vet inte" left out
    assert (total["numerator"], total["denominator"], total["n"]) == (11, 20, 20)
    assert total["value"] == 55.0
    # Wilson 95 % for 11/20: 34.21 – 74.18 (by hand: centre 0.54194, half-width 0.19986)
    assert (total["ci_low"], total["ci_high"]) == (34.21, 74.18)
    assert total["target"] == 70 and total["status"] == "not_reached"
    kvinnor = rows["kon:K"]
    assert (kvinnor["numerator"], kvinnor["denominator"], kvinnor["value"]) == (7, 10, 70.0)
    assert kvinnor["status"] == "reached"  # exactly the target
    assert (rows["grupp:A"]["value"], rows["grupp:A"]["status"]) == (70.0, "reached")
    assert (rows["grupp:B"]["numerator"], rows["grupp:B"]["denominator"]) == (4, 10)
    assert rows["grupp:B"]["value"] == 40.0
    # _U has 2 (< 5): primary; M (8) is the smallest shown kön part: complementary
    assert rows["kon:_U"]["suppression"] == "primary"
    assert rows["kon:M"]["suppression"] == "complementary"
    for key in ("kon:_U", "kon:M"):
        assert rows[key]["status"] == "suppressed"
        assert all(rows[key][f] is None for f in FIGURES)


def check_nothing_recoverable(rows):
    """What an output shows, checked with the suppression module's own equations."""
    by_table = {}
    for row in rows:
        by_table.setdefault((row["measure"], row["wave"]), []).append(row)
    for table in by_table.values():
        names = [r["breakdown"] for r in table]
        groupings = [
            Grouping("total", tuple(n for n in names if n.startswith(prefix)))
            for prefix in ("kon:", "grupp:")
        ]
        hidden = [r["breakdown"] for r in table if r["status"] == "suppressed"]
        assert recoverable(groupings, hidden) == set()
        for r in table:
            if r["status"] == "suppressed":
                assert all(r[f] in (None, "") for f in FIGURES), r


def normalise(value):
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if value in ("True", "False", "SANT", "FALSKT"):  # Swedish Excel's booleans in CSV
            return value in ("True", "SANT")
        try:
            return float(value.replace(",", "."))
        except ValueError:
            return value
    return float(value) if isinstance(value, int | float) else value


def same(rows_a, rows_b):
    assert len(rows_a) == len(rows_b)
    for a, b in zip(rows_a, rows_b, strict=True):
        assert {k: normalise(a[k]) for k in COLUMNS} == {k: normalise(b[k]) for k in COLUMNS}


def page_rows(html):
    out = []
    for attrs in re.findall(r'<tr class="result-row" ([^>]*)>', html):
        data = dict(re.findall(r'data-([a-z]+)="([^"]*)"', attrs))
        out.append(data)
    return out


def test_page_and_every_download_carry_the_same_numbers(imported, forbund, client):
    built = services.build_results(imported).rows
    check_nothing_recoverable(built)

    as_json = client.get(f"/uppfoljning/{imported.id}/resultat.json")
    assert as_json.headers["Cache-Control"] == "no-store"
    json_rows = json.loads(as_json.data)["rows"]
    same(json_rows, built)

    as_csv = client.get(f"/uppfoljning/{imported.id}/resultat.csv")
    assert as_csv.headers["Cache-Control"] == "no-store"
    csv_rows = list(csv.DictReader(io.StringIO(as_csv.data.decode("utf-8-sig")), delimiter=";"))
    same(csv_rows, built)

    as_xlsx = client.get(f"/uppfoljning/{imported.id}/resultat.xlsx")
    assert as_xlsx.headers["Cache-Control"] == "no-store"
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.data)).active
    values = list(sheet.iter_rows(values_only=True))
    xlsx_rows = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    same(xlsx_rows, built)

    for output in (json_rows, csv_rows, xlsx_rows):
        check_nothing_recoverable(output)

    page = client.get(f"/uppfoljning/{imported.id}/resultat")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    shown = page_rows(html)
    assert len(shown) == len(built)
    for data, row in zip(shown, built, strict=True):
        assert (data["measure"], int(data["wave"]), data["breakdown"], data["status"]) == (
            row["measure"],
            row["wave"],
            row["breakdown"],
            row["status"],
        )
        assert normalise(data.get("value")) == normalise(row["value"])
        assert normalise(data.get("n")) == normalise(row["n"])
    # the hidden cells' figures (M: 3 of 8 = 37.5 %, _U: 1 of 2) appear nowhere
    for body in (html, as_csv.data.decode("utf-8-sig"), as_json.data.decode()):
        assert "37.5" not in body and "37,5" not in body
    assert "Målet nått" in html and "Målet inte nått" in html  # status as text, not colour
    assert "Färre än 5 svarande" in html
    assert "Döljs så att en dold uppgift inte kan räknas fram" in html
    assert "<svg" in html
    # the förbund's own page has the key to its groups; the downloads have letters only
    assert "Grupp A: Steget" in html and "Grupp B: Vägen" in html
    assert html.count("Steget") == 1
    for body in (as_csv.data.decode("utf-8-sig"), as_json.data.decode()):
        assert "Steget" not in body and "Vägen" not in body


def test_another_forbund_gets_404(imported, make_user, login, client):
    other = auth_services.get_or_create_organisation("annat", "Annat förbund")
    make_user("o@example.se", role="forbund", organisation=other)
    login("o@example.se")
    for path in ("resultat", "resultat.csv", "resultat.json", "resultat.xlsx"):
        assert client.get(f"/uppfoljning/{imported.id}/{path}").status_code == 404


def test_the_plan_and_waves_pages_link_the_results(imported, forbund, client):
    for path in ("", "/matningar"):
        html = client.get(f"/uppfoljning/{imported.id}{path}").get_data(as_text=True)
        assert f'href="/uppfoljning/{imported.id}/resultat"' in html


def test_cli_results_in_each_format(imported, runner, tmp_path):
    built = services.build_results(imported).rows
    result = runner.invoke(args=["followup", "results", "testforbund", "--format", "json"])
    assert result.exit_code == 0, result.output
    cli_rows = json.loads(result.output)["rows"]
    same(cli_rows, built)
    check_nothing_recoverable(cli_rows)
    wave = built[0]["wave"]
    result = runner.invoke(
        args=["followup", "results", "testforbund", "--wave", str(wave), "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    same(list(csv.DictReader(io.StringIO(result.output.lstrip("\ufeff")), delimiter=";")), built)
    assert "37,5" not in result.output
    out = tmp_path / "r.xlsx"
    result = runner.invoke(
        args=["followup", "results", "testforbund", "--format", "xlsx", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).active.max_row == len(built) + 1
    result = runner.invoke(args=["followup", "results", "okänt", "--format", "json"])
    assert result.exit_code == 1


def test_a_new_major_version_marks_a_comparability_break(imported, org):
    doc = example_protocol()
    doc["version"] = "2.0.0"
    doc = {k: v for k, v in doc.items() if k != "checksum"}
    from consensus.protocol.canonical import with_checksum

    newer = services.import_document(org, dumps(with_checksum(doc)))
    assert newer.status != "refused", newer.problems
    wave, _token = services.create_wave(
        org,
        newer.imported,
        "deltagare",
        period="oktober 2027",
        opens_on=dt.date(2027, 10, 1),
        closes_on=dt.date(2027, 10, 31),
    )
    db.session.commit()
    built = services.build_results(newer.imported).rows
    totals = [r for r in built if r["measure"] == MEASURE and r["breakdown"] == "total"]
    assert [(r["protocol_version"], r["comparability_break"]) for r in totals] == [
        ("1.0.0", False),
        ("2.0.0", True),
    ]
    assert totals[1]["status"] == "no_data"


@pytest.mark.demo
def test_the_demo_results_page_renders(app, client, login):
    from consensus.demo import DEMO_ACCOUNTS

    imported = db.session.scalars(db.select(ImportedProtocol)).first()
    email, password = next((a[0], a[3]) for a in DEMO_ACCOUNTS if a[1] == "forbund")
    login(email, password=password)
    start = time.perf_counter()
    response = client.get(f"/uppfoljning/{imported.id}/resultat")
    elapsed = time.perf_counter() - start
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "oktober 2025" in html and "oktober 2026" in html
    assert "Grupp A" in html and "Grupp C" in html and "Kvinnor" in html
    # the yearly waves and the cohort's time points are separate trends
    assert "mätpunkter i schemat" in html
    print(f"demo results page: {elapsed * 1000:.0f} ms")
    # every kind the demo protocol has: the cohort's paired change, register figures per year
    kinds = {r["kind"] for r in services.build_results(imported).rows}
    print("demo kinds:", sorted(kinds))
    assert {"survey", "change", "register"} <= kinds
    assert "Förflyttning sedan första mätpunkten" in html and "Förbundets berättelse" in html
    report = client.get(f"/uppfoljning/{imported.id}/resultat/arsrapport/2025")
    assert report.status_code == 200
    assert "Styrelsen följde upp verksamhetsplanen" in report.get_data(as_text=True)


def test_the_page_in_english(imported, forbund, client):
    with client.session_transaction() as session:
        session["lang"] = "en"
    html = client.get(f"/uppfoljning/{imported.id}/resultat").get_data(as_text=True)
    for words in ("How to read the results", "Target reached", "Women", "Group A", "Over time"):
        assert words in html
    assert "Fewer than 5 respondents" in html


def test_a_suppressed_row_with_a_figure_is_never_rendered(imported):
    rows = services.build_results(imported).rows
    leaked = [dict(r, value=37.5) if r["status"] == "suppressed" else r for r in rows]
    for fmt in services.RESULT_FORMATS:
        with pytest.raises(RuntimeError):
            services.render_results(leaked, fmt)
