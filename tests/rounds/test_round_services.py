"""Rounds through the services on the test database: lifecycle, saving, closing, decisions."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consensus.dbtypes import utcnow
from consensus.extensions import db
from consensus.rounds import lifecycle, services
from consensus.rounds.lifecycle import IllegalTransition, Status
from consensus.rounds.models import Answer, ItemDecision, RoundResult
from consensus.rounds.services import RoundError
from consensus.studies import services as study_services
from consensus.studies.models import AuditEvent, Participant
from tests.rounds.conftest import make_delphi, rate

approx = pytest.approx


def error_code(call, *args, **kwargs):
    with pytest.raises(RoundError) as caught:
        call(*args, **kwargs)
    db.session.rollback()
    return caught.value.code


def opened(delphi, method="rating", **kwargs):
    r = services.create_round(delphi.study, method, **kwargs)
    services.open_round(r)
    db.session.commit()
    return r


def answer_rows(r):
    return db.session.execute(
        select(Answer.participant_id, Answer.indicator_id, Answer.value, Answer.unable)
        .where(Answer.round_id == r.id)
        .order_by(Answer.participant_id, Answer.indicator_id)
    ).all()


# --- lifecycle -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [("draft", "open", "open"), ("open", "close", "closed"), ("closed", "reopen", "open")],
)
def test_legal_transitions(current, action, expected):
    assert lifecycle.transition(current, action) == Status(expected)


@pytest.mark.parametrize(
    ("current", "action"),
    [
        ("draft", "close"),
        ("draft", "reopen"),
        ("open", "open"),
        ("open", "reopen"),
        ("closed", "close"),
        ("closed", "open"),
        ("archived", "open"),
        ("draft", "delete"),
    ],
)
def test_illegal_transitions_raise(current, action):
    with pytest.raises(IllegalTransition):
        lifecycle.transition(current, action)


def test_services_refuse_illegal_moves(delphi):
    r = services.create_round(delphi.study, "rating")
    db.session.commit()
    assert error_code(services.close_round, r) == "illegal_transition"
    services.open_round(r)
    db.session.commit()
    assert error_code(services.open_round, r) == "illegal_transition"
    assert error_code(services.reopen_round, r, reason="x") == "illegal_transition"


# --- creating and opening --------------------------------------------------------------------


def test_round_one_holds_the_pool_and_opening_starts_the_study(delphi):
    r = services.create_round(delphi.study, "rating")
    db.session.commit()
    assert (r.number, r.status) == (1, "draft")
    assert [i.code for i in services.ballot(r)] == ["I1", "I2", "I3"]
    # An indicator added to the pool while the round is a draft is on the ballot when it opens.
    study_services.add_indicator(
        delphi.study, code="I4", title="Fyra", perspective="samhälle", type="effect"
    )
    services.open_round(r)
    db.session.commit()
    assert [i.code for i in services.ballot(r)] == ["I1", "I2", "I3", "I4"]
    assert (r.status, delphi.study.phase) == ("open", "running")
    assert r.opened_at is not None


@pytest.mark.parametrize(
    ("method", "kwargs", "code"),
    [
        ("approval", {}, "max_selections_required"),
        ("approval", {"max_selections": 0}, "invalid_settings"),
        ("rating", {"max_selections": 3}, "invalid_settings"),
        ("rating", {"top_m": 3}, "invalid_settings"),
        ("ranking", {"top_m": 0}, "invalid_settings"),
        ("poll", {}, "unknown_method"),
    ],
)
def test_create_round_checks_settings(delphi, method, kwargs, code):
    assert error_code(services.create_round, delphi.study, method, **kwargs) == code


def test_one_round_at_a_time_and_only_after_confirmed_decisions(delphi):
    r = services.create_round(delphi.study, "rating")
    db.session.commit()
    assert error_code(services.create_round, delphi.study, "rating") == "round_in_progress"
    services.open_round(r)
    db.session.commit()
    assert error_code(services.create_round, delphi.study, "rating") == "round_in_progress"
    services.close_round(r)
    db.session.commit()
    assert error_code(services.create_round, delphi.study, "rating") == "previous_not_confirmed"
    services.confirm_decisions(r)
    db.session.commit()
    assert services.create_round(delphi.study, "rating").number == 2


# --- saving answers --------------------------------------------------------------------------


def test_changing_an_answer_keeps_one_row(delphi):
    r = opened(delphi)
    p, i1 = delphi.panel[0], delphi.ind("I1")
    rate(r, p, {i1: 7})
    db.session.commit()
    first = db.session.scalar(select(Answer).where(Answer.round_id == r.id))
    created = first.created_at
    rate(r, p, {i1: 3})
    rate(r, p, {i1: "x"})
    rate(r, p, {i1: 9})
    db.session.commit()
    db.session.expire_all()
    rows = list(db.session.scalars(select(Answer).where(Answer.round_id == r.id)))
    assert len(rows) == 1
    assert (rows[0].value, rows[0].unable, rows[0].created_at) == (9, False, created)
    assert rows[0].updated_at >= created


@pytest.mark.parametrize(
    ("method", "kwargs", "answers", "expected"),
    [
        ("rating", {}, [5, "x", None], {"done": 2, "total": 3, "kind": "answered"}),
        (
            "approval",
            {"max_selections": 2},
            [1, None, None],
            {"done": 1, "total": 2, "kind": "selected"},
        ),
        ("ranking", {"top_m": 2}, [2, None, None], {"done": 1, "total": 2, "kind": "answered"}),
    ],
)
def test_progress(delphi, method, kwargs, answers, expected):
    r = opened(delphi, method, **kwargs)
    p = delphi.panel[0]
    assert services.progress(r, p)["done"] == 0
    rows = []
    for indicator, value in zip(delphi.indicators, answers, strict=True):
        if value == "x":
            rows.append({"indicator_id": indicator.id, "unable": True})
        else:
            rows.append({"indicator_id": indicator.id, "value": value, "comment": "c"})
    services.save_answers(r, p, rows)
    assert services.progress(r, p) == expected


def test_keys_left_out_keep_what_is_stored(delphi):
    r = opened(delphi)
    p, i1 = delphi.panel[0], delphi.ind("I1")
    services.save_answers(r, p, [{"indicator_id": i1.id, "value": 8}])
    services.save_answers(r, p, [{"indicator_id": i1.id, "comment": "  Viktig  "}])
    services.save_answers(r, p, [{"indicator_id": i1.id, "reason": "Diskussionen"}])
    db.session.commit()
    stored = services.participant_answers(r, p)[i1.id]
    assert (stored.value, stored.comment, stored.reason) == (8, "Viktig", "Diskussionen")


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ({"value": 0}, "invalid_value"),
        ({"value": 10}, "invalid_value"),
        ({"value": "7"}, "invalid_value"),
        ({"value": 7.5}, "invalid_value"),
        ({"value": True}, "invalid_value"),
        ({"value": 5, "unable": True}, "invalid_value"),
        ({"comment": "x" * (services.COMMENT_MAX + 1)}, "comment_too_long"),
    ],
)
def test_rating_values_are_checked(delphi, answer, code):
    r = opened(delphi)
    answers = [{"indicator_id": delphi.ind("I1").id, **answer}]
    assert error_code(services.save_answers, r, delphi.panel[0], answers) == code
    assert answer_rows(r) == []


def test_indicator_must_be_on_the_ballot_once(delphi):
    r = opened(delphi)
    p = delphi.panel[0]
    assert error_code(services.save_answers, r, p, [{"indicator_id": 9999, "value": 5}]) == (
        "not_on_ballot"
    )
    twice = [{"indicator_id": delphi.ind("I1").id, "value": v} for v in (5, 6)]
    assert error_code(services.save_answers, r, p, twice) == "duplicate_indicator"


def test_participant_of_another_study_is_refused(delphi):
    r = opened(delphi)
    other = study_services.create_study("annan", "Annan")
    stranger = study_services.add_participant(other, kind="panelist")
    answers = [{"indicator_id": delphi.ind("I1").id, "value": 5}]
    assert error_code(services.save_answers, r, stranger, answers) == "not_on_panel"


def test_approval_at_most_k_across_the_whole_ballot(delphi):
    d = delphi
    r = opened(d, "approval", max_selections=2)
    p = d.panel[0]
    i1, i2, i3 = d.indicators
    services.save_answers(r, p, [{"indicator_id": i1.id, "value": 1}])
    services.save_answers(r, p, [{"indicator_id": i2.id, "value": 1}])
    db.session.commit()
    third = [{"indicator_id": i3.id, "value": 1}]
    assert error_code(services.save_answers, r, p, third) == "too_many_selections"
    # Deselecting keeps the row with value NULL; then there is room again.
    services.save_answers(r, p, [{"indicator_id": i1.id, "value": None, "comment": "Nej"}])
    services.save_answers(r, p, third)
    db.session.commit()
    assert answer_rows(r) == [
        (p.id, i1.id, None, False),
        (p.id, i2.id, 1, False),
        (p.id, i3.id, 1, False),
    ]
    assert services.participant_answers(r, p)[i1.id].comment == "Nej"
    # A whole ballot (replace) clears what it does not list.
    services.save_answers(r, p, [{"indicator_id": i1.id, "value": 1}], replace=True)
    db.session.commit()
    assert [row.value for row in answer_rows(r)] == [1, None, None]
    bad = [{"indicator_id": i1.id, "value": 2}]
    assert error_code(services.save_answers, r, p, bad) == "invalid_value"
    unable = [{"indicator_id": i1.id, "unable": True}]
    assert error_code(services.save_answers, r, p, unable) == "invalid_value"


def test_ranking_ranks_unique_within_the_ballot(delphi):
    r = opened(delphi, "ranking", top_m=2)
    p = delphi.panel[0]
    i1, i2, i3 = delphi.indicators
    services.save_answers(
        r, p, [{"indicator_id": i1.id, "value": 1}, {"indicator_id": i2.id, "value": 2}]
    )
    db.session.commit()
    dup = [{"indicator_id": i3.id, "value": 1}]
    assert error_code(services.save_answers, r, p, dup) == "duplicate_rank"
    beyond_top_m = [{"indicator_id": i3.id, "value": 3}]
    assert error_code(services.save_answers, r, p, beyond_top_m) == "invalid_value"
    # Swapping two ranks in one save is fine: the check is on the resulting ballot.
    services.save_answers(
        r, p, [{"indicator_id": i1.id, "value": 2}, {"indicator_id": i2.id, "value": 1}]
    )
    db.session.commit()
    assert [row.value for row in answer_rows(r)] == [2, 1]


def test_saves_refused_unless_open(delphi):
    r = services.create_round(delphi.study, "rating")
    db.session.commit()
    p, i1 = delphi.panel[0], delphi.ind("I1")
    assert error_code(rate, r, p, {i1: 5}) == "round_not_open"
    services.open_round(r)
    rate(r, p, {i1: 5})
    services.close_round(r)
    db.session.commit()
    assert error_code(rate, r, p, {i1: 6}) == "round_closed"
    assert answer_rows(r) == [(p.id, i1.id, 5, False)]


def test_saves_refused_after_the_closing_time_and_the_tick_closes(delphi):
    r = services.create_round(delphi.study, "rating", closes_at=utcnow() + timedelta(hours=1))
    services.open_round(r)
    db.session.commit()
    p, i1 = delphi.panel[0], delphi.ind("I1")
    rate(r, p, {i1: 5})
    db.session.commit()
    later = utcnow() + timedelta(hours=2)
    answers = [{"indicator_id": i1.id, "value": 6}]
    assert error_code(services.save_answers, r, p, answers, now=later) == "round_closed"
    # Staff entering paper ballots are not held to the panelists' deadline.
    services.save_answers(r, p, answers, now=later, enforce_deadline=False)
    db.session.commit()
    assert services.close_due_rounds(utcnow()) == []
    assert services.close_due_rounds(later) == [r]
    db.session.commit()
    assert r.status == "closed"
    assert services.get_result(r)["indicators"][0]["median"] == 6


# --- closing: the results document -----------------------------------------------------------


def vote_small_round(d):
    """The hand-computed round: groups a (3 panelists) and b (2 of 3 answer)."""
    r = opened(d)
    i1, i2, i3 = d.indicators
    a0, a1, a2 = (d.member("a", k) for k in range(3))
    b0, b1 = d.member("b", 0), d.member("b", 1)
    rate(r, a0, {i1: 7, i2: 1, i3: 5})
    rate(r, a1, {i1: 8, i2: 2, i3: 7})
    rate(r, a2, {i1: 9, i2: 3, i3: 9})
    rate(r, b0, {i1: 9, i2: 1, i3: 2})
    rate(r, b1, {i1: "x", i2: 5, i3: 8})
    services.save_answers(r, b1, [{"indicator_id": i1.id, "comment": "Svårt att bedöma"}])
    db.session.commit()
    return r


def test_close_computes_and_stores_the_hand_computed_results(delphi):
    r = vote_small_round(delphi)
    document = services.close_round(r)
    db.session.commit()
    stored = db.session.scalar(select(RoundResult).where(RoundResult.round_id == r.id))
    assert stored.data == json.loads(json.dumps(document, allow_nan=False))
    doc = stored.data
    assert (doc["round"], doc["method"], doc["n_panelists"], doc["n_items"]) == (1, "rating", 5, 3)
    assert doc["primary_rule"] == {"name": "comet_70_15", "params": {"high": 0.7, "low": 0.15}}
    assert set(doc["krippendorff_alpha"]) == {"nominal", "ordinal", "interval"}
    i1, i2, i3 = doc["indicators"]

    # I1: 7 8 9 9 and one "kan ej bedöma". Q1 at h = 0.75: 7.75; median 8.5; Q3 at 2.25: 9.
    assert (i1["n"], i1["unable"]) == (4, 1)
    assert (i1["q1"], i1["median"], i1["q3"], i1["iqr"]) == (7.75, 8.5, 9.0, 1.25)
    assert i1["mean"] == 8.25
    assert i1["sd"] == approx((2.75 / 3) ** 0.5)  # squares 1.5625 .0625 .5625 .5625
    assert (i1["p_high"], i1["p_low"]) == (1.0, 0.0)
    assert i1["distribution"] == [0, 0, 0, 0, 0, 0, 1, 1, 2]
    assert (i1["decision"], i1["rank"]) == ("in", 1)
    # Group b (2 who answered, minimum 3) is suppressed, and so is a (3): a shown would give
    # b away as the total minus a (complementary suppression, issue 15).
    assert i1["groups"]["a"] == i1["groups"]["b"] == {"suppressed": True}
    assert doc["suppression"] == {"hidden": ["a", "b"], "combined": []}

    # I2: 1 1 2 3 5 -> median 2, Q1 1, Q3 3, mean 2.4, p_low 4/5: OUT.
    assert (i2["median"], i2["q1"], i2["q3"], i2["mean"]) == (2.0, 1.0, 3.0, 2.4)
    assert (i2["p_low"], i2["p_high"], i2["decision"], i2["rank"]) == (0.8, 0.0, "out", 3)
    # I3: 2 5 7 8 9 -> median 7, p_high 3/5, p_low 1/5: no consensus.
    assert (i3["median"], i3["p_high"], i3["p_low"]) == (7.0, 0.6, 0.2)
    assert (i3["decision"], i3["rank"]) == ("undecided", 2)
    assert i3["groups"]["b"] == {"suppressed": True}  # two members < 3

    assert i1["sensitivity"]["comet_70_15"] == "in"
    assert set(i1["sensitivity"]) == set(doc["sensitivity_summary"]["rules"])
    assert doc["response"] == {
        "invited": 6,
        "answered": 5,
        "rate": 5 / 6,
        "groups": {
            "a": {"invited": 3, "answered": 3, "rate": 1.0},
            "b": {"invited": 3, "answered": 2, "rate": 2 / 3},
        },
    }
    assert doc["stability"] is None and doc["core_set"] is None


def test_results_identify_no_panelist(delphi):
    r = vote_small_round(delphi)
    services.close_round(r)
    db.session.commit()
    text = json.dumps(services.get_result(r), ensure_ascii=False)
    for p in db.session.scalars(select(Participant)):
        for secret in (p.pseudonym, p.name, p.email):
            assert f'"{secret}"' not in text
    assert "Svårt att bedöma" not in text
    assert "participant" not in text and "pseudonym" not in text


def test_proposals_carry_in_and_undecided_and_drop_out(delphi):
    r = vote_small_round(delphi)
    services.close_round(r)
    db.session.commit()
    proposed = {d.indicator.code: (d.rule_decision, d.proposed) for d in services.decisions(r)}
    assert proposed == {
        "I1": ("in", "carry"),
        "I2": ("out", "drop"),
        "I3": ("undecided", "carry"),
    }
    assert services.carried_over(r) == [delphi.ind("I1").id, delphi.ind("I3").id]


def test_overrides_need_a_reason_and_are_logged(delphi, make_user):
    leader = make_user()
    r = vote_small_round(delphi)
    services.close_round(r)
    db.session.commit()
    i2 = delphi.ind("I2")
    assert error_code(services.confirm_decisions, r, {i2.id: ("carry", "  ")}) == "reason_required"
    assert error_code(services.confirm_decisions, r, {i2.id: ("core", "x")}) == "invalid_decision"
    services.confirm_decisions(r, {i2.id: ("carry", "Gruppen ville diskutera")}, actor=leader)
    db.session.commit()
    decision = db.session.scalar(select(ItemDecision).where(ItemDecision.indicator_id == i2.id))
    assert (decision.decision, decision.overridden, decision.decided_by_id) == (
        "carry",
        True,
        leader.id,
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "decision_overridden"))
    assert event.reason == "Gruppen ville diskutera" and event.detail["indicator"] == "I2"
    assert r.decisions_confirmed_at is not None
    nxt = services.create_round(delphi.study, "rating")
    assert [i.code for i in services.ballot(nxt)] == ["I1", "I2", "I3"]


def test_second_round_stability_and_feedback(delphi):
    r1 = vote_small_round(delphi)
    services.close_round(r1)
    services.confirm_decisions(r1)
    r2 = services.create_round(delphi.study, "rating")
    services.open_round(r2)
    db.session.commit()
    i1, _, i3 = delphi.indicators
    assert [i.code for i in services.ballot(r2)] == ["I1", "I3"]
    a0 = delphi.member("a", 0)

    fb = services.feedback(r2, a0)
    assert set(fb) == {i1.id, i3.id}
    assert fb[i1.id]["overall"]["distribution"] == [0, 0, 0, 0, 0, 0, 1, 1, 2]
    assert fb[i1.id]["own"] == {"value": 7, "unable": False}
    assert fb[i1.id]["comments"] == ["Svårt att bedöma"]
    # Group b is under the minimum size, and a alone would give b away as the total minus a
    # (complementary suppression): only the total.
    assert [g["code"] for g in fb[i1.id]["groups"]] == []
    assert "participant" not in json.dumps(fb)
    assert services.feedback(r1, a0) == {}

    for k, p in enumerate(delphi.panel[:5]):
        rate(r2, p, {i1: 8, i3: 9 if k < 4 else 1})
    db.session.commit()
    doc = services.close_round(r2)
    db.session.commit()
    assert doc["stability"]["previous_round"] == 1
    first = doc["indicators"][0]
    assert first["stability"]["median_change"] == 8 - 8.5
    # Panelists who rated I3 in both rounds: a0 5->9 (up), a1 7->9, a2 9->9, b0 2->9 (up),
    # b1 8->1 (down): 5 pairs, 3 moved.
    assert (first["code"], doc["indicators"][1]["stability"]["moved"]) == ("I1", 3)


def test_needs_reason_when_crossing_a_boundary(app):
    d = make_delphi(ask_reason_on_band_cross=True)
    r1 = opened(d)
    p, i1 = d.panel[0], d.ind("I1")
    rate(r1, p, {i1: 5, d.ind("I2"): 8})
    services.close_round(r1)
    services.confirm_decisions(r1)
    r2 = opened(d)
    assert rate(r2, p, {i1: 6}).needs_reason == []
    assert rate(r2, p, {i1: 7}).needs_reason == [i1.id]
    assert rate(r2, p, {i1: 7}, reason="Övertygad").needs_reason == []


def test_final_round_ties_at_the_cut_need_a_recorded_decision(app):
    d = make_delphi(target_core_size=1)
    r = opened(d, is_final=True)
    i1, i2, i3 = d.indicators
    for p in d.panel:
        rate(r, p, {i1: 9, i2: 9, i3: 2})
    doc = services.close_round(r)
    db.session.commit()
    assert doc["core_set"]["selected"] == []
    assert doc["core_set"]["tied"] == ["I1", "I2"]
    assert doc["core_set"]["excluded"] == ["I3"]
    proposed = {x.indicator.code: x.proposed for x in services.decisions(r)}
    assert proposed == {"I1": "unresolved", "I2": "unresolved", "I3": "excluded"}

    assert error_code(services.confirm_decisions, r) == "ties_unresolved"
    half = {i1.id: ("core", "Lottning i gruppen")}
    assert error_code(services.confirm_decisions, r, half) == "ties_unresolved"
    no_reason = {i1.id: ("core", ""), i2.id: ("excluded", "")}
    assert error_code(services.confirm_decisions, r, no_reason) == "reason_required"
    services.confirm_decisions(
        r, {i1.id: ("core", "Beslut på mötet"), i2.id: ("excluded", "Beslut på mötet")}
    )
    db.session.commit()
    assert {x.indicator.code: x.decision for x in services.decisions(r)} == {
        "I1": "core",
        "I2": "excluded",
        "I3": "excluded",
    }
    assert error_code(services.create_round, d.study, "rating") == "final_round_done"


def test_reopen_only_until_the_next_round_opens_and_is_logged(delphi):
    r1 = vote_small_round(delphi)
    services.close_round(r1)
    db.session.commit()
    assert error_code(services.reopen_round, r1, reason=" ") == "reason_required"
    services.reopen_round(r1, reason="Två röstsedlar saknades")
    db.session.commit()
    assert r1.status == "open" and services.get_result(r1) is None
    assert db.session.scalar(select(func.count(ItemDecision.id))) == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round_reopened"))
    assert event.reason == "Två röstsedlar saknades"
    services.close_round(r1)
    services.confirm_decisions(r1)
    r2 = services.create_round(delphi.study, "rating")
    db.session.commit()
    # The next round is only a draft: reopening is still allowed (and it waits for new
    # confirmed decisions before it can open).
    services.reopen_round(r1, reason="Ännu en röstsedel")
    db.session.commit()
    assert error_code(services.open_round, r2) == "previous_not_confirmed"
    services.close_round(r1)
    services.confirm_decisions(r1)
    services.open_round(r2)
    db.session.commit()
    assert error_code(services.reopen_round, r1, reason="För sent") == "next_round_opened"
    assert error_code(services.confirm_decisions, r1) == "next_round_opened"


def test_close_with_no_votes_and_with_one_panelist(delphi):
    r = opened(delphi)
    doc = services.close_round(r)
    db.session.commit()
    assert doc["n_panelists"] == 0
    assert doc["krippendorff_alpha"] == {"nominal": None, "ordinal": None, "interval": None}
    assert all(i["n"] == 0 and i["median"] is None for i in doc["indicators"])
    assert all(i["decision"] == "undecided" for i in doc["indicators"])
    json.dumps(doc, allow_nan=False)


def test_approval_round_results(delphi):
    r = opened(delphi, "approval", max_selections=2)
    i1, i2, i3 = delphi.indicators
    choices = [(i1, i2), (i1, i3), (i1, i2), (i1,), (i2, i3), ()]
    for p, chosen in zip(delphi.panel, choices, strict=True):
        services.save_answers(r, p, [{"indicator_id": i.id, "value": 1} for i in chosen])
    doc = services.close_round(r)
    db.session.commit()
    assert doc["method"] == "approval" and doc["n_panelists"] == 5
    votes = {i["code"]: (i["votes"], i["share"], i["rank"]) for i in doc["indicators"]}
    assert votes == {"I1": (4, 0.8, 1), "I2": (3, 0.6, 2), "I3": (2, 0.4, 3)}
    assert doc["primary_rule"]["name"] == "approval_top_k"
    assert doc["krippendorff_alpha"]["ordinal"] is None
    # Group a: three voting panelists; group b: two voting < 3: suppressed, and a with it
    # (a shown would give b away as the total minus a).
    assert doc["indicators"][0]["groups"]["a"] == {"suppressed": True}
    assert doc["indicators"][0]["groups"]["b"] == {"suppressed": True}


def test_ranking_round_results(delphi):
    r = opened(delphi, "ranking")
    i1, i2, i3 = delphi.indicators
    for p in delphi.panel[:4]:
        services.save_answers(
            r,
            p,
            [
                {"indicator_id": i1.id, "value": 1},
                {"indicator_id": i2.id, "value": 2},
                {"indicator_id": i3.id, "value": 3},
            ],
        )
    doc = services.close_round(r)
    db.session.commit()
    by_code = {i["code"]: i for i in doc["indicators"]}
    # Borda with 3 candidates: rank r gives 3 - r points, 4 panelists.
    assert [by_code[c]["borda"] for c in ("I1", "I2", "I3")] == [8.0, 4.0, 0.0]
    assert doc["kendall_w"]["w"] == approx(1.0)
    assert doc["primary_rule"]["name"] == "ranking_top_n"


# --- the live count, paper ballots, between rounds, exports ----------------------------------


def test_response_counts_live_and_suppressed_for_panelists(app):
    d = make_delphi(panel=(("a", 3), ("b", 2)))
    r = opened(d)
    rate(r, d.member("a"), {d.ind("I1"): 5})
    rate(r, d.member("b"), {d.ind("I1"): "x"})
    services.save_answers(r, d.member("b", 1), [{"indicator_id": d.ind("I2").id, "comment": "?"}])
    db.session.commit()
    staff = services.response_counts(r)
    assert (staff["invited"], staff["answered"]) == (5, 2)
    assert staff["groups"]["b"] == {"invited": 2, "answered": 1, "rate": 0.5}
    assert staff["group_names"] == {"a": "A", "b": "B"}
    shown = services.response_counts(r, for_panelists=True)
    assert shown["groups"]["b"] == {"suppressed": True}
    assert [p.id for p in services.non_responders(r)] == [
        d.member("a", 1).id,
        d.member("a", 2).id,
        d.member("b", 1).id,
    ]


@pytest.mark.parametrize(
    "policy, expected",
    [
        # round 2: a0, a1 (a1 erased since) and b0 voted in round 1; a0 and b1 vote in round 2.
        ("all_every_round", {"a": (3, 1), "b": (3, 1)}),
        # only round 1's voters are invited, plus anyone who voted anyway (b1, via a link)
        ("responders_only", {"a": (2, 1), "b": (2, 1)}),
    ],
)
def test_invited_counts_follow_the_invitation_policy(app, policy, expected):
    from consensus.studies import services as study_services

    d = make_delphi(panel=(("a", 3), ("b", 3)), min_group_size=1, invitation_policy=policy)
    first = opened(d)
    for p in (d.member("a"), d.member("a", 1), d.member("b")):
        rate(first, p, {d.ind("I1"): 8, d.ind("I2"): 8, d.ind("I3"): 8})
    services.close_round(first)
    services.confirm_decisions(first)
    study_services.erase_participant(d.member("a", 1))
    db.session.commit()
    second = opened(d)
    for p in (d.member("a"), d.member("b", 1)):
        rate(second, p, {i: 7 for i in services.ballot(second)})
    db.session.commit()
    live = services.response_counts(second)
    groups = {g: (v["invited"], v["answered"]) for g, v in live["groups"].items()}
    assert groups == expected
    services.close_round(second)
    stored = services.get_result(second)["response"]["groups"]
    assert {g: (v["invited"], v["answered"]) for g, v in stored.items()} == expected
    # The round-1 counts are everyone, whatever the policy.
    first_counts = services.get_result(first)["response"]["groups"]
    assert {g: v["invited"] for g, v in first_counts.items()} == {"a": 3, "b": 3}


def test_paper_ballot_creates_a_pseudonymous_participant(delphi, make_user):
    r = opened(delphi)
    i1, i2, _ = delphi.indicators
    answers = [{"indicator_id": i1.id, "value": 8}, {"indicator_id": i2.id, "unable": True}]
    p = services.enter_paper_ballot(r, "K-17", "b", answers, actor=make_user())
    db.session.commit()
    assert (p.pseudonym, p.joined_via, p.group_id, p.name, p.email) == (
        "K-17",
        "paper",
        delphi.groups["b"].id,
        None,
        None,
    )
    # The same card again replaces its ballot; the code matches case-insensitively.
    services.enter_paper_ballot(r, "k-17", None, [{"indicator_id": i1.id, "value": 9}])
    db.session.commit()
    assert [(row.value, row.unable) for row in answer_rows(r)] == [(9, False), (None, False)]
    assert error_code(services.enter_paper_ballot, r, "P900", "a", answers) == (
        "reserved_participant_code"
    )
    assert error_code(services.enter_paper_ballot, r, "K-18", None, answers) == "group_required"
    assert error_code(services.enter_paper_ballot, r, "K-17", "a", answers) == "group_mismatch"
    assert error_code(services.enter_paper_ballot, r, "K 19", "a", answers) == (
        "invalid_participant_code"
    )
    assert error_code(services.enter_paper_ballot, r, "K-19", "zz", answers) == "unknown_group"


def test_notes_reword_merge_split_and_lineage(delphi, make_user):
    leader = make_user()
    r1 = vote_small_round(delphi)
    i1, i2, i3 = delphi.indicators
    assert error_code(services.reword, i1, "Ny", "", "Tydligare", leader) == "round_in_progress"
    services.close_round(r1)
    db.session.commit()
    note = services.add_note(r1, i1, "Gruppen tyckte den var otydlig", leader)
    assert services.notes(r1) == [note]

    wording = services.reword(i1, "Deltagarna är delaktiga", "", "Tydligare", leader)
    db.session.commit()
    assert (wording.version, i1.title) == (2, "Deltagarna är delaktiga")
    assert [(w.version, w.title) for w in services.wordings(i1)] == [
        (1, "Indikator 1"),
        (2, "Deltagarna är delaktiga"),
    ]
    assert error_code(services.reword, i1, "X", "", "", leader) == "reason_required"

    merged = services.merge([i2, i3], "I23", "Två i en", "", "Överlappar", leader)
    db.session.commit()
    assert error_code(services.merge, [i1], "I9", "x", "", "r", leader) == "too_few"
    assert error_code(services.merge, [i1, i2], "I1", "x", "", "r", leader) == "code_taken"
    parts = services.split(
        i1, [{"code": "I1a", "title": "Del a"}, {"code": "I1b", "title": "Del b"}], "Två saker"
    )
    kinds = [
        (x.kind, x.from_indicator_id, x.to_indicator_id) for x in services.lineage(delphi.study)
    ]
    assert kinds == [
        ("reword", i1.id, i1.id),
        ("merge", i2.id, merged.id),
        ("merge", i3.id, merged.id),
        ("split", i1.id, parts[0].id),
        ("split", i1.id, parts[1].id),
    ]
    services.confirm_decisions(r1)
    r2 = services.create_round(delphi.study, "rating")
    db.session.commit()
    # I1 -> I1a, I1b at its place; I2 (dropped) and I3 -> I23.
    assert [i.code for i in services.ballot(r2)] == ["I1a", "I1b", "I23"]


def test_answers_long_has_pseudonyms_only_and_closed_rounds_only(delphi):
    r = vote_small_round(delphi)
    assert error_code(services.answers_long, r) == "round_not_closed"
    assert services.answers_long(delphi.study) == []
    services.close_round(r)
    db.session.commit()
    rows = services.answers_long(r)
    assert len(rows) == 15
    assert set(rows[0]) == {
        "pseudonym",
        "group",
        "round",
        "indicator",
        "value",
        "unable",
        "comment",
        "reason",
    }
    b1 = delphi.member("b", 1)
    assert {
        "pseudonym": b1.pseudonym,
        "group": "b",
        "round": 1,
        "indicator": "I1",
        "value": None,
        "unable": True,
        "comment": "Svårt att bedöma",
        "reason": "",
    } in rows
    text = repr(rows)
    for p in delphi.panel:
        assert p.name not in text and p.email not in text
    assert services.answers_long(delphi.study) == rows
