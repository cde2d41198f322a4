"""Register and document figures by hand and from a file (preview, all or nothing), and
narratives of qualitative measures with the protocol's guidance beside the field."""

import csv
import io

import pytest
from sqlalchemy import func, select

from consensus.auth import services as auth_services
from consensus.extensions import db
from consensus.followup import register_file as rf
from consensus.followup import services
from consensus.followup.models import Narrative, RegisterFigure
from consensus.protocol.canonical import dumps
from consensus.protocol.example import example_protocol


@pytest.fixture
def org(app):
    return auth_services.get_or_create_organisation("testforbund", "Testförbundet")


@pytest.fixture
def imported(org):
    result = services.import_document(org, dumps(example_protocol()))
    services.add_local_group(org, "Steget")
    services.add_local_group(org, "Vägen")
    db.session.commit()
    return result.imported


@pytest.fixture
def forbund(make_user, login, org):
    user = make_user("f@example.se", role="forbund", organisation=org)
    login("f@example.se")
    return user


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def csv_bytes(rows):
    headers = list(rows[0])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return buffer.getvalue().encode("utf-8-sig")


def figure(**over):
    row = {
        "mått": "I07-M2",
        "period": "2026",
        "grupp": "A",
        "uppdelning": "kon",
        "kod": "K",
        "täljare": "12",
        "nämnare": "40",
        "värde": "",
    }
    row.update(over)
    return row


def test_which_measures_take_figures_and_narratives():
    doc = example_protocol()
    assert [m.id for m in rf.register_measures(doc)] == ["I07-M2", "I10-M1", "I11-M1"]
    narrative = {m.id: m for m in rf.narrative_measures(doc)}
    assert set(narrative) == {"I09-M1", "I12-M1", "I13-M2", "I14-M1", "I15-M1"}
    assert narrative["I09-M1"].guidance.startswith("Beskriv hur synpunkter samlas in")
    assert rf.codes(doc, "kon") == [("K", "Kvinna"), ("M", "Man"), ("_T", "Totalt")]


def test_a_figure_by_hand_is_saved_and_replaced(imported):
    services.save_figure(imported, {k: v for k, v in _raw(figure()).items()})
    services.save_figure(imported, _raw(figure(kod="_T", täljare="20", nämnare="70")))
    services.save_figure(
        imported,
        _raw(
            figure(
                grupp="", uppdelning="", kod="", täljare="", nämnare="", värde="31", mått="I10-M1"
            )
        ),
    )
    db.session.commit()
    assert count(RegisterFigure) == 3
    services.save_figure(imported, _raw(figure(täljare="13")))  # the same cell again
    db.session.commit()
    assert count(RegisterFigure) == 3
    row = db.session.scalar(select(RegisterFigure).where(RegisterFigure.code == "K"))
    assert (row.numerator, row.denominator, row.local_group.letter) == (13, 40, "A")
    everyone = db.session.scalar(
        select(RegisterFigure).where(RegisterFigure.measure_id == "I10-M1")
    )
    assert everyone.local_group_id is None and everyone.value == 31


def _raw(row):
    keys = {
        "mått": "measure",
        "period": "period",
        "grupp": "group",
        "uppdelning": "disaggregation",
        "kod": "code",
        "täljare": "numerator",
        "nämnare": "denominator",
        "värde": "value",
    }
    return {keys[k]: v for k, v in row.items()}


@pytest.mark.parametrize(
    "over, code",
    [
        ({"mått": "I99-M9"}, "register_unknown_measure"),
        ({"mått": "I01-M1"}, "register_not_register_measure"),
        ({"mått": "I09-M1"}, "register_not_register_measure"),
        ({"period": ""}, "register_period_missing"),
        ({"grupp": "Q"}, "register_unknown_group"),
        ({"uppdelning": "region"}, "register_not_disaggregated"),
        ({"kod": "X"}, "register_unknown_code"),
        ({"uppdelning": ""}, "register_code_without_disaggregation"),
        ({"täljare": "tolv"}, "register_not_number"),
        ({"täljare": "-1"}, "register_negative"),
        ({"täljare": "", "nämnare": ""}, "register_nothing_given"),
        ({"värde": "3"}, "register_both_given"),
        ({"täljare": ""}, "register_denominator_alone"),
        ({"täljare": "50"}, "register_numerator_exceeds"),
    ],
)
def test_a_bad_figure_is_refused(imported, over, code):
    with pytest.raises(services.FollowupError) as refused:
        services.save_figure(imported, _raw(figure(**over)))
    assert refused.value.code == code
    assert count(RegisterFigure) == 0


def test_figures_from_a_file_all_or_nothing(imported):
    rows = [
        figure(),
        figure(kod="M", täljare="9", nämnare="30"),
        figure(kod="_T", täljare="21", nämnare="70"),
    ]
    checked = services.preview_figures(imported, csv_bytes(rows), "register.csv")
    assert checked.ok and len(checked.figures) == 3 and count(RegisterFigure) == 0
    assert services.save_figures(imported, checked) == 3
    db.session.commit()

    bad = [figure(period="2027"), figure(period="2027", kod="Z"), figure(period="2027")]
    checked = services.preview_figures(imported, csv_bytes(bad), "register.csv")
    assert [(p.row, p.column, p.code) for p in checked.problems] == [
        (3, "kod", "register_unknown_code"),
        (4, None, "register_duplicate"),
    ]
    assert str(checked.problems[0]).startswith("Rad 3, kolumn ”kod”: ”Z” är ingen kod")
    with pytest.raises(ValueError):
        services.save_figures(imported, checked)
    assert count(RegisterFigure) == 3


def test_narratives_with_the_guidance(imported, forbund, client):
    page = client.get(f"/uppfoljning/{imported.id}/register").get_data(as_text=True)
    assert "Beskriv hur synpunkter samlas in" in page  # the guidance beside the field
    assert "I07-M2" in page
    saved = client.post(
        f"/uppfoljning/{imported.id}/register/berattelse",
        data={"measure": "I09-M1", "period": "2026", "text": "Synpunkter samlas in varje månad."},
        follow_redirects=True,
    )
    assert "Berättelsen är sparad." in saved.get_data(as_text=True)
    refused = client.post(
        f"/uppfoljning/{imported.id}/register/berattelse",
        data={"measure": "I07-M2", "period": "2026", "text": "x"},
        follow_redirects=True,
    )
    assert "är inte kvalitativt" in refused.get_data(as_text=True)
    assert [n.measure_id for n in db.session.scalars(select(Narrative))] == ["I09-M1"]


def test_register_pages_by_hand_and_by_file(imported, forbund, client):
    url = f"/uppfoljning/{imported.id}/register"
    steget = services.local_groups(imported_org(imported))[0]
    refused = client.post(
        url,
        data={
            "measure": "I07-M2",
            "period": "2026",
            "group": str(steget.id),
            "code": "kon|K",
            "numerator": "50",
            "denominator": "40",
        },
    )
    assert (
        refused.status_code == 422
        and "Täljaren (50) är större än nämnaren (40)" in refused.get_data(as_text=True)
    )
    done = client.post(
        url,
        data={
            "measure": "I07-M2",
            "period": "2026",
            "group": str(steget.id),
            "code": "kon|K",
            "numerator": "5",
            "denominator": "40",
        },
        follow_redirects=True,
    )
    assert "Uppgiften är sparad." in done.get_data(as_text=True)
    assert count(RegisterFigure) == 1

    posted = client.post(
        url + "/importera",
        data={"file": (io.BytesIO(csv_bytes([figure(period="2025")])), "register.csv")},
        content_type="multipart/form-data",
    )
    preview = client.get(posted.headers["Location"])
    assert "Spara 1 uppgift<" in preview.get_data(as_text=True)
    assert count(RegisterFigure) == 1
    client.post(posted.headers["Location"], data={})
    assert count(RegisterFigure) == 2


def imported_org(imported):
    from consensus.auth.models import Organisation

    return db.session.get(Organisation, imported.organisation_id)


def test_cli_register_import(runner, imported, tmp_path):
    good = tmp_path / "register.csv"
    good.write_bytes(csv_bytes([figure(), figure(kod="_T", täljare="30", nämnare="90")]))
    result = runner.invoke(args=["followup", "register", "import", "testforbund", str(good)])
    assert result.exit_code == 0, result.output
    assert "Sparade 2 registeruppgifter" in result.output
    bad = tmp_path / "fel.csv"
    bad.write_bytes(csv_bytes([figure(period="2027"), figure(period="2027", mått="X1")]))
    result = runner.invoke(args=["followup", "register", "import", "testforbund", str(bad)])
    assert result.exit_code == 1
    assert "Rad 3, kolumn ”mått”: måttet ”X1” finns inte i protokollet" in result.output
    assert count(RegisterFigure) == 2
