"""Protocol versions from a real study (confirmed final round + accepted measures) and the
command line. A förbund's imports are tested in ``tests/followup``."""

import json

import pytest
from sqlalchemy import func, select

from consensus.extensions import db
from consensus.measures import services as ms
from consensus.measures.models import CanonicalMeasure
from consensus.protocol import services
from consensus.protocol.canonical import canonical_json
from consensus.protocol.services import ProtocolError, ProtocolVersion
from consensus.protocol.validate import validate_document
from consensus.rounds import services as round_services
from tests.rounds.conftest import make_delphi, rate


def make_protocol_study():
    """Study ``delphi``: a confirmed final rating round (I1, I2 core) and accepted measures."""
    d = make_delphi(min_group_size=1, target_core_size=2)
    r = round_services.create_round(d.study, "rating", is_final=True)
    round_services.open_round(r)
    i1, i2, i3 = d.study.indicators
    for p in d.panel:
        rate(r, p, {i1: 9, i2: 8, i3: 2})
    round_services.close_round(r)
    round_services.confirm_decisions(r)
    survey = ms.create_survey(d.study)
    for indicator, fields in [
        (
            i1,
            dict(
                name="Upplevt inflytande",
                kind="quantitative",
                method="survey",
                respondent_group="deltagare",
                frequency=["P0D", "P12M"],
                unit="andel (%)",
                numerator="svar 4-5",
                denominator="alla svar",
                recommended=True,
            ),
        ),
        (
            i1,
            dict(
                name="Intervju om delaktighet",
                kind="qualitative",
                method="interview",
                description="Vad deltagaren berättar om sitt inflytande i planeringen.",
            ),
        ),
        (
            i2,
            dict(
                name="Antal samverkansmöten", method="register", unit="antal", frequency=["yearly"]
            ),
        ),
    ]:
        db.session.add(
            CanonicalMeasure(
                survey_id=survey.id, indicator_id=indicator.id, status="accepted", **fields
            )
        )
    db.session.add(
        CanonicalMeasure(survey_id=survey.id, indicator_id=i2.id, name="Avvisat", status="rejected")
    )
    db.session.commit()
    return d.study


def replace_a_measure() -> None:
    """Reject one accepted measure and accept another in its place (breaks comparability)."""
    measure = db.session.scalar(
        select(CanonicalMeasure).where(CanonicalMeasure.name == "Antal samverkansmöten")
    )
    measure.status = "rejected"
    db.session.add(
        CanonicalMeasure(
            survey_id=measure.survey_id,
            indicator_id=measure.indicator_id,
            name="Ny enkät",
            method="document-review",
            status="accepted",
        )
    )
    db.session.commit()


@pytest.fixture
def pstudy(app):
    return make_protocol_study()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_facts_and_draft_from_a_real_study(pstudy):
    facts = services.study_facts(pstudy)
    assert [i["code"] for i in facts["indicators"]] == ["I1", "I2"]
    assert facts["rounds"][0]["participants"] == [
        {"group": "a", "invited": 3, "responding": 3},
        {"group": "b", "invited": 3, "responding": 3},
    ]
    assert facts["indicators"][0]["rounds"][0]["decision"] == "core"
    row = services.draft(pstudy, {"title": "Protokoll för piloten"})
    assert row.status == "draft" and row.version == "1.0.0" and row.checksum is None
    doc = row.document
    assert validate_document(doc) == []
    assert doc["title"] == {"sv": "Protokoll för piloten"}
    names = [m["name"]["sv"] for m in doc["indicators"][0]["measures"]]
    assert names == ["Upplevt inflytande", "Intervju om delaktighet"]  # recommended first
    assert all(m["name"]["sv"] != "Avvisat" for i in doc["indicators"] for m in i["measures"])
    assert doc["indicators"][0]["provenance"]["rounds"][0]["n"] == 6
    assert doc["provenance"]["steps"][-1]["kind"] == "measure-survey"


def test_a_survey_measures_questions_become_its_items(pstudy):
    measure = db.session.scalar(
        select(CanonicalMeasure).where(CanonicalMeasure.name == "Upplevt inflytande")
    )
    ms.edit_canonical(
        measure, {"questions": ["Jag bestämmer över min plan.", "Jag blir lyssnad på."]}
    )
    doc = services.draft(pstudy).document
    first = doc["indicators"][0]["measures"][0]
    assert first["items"] == [f"M{measure.id}-F1", f"M{measure.id}-F2"]
    items = {i["id"]: i for i in doc["items"]}
    assert items[f"M{measure.id}-F2"]["text"] == {"sv": "Jag blir lyssnad på."}
    assert items[f"M{measure.id}-F2"]["scale"] == items[f"M{measure.id}-F1"]["scale"]
    assert first["numerator"]["rule"]["item"] == f"M{measure.id}-F1"
    assert validate_document(doc) == []


def test_published_versions_are_immutable(pstudy):
    v1 = services.publish(pstudy, "1.0.0")
    db.session.commit()
    with pytest.raises(ProtocolError) as error:
        services.publish(pstudy, "1.0.0")
    assert error.value.code == "version_exists"
    with pytest.raises(ProtocolError):
        services.draft(pstudy, version="1.0.0")
    v1.document = {**v1.document, "title": {"sv": "Ändrad"}}
    with pytest.raises(ProtocolError) as error:
        db.session.flush()
    assert error.value.code == "published_immutable"
    db.session.rollback()
    v1.checksum = "sha256:" + "0" * 64
    with pytest.raises(ProtocolError):
        db.session.commit()
    db.session.rollback()
    assert services.get_version(pstudy, "1.0.0").document["title"]["sv"] != "Ändrad"


def test_new_versions_start_from_the_previous_and_bumps_are_checked(pstudy):
    v1 = services.publish(pstudy, "1.0.0", texts={"owner": {"licence": "CC0-1.0"}})
    db.session.commit()
    i3 = pstudy.indicators[2]
    # Title only: a patch is enough, and the licence carries over.
    v2 = services.publish(pstudy, "1.0.1", texts={"title": "Ny titel"})
    assert v2.document["owner"]["licence"] == "CC0-1.0"
    assert v2.document["derivedFrom"] == {
        "id": "delphi",
        "version": "1.0.0",
        "checksum": v1.checksum,
    }
    assert [e["version"] for e in v2.document["changelog"]] == ["1.0.0", "1.0.1"]
    assert v1.status == "retired" and v2.status == "active"
    db.session.commit()

    # Nothing changed: no new version (the changelog line written for the leader is no change).
    with pytest.raises(ProtocolError) as error:
        services.publish(pstudy, "1.0.2")
    assert error.value.code == "nothing_changed"
    assert "Ingenting har ändrats sedan version 1.0.1" in error.value.message
    # ... but a changelog entry the leader writes is (a patch).
    db.session.rollback()

    # Removing a measure breaks comparability: a minor version is refused.
    replace_a_measure()
    with pytest.raises(ProtocolError) as error:
        services.publish(pstudy, "1.1.0")
    assert error.value.code == "bump_breaks_comparability"
    assert error.value.problems[0].path == "$.version"
    assert "måttet" in error.value.message
    draft = services.draft(pstudy)
    assert draft.version == "2.0.0"  # the step the changes require
    v3 = services.publish(pstudy, "2.0.0")
    db.session.commit()
    assert [v.version for v in services.versions(pstudy)] == ["1.0.0", "1.0.1", "2.0.0"]
    change = services.diff_versions(v2, v3)
    assert change.breaks_comparability and change.required_bump == "major"
    assert i3.code not in [i["id"] for i in v3.document["indicators"]]


def test_publish_without_core_indicators_is_refused(app):
    d = make_delphi()
    with pytest.raises(ProtocolError) as error:
        services.publish(d.study, "1.0.0")
    assert error.value.code == "no_indicators"
    with pytest.raises(ProtocolError) as error:
        services.publish(d.study, "1.0")
    assert error.value.code == "invalid_version"
    assert count(ProtocolVersion) == 0


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def test_cli_publish_export_validate(cli, pstudy, tmp_path):
    result = cli.invoke(args=["protocol", "publish", "delphi", "--version", "1.0.0"])
    assert result.exit_code == 0, result.output
    assert "version 1.0.0" in result.output
    again = cli.invoke(args=["protocol", "publish", "delphi", "--version", "1.0.0"])
    assert again.exit_code == 1 and "finns redan" in again.output
    missing = cli.invoke(args=["protocol", "publish", "nope", "--version", "1.0.0"])
    assert missing.exit_code == 1 and "ingen studie" in missing.output

    out = tmp_path / "p.json"
    assert (
        cli.invoke(
            args=["protocol", "export", "delphi", "--format", "json", "-o", str(out)]
        ).exit_code
        == 0
    )
    assert out.read_bytes() == services.document_bytes(services.latest(pstudy))
    for fmt in ("csv", "xlsx"):
        target = tmp_path / f"p.{fmt}"
        r = cli.invoke(
            args=[
                "protocol",
                "export",
                "delphi",
                "--version",
                "1.0.0",
                "--format",
                fmt,
                "-o",
                str(target),
            ]
        )
        assert r.exit_code == 0, r.output
        assert target.stat().st_size > 0
    none = cli.invoke(args=["protocol", "export", "delphi", "--version", "9.9.9"])
    assert none.exit_code == 1

    ok = cli.invoke(args=["protocol", "validate", str(out)])
    assert ok.exit_code == 0 and "giltigt" in ok.output
    bad = tmp_path / "bad.json"
    doc = json.loads(out.read_bytes())
    doc["indicators"][0]["measures"][0]["method"] = "telefon"
    bad.write_bytes(canonical_json(doc))
    refused = cli.invoke(args=["protocol", "validate", str(bad)])
    assert refused.exit_code == 1
    assert "$.indicators[0].measures[0].method" in refused.output
    assert "$.checksum" in refused.output


def test_an_invalid_built_document_is_refused_with_its_problems(pstudy, monkeypatch):
    from consensus.protocol.services import publishing
    from consensus.protocol.validate import Problem

    problem = Problem("$.owner", "required", {"field": "owner"})
    monkeypatch.setattr(publishing, "validate_document", lambda doc: [problem])
    with pytest.raises(ProtocolError) as error:
        services.publish(pstudy, "1.0.0")
    assert error.value.code == "invalid_document" and error.value.problems == [problem]
    assert error.value.message.startswith("Protokollet blev inte giltigt: $.owner")
    db.session.rollback()
    assert count(ProtocolVersion) == 0
