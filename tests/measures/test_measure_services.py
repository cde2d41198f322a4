"""The measures survey backend: drafts, submission, open link, review, exports, ratings."""

from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy.exc import IntegrityError

from consensus.dbtypes import utcnow
from consensus.extensions import db
from consensus.measures import services as ms
from consensus.rounds import stats as round_stats

QUANT = {
    "name": "Upplevt inflytande",
    "description": "Enkätfråga",
    "kind": "kvantitativ",
    "method": "enkät",
    "unit": "andel (%)",
    "numerator": "svar 4-5",
    "denominator": "alla svar",
}


@pytest.fixture
def survey(study):
    indicator = study.indicators[0]
    s = ms.create_survey(study, intro_text="Välkommen", indicator_ids=[indicator.id])
    ms.add_workshop(
        s,
        date=date(2014, 9, 24),
        time_text="kl. 13.00",
        place="Linköping",
        area="Östergötland",
        contact_person="Peter Johansson",
    )
    ms.change_status(s, "open")
    db.session.commit()
    return s


@pytest.fixture
def expert(survey):
    r = ms.add_expert(
        survey,
        email="Anna@Kommun.se",
        name="Anna Svensson",
        organisation="Linköpings kommun",
        organisation_type="kommun",
        level="nationell",
        role="utvecklare",
    )
    db.session.commit()
    return r


def test_survey_defaults_to_core_set_and_lists_workshops(app, study, survey):
    assert ms.core_set(study) == []  # no confirmed final round in this fixture
    assert [i.code for i in ms.survey_indicators(survey)] == ["P01"]
    assert [w.place for w in ms.workshops(survey)] == ["Linköping"]


def test_validation_saves_nothing(app, study, survey, expert):
    ind = study.indicators[0].id
    with pytest.raises(ms.MeasuresError) as error:
        ms.save_proposal(expert, ind, {**QUANT, "name": "x" * 300})
    assert error.value.code == "invalid"
    assert ms.respondent_proposals(expert) == {}


def test_draft_resume_and_submit(app, study, survey, expert):
    ind = study.indicators[0].id
    first = ms.save_proposal(expert, ind, {"name": "Halvfärdigt"})
    second = ms.save_proposal(
        expert, ind, {**QUANT, "combines": [{"proposal_id": first.id, "how": "båda"}]}
    )
    db.session.commit()
    resumed = ms.respondent_proposals(ms.respondent_for_participant(survey, expert.participant))
    assert [p.id for p in resumed[ind]] == [first.id, second.id]
    with pytest.raises(ms.MeasuresError) as error:
        ms.submit(expert)
    assert first.id in error.value.params["problems"]
    assert second.status == "draft"
    ms.save_proposal(
        expert,
        ind,
        {**QUANT, "name": "Antal möten", "unit": "antal", "numerator": "", "denominator": ""},
        proposal=first,
    )
    assert ms.submit(expert) == 2
    assert expert.submitted_at is not None
    with pytest.raises(ms.MeasuresError) as error:
        ms.save_proposal(expert, ind, {**QUANT, "combines": [second.id]}, proposal=second)
    assert error.value.code == "invalid"


def test_closing_refuses_late_submission_and_keeps_drafts(app, study, survey, expert):
    ind = study.indicators[0].id
    draft = ms.save_proposal(expert, ind, QUANT)
    survey.closes_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(ms.MeasuresError) as error:
        ms.submit(expert)
    assert error.value.code == "survey_closed"
    assert survey.status == "closed"
    assert db.session.get(type(draft), draft.id).status == "draft"


def test_open_link_respondent(app, study, survey):
    token = ms.new_open_link(survey)
    assert ms.survey_by_open_link(token) is survey
    respondent, own = ms.join_open_link(
        survey, organisation="Region Kalmar", level="Lokal", role="chef", organisation_type="region"
    )
    assert respondent.via == "open_link" and respondent.participant_id is None
    assert ms.respondent_by_token(own) is respondent
    ms.save_proposal(respondent, study.indicators[0].id, QUANT)
    ms.submit(respondent)
    counts = ms.response_counts(survey)
    assert counts["by_level"]["lokal"] == {"respondents": 1, "submitted": 1}
    assert counts["by_organisation"]["Region Kalmar"]["submitted"] == 1


def _submitted(study, survey, n):
    out = []
    for k in range(n):
        r, _ = ms.join_open_link(survey, organisation=f"Org {k}", level="lokal", role="r")
        out.append(ms.save_proposal(r, study.indicators[0].id, {**QUANT, "name": f"Mått {k}"}))
        ms.submit(r)
    return out


def test_merge_keeps_lineage_and_one_recommended(app, study, survey, make_user):
    user = make_user()
    ind = study.indicators[0]
    a, b, c = _submitted(study, survey, 3)
    m1 = ms.merge_proposals(survey, ind, [a.id, b.id], {"name": "Inflytande (andel)"}, actor=user)
    m2 = ms.merge_proposals(survey, ind, [c.id], actor=user)
    assert ms.lineage(m1) == sorted([a.id, b.id]) and m1.name == "Inflytande (andel)"
    ms.edit_canonical(m1, {"description": "Ny lydelse"}, actor=user)
    ms.edit_canonical(m1, {"questions": ["  Fråga ett ", "", "Fråga två"]}, actor=user)
    assert m1.questions == ["Fråga ett", "Fråga två"]
    assert ms.check_questions("Ett\n\n Två ") == ["Ett", "Två"]  # text, one per line
    with pytest.raises(ms.MeasuresError) as error:
        ms.edit_canonical(m1, {"questions": ["x"] * (ms.MAX_QUESTIONS + 1)})
    assert error.value.code == "too_many_questions"
    with pytest.raises(ms.MeasuresError) as error:
        ms.edit_canonical(m1, {"questions": ["ok", "y" * (ms.QUESTION_LIMIT + 1)]})
    assert (error.value.code, error.value.params["line"]) == ("question_too_long", 2)
    assert m1.questions == ["Fråga ett", "Fråga två"]  # unchanged by the refusals
    with pytest.raises(ms.MeasuresError):
        ms.decide(m2, "rejected", "")
    with pytest.raises(ms.MeasuresError):
        ms.set_recommended(m1)
    ms.decide(m1, "accepted", actor=user)
    ms.decide(m2, "accepted", actor=user)
    ms.set_recommended(m1)
    ms.set_recommended(m2)
    db.session.commit()
    assert [m.recommended for m in (m1, m2)] == [False, True]
    data = ms.review_data(survey, ind)
    assert {c["id"]: c["sources"] for c in data["canonical"]}[m1.id] == sorted([a.id, b.id])
    m1.recommended = True  # bypassing the service: the database refuses a second one
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_exports_contain_no_names_or_emails(app, study, survey, expert):
    ms.save_proposal(expert, study.indicators[0].id, QUANT)
    ms.submit(expert)
    m = ms.merge_proposals(
        survey,
        study.indicators[0],
        [p.id for p in ms.respondent_proposals(expert)[study.indicators[0].id]],
    )
    ms.decide(m, "accepted")
    text = repr(ms.export_tables(survey)) + repr(ms.export_document(survey))
    for secret in ("Anna", "Svensson", "anna@kommun.se", "Linköpings kommun"):
        assert secret not in text
    headers, rows = ms.export_proposals(survey)
    assert rows[0][2:5] == [expert.pseudonym, "nationell", "kommun"]


def test_paper_import_all_or_nothing(app, study, survey):
    good = (
        "Indikator;Svarande;Nivå;Namn på måttet;Beskrivning;Slag;Metod;Enhet\n"
        "P01;W1;lokal;Antal möten;Räknas i protokoll;kvantitativ;dokumentgranskning;antal\n"
    )
    bad = good + "P01;W2;lokal;Andel nöjda;Enkät;kvantitativ;enkät;andel\n"
    parsed = ms.parse_paper_proposals(survey, bad.encode(), "papper.csv")
    assert not parsed.ok and any("nämnare" in p for p in parsed.problems)
    with pytest.raises(ms.MeasuresError):
        ms.import_paper_proposals(survey, parsed)
    assert ms.response_counts(survey)["proposals"] == 0
    parsed = ms.parse_paper_proposals(survey, good.encode(), "papper.csv")
    assert parsed.ok, parsed.problems
    assert ms.import_paper_proposals(survey, parsed) == 1
    assert ms.response_counts(survey)["proposals"] == 1


def test_rating_reuses_round_statistics(app, study, survey):
    ind = study.indicators[0]
    props = _submitted(study, survey, 2)
    m1 = ms.merge_proposals(survey, ind, [props[0].id])
    m2 = ms.merge_proposals(survey, ind, [props[1].id])
    experts = [
        ms.add_expert(survey, email=f"e{k}@x.se", level=("lokal", "nationell")[k % 2]).participant
        for k in range(6)
    ]
    values = [(9, 2), (8, 3), (7, None), (9, 5), (6, 1), (8, 2)]
    rows = []
    for expert, (v1, v2) in zip(experts, values, strict=True):
        ms.save_rating(m1, expert, "relevance", v1)
        ms.save_rating(m2, expert, "relevance", v2, unable=v2 is None)
        rows.append((expert.id, expert.level, f"M{m1.id}", float(v1), False))
        rows.append(
            (expert.id, expert.level, f"M{m2.id}", np.nan if v2 is None else float(v2), v2 is None)
        )
    got = ms.rate_measures_stats(survey, "relevance")
    want = round_stats.rating_stats(
        round_stats.votes_frame(rows),
        [f"M{m1.id}", f"M{m2.id}"],
        groups=["lokal", "nationell"],
        min_group_size=1,
    )
    assert got == want
    assert got.items[f"M{m1.id}"].median == 8.0
    assert ms.rate_measures_decisions(got).decisions == {f"M{m1.id}": "in", f"M{m2.id}": "out"}
