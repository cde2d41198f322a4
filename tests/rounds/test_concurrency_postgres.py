"""Integrity of answers on PostgreSQL under concurrent writers and a racing close.

Each thread has its own app context, hence its own session and connection, and commits every
save on its own, as a web request would.
"""

import random
import threading
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from consensus import create_app
from consensus.extensions import db
from consensus.rounds import services
from consensus.rounds.models import Answer, Round, RoundResult
from consensus.studies import services as study_services
from consensus.studies.models import Participant
from tests import databases
from tests.conftest import make_config

pytestmark = pytest.mark.postgres

THREADS = 8


@pytest.fixture(scope="module")
def pg_app():
    base = databases.require_postgres()
    with databases.fresh_postgres_database(base) as url:
        app = create_app(make_config(url))
        with app.app_context():
            upgrade()
        yield app
        with app.app_context():
            db.engine.dispose()


def make_round(app, slug, *, indicators, panelists, method="rating", **kwargs):
    """A study with an open round; returns (round id, participant ids, indicator ids)."""
    with app.app_context():
        study = study_services.create_study(slug, slug, min_group_size=1)
        groups = [study_services.add_group(study, code, code) for code in ("a", "b", "c")]
        for k in range(indicators):
            study_services.add_indicator(
                study, code=f"I{k:02d}", title=f"I{k}", perspective="deltagare", type="process"
            )
        people = [
            study_services.add_participant(
                study, kind="panelist", group_id=groups[k % len(groups)].id
            )
            for k in range(panelists)
        ]
        r = services.create_round(study, method, **kwargs)
        services.open_round(r)
        db.session.commit()
        ids = [i.id for i in services.ballot(r)]
        result = (r.id, [p.id for p in people], ids)
        db.session.remove()
        return result


def in_threads(app, work, count=THREADS):
    """Run ``work(k)`` in ``count`` threads, each inside its own app context."""
    errors = []
    barrier = threading.Barrier(count)

    def target(k):
        try:
            with app.app_context():
                barrier.wait()
                work(k)
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=target, args=(k,)) for k in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def save(round_id, participant_id, answers, **kwargs):
    r = db.session.get(Round, round_id)
    p = db.session.get(Participant, participant_id)
    services.save_answers(r, p, answers, **kwargs)


def test_concurrent_writers_lose_and_duplicate_nothing(pg_app):
    round_id, people, items = make_round(pg_app, "writers", indicators=30, panelists=16)
    keys = [(p, i) for p in people for i in items]
    last: dict[tuple[int, int], tuple[int | None, bool]] = {}
    lock = threading.Lock()

    def work(k):
        rng = random.Random(k)
        mine = [key for n, key in enumerate(keys) if n % THREADS == k]  # every panelist, shared
        for _ in range(80):
            batch = rng.sample(mine, rng.randint(1, 6))
            answers, written = [], {}
            for participant_id, indicator_id in batch:
                if rng.random() < 0.1:
                    answer = {"indicator_id": indicator_id, "value": None, "unable": True}
                else:
                    answer = {"indicator_id": indicator_id, "value": rng.randint(1, 9)}
                answers.append(answer)
                written[(participant_id, indicator_id)] = (
                    answer["value"],
                    answer.get("unable", False),
                )
            # One save per participant in the batch (a save is one panelist's).
            by_participant: dict[int, list] = {}
            for (participant_id, _), answer in zip(batch, answers, strict=True):
                by_participant.setdefault(participant_id, []).append(answer)
            for participant_id, group in by_participant.items():
                save(round_id, participant_id, group)
                db.session.commit()
                with lock:
                    for answer in group:
                        key = (participant_id, answer["indicator_id"])
                        last[key] = written[key]

    in_threads(pg_app, work)
    with pg_app.app_context():
        rows = db.session.execute(
            select(Answer.participant_id, Answer.indicator_id, Answer.value, Answer.unable).where(
                Answer.round_id == round_id
            )
        ).all()
        db.session.remove()
    stored = {(p, i): (v, u) for p, i, v, u in rows}
    assert len(rows) == len(stored) == len(last)  # no duplicate, nothing lost
    assert stored == last  # the last write per key


def test_simultaneous_first_answers_to_one_key_make_one_row(pg_app):
    round_id, people, items = make_round(pg_app, "samekey", indicators=3, panelists=2)
    key = (people[0], items[0])

    def work(k):
        for repeat in range(20):
            save(round_id, key[0], [{"indicator_id": key[1], "value": 1 + (k + repeat) % 9}])
            db.session.commit()

    in_threads(pg_app, work)
    with pg_app.app_context():
        values = db.session.scalars(select(Answer.value).where(Answer.round_id == round_id)).all()
        db.session.remove()
    assert len(values) == 1 and 1 <= values[0] <= 9


def test_approval_limit_holds_across_concurrent_saves_of_one_panelist(pg_app):
    round_id, people, items = make_round(
        pg_app, "approval", indicators=THREADS, panelists=1, method="approval", max_selections=3
    )
    outcomes = []

    def work(k):
        try:
            save(round_id, people[0], [{"indicator_id": items[k], "value": 1}])
            db.session.commit()
            outcomes.append("stored")
        except services.RoundError as error:
            db.session.rollback()
            outcomes.append(error.code)

    in_threads(pg_app, work)
    with pg_app.app_context():
        selected = db.session.scalar(
            select(func.count(Answer.id)).where(Answer.round_id == round_id, Answer.value == 1)
        )
        db.session.remove()
    assert sorted(outcomes) == ["stored"] * 3 + ["too_many_selections"] * (THREADS - 3)
    assert selected == 3


def save_as_the_route(round_id, participant_id, answers):
    """The save route's path: participant and round read and locked in one statement."""
    locked = services.lock_ballot(participant_id, 1, [a["indicator_id"] for a in answers])
    services.save_locked(locked, answers)


def test_answers_racing_a_close_are_counted_or_refused(pg_app):
    race_with_close(pg_app, "race")


def test_route_saves_racing_a_close_are_counted_or_refused(pg_app):
    race_with_close(pg_app, "race-route", save=save_as_the_route)


def race_with_close(app, slug, save=save):
    """Writers save new answers while another thread closes the round halfway; every save
    must be either stored and counted in the stored results, or refused as "round_closed"."""
    round_id, people, items = make_round(app, slug, indicators=10, panelists=48)
    keys = [(p, i) for p in people for i in items]
    outcomes: dict[tuple[int, int], str] = {}
    lock = threading.Lock()
    half = threading.Event()
    closing = threading.Event()
    close_done = threading.Event()

    def writer(k):
        rng = random.Random(k)
        mine = [key for n, key in enumerate(keys) if n % (THREADS - 1) == k]
        for participant_id, indicator_id in mine:
            if half.is_set():
                # The second half races the close itself: without this wait, fast saves on a
                # quiet (or a very busy) machine could all finish before the close begins.
                closing.wait(timeout=30)
            try:
                save(round_id, participant_id, [{"indicator_id": indicator_id, "value": 7}])
                time.sleep(rng.random() * 0.003)  # keep the transaction in flight a little
                db.session.commit()
                outcome = "stored"
            except services.RoundError as error:
                db.session.rollback()
                outcome = error.code
            with lock:
                outcomes[(participant_id, indicator_id)] = outcome
                if len(outcomes) >= len(keys) // 2:
                    half.set()

    def closer():
        half.wait(timeout=30)
        r = db.session.get(Round, round_id)
        closing.set()
        services.close_round(r)
        db.session.commit()
        close_done.set()

    def work(k):
        if k == THREADS - 1:
            closer()
        else:
            writer(k)

    in_threads(app, work)
    assert close_done.is_set()
    assert set(outcomes.values()) <= {"stored", "round_closed"}
    stored = {key for key, outcome in outcomes.items() if outcome == "stored"}
    refused = {key for key, outcome in outcomes.items() if outcome == "round_closed"}
    assert stored and refused  # the close really happened in the middle
    with app.app_context():
        rows = set(
            db.session.execute(
                select(Answer.participant_id, Answer.indicator_id).where(
                    Answer.round_id == round_id
                )
            ).all()
        )
        document = db.session.scalar(
            select(RoundResult.data).where(RoundResult.round_id == round_id)
        )
        db.session.remove()
    assert rows == stored  # nothing refused was stored, nothing stored was lost
    counted = sum(item["n"] for item in document["indicators"])
    assert counted == len(stored)  # every stored answer is in the results
    per_indicator = {item["code"]: item["n"] for item in document["indicators"]}
    with app.app_context():
        codes = dict(
            db.session.execute(
                select(Answer.indicator_id, func.count(Answer.id))
                .where(Answer.round_id == round_id)
                .group_by(Answer.indicator_id)
            ).all()
        )
        db.session.remove()
    assert sorted(per_indicator.values()) == sorted(codes.get(i, 0) for i in items)


def test_two_requests_closing_a_due_round_at_once(pg_app, monkeypatch):
    from datetime import timedelta

    from consensus.dbtypes import utcnow

    round_id, people, items = make_round(pg_app, "due", indicators=3, panelists=3)
    with pg_app.app_context():
        r = db.session.get(Round, round_id)
        r.closes_at = utcnow() + timedelta(seconds=1)
        db.session.commit()
        db.session.remove()
    later = utcnow() + timedelta(minutes=1)
    closed = []
    compute = services.compute_round_results

    def slow_compute(*args, **kwargs):  # keep the first close in flight while others look
        time.sleep(0.3)
        return compute(*args, **kwargs)

    monkeypatch.setattr(services.lifecycle, "compute_round_results", slow_compute)

    def work(k):
        closed.extend(services.close_due_rounds(later))
        db.session.commit()

    in_threads(pg_app, work, count=4)
    assert len(closed) == 1
    with pg_app.app_context():
        assert (
            db.session.scalar(
                select(func.count(RoundResult.id)).where(RoundResult.round_id == round_id)
            )
            == 1
        )
        db.session.remove()
