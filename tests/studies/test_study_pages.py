"""Study pages load the study their URL names once (``studies/views/study_loader.py``): one
URL value preprocessor per study blueprint, access checked before any study is read, and the
study's due work (rounds and the measures survey closing on time) committed once."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

import consensus.studies.views.study_loader as pages
from consensus.dbtypes import utcnow
from consensus.extensions import db
from consensus.measures import services as measures_services
from consensus.measures.lifecycle import Status as SurveyStatus
from consensus.rounds import services as round_services
from consensus.rounds.lifecycle import Status as RoundStatus
from tests.conftest import PASSWORD

STUDY_BLUEPRINTS = {"studies", "rounds", "measures", "protocol_admin", "survey", "national"}


def _study_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if "slug" in rule.arguments and rule.endpoint != "static"
    ]


def _url(rule, slug: str) -> str:
    url = rule.rule
    for arg, conv in rule._converters.items():
        kind = type(conv).__name__
        value = sorted(conv.items)[0] if kind == "AnyConverter" else "1"
        if arg == "slug":
            value = slug
        url = re.sub(rf"<(?:[^>:]+:)?{arg}(?:\([^)]*\))?>", value, url)
    return url


def _methods(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


@contextmanager
def statements():
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@contextmanager
def commits():
    seen: list[int] = []

    def record(conn):
        seen.append(1)

    event.listen(db.engine, "commit", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "commit", record)


def test_every_route_with_a_slug_loads_its_study_through_the_one_preprocessor(app):
    rules = _study_rules(app)
    assert {rule.endpoint.split(".")[0] for rule in rules} == STUDY_BLUEPRINTS
    for rule in rules:
        blueprint = rule.endpoint.split(".")[0]
        assert pages._take_slug in app.url_value_preprocessors[blueprint], rule.endpoint
        assert pages._load_study in app.before_request_funcs[blueprint], rule.endpoint
        view = app.view_functions[rule.endpoint]
        assert "slug" not in view.__code__.co_varnames[: view.__code__.co_argcount], rule.endpoint


def test_a_missing_study_is_404_on_every_study_page(app, client, make_user, study):
    make_user(role="admin", email="admin@example.se")
    client.post("/logga-in", data={"email": "admin@example.se", "password": PASSWORD})
    checked = 0
    for rule in _study_rules(app):
        for method in _methods(rule):
            response = client.open(_url(rule, "finns-inte"), method=method, data={})
            assert response.status_code == 404, (method, rule.rule, response.status_code)
            checked += 1
    assert checked > 60


def test_anonymous_requests_are_refused_before_any_study_is_read(app, client, study):
    for rule in _study_rules(app):
        if not rule.rule.startswith("/studier/"):
            continue  # the survey's pages are public; they check their respondent themselves
        for method in _methods(rule):
            with statements() as seen:
                response = client.open(_url(rule, "pilot"), method=method, data={})
            assert response.status_code in (302, 401, 403), (method, rule.rule)
            assert not [s for s in seen if "studies" in s], (method, rule.rule, seen)


def test_url_for_on_a_study_page_fills_the_slug(app, study):
    from flask import g, url_for

    with app.test_request_context("/"):
        g.study = study
        assert url_for("rounds.round_list") == "/studier/pilot/omgangar"
        assert url_for("studies.study_detail", slug="annan") == "/studier/annan"
        assert url_for("studies.study_list") == "/studier"


@pytest.fixture
def due(app, study):
    """An open round and an open measures survey whose closing times have passed."""
    r = round_services.create_round(study, "rating")
    round_services.open_round(r)
    survey = measures_services.create_survey(study, indicator_ids=[study.indicators[0].id])
    measures_services.change_status(survey, "open")
    db.session.commit()
    # Set the times directly: the services refuse a closing time in the past.
    r.closes_at = utcnow() - timedelta(minutes=1)
    survey.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    return {"round": r, "survey": survey}


@pytest.mark.parametrize(
    "method, url",
    [
        ("GET", "/studier/pilot"),  # reads only: the due work is committed after the view
        ("GET", "/studier/pilot/protokoll"),
        ("GET", "/studier/pilot/omgangar/1"),
        ("POST", "/studier/pilot/grupper"),  # writes: one commit with the view's own
        ("GET", "/matt/pilot"),  # the survey's public start page
    ],
)
def test_the_first_study_page_closes_what_is_due_in_one_commit(
    app, client, make_user, login, due, method, url
):
    make_user()
    login()
    data = {"code": "ny", "name": "Ny grupp"} if method == "POST" else None
    with commits() as seen:
        response = client.open(url, method=method, data=data)
    assert response.status_code in (200, 302)
    assert len(seen) == 1
    db.session.expire_all()
    assert due["round"].status == RoundStatus.CLOSED
    assert due["survey"].status == SurveyStatus.CLOSED
    with commits() as seen:
        assert client.get("/studier/pilot").status_code == 200
    assert seen == []  # nothing due any more: a page that reads commits nothing


def test_a_failed_request_rolls_the_due_work_back(app, client, make_user, login, due):
    make_user()
    login()
    with commits() as seen:
        response = client.get("/studier/pilot/omgangar/99")
    assert response.status_code == 404
    assert seen == []
    db.session.expire_all()
    assert due["round"].status == RoundStatus.OPEN


def test_the_participant_start_page_closes_what_is_due(app, due, study):
    from consensus.auth.services import issue_link
    from consensus.studies import services as study_services

    p = study_services.add_participant(
        study, name="Namn", email="p@example.se", group_id=study.groups[0].id
    )
    p.consent_at = p.created_at
    token = issue_link(p)
    db.session.commit()
    c = app.test_client()
    assert c.get(f"/l/{token}").status_code == 302
    db.session.expire_all()
    with commits() as seen:
        assert c.get("/deltagare").status_code == 200
    assert len(seen) == 1
    db.session.expire_all()
    assert due["round"].status == RoundStatus.CLOSED
