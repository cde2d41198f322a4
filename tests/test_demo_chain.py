"""The demo study goes through the whole chain: rounds, core set, measures, protocol, förbund."""

import pytest
from sqlalchemy import select

from consensus import demo
from consensus.auth.models import Organisation, User
from consensus.extensions import db
from consensus.followup import services as followup
from consensus.measures import services as measures
from consensus.measures.models import CanonicalMeasure, Proposal, ProposalCombination, Respondent
from consensus.protocol import services as protocol
from consensus.protocol.render import text as render_text
from consensus.protocol.validate import validate_document
from consensus.rounds import services as rounds
from consensus.studies.models import Study

pytestmark = pytest.mark.demo  # each test starts from a copy of the loaded demo

NNS_CORE = {f"P{n:02d}" for n in range(1, 11)} | {f"E{n:02d}" for n in range(1, 6)}


@pytest.fixture
def study(app):
    assert not demo.load_if_empty()  # loaded already, by demo.load_if_empty (tests/conftest.py)
    return db.session.scalar(select(Study).where(Study.slug == demo.DEMO_SLUG))


def test_both_rounds_closed_and_the_core_set_is_the_nns_indicators(study):
    first, second = rounds.rounds(study)
    assert (first.status, second.status, second.is_final) == ("closed", "closed", True)
    assert first.decisions_confirmed_at and second.decisions_confirmed_at
    assert first.opened_at < first.closed_at < second.opened_at < second.closed_at
    assert rounds.response_counts(second)["answered"] == 25
    core = measures.core_set(study)
    assert len(core) == study.target_core_size == 15
    assert {i.code for i in core} == NNS_CORE
    assert all(i.source == demo.NNS_SOURCE for i in core)


def test_measures_survey_is_closed_and_reviewed(study):
    survey = measures.get_survey(study)
    assert survey.status == "closed"
    indicators = measures.survey_indicators(survey)
    assert {i.code for i in indicators} == NNS_CORE
    respondents = list(
        db.session.scalars(select(Respondent).where(Respondent.survey_id == survey.id))
    )
    assert {r.via for r in respondents} == {"invited", "open_link"}
    assert all(r.submitted_at is not None for r in respondents)
    assert [r.pseudonym for r in sorted(respondents, key=lambda r: r.id)] == [
        "R001",
        "R002",
        "R003",
        "R004",
    ]
    proposals = list(
        db.session.scalars(
            select(Proposal).join(Respondent).where(Respondent.survey_id == survey.id)
        )
    )
    assert proposals and all(p.status == "submitted" for p in proposals)
    assert {p.kind for p in proposals} == {"quantitative", "qualitative"}
    sources = {p.data_source for p in proposals}
    assert {"Enkät till deltagare", "Uppföljning Finsam (SUS)", "Lokalt register"} <= sources
    assert {"P0D", "P6M", "P12M"} <= {f for p in proposals for f in p.frequency}
    combined = db.session.scalars(
        select(ProposalCombination).where(
            ProposalCombination.proposal_id.in_([p.id for p in proposals])
        )
    ).all()
    assert combined, "at least one proposal combines another"

    canonical = list(
        db.session.scalars(select(CanonicalMeasure).where(CanonicalMeasure.survey_id == survey.id))
    )
    assert any(len(c.sources) > 1 for c in canonical), "some proposals were merged"
    merged = {s.proposal_id for c in canonical for s in c.sources}
    assert merged == {p.id for p in proposals}, "every proposal was reviewed"
    rejected = [c for c in canonical if c.status == "rejected"]
    assert 1 <= len(rejected) <= 2 and all(c.reason for c in rejected)
    assert not [c for c in canonical if c.status == "candidate"]
    for indicator in indicators:
        accepted = [
            c for c in canonical if c.indicator_id == indicator.id and c.status == "accepted"
        ]
        assert accepted, indicator.code
        assert sum(c.recommended for c in accepted) == 1, indicator.code


def test_protocol_published_and_imported_by_the_demo_forbund(study):
    version = protocol.get_version(study, demo.DEMO_PROTOCOL_VERSION)
    assert version is not None and version.status == "active"
    assert protocol.latest(study) is version
    document = version.document
    assert validate_document(document) == []
    assert document["status"] == "active"
    assert document["owner"]["name"] == "Nationella nätverket för samordningsförbund (demo)"
    assert document["owner"]["lockedWording"] is True
    assert [e["version"] for e in document["changelog"]] == ["1.0.0"]
    assert {i["id"] for i in document["indicators"]} == NNS_CORE
    assert all(i["measures"] for i in document["indicators"])
    # Survey measures ask real questions (written in the review), not their own names.
    questions = {render_text(i["text"]) for i in document["items"]}
    assert "Jag har kunnat påverka planeringen av min rehabilitering" in questions
    names = {render_text(m["name"]) for i in document["indicators"] for m in i["measures"]}
    assert not questions & names, questions & names
    steps = [s["kind"] for s in document["provenance"]["steps"]]
    assert steps == ["delphi-round", "delphi-round", "measure-survey"]

    org = db.session.scalar(select(Organisation).where(Organisation.slug == "demo-forbund"))
    user = db.session.scalar(select(User).where(User.email == "forbund@demo.invalid"))
    assert user.role == "forbund" and user.organisation_id == org.id
    imported = followup.imported_versions(org)
    assert [(i.protocol_id, i.version, i.checksum) for i in imported] == [
        (version.protocol_id, "1.0.0", version.checksum)
    ]
    local = followup.local_items(imported[0])
    assert len(local) == 1 and local[0].local


def test_protocol_page_and_logins_text(study, client):
    response = client.get(f"/protokoll/{demo.DEMO_SLUG}/senaste")
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200
    assert client.get(f"/matt/{demo.DEMO_SLUG}").status_code == 200
    text = demo.logins_text()
    assert "forbund@demo.invalid" in text and "demo-forbund" in text
    assert f"/protokoll/{demo.DEMO_SLUG}/senaste" in text


def test_demo_protocol_carries_targets_and_kon(study):
    """The published demo protocol can be judged against goals and broken down by kön: the
    survey's share measures aim at 80 % answering in the two highest options, and every
    survey measure is disaggregated by the kön codelist with its total code."""
    document = protocol.get_version(study, demo.DEMO_PROTOCOL_VERSION).document
    assert validate_document(document) == []
    assert document["codelists"] == [
        {
            "id": "kon",
            "name": {"sv": "Kön"},
            "total": {"code": "_T", "label": {"sv": "Totalt"}},
            "codes": [
                {"code": "K", "label": {"sv": "Kvinna"}},
                {"code": "M", "label": {"sv": "Man"}},
            ],
        }
    ]
    measures_ = [m for i in document["indicators"] for m in i["measures"]]
    survey = [m for m in measures_ if m["method"] == "survey"]
    assert survey and all(m["disaggregations"] == ["kon"] for m in survey)
    shares = [m for m in survey if m["scoring"] == "proportion"]
    assert shares and all(m["target"] == {"value": 80, "nearMargin": 5} for m in shares)
    assert all(m["direction"] == "increase" for m in shares)
    assert all(m["numerator"]["rule"]["values"] == [4, 5] for m in shares)
    with_targets = [m for m in measures_ if "target" in m]
    assert len(with_targets) > len(shares)  # register measures have targets too
    assert any(m.get("direction") == "decrease" for m in measures_)
    assert not any("target" in m for m in measures_ if m["kind"] == "qualitative")


def test_the_national_page_has_the_demo_forbund_and_six_invented(study, client, login):
    from consensus.followup import national

    protocol_id = protocol.latest(study).protocol_id
    shares = followup.national.shares(protocol_id)
    labels = {followup.share_label(s) for s in shares}
    assert demo.DEMO_FORBUND[1] in labels
    assert "Förbund 3" in labels and "Samordningsförbundet Kustlandet (demo)" not in labels
    assert len({s.sender for s in shares}) == 7
    assert {s.period for s in shares} == {"oktober 2025", "oktober 2026"}
    assert any(not s.named for s in shares) and any(s.named for s in shares)
    cells = followup.national_cells(protocol_id)
    totals = [c for c in cells if c.breakdown == "total" and c.distribution]
    assert totals and all(c.distribution.count >= national.MIN_FORBUND for c in totals)
    # the small invented förbund's kön cells are hidden, and hold no figure
    hidden = [e for c in cells for e in c.entries if e.status == "suppressed"]
    assert hidden and all(e.value is None and e.n is None for e in hidden)
    leader = next(a for a in demo.DEMO_ACCOUNTS if a[1] == "projektledare")
    login(leader[0], leader[3])
    page = client.get(f"/studier/{demo.DEMO_SLUG}/nationellt")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    for label in ("Samordningsförbundet Fjällbygden (demo)", "Förbund 3", "Förbund 5"):
        assert label in body
    assert "Kustlandet" not in body  # not named: its name was never stored
