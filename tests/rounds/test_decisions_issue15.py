"""Issue 15 through the services: the core set when fewer reach consensus than the target,
undoing a decision, and the minimum number of ratings as a study setting."""

from sqlalchemy import select

from consensus.extensions import db
from consensus.rounds import services
from consensus.rounds.posted import read_decisions
from consensus.studies.models import AuditEvent
from tests.rounds.conftest import make_delphi, rate


def opened(d, **kwargs):
    r = services.create_round(d.study, "rating", **kwargs)
    services.open_round(r)
    db.session.commit()
    return r


def test_fewer_in_than_the_target_proposes_only_the_in_items_and_allows_named_additions(app):
    d = make_delphi(target_core_size=2)
    r = opened(d, is_final=True)
    i1, i2, i3 = d.indicators
    # I1: six 9s -> IN. I2: four 9s, two 5s -> p_high 0.667 < 0.7: no consensus. I3: all 2s.
    for k, p in enumerate(d.panel):
        rate(r, p, {i1: 9, i2: 9 if k < 4 else 5, i3: 2})
    doc = services.close_round(r)
    db.session.commit()
    core = doc["core_set"]
    assert (core["status"], core["n_in"], core["shortfall"]) == ("fewer", 1, 1)
    assert core["selected"] == ["I1"] and core["excluded"] == ["I2", "I3"]
    proposed = {x.indicator.code: x.proposed for x in services.decisions(r)}
    assert proposed == {"I1": "core", "I2": "excluded", "I3": "excluded"}

    # The projektledare adds I2 by name, with a reason: recorded as an override.
    services.confirm_decisions(r, {i2.id: ("core", "Viktig för förbundets uppdrag.")})
    db.session.commit()
    by = {x.indicator.code: x for x in services.decisions(r)}
    assert (by["I2"].decision, by["I2"].overridden) == ("core", True)
    report = services.report_data(d.study)
    assert [o.indicator.code for o in report["overrides"]] == ["I2"]
    assert {x.indicator.code for x in report["core"]} == {"I1", "I2"}


def test_a_decision_returned_to_the_rules_own_takes_effect_without_a_reason(app):
    d = make_delphi()
    r = opened(d)
    i1, i2, i3 = d.indicators
    for p in d.panel:
        rate(r, p, {i1: 9, i2: 5, i3: 2})
    services.close_round(r)
    db.session.commit()
    proposed = {x.indicator_id: x.proposed for x in services.decisions(r)}
    assert proposed[i1.id] == "carry"

    form = {f"decision-{i1.id}": "drop", f"reason-{i1.id}": "Överlappar I2."}
    read = read_decisions(form, proposed, ["carry", "drop"])
    services.confirm_decisions(r, read.overrides)
    db.session.commit()
    # Back to the rule's own decision, the reason cleared (the form posts every field).
    form = {f"decision-{i1.id}": "carry", f"reason-{i1.id}": ""}
    read = read_decisions(form, proposed, ["carry", "drop"])
    assert read.problems == {}
    services.confirm_decisions(r, read.overrides)
    db.session.commit()
    item = next(x for x in services.decisions(r) if x.indicator_id == i1.id)
    assert (item.decision, item.overridden, item.reason) == ("carry", False, "")
    r2 = opened(d)
    assert i1 in services.ballot(r2)
    # Both changes stay in the log.
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.action.in_(("decision_overridden", "decision_set")))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["decision_overridden", "decision_set"]


def test_the_minimum_number_of_ratings_is_a_study_setting(app):
    d = make_delphi(min_ratings=5)
    r = opened(d)
    i1, i2, i3 = d.indicators
    # I1 rated 9 by four, "kan ej bedöma" by two: 4 ratings < 5 -> undecided under every rule.
    for k, p in enumerate(d.panel):
        rate(r, p, {i1: 9 if k < 4 else "x", i2: 9, i3: 2})
    doc = services.close_round(r)
    db.session.commit()
    by = {i["code"]: i for i in doc["indicators"]}
    assert doc["min_ratings"] == 5
    assert set(by["I1"]["sensitivity"].values()) == {"undecided"}
    assert (by["I2"]["decision"], by["I3"]["decision"]) == ("in", "out")


def test_no_output_gives_away_a_hidden_group(app):
    """Groups a (6) and b (2) at a minimum of 3: b is hidden, and a with it, since the total
    minus a would be b. Try every output that shows group figures."""
    from consensus.rounds.result_tables import results_table

    d = make_delphi(panel=(("a", 6), ("b", 2)), min_group_size=3)
    r1 = opened(d)
    i1, i2, i3 = d.indicators
    for p in d.panel:
        b = p.group_id == d.groups["b"].id
        rate(r1, p, {i1: 2 if b else 9, i2: 5, i3: 8})
    services.close_round(r1)
    services.confirm_decisions(r1)
    db.session.commit()
    r2 = opened(d)

    document = services.get_result(r1)
    for item in document["indicators"]:
        assert item["groups"] == {"a": {"suppressed": True}, "b": {"suppressed": True}}
    assert set(document["response"]["groups"]) == {"a", "b"}
    assert all(g == {"suppressed": True} for g in document["response"]["groups"].values())
    # The ballot page's feedback: only the total.
    for entry in services.feedback(r2, d.member("a")).values():
        assert entry["groups"] == []
    # Live response counts as panelists see them.
    live = services.response_counts(r2, for_panelists=True)
    assert all(g == {"suppressed": True} for g in live["groups"].values())
    # CSV/XLSX: overall numbers only; no group column.
    headers, _rows = results_table(document)
    assert not any(h in ("a", "b", "A", "B") for h in headers)
    # The report reads the same stored documents.
    report = services.report_data(d.study)
    stored = report["documents"][1]
    assert stored["indicators"][0]["groups"]["a"] == {"suppressed": True}
