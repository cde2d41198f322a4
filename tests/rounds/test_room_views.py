"""The ballot's refusals say what is allowed and keep what was given; a top M larger than the
ballot is refused; the live state for the projector (issue #16)."""

import re

import pytest
from sqlalchemy import func, select

from consensus.auth.services import issue_link
from consensus.extensions import db
from consensus.rounds import services
from consensus.rounds.models import Answer, Round
from tests.conftest import PASSWORD, share_studies
from tests.rounds.conftest import make_delphi, rate


@pytest.fixture
def d(app):
    return make_delphi()


def _panelist(app, p):
    p.consent_at = p.created_at
    token = issue_link(p)
    db.session.commit()
    c = app.test_client()
    assert c.get(f"/l/{token}").status_code == 302
    return c


def _leader(app, make_user):
    make_user()
    share_studies()  # a plain POST login: make the leader a member of the study
    db.session.commit()
    c = app.test_client()
    c.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    return c


def _opened(d, method="rating", **kwargs):
    r = services.create_round(d.study, method, **kwargs)
    services.open_round(r)
    db.session.commit()
    return r


def _stored(r) -> int:
    return db.session.scalar(
        select(func.count(Answer.id)).where(Answer.round_id == r.id, Answer.value.is_not(None))
    )


def test_whole_ballot_with_a_place_given_twice_keeps_the_entries_and_marks_the_fields(app, d):
    r = _opened(d, "ranking")
    i1, i2, i3 = d.indicators
    c = _panelist(app, d.panel[0])
    page = c.post(
        "/deltagare/omgang/1",
        data={f"value-{i1.id}": "1", f"value-{i2.id}": "1", f"value-{i3.id}": "2"},
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Något behöver rättas" in html
    message = "Plats 1 är given till flera indikatorer. Varje plats kan bara användas en gång."
    assert html.count(message) == 4  # in the summary and beside each of the two fields
    for indicator, value, marked in ((i1, "1", True), (i2, "1", True), (i3, "2", False)):
        field = re.search(rf'<input type="number" id="value-{indicator.id}"[^>]*>', html)[0]
        assert f'value="{value}"' in field
        assert ('aria-invalid="true"' in field) is marked
    assert f'href="#value-{i1.id}"' in html
    assert _stored(r) == 0


def test_autosave_refusals_say_what_is_allowed(app, d):
    rating = _opened(d)
    i1 = d.indicators[0]
    c = _panelist(app, d.panel[0])
    bad = c.post("/deltagare/omgang/1/svar", data={f"value-{i1.id}": "12"})
    assert bad.status_code == 400
    assert bad.json["message"] == (
        "Ogiltigt svar. Välj en siffra från 1 till 9 eller ”Kan ej bedöma”."
    )
    services.close_round(rating)
    services.confirm_decisions(rating)
    db.session.commit()

    ranking = _opened(d, "ranking", top_m=2)
    ids = [i.id for i in services.ballot(ranking)]
    too_far = c.post(f"/deltagare/omgang/{ranking.number}/svar", data={f"value-{ids[0]}": "3"})
    assert too_far.status_code == 400
    assert too_far.json["message"] == (
        "Ogiltigt svar. Ange en plats från 1 till 2, eller lämna rutan tom."
    )
    closed = c.post("/deltagare/omgang/1/svar", data={f"value-{i1.id}": "5"})
    assert closed.status_code == 409
    assert closed.json["code"] == "round_closed"


def test_a_top_m_larger_than_the_ballot_is_refused_beside_the_field(app, d, make_user):
    leader = _leader(app, make_user)
    with pytest.raises(services.RoundError) as refused:
        services.create_round(d.study, "ranking", top_m=4)
    assert (refused.value.code, refused.value.params) == ("top_m_too_large", {"m": 4, "n": 3})
    db.session.rollback()

    page = leader.post("/studier/delphi/omgangar", data={"method": "ranking", "top_m": "20"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert (
        "Omgången har 3 indikatorer, så panelen kan inte rangordna de 20 första. Ange högst 3"
        in html
    )
    assert 'id="top_m-error"' in html
    assert db.session.scalar(select(func.count(Round.id))) == 0
    created = leader.post("/studier/delphi/omgangar", data={"method": "ranking", "top_m": "3"})
    assert created.status_code == 302


def test_live_state_with_the_histogram_only_on_request_and_from_three_answers(app, d, make_user):
    leader = _leader(app, make_user)
    r = _opened(d)
    i1, i2, i3 = d.indicators
    rate(r, d.panel[0], {i1: 7, i2: 7, i3: "x"})
    rate(r, d.panel[1], {i1: 2})
    db.session.commit()
    plain = leader.get("/studier/delphi/omgangar/1/status.json").json
    assert (plain["state"], plain["answered"], plain["invited"]) == ("open@", 2, 6)
    assert plain["groups"]["a"]["answered"] == 2 and plain["groups"]["b"]["answered"] == 0
    assert "histogram" not in plain
    url = "/studier/delphi/omgangar/1/status.json?fordelning=1"
    assert leader.get(url).json["histogram"] == {"shown": False, "least": 3}
    rate(r, d.panel[3], {i1: 9, i2: 2})
    db.session.commit()
    histogram = leader.get(url).json["histogram"]
    # Answers 7, 7, 2, 9, 2 (kan ej bedöma is no number): 2 twice, 7 twice, 9 once.
    assert histogram["shown"] is True
    assert histogram["bars"] == [
        ["1", 0],
        ["2", 2],
        ["3", 0],
        ["4", 0],
        ["5", 0],
        ["6", 0],
        ["7", 2],
        ["8", 0],
        ["9", 1],
    ]
    page = leader.get("/studier/delphi/omgangar/1/projektor?fordelning=1").get_data(as_text=True)
    assert 'aria-label="7: 2"' in page and "Dölj fördelningen" in page
    assert "pl@example.se" not in page and "site-nav" not in page
    assert 'data-state="open@"' in page

    # Closed, reopened and closed again: each close is a state of its own.
    states = []
    for _ in range(2):
        services.close_round(r)
        db.session.commit()
        states.append(leader.get(url).json["state"])
        services.reopen_round(r, reason="Fler svar")
        db.session.commit()
    assert states[0].startswith("closed@") and states[0] != states[1]
    assert (
        leader.get("/studier/delphi/omgangar/1").get_data(as_text=True).count('data-state="open@"')
        == 1
    )


def test_live_histogram_of_an_approval_round_counts_votes_per_indicator(app, d):
    r = _opened(d, "approval", max_selections=2)
    i1, i2, i3 = d.indicators
    for p, ticked in zip(d.panel, ([i1, i2], [i2], [i2, i3], [i3]), strict=False):
        services.save_answers(r, p, [{"indicator_id": i.id, "value": 1} for i in ticked])
    services.save_answers(r, d.panel[0], [{"indicator_id": i1.id, "value": None}])  # untick
    db.session.commit()
    assert services.live_histogram(r) == [("I1", 0), ("I2", 3), ("I3", 2)]


def test_the_presenter_histogram_of_a_long_approval_ballot_keeps_the_most_voted(app, make_user):
    leader = _leader(app, make_user)
    d = make_delphi(indicators=25)
    r = _opened(d, "approval", max_selections=3)
    # Panelist k ticks the first three of the last k + 1: {I25}, {I24, I25}, {I23..I25},
    # {I22..I24}, {I21..I23}, {I20..I22}.
    for k, p in enumerate(d.panel):
        ticked = d.indicators[-(k + 1) :][:3]
        services.save_answers(r, p, [{"indicator_id": i.id, "value": 1} for i in ticked])
    db.session.commit()
    bars = leader.get("/studier/delphi/omgangar/1/status.json?fordelning=1").json["histogram"]
    # I22..I25 three votes each (ties in ballot order), I21 two, I20 one, then the first 14
    # without votes; I15..I19 (no votes either) are left off.
    expected = [["I22", 3], ["I23", 3], ["I24", 3], ["I25", 3], ["I21", 2], ["I20", 1]]
    expected += [[f"I{n}", 0] for n in range(1, 15)]
    assert bars["bars"] == expected
