"""``consensus measures export`` and ``consensus measures import`` (paper proposals)."""

import csv
import io
import json

import openpyxl
import pytest
from sqlalchemy import func, select

from consensus.extensions import db
from consensus.measures import services as ms
from consensus.measures.models import Proposal, Respondent


@pytest.fixture
def survey(study):
    s = ms.create_survey(study, indicator_ids=[study.indicators[0].id])
    ms.change_status(s, "open")
    r = ms.add_expert(
        s,
        email="anna@kommun.se",
        name="Anna Svensson",
        organisation="Linköpings kommun",
        organisation_type="kommun",
    )
    proposal = ms.save_proposal(
        r,
        study.indicators[0].id,
        {
            "name": "Upplevt inflytande",
            "description": "Enkätfråga",
            "kind": "kvantitativ",
            "method": "enkät",
            "unit": "andel (%)",
            "numerator": "svar 4-5",
            "denominator": "alla svar",
        },
    )
    ms.submit(r)
    m = ms.merge_proposals(s, study.indicators[0], [proposal.id])
    ms.decide(m, "accepted")
    db.session.commit()
    return s


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


FORBIDDEN = ("Anna Svensson", "anna@kommun.se", "Linköpings kommun")


def test_export_json_to_stdout(runner, survey):
    result = runner.invoke(args=["measures", "export", "pilot", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["study"] == "pilot"
    assert len(data["proposals"]) == 1 and len(data["measures"]) == 1
    assert data["measures"][0]["derivedFrom"] == [int(data["proposals"][0]["Förslag"])]
    for word in FORBIDDEN:
        assert word not in result.stdout


def test_export_csv_writes_three_files(runner, survey, tmp_path):
    out = tmp_path / "ut"
    result = runner.invoke(args=["measures", "export", "pilot", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["pilot-matt-beslut.csv", "pilot-matt-forslag.csv", "pilot-matt-valda_matt.csv"]
    for path in out.iterdir():
        text = path.read_text(encoding="utf-8-sig")
        assert len(list(csv.reader(io.StringIO(text), delimiter=";"))) == 2
        for word in FORBIDDEN:
            assert word not in text
    # -o naming a file is refused for csv.
    afile = tmp_path / "fil.csv"
    afile.write_text("x")
    refused = runner.invoke(
        args=["measures", "export", "pilot", "--format", "csv", "-o", str(afile)]
    )
    assert refused.exit_code == 1 and "ingen mapp" in refused.output


def test_export_xlsx_one_sheet_each(runner, survey, tmp_path):
    path = tmp_path / "matt.xlsx"
    result = runner.invoke(
        args=["measures", "export", "pilot", "--format", "xlsx", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Förslag", "Beslut", "Valda mått"]
    cells = " ".join(
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
    )
    assert "R001" in cells
    for word in FORBIDDEN:
        assert word not in cells


def test_export_unknown_study_or_no_survey(runner, study):
    assert "ingen studie" in runner.invoke(args=["measures", "export", "nej"]).output
    result = runner.invoke(args=["measures", "export", "pilot"])
    assert result.exit_code == 1 and "ingen måttenkät" in result.output


GOOD = (
    "Indikator;Svarande;Organisation;Organisationstyp;Nivå;Roll;Namn på måttet;Beskrivning;"
    "Slag;Metod;Enhet;Täljare;Nämnare;Hur ofta\n"
    "P01;Blankett 1;Kommunen;kommun;lokal;handläggare;Andel nöjda;Enkätfråga;kvantitativ;"
    "enkät;andel (%);svar 4-5;alla svar;vid start, 12 månader\n"
    "P01;Blankett 1;Kommunen;kommun;lokal;handläggare;Berättelser om delaktighet;"
    "Intervjuer med deltagare om hur de varit delaktiga i planeringen;kvalitativ;intervju;;;;\n"
    "P01;Blankett 2;Regionen;region;nationell;chef;Antal möten;Räknas i registret;kvantitativ;"
    "register;antal;;;årligen\n"
)


def test_import_paper_proposals(runner, survey, tmp_path):
    path = tmp_path / "workshop.csv"
    path.write_text(GOOD, encoding="utf-8")
    before_p, before_r = count(Proposal), count(Respondent)
    result = runner.invoke(args=["measures", "import", "pilot", str(path)])
    assert result.exit_code == 0, result.output
    assert "Läste in 3 förslag" in result.output
    assert count(Proposal) == before_p + 3
    assert count(Respondent) == before_r + 2  # one respondent per sheet label
    vias = db.session.scalars(select(Respondent.via).order_by(Respondent.id)).all()
    assert vias == ["invited", "paper", "paper"]


def test_import_bad_file_prints_every_problem_and_writes_nothing(runner, survey, tmp_path):
    bad = (
        "Indikator;Namn på måttet;Slag;Metod;Enhet;Nivå\n"
        "P01;Andel nöjda;kvantitativ;enkät;andel (%);lokal\n"
        "X99;Okänd indikator;kvantitativ;enkät;antal;lokal\n"
        "P01;Fel metod;kvantitativ;telepati;antal;lokal\n"
        f"P01;{'x' * 300};kvantitativ;enkät;antal;kommunal\n"
    )
    path = tmp_path / "fel.csv"
    path.write_text(bad, encoding="utf-8")
    before = count(Proposal), count(Respondent)
    result = runner.invoke(args=["measures", "import", "pilot", str(path)])
    assert result.exit_code == 1
    output = result.output
    assert "Rad 3:" in output and "X99" in output
    assert "Rad 4:" in output and "telepati" in output
    assert "Rad 5:" in output and "kommunal" in output and "högst 200 tecken" in output
    assert "har " in output and "fel och lästes inte in" in output
    assert (count(Proposal), count(Respondent)) == before
