"""Shared fixtures: an app on a migrated database, a client, users, a study."""

import shutil

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from consensus import create_app
from consensus.extensions import db
from tests import databases

TEST_SECRET = "test-secret-key-not-for-production-0123456789"


def make_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 9,  # discard: nothing listens unless a test starts an SMTP server
        "MAIL_TIMEOUT": 2,
        # Cheap hashing: scrypt was a third of the suite's CPU. Production keeps the default
        # (tests/auth/test_login.py::test_the_default_password_hash_is_scrypt).
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    config.update(overrides)
    return config


def migrate(database_url: str) -> None:
    app = create_app(make_config(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Where the suite's databases come from: a migrated SQLite file, or a PostgreSQL database."""
    pg = databases.suite_url()
    if pg:
        reason = databases.postgres_reachable(pg)
        if reason:
            pytest.exit(f"CONSENSUS_TEST_DATABASE_URL is set but {reason}", returncode=3)
        url = databases.create_postgres_database(pg)
        migrate(url)
        yield ("postgresql", url)
        databases.drop_postgres_database(pg, url)
        return
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    migrate(f"sqlite:///{path}")
    yield ("sqlite", path)


def load_demo(database_url: str) -> None:
    """The demo study (``consensus demo``) into a migrated database."""
    from consensus import demo

    app = create_app(make_config(database_url))
    with app.app_context():
        assert demo.load_if_empty()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def demo_template(database_template, tmp_path_factory):
    """A migrated database with the demo study loaded, made once for the session: the demo
    takes seconds to load, copying it takes milliseconds. Tests marked ``demo`` start from a
    copy of it (see ``database_url``), so each still has its own database."""
    kind, source = database_template
    if kind == "sqlite":
        path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
        shutil.copy(source, path)
        load_demo(f"sqlite:///{path}")
        yield ("sqlite", path)
        return
    # PostgreSQL: a database of its own, loaded once, then used as CREATE DATABASE's TEMPLATE
    # (which needs it to have no connections: load_demo disposes its engine).
    pg = databases.suite_url()
    url = databases.create_postgres_database(pg)
    migrate(url)
    load_demo(url)
    yield ("postgresql", url)
    databases.drop_postgres_database(pg, url)


@pytest.fixture
def database_url(request, database_template, tmp_path):
    """A database for one test: a copy of the migrated template, or with ``@pytest.mark.demo``
    a copy of the template with the demo study loaded."""
    if request.node.get_closest_marker("demo"):
        kind, source = request.getfixturevalue("demo_template")
        if kind == "sqlite":
            target = tmp_path / "test.sqlite"
            shutil.copy(source, target)
            yield f"sqlite:///{target}"
            return
        pg = databases.suite_url()
        url = databases.create_postgres_database(pg, template=source)
        yield url
        databases.drop_postgres_database(pg, url)
        return
    kind, source = database_template
    if kind == "sqlite":
        target = tmp_path / "test.sqlite"
        shutil.copy(source, target)
        yield f"sqlite:///{target}"
        return
    yield source
    # PostgreSQL: one migrated database for the session, emptied after each test.
    _truncate_all(source)


def _truncate_all(url: str) -> None:
    app = create_app(make_config(url))
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
        if tables:
            quoted = ", ".join(f'"{name}"' for name in tables)
            db.session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            db.session.commit()
        db.engine.dispose()


@pytest.fixture
def app_config(database_url):
    """Override in a test module to change the configuration."""
    return make_config(database_url)


def _fresh_g():
    """Tests hold one app context open around many requests, so ``g`` would outlive a
    request (and Flask-Login caches the user there): start every request with a clean ``g``,
    as it is in production."""
    from flask import g

    for name in list(g):
        g.pop(name)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    # The very first hook of a request: study pages' URL value preprocessors write to ``g``.
    app.url_value_preprocessors.setdefault(None, []).insert(0, lambda _e, _v: _fresh_g())
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(app):
    from consensus.auth import services

    def _make(
        email="pl@example.se",
        role="projektledare",
        organisation=None,
        password=PASSWORD,
        member=True,
    ):
        """A user; staff are made members of every study there is (``member=False``: of
        none, for tests of who works on which study)."""
        if role == "forbund" and organisation is None:
            organisation = services.get_or_create_organisation("testforbund", "Testförbundet")
        user = services.create_user(email, password, role, organisation=organisation)
        if member:
            share_studies()
        db.session.commit()
        return user

    return _make


def share_studies() -> None:
    """Make every projektledare and facilitator a member of every study (with their account's
    role). Most tests are about what a study's staff can do, not about who the staff are: the
    ``login`` fixture and the ``study`` and ``make_delphi`` fixtures call this. Tests of membership itself (tests/studies/test_members.py,
    tests/test_access.py) sign in with a plain POST instead."""
    from sqlalchemy import select

    from consensus.auth.models import User
    from consensus.studies.models import Study, StudyMember

    have = set(db.session.execute(select(StudyMember.study_id, StudyMember.user_id)).all())
    staff = db.session.scalars(
        select(User).where(User.role.in_(("projektledare", "facilitator")))
    ).all()
    for study_id in db.session.scalars(select(Study.id)).all():
        for user in staff:
            if (study_id, user.id) not in have:
                db.session.add(StudyMember(study_id=study_id, user_id=user.id, role=user.role))
    db.session.commit()


@pytest.fixture
def login(client):
    def _login(email="pl@example.se", password=PASSWORD, **kwargs):
        share_studies()
        return client.post("/logga-in", data={"email": email, "password": password}, **kwargs)

    return _login


@pytest.fixture
def study(app):
    from consensus.studies import services

    s = services.create_study("pilot", "Pilotstudie")
    for code, name in [
        ("politiker", "Politiker"),
        ("chefer", "Chefer"),
        ("deltagare", "Deltagare"),
    ]:
        services.add_group(s, code, name)
    services.add_indicator(
        s, code="P01", title="Deltagare är delaktiga", perspective="deltagare", type="process"
    )
    db.session.commit()
    share_studies()  # staff made before it work on it (see share_studies)
    return s


class RecordingHandler:
    """An aiosmtpd handler that keeps every message and refuses chosen recipients."""

    def __init__(self):
        self.messages = []
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback (aiosmtpd), for the duration of a test."""
    from aiosmtpd.controller import Controller

    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()
