"""Scoring from counted answers (:mod:`consensus.followup.tallies`): hand-computed tallies,
then bit-for-bit the same figures as :func:`consensus.followup.scoring.score` over the same
respondents one by one (random data, every scoring kind read from answers), and a förbund's
whole build from counts equal to the per-questionnaire build it replaced."""

import datetime as dt
import json
import math
import pathlib
import random
import secrets
import statistics

import pytest

from consensus.auth import services as auth_services
from consensus.extensions import db
from consensus.followup import services
from consensus.followup.models import Correction, SurveyAnswer, SurveyResponse
from consensus.followup.scoring import Scale, Status, scales_by_item, score
from consensus.followup.services import result_counts, results
from consensus.followup.tallies import (
    mean_of_counts,
    median_of_counts,
    merge,
    score_tally,
    stdev_of_counts,
    tally_items,
)
from consensus.protocol.canonical import dumps, with_checksum
from consensus.protocol.example import example_protocol

EXAMPLE = (
    pathlib.Path(__file__).resolve().parents[2] / "consensus/protocol/examples/nns-example.json"
)
DOCUMENT = json.loads(EXAMPLE.read_text(encoding="utf-8"))
SCALES = scales_by_item(DOCUMENT)
MEASURES = {m["id"]: m for i in DOCUMENT["indicators"] for m in i["measures"]}
I01 = MEASURES["I01-M1"]  # share answering 4 or 5 on D01 among 1..5; target 70, margin 5


def variant(scoring, **extra):
    return {**I01, "id": f"X-{scoring}", "scoring": scoring, **extra}


def expand(tally, items):
    return [
        dict(zip(items, answers, strict=True)) for answers, c in tally.items() for _ in range(c)
    ]


# --- hand-computed ---------------------------------------------------------------------------


def test_exact_statistics_of_a_distribution_by_hand():
    # 1, 1, 4: mean 2; squares of deviations 1 + 1 + 4 = 6, / (3 - 1) = 3, sd = sqrt(3)
    assert mean_of_counts({1.0: 2, 4.0: 1}) == 2.0
    assert stdev_of_counts({1.0: 2, 4.0: 1}) == math.sqrt(3)
    assert median_of_counts({1.0: 2, 4.0: 1}) == 1.0
    # 1, 3, 5, 7: the middle two 3 and 5 -> 4; 2, 2, 2, 9, 9: the third -> 2
    assert median_of_counts({7.0: 1, 1.0: 1, 5.0: 1, 3.0: 1}) == 4.0
    assert median_of_counts({9.0: 2, 2.0: 3}) == 2.0
    # 0.1 three times: fmean gives the correctly rounded 0.3 / 3, not 0.1 + 0.1 + 0.1
    assert mean_of_counts({0.1: 3}) == statistics.fmean([0.1, 0.1, 0.1])


def test_a_share_from_a_tally_by_hand_leaves_out_vet_inte_and_the_unanswered():
    # 4 x 5, 3 x 4, 3 x 2 -> 7 of 10 = 70 % (reached); "9" (vet inte) and not answered in neither
    tally = {(5,): 4, ("4",): 3, (2.0,): 3, (9,): 1, (None,): 2}
    value = score_tally(I01, tally, SCALES)
    assert (value.numerator, value.denominator, value.n) == (7.0, 10.0, 10)
    assert value.value == 70.0
    assert value.status is Status.REACHED
    assert tally_items(I01) == ("D01",)


def test_a_count_from_a_tally_counts_every_respondent_of_the_cell():
    measure = variant("count", numerator={"rule": {"item": "D01", "values": [4, 5]}})
    value = score_tally(measure, {(5,): 2, (4,): 1, (1,): 3, (9,): 1, (None,): 4}, SCALES)
    # 3 answered 4 or 5; n = all 11 respondents of the cell
    assert (value.numerator, value.value, value.n) == (3.0, 3.0, 11)


def test_a_mean_from_a_tally_by_hand():
    # 2, 2, 5 (vet inte and not answered left out): mean 3; sd = sqrt((1 + 1 + 4) / 2) = sqrt 3
    value = score_tally(variant("mean"), {(2,): 2, (5,): 1, (9,): 3, (None,): 1}, SCALES)
    half = 4.302652729911275 * math.sqrt(3) / math.sqrt(3)  # t(0.975, 2) = 4.3027
    assert value.n == 3 and value.value == 3.0
    assert value.ci_low == pytest.approx(3.0 - half) and value.ci_high == pytest.approx(3.0 + half)
    one = score_tally(variant("mean"), {(4,): 1}, SCALES)
    assert (one.n, one.value, one.ci_low, one.ci_high) == (1, 4.0, None, None)


def test_an_empty_tally_has_no_data():
    for measure in (I01, variant("mean"), variant("median")):
        assert score_tally(measure, {}, SCALES) == score(measure, scales=SCALES)


# --- the same as scoring one by one ------------------------------------------------------------


def random_tally(rng, items, size):
    answers = [1, 2, 3, 4, 5, "3", 4.0, 9, "9", None, "", 2.5]
    people = [tuple(rng.choice(answers) for _ in items) for _ in range(size)]
    return merge([{p: 1} for p in people])


MEASURE_KINDS = [
    I01,
    variant("proportion", denominator={"rule": {"item": "D02", "values": [3, 4, 5]}}),
    variant("proportion", denominator={}),
    variant("count", numerator={"rule": {"item": "D01", "values": [1, 2]}}),
    variant("count", numerator={"rule": {"item": "D01"}}),
    variant("mean"),
    variant("median"),
    {**variant("index", items=["D01", "D02", "D03"]), "numerator": {}, "denominator": {}},
]


@pytest.mark.parametrize("measure", MEASURE_KINDS, ids=lambda m: m["id"])
def test_score_tally_equals_score_over_the_same_respondents(measure):
    rng = random.Random(measure["id"])
    items = tally_items(measure)
    assert items
    for size in (0, 1, 2, 3, 7, 40, 400):
        tally = random_tally(rng, items, size)
        assert score_tally(measure, tally, SCALES) == score(
            measure, respondents=expand(tally, items), scales=SCALES
        )


def test_a_scale_without_missing_values_counts_nine_as_an_answer():
    scales = {"D01": Scale(categories=(1, 2, 3, 4, 5, 9))}
    tally = {(9,): 2, (5,): 1}
    for measure in (I01, variant("mean"), variant("median")):
        assert score_tally(measure, tally, scales) == score(
            measure, respondents=expand(tally, ("D01",)), scales=scales
        )


# --- a förbund's build from counts equals the build one by one --------------------------------


@pytest.fixture
def imported(app):
    rng = random.Random(2026)
    doc = example_protocol()
    for indicator in doc["indicators"]:
        for measure in indicator["measures"]:
            if measure["id"] == "I02-M1":  # a share whose base is another item (several items)
                measure["items"] = ["D03", "D04"]
                measure["denominator"]["rule"] = {"item": "D04", "values": [3, 4, 5]}
            elif measure["id"] == "I03-M1":
                measure["scoring"] = "mean"
            elif measure["id"] == "I04-M1":
                measure["scoring"] = "median"
            elif measure["id"] == "I05-M1":
                measure["scoring"] = "count"
    org = auth_services.get_or_create_organisation("talliesforbund", "Räkneförbundet")
    result = services.import_document(org, dumps(with_checksum(doc)))
    assert result.status == "imported", result.problems
    groups = [services.add_local_group(org, n) for n in ("Steget", "Vägen", "Bron")]
    for year in (2025, 2026):
        wave, _token = services.create_wave(
            org,
            result.imported,
            "deltagare",
            period=f"oktober {year}",
            opens_on=dt.date(year, 10, 1),
            closes_on=dt.date(year, 10, 31),
            local_group_ids=[g.id for g in groups[:2]],
        )
        for _ in range(rng.randint(150, 250)):
            submitted = rng.random() < 0.9  # a draft is in no figure
            response = SurveyResponse(
                wave_id=wave.id,
                respondent_id=secrets.token_hex(8),
                status="submitted" if submitted else "draft",
                submitted_on=dt.date(year, 10, 5) if submitted else None,
                # few in "not given", "vet inte ange", group C and no group: small cells
                gender=rng.choice(["K"] * 20 + ["M"] * 20 + ["_U"] * 2 + [None]),
                local_group_id=rng.choice([groups[0].id, groups[1].id] * 10 + [groups[2].id, None]),
            )
            db.session.add(response)
            db.session.flush()
            for item in [f"D{k:02d}" for k in range(1, 11)]:
                answer = rng.choice([1, 2, 3, 4, 5, 4, 5, 9, None])
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
    db.session.commit()
    return result.imported


def test_the_build_from_counts_equals_the_build_one_questionnaire_at_a_time(imported, monkeypatch):
    built = services.build_results(imported)
    kinds = {r["measure"]: r for r in built.rows}
    assert {"I02-M1", "I03-M1", "I04-M1", "I05-M1"} <= set(kinds)
    assert any(r["status"] == "suppressed" for r in built.rows)
    assert any(r["breakdown"] == "kon:-" for r in built.rows)
    # the reference: the questionnaires themselves as the strata, each cell scored by
    # scoring.score over its respondents (the build before counting)
    org_id = imported.organisation_id
    monkeypatch.setattr(
        result_counts, "strata", lambda _org, ids: results._respondents(org_id, ids)
    )
    monkeypatch.setattr(result_counts, "tally", lambda person, _items, _people: person)
    monkeypatch.setattr(results, "merge", list)
    monkeypatch.setattr(
        results,
        "score_tally",
        lambda m, people, scales: score(m, respondents=people, scales=scales),
    )
    reference = services.build_results(imported)
    assert built.rows == reference.rows
    assert len(built.rows) > 100


def test_kept_counts_follow_a_new_questionnaire_a_correction_and_a_deletion(imported):
    waves = results.protocol_waves(imported)
    first = services.build_results(imported).rows
    wave = waves[-1]

    def fresh():
        result_counts.clear()
        return services.build_results(imported).rows

    # one more questionnaire in the last wave: only that wave is counted again
    response = SurveyResponse(
        wave_id=wave.id,
        respondent_id=secrets.token_hex(8),
        status="submitted",
        submitted_on=dt.date(2026, 10, 6),
        gender="K",
        local_group_id=wave.local_groups[0].id,
    )
    db.session.add(response)
    db.session.flush()
    db.session.add(SurveyAnswer(response_id=response.id, item_id="D01", value="5", number=5.0))
    db.session.commit()
    kept = services.build_results(imported).rows
    assert kept != first
    assert kept == fresh()
    # a corrected answer (logged) and a deleted questionnaire
    services.build_results(imported)
    answer = db.session.scalars(
        db.select(SurveyAnswer).where(SurveyAnswer.response_id == response.id)
    ).one()
    answer.value, answer.number = "1", 1.0
    db.session.add(
        Correction(
            response_id=response.id,
            wave_id=wave.id,
            respondent_id=response.respondent_id,
            item_id="D01",
            reason="test",
            before={"value": "5"},
            after={"value": "1"},
        )
    )
    db.session.commit()
    corrected = services.build_results(imported).rows
    assert corrected != kept
    assert corrected == fresh()
    db.session.delete(response)
    db.session.commit()
    assert services.build_results(imported).rows == fresh() == first
