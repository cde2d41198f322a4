"""Every measure kind in a förbund's results, hand-computed: register figures per period (a
share, a count and a ratio, each with its own n and suppression), an index combining two
measures, the paired change of a cohort since its first time point (pairs below the minimum
suppressed), narratives, and förbund isolation."""

import datetime as dt
import secrets

import pytest

from consensus.auth import services as auth_services
from consensus.extensions import db
from consensus.followup import services
from consensus.followup.models import LongitudinalCode, SurveyAnswer, SurveyResponse
from consensus.protocol.canonical import dumps, with_checksum
from consensus.protocol.example import example_protocol

FIGURES = ("numerator", "denominator", "n", "value", "ci_low", "ci_high")


def kinds_protocol(version="1.0.0"):
    """The example protocol with an index combining I01-M1 and I02-M1 and a register ratio."""
    doc = example_protocol()
    doc.pop("checksum", None)
    doc["version"] = version
    by_id = {i["id"]: i for i in doc["indicators"]}
    by_id["I01"]["measures"].append(
        {
            "id": "I01-IX",
            "name": {"sv": "Index: förtroende och delaktighet"},
            "kind": "quantitative",
            "method": "survey",
            "dataSource": {
                "name": {"sv": "Enkät till deltagare"},
                "respondentGroups": ["deltagare"],
            },
            "items": ["D01", "D03"],
            "scoring": "index",
            "combines": {"measures": ["I01-M1", "I02-M1"], "how": {"sv": "Medelvärdet."}},
            "target": {"value": 65, "nearMargin": 5},
        }
    )
    by_id["I10"]["measures"].append(
        {
            "id": "I10-M2",
            "name": {"sv": "Deltagare per handläggare"},
            "kind": "quantitative",
            "method": "register",
            "dataSource": {"name": {"sv": "Lokalt register"}, "mode": "register-extract"},
            "scoring": "ratio",
            "numerator": {"description": {"sv": "Deltagare"}, "rule": {"expression": "deltagare"}},
            "denominator": {
                "description": {"sv": "Handläggare"},
                "rule": {"expression": "handläggare"},
            },
        }
    )
    return with_checksum(doc)


@pytest.fixture
def org(app):
    return auth_services.get_or_create_organisation("kindforbund", "Kindförbundet")


@pytest.fixture
def imported(org):
    result = services.import_document(org, dumps(kinds_protocol()))
    assert result.imported is not None, result.problems
    for name in ("Steget", "Vägen", "Norr"):
        services.add_local_group(org, name)
    db.session.commit()
    return result.imported


def groups(org):
    return {g.letter: g for g in services.local_groups(org)}


def respond(wave, gender, group, answers, code=None):
    response = SurveyResponse(
        wave_id=wave.id,
        respondent_id=secrets.token_hex(8),
        status="submitted",
        submitted_on=wave.opens_on,
        gender=gender,
        local_group_id=group.id if group else None,
        longitudinal_code_id=code.id if code else None,
    )
    db.session.add(response)
    db.session.flush()
    for item, answer in answers.items():
        if answer is None:
            continue
        missing = answer == 9
        db.session.add(
            SurveyAnswer(
                response_id=response.id,
                item_id=item,
                value=None if missing else str(answer),
                number=None if missing else float(answer),
                missing="9" if missing else None,
            )
        )


def rows_of(built, measure, kind=None, wave=None, label=None):
    return {
        r["breakdown"]: r
        for r in built.rows
        if r["measure"] == measure
        and (kind is None or r["kind"] == kind)
        and (wave is None or r["wave"] == wave)
        and (label is None or r["wave_label"] == label)
    }


def hidden(row):
    return row["status"] == "suppressed" and all(row[f] is None for f in FIGURES)


# --- register -------------------------------------------------------------------------------


def test_register_share_per_period_with_its_own_n_and_suppression(imported, org):
    g = groups(org)
    for raw in (
        {"group": "", "numerator": "12", "denominator": "30"},
        {"group": "A", "numerator": "8", "denominator": "20"},
        {"group": "B", "numerator": "3", "denominator": "4"},  # 4 < 5: primary
        {"group": "C", "numerator": "1", "denominator": "6"},  # smallest other part: partner
        {"group": "", "disaggregation": "kon", "code": "K", "numerator": "7", "denominator": "16"},
        {"group": "", "disaggregation": "kon", "code": "M", "numerator": "5", "denominator": "14"},
        {"group": "", "numerator": "10", "denominator": "25", "period": "2025"},
    ):
        services.save_figure(imported, {"measure": "I07-M2", "period": "2026", **raw})
    db.session.commit()
    assert set(g) == {"A", "B", "C"}
    built = services.build_results(imported)
    rows = rows_of(built, "I07-M2", label="2026")
    assert set(rows) == {"total", "grupp:A", "grupp:B", "grupp:C", "kon:K", "kon:M"}
    total = rows["total"]
    assert total["kind"] == "register" and total["wave"] is None and total["series"] == "register"
    assert (total["numerator"], total["denominator"], total["n"], total["value"]) == (
        12,
        30,
        30,
        40.0,
    )
    # Wilson 12/30 by hand: centre (0.4 + 1.92073/30) / 1.128049 = 0.411352, half-width
    # 1.959964 * sqrt(0.008 + 0.00106707) / 1.128049 = 0.165445
    assert (total["ci_low"], total["ci_high"]) == (24.59, 57.68)
    assert total["status"] == "no_target"
    assert (rows["grupp:A"]["value"], rows["kon:K"]["value"], rows["kon:M"]["value"]) == (
        40.0,
        43.75,
        35.71,
    )
    assert rows["grupp:B"]["suppression"] == "primary" and hidden(rows["grupp:B"])
    assert rows["grupp:C"]["suppression"] == "complementary" and hidden(rows["grupp:C"])
    # the other period is its own row, the earlier one first in the trend
    earlier = rows_of(built, "I07-M2", label="2025")["total"]
    assert (earlier["value"], earlier["n"]) == (40.0, 25)
    labels = [
        r["wave_label"]
        for r in built.rows
        if r["measure"] == "I07-M2" and r["breakdown"] == "total"
    ]
    assert labels == ["2025", "2026"]


def test_register_parts_that_do_not_add_up_get_primary_suppression_only(imported, org):
    groups(org)
    for raw in (
        {"group": "", "numerator": "12", "denominator": "40"},  # entered apart: 40 ≠ 20 + 4
        {"group": "A", "numerator": "8", "denominator": "20"},
        {"group": "B", "numerator": "3", "denominator": "4"},
    ):
        services.save_figure(imported, {"measure": "I07-M2", "period": "2026", **raw})
    db.session.commit()
    rows = rows_of(services.build_results(imported), "I07-M2")
    assert rows["grupp:B"]["suppression"] == "primary"
    assert rows["grupp:A"]["suppression"] is None and rows["grupp:A"]["value"] == 40.0
    assert rows["total"]["value"] == 30.0


def test_register_count_and_ratio(imported, org):
    groups(org)
    for raw in (
        {"measure": "I10-M1", "group": "", "value": "12"},
        {"measure": "I10-M1", "group": "A", "value": "9"},
        {"measure": "I10-M1", "group": "B", "value": "3"},  # a count of 3 < 5
        {"measure": "I10-M2", "group": "", "numerator": "45", "denominator": "6"},
        {"measure": "I10-M2", "group": "A", "numerator": "14", "denominator": "4"},
    ):
        services.save_figure(imported, {"period": "2026", **raw})
    db.session.commit()
    built = services.build_results(imported)
    count = rows_of(built, "I10-M1")
    assert (count["total"]["value"], count["total"]["numerator"]) == (12.0, 12)
    assert count["grupp:B"]["suppression"] == "primary"
    # A + B = total: A would give B back, so A is hidden too
    assert count["grupp:A"]["suppression"] == "complementary"
    ratio = rows_of(built, "I10-M2")
    # 45 / 6 = 7.5 participants per handläggare, no interval (aggregates, not a sample)
    total = ratio["total"]
    assert (total["numerator"], total["denominator"], total["value"]) == (45, 6, 7.5)
    assert total["ci_low"] is None and total["kind"] == "register"
    # 14 / 4 with a denominator of 4 (< 5): hidden
    assert hidden(ratio["grupp:A"]) and ratio["grupp:A"]["suppression"] == "primary"


# --- index ----------------------------------------------------------------------------------


@pytest.fixture
def yearly(imported, org):
    g = groups(org)
    wave, _token = services.create_wave(
        org,
        imported,
        "deltagare",
        period="oktober 2026",
        opens_on=dt.date(2026, 10, 1),
        closes_on=dt.date(2026, 10, 31),
        local_group_ids=[g["A"].id, g["B"].id, g["C"].id],
    )
    # ten women in A: D01 top-two 7 of 10, D03 top-two 5 of 10
    for i in range(10):
        respond(wave, "K", g["A"], {"D01": 5 if i < 7 else 2, "D03": 4 if i < 5 else 1})
    # six men in B: D01 6 of 6, D03 0 of 6; three "vill inte ange" in C (< 5): 3 of 3, 0 of 3
    for _ in range(6):
        respond(wave, "M", g["B"], {"D01": 4, "D03": 2})
    for _ in range(3):
        respond(wave, "_U", g["C"], {"D01": 4, "D03": 2})
    db.session.commit()
    return wave


def test_index_is_the_mean_of_its_components_and_hidden_with_them(imported, yearly):
    built = services.build_results(imported)
    d01 = rows_of(built, "I01-M1", wave=yearly.id)
    d03 = rows_of(built, "I02-M1", wave=yearly.id)
    assert (d01["total"]["value"], d03["total"]["value"]) == (84.21, 26.32)  # 16/19, 5/19
    index = rows_of(built, "I01-IX", wave=yearly.id)
    total = index["total"]
    assert total["kind"] == "index" and total["ci_low"] is None
    # (16/19 + 5/19) / 2 = 21/38 = 55.26 %; n is the smallest n of the two (19)
    assert (total["value"], total["n"]) == (55.26, 19)
    assert total["status"] == "not_reached"  # target 65, near from 60
    # women: (70 + 50) / 2 = 60.0: exactly the near edge; group A is the same ten
    assert (index["kon:K"]["value"], index["kon:K"]["status"]) == (60.0, "near")
    assert (index["grupp:A"]["value"], index["grupp:A"]["n"]) == (60.0, 10)
    # "vill inte ange" (3) and group C are hidden in the components, M and B as their
    # partners: the index hides the same cells for the same reasons
    for cell, reason in (
        ("kon:_U", "primary"),
        ("kon:M", "complementary"),
        ("grupp:C", "primary"),
        ("grupp:B", "complementary"),
    ):
        assert d01[cell]["suppression"] == reason
        assert index[cell]["suppression"] == reason and hidden(index[cell])


# --- paired change --------------------------------------------------------------------------


def codes(org, count):
    out = []
    for _ in range(count):
        code = LongitudinalCode(
            organisation_id=org.id,
            code_hash=secrets.token_hex(32),
            cohort="vår 2026",
            created_on=dt.date(2026, 1, 1),
        )
        db.session.add(code)
        out.append(code)
    db.session.flush()
    return out


def cohort_wave(org, imported, point, opens, group):
    wave, _token = services.create_wave(
        org,
        imported,
        "deltagare",
        schedule_id="inskrivning",
        timepoint=point,
        opens_on=opens,
        closes_on=opens + dt.timedelta(days=30),
        local_group_ids=[group.id],
    )
    return wave


@pytest.fixture
def cohort(imported, org):
    g = groups(org)
    c = codes(org, 9)
    start = cohort_wave(org, imported, "P0D", dt.date(2026, 1, 10), g["A"])
    six = cohort_wave(org, imported, "P6M", dt.date(2026, 7, 10), g["A"])
    twelve = cohort_wave(org, imported, "P12M", dt.date(2027, 1, 10), g["A"])
    before = [2, 3, 1, 4, 2, 3, 2, 5]  # codes 0..7 at the start; code 8 never at the start
    for code, answer in zip(c, before, strict=False):
        respond(start, "K", g["A"], {"D01": answer}, code)
    # 6 months: 0 up (2→4), 1 same, 2 up (1→2), 3 down (4→3), 4 up (2→5), 5 up (3→4),
    # 6 "vet inte" (left out), 7 did not answer, 8 has no start (left out)
    after = {0: 4, 1: 3, 2: 2, 3: 3, 4: 5, 5: 4, 6: 9, 8: 4}
    for i, answer in after.items():
        respond(six, "K" if i < 3 else "M", g["A"], {"D01": answer}, c[i])
    # 12 months: only four pairs (< 5)
    for i, answer in {0: 5, 1: 4, 2: 2, 3: 4}.items():
        respond(twelve, "K", g["A"], {"D01": answer}, c[i])
    db.session.commit()
    return start, six, twelve


def test_paired_change_since_the_first_time_point(imported, cohort):
    start, six, twelve = cohort
    built = services.build_results(imported)
    assert not rows_of(built, "I01-M1", kind="change", wave=start.id)  # no change at the start
    change = rows_of(built, "I01-M1", kind="change", wave=six.id)
    total = change["total"]
    # 6 pairs, 4 moved up: 66.67 %; Wilson 4/6 by hand: centre (0.66667 + 0.32012) / 1.64024
    # = 0.60163, half-width 1.959964 * sqrt(0.037037 + 0.026677) / 1.64024 = 0.30160
    assert (total["numerator"], total["denominator"], total["n"]) == (4, 6, 6)
    assert (total["value"], total["ci_low"], total["ci_high"]) == (66.67, 30.0, 90.32)
    assert total["series"] == "inskrivning" and total["status"] == "no_target"
    assert total["comparability_break"] is False
    # kön at 6 months: K = codes 0..2 (3 pairs), M = codes 3..5 (3 pairs): both < 5
    assert change["kon:K"]["suppression"] == "primary" and hidden(change["kon:K"])
    assert change["kon:M"]["suppression"] == "primary" and hidden(change["kon:M"])
    # the 12-month point has 4 pairs (< 5): the total itself is hidden
    later = rows_of(built, "I01-M1", kind="change", wave=twelve.id)
    assert later["total"]["suppression"] == "primary" and hidden(later["total"])
    # the level at each point is its own row beside the change
    level = rows_of(built, "I01-M1", kind="survey", wave=six.id)["total"]
    assert (level["numerator"], level["denominator"]) == (4, 7)  # 9 = vet inte is left out


def test_an_index_trend_marks_a_new_major_version(imported, org, yearly):
    newer = services.import_document(org, dumps(kinds_protocol("2.0.0"))).imported
    g = groups(org)
    wave, _token = services.create_wave(
        org,
        newer,
        "deltagare",
        period="oktober 2027",
        opens_on=dt.date(2027, 10, 1),
        closes_on=dt.date(2027, 10, 31),
        local_group_ids=[g["A"].id],
    )
    for _ in range(5):
        respond(wave, "K", g["A"], {"D01": 5, "D03": 5})
    db.session.commit()
    built = services.build_results(newer)
    totals = [r for r in built.rows if r["measure"] == "I01-IX" and r["breakdown"] == "total"]
    assert [(r["wave"], r["comparability_break"]) for r in totals] == [
        (yearly.id, False),
        (wave.id, True),
    ]
    assert totals[1]["value"] == 100.0


def test_paired_change_across_a_major_version_is_a_break(imported, org, cohort):
    start, six, _twelve = cohort
    newer = services.import_document(org, dumps(kinds_protocol("2.0.0"))).imported
    six.imported_protocol_id = newer.id
    db.session.commit()
    built = services.build_results(imported)
    assert rows_of(built, "I01-M1", kind="change", wave=six.id)["total"]["comparability_break"]


# --- narratives and isolation ---------------------------------------------------------------


def test_narratives_and_other_forbund_stay_apart(imported, org, yearly):
    services.save_narrative(imported, "I09-M1", "2026", "Synpunkter samlas in varje kvartal.")
    other = auth_services.get_or_create_organisation("annat", "Annat förbund")
    theirs = services.import_document(other, dumps(kinds_protocol())).imported
    services.save_narrative(theirs, "I09-M1", "2026", "Det andra förbundets text.")
    services.save_figure(
        theirs,
        {"measure": "I07-M2", "period": "2026", "group": "", "numerator": "1", "denominator": "9"},
    )
    db.session.commit()
    built = services.build_results(imported)
    assert built.narratives == {"I09-M1": [("2026", "Synpunkter samlas in varje kvartal.")]}
    assert not [r for r in built.rows if r["measure"] == "I07-M2"]
    assert not [r for r in built.rows if r["measure"] == "I09-M1"]  # narratives are never scored
    theirs_built = services.build_results(theirs)
    assert not [r for r in theirs_built.rows if r["kind"] == "survey"]
    assert theirs_built.narratives == {"I09-M1": [("2026", "Det andra förbundets text.")]}
