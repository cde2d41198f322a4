"""The close reads the votes through the DBAPI cursor and counts invited panelists from the
votes already read (issue 12): its results document is byte-identical to the one computed
from votes read through the ORM and invited counted by a query over the answers."""

import json
import random
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from consensus.extensions import db
from consensus.rounds import services
from consensus.rounds.models import Answer
from consensus.rounds.services import closing
from consensus.rounds.services._common import _VOTE
from consensus.rounds.stats import votes_frame
from consensus.studies.models import Participant
from tests.rounds.conftest import make_delphi

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _votes_through_the_orm(round):
    """The close's reading as it was: ORM rows, then ``votes_frame``."""
    rows = db.session.execute(
        select(
            Answer.participant_id,
            func.coalesce(Participant.group_id, 0),
            Answer.indicator_id,
            Answer.value,
            Answer.unable,
        )
        .join(Participant, Participant.id == Answer.participant_id)
        .where(Answer.round_id == round.id, _VOTE)
    ).all()
    frame = votes_frame(rows)
    groups = closing._group_codes(round.study_id)
    codes = {i.id: i.code for i in round.study.indicators}
    frame["group"] = frame["group"].cat.rename_categories(
        [groups.get(g, "-") for g in frame["group"].cat.categories]
    )
    frame["indicator"] = frame["indicator"].cat.rename_categories(
        [codes[i] for i in frame["indicator"].cat.categories]
    )
    return frame


_INVITED = closing._invited_by_group


def _invited_by_query(round, votes=None):
    """Invited counted as it was: a query that scans the round's answers again."""
    return _INVITED(round)


def _vote(round, people, items, rng, *, share):
    for p in people:
        if rng.random() > share:
            continue
        answers = []
        for i in items:
            roll = rng.random()
            if roll < 0.1:
                continue
            if roll < 0.15:
                answers.append({"indicator_id": i.id, "value": None, "unable": True})
            else:
                answers.append({"indicator_id": i.id, "value": rng.randint(1, 9)})
        services.save_answers(round, p, answers)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_close_reads_what_the_orm_read(app, monkeypatch, seed):
    rng = random.Random(seed)
    d = make_delphi(panel=(("a", 9), ("b", 7)), indicators=12, invitation_policy="responders_only")
    first = services.create_round(d.study, "rating")
    services.open_round(first)
    _vote(first, d.panel, d.indicators, rng, share=0.7)
    services.close_round(first)
    services.confirm_decisions(
        first,
        {
            x.indicator_id: ("carry", "samma lista")
            for x in services.decisions(first)
            if x.decision != "carry"
        },
    )
    second = services.create_round(d.study, "rating")
    services.open_round(second)
    # Everyone may answer: those who did not vote in round 1 were not invited, but reached.
    _vote(second, d.panel, services.ballot(second), rng, share=0.8)
    db.session.commit()

    for r in (first, second):
        new = closing.compute_round_results(r, now=NOW)
        with monkeypatch.context() as m:
            m.setattr(closing, "_votes", _votes_through_the_orm)
            m.setattr(closing, "_invited_by_group", _invited_by_query)
            old = closing.compute_round_results(r, now=NOW)
        assert json.dumps(new, sort_keys=True) == json.dumps(old, sort_keys=True)
        assert json.dumps(new) == json.dumps(old)  # the same order too
    assert new["response"]["invited"] > 0


def test_an_empty_round_reads_no_votes(app):
    d = make_delphi()
    r = services.create_round(d.study, "rating")
    services.open_round(r)
    frame = closing._votes(r)
    assert len(frame) == 0 and list(frame.columns) == [
        "panelist",
        "group",
        "indicator",
        "value",
        "unable",
    ]
    services.close_round(r)
