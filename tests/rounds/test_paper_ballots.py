"""A paper ballot never silently replaces answers a panelist gave online (issue #13)."""

import pytest
from sqlalchemy import select

from consensus.extensions import db
from consensus.rounds import services
from consensus.rounds.models import Answer
from consensus.rounds.services import PaperChange, RoundError
from consensus.studies.models import AuditEvent
from tests.rounds.conftest import make_delphi, rate


@pytest.fixture
def online(app):
    """Round 1 open; panelist a0 has rated I1, I2 and I3 online: 9, 9, kan ej bedöma."""
    d = make_delphi()
    r = services.create_round(d.study, "rating")
    services.open_round(r)
    db.session.commit()
    p = d.member("a")
    rate(r, p, {d.ind("I1"): 9, d.ind("I2"): 9, d.ind("I3"): "x"})
    db.session.commit()
    return d, r, p


def stored(r, p):
    rows = db.session.execute(
        select(Answer.indicator_id, Answer.value, Answer.unable).where(
            Answer.round_id == r.id, Answer.participant_id == p.id
        )
    )
    return {iid: (value, unable) for iid, value, unable in rows}


def test_a_paper_ballot_for_an_online_panelist_is_refused_without_a_reason(online):
    d, r, p = online
    i1, i2, i3 = (d.ind(c).id for c in ("I1", "I2", "I3"))
    before = stored(r, p)
    # The paper says 1 for I1, leaves I2 blank, and says 5 for I3 (online: kan ej bedöma).
    paper = [
        {"indicator_id": i1, "value": 1, "unable": False},
        {"indicator_id": i2, "value": None, "unable": False},
        {"indicator_id": i3, "value": 5, "unable": False},
    ]
    with pytest.raises(RoundError) as refused:
        services.enter_paper_ballot(r, p.pseudonym, None, paper)
    assert refused.value.code == "answered_online"
    db.session.rollback()
    assert stored(r, p) == before
    assert services.paper_ballot_changes(r, p.pseudonym.lower(), paper) == [
        PaperChange(i1, "I1", "Indikator 1", (9, False), (1, False)),
        PaperChange(i3, "I3", "Indikator 3", (None, True), (5, False)),
    ]
    # Blank reasons are no reasons.
    with pytest.raises(RoundError):
        services.enter_paper_ballot(r, p.pseudonym, None, paper, replace_reason="  ")
    db.session.rollback()


def test_replacing_with_a_reason_changes_what_the_paper_gives_and_keeps_the_blanks(online):
    d, r, p = online
    i1, i2, i3 = (d.ind(c).id for c in ("I1", "I2", "I3"))
    paper = [
        {"indicator_id": i1, "value": 1, "unable": False},
        {"indicator_id": i2, "value": None, "unable": False},
        {"indicator_id": i3, "value": None, "unable": False},
    ]
    services.enter_paper_ballot(
        r, p.pseudonym, None, paper, replace_reason="Lämnade blankett på mötet, ändrade sig"
    )
    db.session.commit()
    assert stored(r, p) == {i1: (1, False), i2: (9, False), i3: (None, True)}
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "paper_ballot_replaced_online")
    )
    assert event.reason == "Lämnade blankett på mötet, ändrade sig"
    assert event.detail["changed"] == [
        {"indicator": "I1", "online": [9, False], "paper": [1, False]}
    ]


def test_a_panelist_without_answers_and_a_new_code_need_no_confirmation(online):
    d, r, _p = online
    other = d.member("a", 1)
    assert services.paper_ballot_changes(r, other.pseudonym, []) is None
    assert services.paper_ballot_changes(r, "K-1", []) is None
    services.enter_paper_ballot(
        r, other.pseudonym, None, [{"indicator_id": d.ind("I1").id, "value": 4}]
    )
    db.session.commit()
    assert stored(r, other) == {d.ind("I1").id: (4, False)}


def test_a_ballot_file_never_replaces_online_answers(online):
    d, r, p = online
    content = (
        "Deltagarkod;Intressentgrupp;Indikatorkod;Värde\n"
        f"K-1;a;I1;5\n{p.pseudonym};;I1;1\n{p.pseudonym};;I2;2\n"
    ).encode()
    parsed = services.parse_ballot_file(r, content, "blanketter.csv")
    assert [(x.row, x.column, x.code) for x in parsed.problems] == [
        (3, "Deltagarkod", "answered_online")
    ]
    assert parsed.problems[0].message.startswith(
        f"Rad 3, kolumn ”Deltagarkod”: deltagaren ”{p.pseudonym}” har redan svarat på webben"
    )
    with pytest.raises(RoundError):
        services.import_ballots(r, parsed)
    db.session.rollback()
    assert stored(r, p) == {
        d.ind("I1").id: (9, False),
        d.ind("I2").id: (9, False),
        d.ind("I3").id: (None, True),
    }
