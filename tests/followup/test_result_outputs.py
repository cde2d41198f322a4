"""Every output of a förbund's results carries the same numbers (page, CSV, XLSX, JSON and the
yearly report), and no output gives a hidden cell back by subtraction from its total or its
siblings — with questionnaire, index, paired-change and register rows together."""

import csv
import io
import json
import re
import time
from fractions import Fraction

import openpyxl
import pytest

from consensus.auth import services as auth_services
from consensus.extensions import db
from consensus.followup import services
from consensus.followup.services.results import COLUMNS
from consensus.followup.suppression import Grouping, recoverable
from tests.followup.test_result_kinds import cohort, imported, org, yearly  # noqa: F401
from tests.followup.test_results import normalise, same

FIGURES = ("numerator", "denominator", "n", "value", "ci_low", "ci_high")
ATTRIBUTES = {
    "numerator": "numerator",
    "denominator": "denominator",
    "n": "n",
    "value": "value",
    "ci_low": "ci-low",
    "ci_high": "ci-high",
}


@pytest.fixture
def everything(imported, org, yearly, cohort):  # noqa: F811
    for raw in (
        {"group": "", "numerator": "12", "denominator": "30"},
        {"group": "A", "numerator": "8", "denominator": "20"},
        {"group": "B", "numerator": "3", "denominator": "4"},
        {"group": "C", "numerator": "1", "denominator": "6"},
        {"group": "", "disaggregation": "kon", "code": "K", "numerator": "7", "denominator": "16"},
        {"group": "", "disaggregation": "kon", "code": "M", "numerator": "5", "denominator": "14"},
    ):
        services.save_figure(imported, {"measure": "I07-M2", "period": "2026", **raw})
    services.save_narrative(imported, "I09-M1", "2026", "Synpunkter samlas in varje kvartal.")
    services.save_narrative(imported, "I09-M1", "2025", "Förra årets berättelse.")
    db.session.commit()
    return imported


@pytest.fixture
def forbund(make_user, login, org):  # noqa: F811
    make_user("f@example.se", role="forbund", organisation=org)
    login("f@example.se")


def page_rows(html):
    """The figures of every breakdown row of a page, from its data attributes."""
    out = []
    for attrs in re.findall(r'<tr class="result-row" ([^>]*)>', html):
        out.append(dict(re.findall(r'data-([a-z-]+)="([^"]*)"', attrs)))
    return out


def table_key(row):
    return (row["measure"], row["kind"], str(row["wave"] or row["wave_label"]))


def from_page(data):
    """A page row as a results row (the figures a reader sees)."""
    row = {f: data.get(a) for f, a in ATTRIBUTES.items()}
    return {
        "measure": data["measure"],
        "kind": data["kind"],
        "wave": data["wave"],
        "wave_label": data["wave"],
        "breakdown": data["breakdown"],
        "status": data["status"],
        **row,
    }


def try_to_recover(rows):
    """Subtraction from totals and siblings, on every figure that adds up (numerator,
    denominator, n), then the exact check of every combination of subtractions: no hidden
    cell comes back."""
    tables = {}
    for row in rows:
        tables.setdefault(table_key(row), []).append(row)
    for table in tables.values():
        by_part = {r["breakdown"]: r for r in table}
        hidden = {name for name, r in by_part.items() if r["status"] == "suppressed"}
        for name in hidden:
            assert all(normalise(by_part[name][f]) is None for f in FIGURES), by_part[name]
        groupings = [
            Grouping("total", tuple(n for n in by_part if n.startswith(prefix)))
            for prefix in ("kon:", "grupp:")
        ]
        groupings = [g for g in groupings if g.parts and "total" in by_part]
        for grouping in groupings:
            for figure in ("numerator", "denominator", "n"):
                unknown = [c for c in grouping.cells if normalise(by_part[c][figure]) is None]
                if len(unknown) == 1 and unknown[0] in hidden:
                    pytest.fail(f"{unknown[0]} recovered from {figure} in {table_key(table[0])}")
        assert recoverable(groupings, hidden) == set(), table_key(table[0])


def cell_key(row):
    wave = row["wave"] if row["wave"] is not None else row["wave_label"]
    return (row["measure"], row["kind"], str(wave), row["breakdown"])


def compare_page(shown, built):
    """Every row of ``built`` once on the page with the same status and figures."""
    by_key = {cell_key(r): r for r in built}
    assert len(by_key) == len(built)
    seen = [(d["measure"], d["kind"], d["wave"], d["breakdown"]) for d in shown]
    assert sorted(seen) == sorted(by_key)
    for data, key in zip(shown, seen, strict=True):
        row = by_key[key]
        assert data["status"] == row["status"]
        for figure, attribute in ATTRIBUTES.items():
            assert normalise(data.get(attribute)) == normalise(row[figure]), (row, figure)


def test_every_output_carries_the_same_numbers(everything, forbund, client):
    built = services.build_results(everything).rows
    kinds = {r["kind"] for r in built}
    assert kinds == {"survey", "index", "change", "register"}
    base = f"/uppfoljning/{everything.id}/resultat"
    json_rows = json.loads(client.get(base + ".json").data)["rows"]
    same(json_rows, built)
    csv_rows = list(
        csv.DictReader(
            io.StringIO(client.get(base + ".csv").data.decode("utf-8-sig")), delimiter=";"
        )
    )
    same(csv_rows, built)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(base + ".xlsx").data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(COLUMNS)
    same([dict(zip(values[0], row, strict=True)) for row in values[1:]], built)

    html = client.get(base).get_data(as_text=True)
    compare_page(page_rows(html), built)
    # the narrative is on the page, never as a scored row
    assert "Synpunkter samlas in varje kvartal." in html
    assert not [r for r in built if r["measure"] == "I09-M1"]

    report = client.get(base + "/arsrapport/2026").get_data(as_text=True)
    in_year = [r for r in built if r["wave_label"] in ("2026",) or _year(everything, r) == 2026]
    compare_page(page_rows(report), in_year)


def _year(built_for, row):
    from consensus.followup.models import Wave

    return None if row["wave"] is None else db.session.get(Wave, row["wave"]).opens_on.year


def test_no_output_gives_a_hidden_cell_back(everything, forbund, client):
    built = services.build_results(everything).rows
    assert any(r["status"] == "suppressed" for r in built)
    for kind in ("survey", "index", "change", "register"):
        assert any(r["status"] == "suppressed" and r["kind"] == kind for r in built), kind
    base = f"/uppfoljning/{everything.id}/resultat"
    outputs = {
        "json": json.loads(client.get(base + ".json").data)["rows"],
        "csv": list(
            csv.DictReader(
                io.StringIO(client.get(base + ".csv").data.decode("utf-8-sig")), delimiter=";"
            )
        ),
    }
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(base + ".xlsx").data)).active
    values = list(sheet.iter_rows(values_only=True))
    outputs["xlsx"] = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    outputs["page"] = [from_page(d) for d in page_rows(client.get(base).get_data(as_text=True))]
    for year in (2026, 2027):
        report = client.get(f"{base}/arsrapport/{year}").get_data(as_text=True)
        outputs[f"report {year}"] = [from_page(d) for d in page_rows(report)]
    for name, rows in outputs.items():
        assert rows, name
        try_to_recover(rows)
    # the register share of group B (3 of 4) and its partner C (1 of 6) are nowhere
    for name, rows in outputs.items():
        for row in rows:
            if row["measure"] == "I07-M2" and row["breakdown"] in ("grupp:B", "grupp:C"):
                assert row["status"] == "suppressed", name


def test_a_subtraction_is_caught_by_the_check():
    """The check above can fail: a table with one hidden part beside a shown total does."""
    rows = [
        {
            "measure": "X",
            "kind": "survey",
            "wave": 1,
            "wave_label": "w",
            "breakdown": b,
            "status": s,
            **dict.fromkeys(FIGURES),
            "numerator": n,
            "denominator": d,
        }
        for b, s, n, d in (
            ("total", "reached", 5, 10),
            ("kon:K", "reached", 3, 7),
            ("kon:M", "suppressed", None, None),
        )
    ]
    with pytest.raises(pytest.fail.Exception):
        try_to_recover(rows)
    assert Fraction(5 - 3, 10 - 7) == Fraction(2, 3)  # what the subtraction would have given


def test_the_yearly_report(everything, forbund, client, org):  # noqa: F811
    base = f"/uppfoljning/{everything.id}/resultat"
    page = client.get(base).get_data(as_text=True)
    assert f"{base}/arsrapport/2026" in page and f"{base}/arsrapport/2027" in page
    start = time.perf_counter()
    response = client.get(f"{base}/arsrapport/2026")
    elapsed = time.perf_counter() - start
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Årsrapport 2026" in html and "Kindförbundet" in html
    assert "Metod" in html and "Wilson" in html and "vet inte" in html
    assert "Synpunkter samlas in varje kvartal." in html  # this year's narrative
    assert "Förra årets berättelse." not in html
    # every hidden cell listed with why
    assert "Uppgifter som inte visas" in html
    assert "Färre än 5 svarande" in html and "Döljs så att en dold uppgift" in html
    # letters only: the report may be handed to others
    assert "Steget" not in html and "Vägen" not in html and "Grupp A" in html
    # the 12-month point opened in 2027 is in that year's report, not in this one
    assert "12 månader" not in html
    later = client.get(f"{base}/arsrapport/2027").get_data(as_text=True)
    assert "12 månader" in later and "Synpunkter samlas in" not in later
    assert elapsed < 2.0
    assert client.get(f"{base}/arsrapport/1066").status_code == 404
    other = auth_services.get_or_create_organisation("annat2", "Annat")
    theirs = services.import_document(other, dumps_kinds()).imported
    db.session.commit()
    assert client.get(f"/uppfoljning/{theirs.id}/resultat/arsrapport/2026").status_code == 404


def dumps_kinds():
    from consensus.protocol.canonical import dumps
    from tests.followup.test_result_kinds import kinds_protocol

    return dumps(kinds_protocol())


def test_a_change_to_the_data_is_on_the_next_page(everything, forbund, client, org, yearly):  # noqa: F811
    """The page's rows are kept while the data behind them is unchanged: a new questionnaire,
    a corrected answer, a register figure or a narrative shows on the very next request."""
    from consensus.followup.models import Correction, SurveyAnswer, SurveyResponse
    from tests.followup.test_result_kinds import groups, respond

    base = f"/uppfoljning/{everything.id}/resultat"

    def total(measure="I01-M1", wave=yearly.id):
        rows = page_rows(client.get(base).get_data(as_text=True))
        return next(
            (r["numerator"], r["denominator"])
            for r in rows
            if r["measure"] == measure and r["wave"] == str(wave) and r["breakdown"] == "total"
        )

    assert total() == ("16", "19")
    assert total() == ("16", "19")  # from the cache
    respond(yearly, "K", groups(org)["A"], {"D01": 5, "D03": 5})
    db.session.commit()
    assert total() == ("17", "20")
    # a logged correction of one answer (5 -> 1)
    answer = db.session.scalars(
        db.select(SurveyAnswer)
        .join(SurveyResponse)
        .where(SurveyResponse.wave_id == yearly.id, SurveyAnswer.item_id == "D01")
        .order_by(SurveyAnswer.id.desc())
    ).first()
    answer.value, answer.number = "1", 1.0
    db.session.add(
        Correction(
            response_id=answer.response_id,
            wave_id=yearly.id,
            respondent_id="x",
            item_id="D01",
            reason="fel",
            before={"value": "5"},
            after={"value": "1"},
        )
    )
    db.session.commit()
    assert total() == ("16", "20")
    services.save_figure(
        everything,
        {
            "measure": "I07-M2",
            "period": "2026",
            "group": "",
            "numerator": "15",
            "denominator": "30",
        },
    )
    db.session.commit()
    assert total("I07-M2", "2026") == ("15", "30")
    services.save_narrative(everything, "I09-M1", "2026", "En ny berättelse.")
    db.session.commit()
    assert "En ny berättelse." in client.get(base).get_data(as_text=True)
