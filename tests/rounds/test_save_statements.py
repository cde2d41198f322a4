"""The number of SQL statements a ballot save costs, pinned so that it cannot grow back
unnoticed (issue 12). Counted with SQLAlchemy's ``before_cursor_execute`` over one whole
request to the save route (the participant check, the save, the commit), on SQLite and,
marked postgres, on PostgreSQL."""

from contextlib import contextmanager

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, select

from consensus import create_app
from consensus.auth.services import issue_link
from consensus.extensions import db
from consensus.rounds import services
from consensus.rounds.models import Answer
from consensus.studies import services as study_services
from tests import databases
from tests.conftest import make_config

# One save: the participant with its round, read and locked in one statement, then the upsert.
# SQLite has no FOR SHARE: a no-op UPDATE of the round takes the write lock first.
STATEMENTS = {"postgresql": 2, "sqlite": 3}


@contextmanager
def counted(engine):
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _prepare(app, method="rating", **settings):
    study = study_services.create_study("tal", "Räknade satser", min_group_size=1, **settings)
    group = study_services.add_group(study, "a", "A")
    for k in range(3):
        study_services.add_indicator(
            study, code=f"I{k}", title=f"I{k}", perspective="deltagare", type="process"
        )
    p = study_services.add_participant(study, kind="panelist", group_id=group.id)
    p.consent_at = p.created_at
    token = issue_link(p)
    r = services.create_round(
        study, method, **({"max_selections": 2} if method == "approval" else {})
    )
    services.open_round(r)
    db.session.commit()
    ids = [i.id for i in services.ballot(r)]
    client = app.test_client()
    assert client.get(f"/l/{token}").status_code == 302
    db.session.remove()
    return client, ids


def _save(app, client, body):
    with counted(db.engine) as statements:
        response = client.post(
            "/deltagare/omgang/1/svar",
            data=body,
            content_type="application/x-www-form-urlencoded",
        )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["ok"] is True
    return statements


def _check(app):
    client, ids = _prepare(app)
    # The first save inserts, the second updates: the same statements either way.
    for value in ("7", "3"):
        statements = _save(app, client, {"csrf_token": "", f"value-{ids[0]}": value})
        expected = STATEMENTS[db.engine.dialect.name]
        assert len(statements) == expected, "\n\n".join(statements)
    db.session.remove()
    assert db.session.scalar(select(Answer.value).where(Answer.indicator_id == ids[0])) == 3


def test_a_save_costs_few_statements(app):
    _check(app)


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


@pytest.mark.postgres
def test_a_save_costs_few_statements_on_postgresql(pg_app):
    with pg_app.app_context():
        _check(pg_app)


def test_the_save_route_checks_the_participant_as_every_participant_route(app):
    """The route reads the participant in its own statement: it refuses as ``@participant``
    does (no session, a revoked link, an erased panelist; expired links: "the study has
    ended"), asks for consent
    first, and knows no draft or missing round."""
    from consensus.dbtypes import utcnow
    from consensus.studies.models import Participant, Study

    client, ids = _prepare(app)
    body = {f"value-{ids[0]}": "5"}
    assert app.test_client().post("/deltagare/omgang/1/svar", data=body).status_code == 403
    assert client.post("/deltagare/omgang/2/svar", data=body).status_code == 404
    p = db.session.scalars(select(Participant)).one()
    p.consent_at = None
    db.session.commit()
    assert client.post("/deltagare/omgang/1/svar", data=body).status_code == 409
    assert client.post("/deltagare/omgang/2/svar", data=body).status_code == 409
    p.consent_at = utcnow()
    study = db.session.scalars(select(Study)).one()
    study.links_expire_at = utcnow()
    db.session.commit()
    # Expired links: the study has ended (410 "Studien är avslutad", as ``@participant``).
    assert client.post("/deltagare/omgang/1/svar", data=body).status_code == 410
    assert client.get("/deltagare").status_code == 410
    study.links_expire_at = None
    db.session.commit()
    # The session is kept and checked anew: with the expiry lifted, it opens the study again.
    assert client.get("/deltagare").status_code == 200
    for change in ("link_revoked_at", "erased_at"):
        client, ids = _prepare_again(app, p)
        setattr(p, change, utcnow())
        db.session.commit()
        assert client.post("/deltagare/omgang/1/svar", data=body).status_code == 403
        setattr(p, change, None)
        db.session.commit()
    assert db.session.scalar(select(Answer.id)) is None


def _prepare_again(app, p):
    token = issue_link(p)
    db.session.commit()
    client = app.test_client()
    assert client.get(f"/l/{token}").status_code == 302
    return client, None


def test_the_save_route_accepts_urlencoded_and_multipart(app):
    """The ballot's script sends urlencoded; a multipart body (older pages) saves the same."""
    client, ids = _prepare(app)
    for content_type, value in (
        ("application/x-www-form-urlencoded", 4),
        ("multipart/form-data", 6),
    ):
        response = client.post(
            "/deltagare/omgang/1/svar",
            data={"csrf_token": "", f"value-{ids[1]}": str(value), f"comment-{ids[1]}": "å"},
            content_type=content_type,
        )
        assert response.get_json()["ok"] is True
        db.session.remove()
        stored = db.session.execute(select(Answer.value, Answer.comment)).one()
        assert tuple(stored) == (value, "å")
