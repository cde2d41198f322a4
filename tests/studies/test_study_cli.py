import json

from sqlalchemy import func, select

from consensus.extensions import db
from consensus.studies.models import Indicator, Participant, StakeholderGroup


def test_study_create_with_groups(runner):
    result = runner.invoke(
        args=[
            "study",
            "create",
            "NNS 2026",
            "--slug",
            "nns",
            "--group",
            "Politiker",
            "--group",
            "Brukarorganisationer",
        ]
    )
    assert result.exit_code == 0, result.output
    codes = db.session.scalars(select(StakeholderGroup.code).order_by(StakeholderGroup.position))
    assert list(codes) == ["politiker", "brukarorganisationer"]
    again = runner.invoke(args=["study", "create", "X", "--slug", "nns"])
    assert again.exit_code != 0 and "finns redan" in again.output
    assert runner.invoke(args=["study", "create", "X", "--slug", "Fel Slug"]).exit_code != 0


def test_study_create_with_an_owner(runner, make_user):
    from consensus.studies.models import StudyMember

    make_user(email="anna@example.se")
    make_user(email="fia@example.se", role="facilitator")
    refused = runner.invoke(
        args=["study", "create", "X", "--slug", "x", "--owner", "fia@example.se"]
    )
    assert refused.exit_code != 0 and "Det finns inget aktivt projektledarkonto" in refused.output
    result = runner.invoke(
        args=["study", "create", "X", "--slug", "x", "--owner", "Anna@example.se"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(StudyMember.role)).all() == ["owner"]


def test_indicator_import_export_round_trip(runner, study, tmp_path):
    source = tmp_path / "pool.csv"
    source.write_bytes(
        "Kod;Titel;Perspektiv;Typ\nE01;Hållbara effekter;samhälle;effekt\n".encode("cp1252")
    )
    result = runner.invoke(args=["indicators", "import", "pilot", str(source)])
    assert result.exit_code == 0, result.output
    assert "1 nya och 0 uppdaterade" in result.output

    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"out.{fmt}"
        assert (
            runner.invoke(
                args=["indicators", "export", "pilot", "--format", fmt, "-o", str(out)]
            ).exit_code
            == 0
        )
        again = runner.invoke(args=["indicators", "import", "pilot", str(out)])
        assert "0 nya och 2 uppdaterade" in again.output, again.output

    result = runner.invoke(args=["indicators", "export", "pilot", "--format", "json"])
    data = json.loads(result.output)
    assert [i["code"] for i in data["indicators"]] == ["P01", "E01"]
    assert data["indicators"][1]["perspective"] == "samhälle"


def test_bad_file_prints_row_and_column_and_writes_nothing(runner, study, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Kod;Titel;Perspektiv;Typ\nE01;Bra;kunder;process\nE01;Igen;deltagare;effekt\n")
    result = runner.invoke(args=["indicators", "import", "pilot", str(bad)])
    assert result.exit_code != 0
    assert "Rad 2" in result.output and "Perspektiv" in result.output
    assert "Ingenting har sparats" in result.output
    assert db.session.scalar(select(func.count(Indicator.id))) == 1


def test_missing_file_and_unknown_study(runner, study, tmp_path):
    assert (
        "Kunde inte läsa"
        in runner.invoke(args=["indicators", "import", "pilot", str(tmp_path / "nope.csv")]).output
    )
    assert "ingen studie" in runner.invoke(args=["indicators", "export", "okand"]).output


def test_panel_import(runner, study, tmp_path):
    path = tmp_path / "panel.csv"
    path.write_text(
        "E-post;Grupp\na@example.se;politiker\nb@example.se;Chefer\n", encoding="utf-8-sig"
    )
    result = runner.invoke(args=["panel", "import", "pilot", str(path)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Participant.id))) == 2
    path.write_text("E-post;Grupp\nc@example.se;okänd\n", encoding="utf-8-sig")
    result = runner.invoke(args=["panel", "import", "pilot", str(path)])
    assert result.exit_code != 0 and "okänd" in result.output
    assert db.session.scalar(select(func.count(Participant.id))) == 2


def test_the_command_line_words_problems_and_refusals_in_swedish(app, runner, study, tmp_path):
    """The commands render the same catalogues as the pages, in Swedish."""
    bad = tmp_path / "bad.csv"
    bad.write_text("Kod;Titel;Perspektiv;Typ\nE01;Bra;kunder;process\nE01;Igen;deltagare;effekt\n")
    result = runner.invoke(args=["indicators", "import", "pilot", str(bad)])
    assert "Obs: Filen lästes som text (UTF-8) med semikolon (;) som avgränsare." in result.output
    assert (
        "Rad 2, kolumn ”Perspektiv”: ”kunder” är inte ett giltigt perspektiv. Tillåtna värden: "
        "deltagare, medarbetare, organisation, samhälle." in result.output
    )
    assert "Rad 3, kolumn ”Kod”: koden ”E01” finns också på rad 2." in result.output
    again = runner.invoke(args=["study", "create", "X", "--slug", "pilot"])
    assert again.exit_code == 1
    assert "Det finns redan en studie med kortnamnet pilot." in again.output
