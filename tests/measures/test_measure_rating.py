"""The experts' rating of the measures: reading the form, the pages, and the statistics."""

import pytest

from consensus.measures.posted import read_ratings
from tests.measures import test_leader_views as leader_views

# The leader's fixtures: a logged-in projektledare, and an open survey with three proposals.
leader = leader_views.leader
proposals = leader_views.proposals


@pytest.mark.parametrize(
    ("form", "entries", "problems"),
    [
        (
            {"rate-1-relevance": "8", "rate-1-feasibility": "unable"},
            [(1, "relevance", 8), (1, "feasibility", "unable")],
            {},
        ),
        ({"rate-2-relevance": ""}, [(2, "relevance", None)], {}),
        (
            {"rate-1-relevance": "10", "rate-2-feasibility": "x"},
            [],
            {(1, "relevance"): "invalid_value", (2, "feasibility"): "invalid_value"},
        ),
        ({}, [], {}),
    ],
)
def test_read_ratings(form, entries, problems):
    assert read_ratings(form, [1, 2]) == (entries, problems)


def test_experts_rate_measures_and_the_leader_sees_the_round_statistics(
    app, leader, study, proposals
):
    from sqlalchemy import select

    from consensus.auth.services import issue_link
    from consensus.extensions import db
    from consensus.measures import services as ms
    from consensus.measures.models import Respondent
    from consensus.rounds.stats import rating_stats

    survey = proposals["survey"]
    from consensus.studies.models import Indicator

    indicator = db.session.get(Indicator, proposals["indicator"])
    merged = ms.merge_proposals(
        survey, indicator, proposals["ids"][:2], {"name": "Upplevt inflytande"}
    )
    db.session.commit()
    assert "inte påbörjad" in leader.get("/studier/pilot/matt/bedomning").get_data(as_text=True)
    leader.post("/studier/pilot/matt/bedomning/oppna")
    db.session.refresh(survey)
    assert survey.rating_status == "open"

    experts = db.session.scalars(
        select(Respondent).where(Respondent.participant_id.is_not(None)).order_by(Respondent.id)
    ).all()
    for respondent, (relevance, feasibility) in zip(
        experts, [("9", "7"), ("8", "unable"), ("3", "5")], strict=True
    ):
        token = issue_link(respondent.participant)
        db.session.commit()
        c = app.test_client()
        c.get(f"/l/{token}")
        assert "Bedöm måtten" in c.get("/matt/pilot/enkat").get_data(as_text=True)
        bad = c.post("/matt/pilot/bedomning", data={f"rate-{merged.id}-relevance": "11"})
        assert "Ogiltigt svar." in bad.get_data(as_text=True)
        c.post(
            "/matt/pilot/bedomning",
            data={
                f"rate-{merged.id}-relevance": relevance,
                f"rate-{merged.id}-feasibility": feasibility,
            },
        )
    page = leader.get("/studier/pilot/matt/bedomning").get_data(as_text=True)
    # Relevance 9, 8, 3: n 3, median 8, 7-9 share 2/3 -> 66,7 % (one decimal: a share is never
    # rounded onto a whole percent it is not, issue 15); feasibility 7, 5: n 2.
    assert f"M{merged.id}" in page and "66,7\u00a0%" in page
    stats = ms.rate_measures_stats(survey, "relevance")
    expected = rating_stats(
        ms.measure_votes_frame(
            [
                (1, "lokal", f"M{merged.id}", 9.0, False),
                (2, "lokal", f"M{merged.id}", 8.0, False),
                (3, "lokal", f"M{merged.id}", 3.0, False),
            ]
        ),
        [f"M{merged.id}"],
        groups=["lokal", "nationell"],
        min_group_size=1,
    )
    assert stats.items[f"M{merged.id}"].median == expected.items[f"M{merged.id}"].median == 8
    assert ms.rate_measures_stats(survey, "feasibility").items[f"M{merged.id}"].unable == 1

    leader.post("/studier/pilot/matt/bedomning/stang")
    c = app.test_client()
    token = issue_link(experts[0].participant)
    db.session.commit()
    c.get(f"/l/{token}")
    late = c.post("/matt/pilot/bedomning", data={f"rate-{merged.id}-relevance": "1"})
    assert "inte öppen" in late.get_data(as_text=True)
    assert ms.rate_measures_stats(survey, "relevance").items[f"M{merged.id}"].median == 8


def test_open_link_respondents_do_not_rate(app, leader, study, proposals):
    from consensus.measures import services as ms

    token = ms.new_open_link(proposals["survey"])
    from consensus.extensions import db

    db.session.commit()
    c = app.test_client()
    c.post(f"/matt/oppen/{token}", data={"organisation": "X", "level": "lokal", "role": "Y"})
    assert c.get("/matt/pilot/bedomning").status_code == 403
