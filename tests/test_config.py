import pytest

from consensus import create_app
from consensus.config import DEFAULT_SECRET_KEY, ConfigurationError, normalise_database_url


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("SECRET_KEY", "DATABASE_URL", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONSENSUS_INSTANCE_PATH", str(tmp_path))
    return tmp_path


def test_refuses_to_start_without_secret_key(clean_env):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app()


def test_refuses_the_default_secret_key(clean_env, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", DEFAULT_SECRET_KEY)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app()


def test_layering_defaults_instance_environment(clean_env, monkeypatch):
    (clean_env / "config.py").write_text(
        "SECRET_KEY = 'from-instance-file-0123456789'\nMIN_GROUP_SIZE_DEFAULT = 7\n"
        "MAIL_PORT = 2525\n"
    )
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-instance-file-0123456789"
    assert app.config["MIN_GROUP_SIZE_DEFAULT"] == 7
    assert app.config["MAIL_SERVER"] == "localhost"  # default in code

    monkeypatch.setenv("SECRET_KEY", "from-environment-0123456789")
    monkeypatch.setenv("CONSENSUS_MAIL_PORT", "587")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/consensus")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-environment-0123456789"
    assert app.config["MAIL_PORT"] == 587  # parsed as JSON: an int
    assert app.config["MIN_GROUP_SIZE_DEFAULT"] == 7  # the instance file still applies
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/consensus"


def test_embedded_sqlite_is_the_default(clean_env, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-long-enough-secret-key-for-tests")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{clean_env / 'consensus.sqlite'}"


def test_testing_config_needs_no_secret(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.testing


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_url_selects_psycopg3(given, expected):
    assert normalise_database_url(given) == expected


def test_sqlite_enforces_foreign_keys(tmp_path):
    from sqlalchemy import text

    from consensus.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    with app.app_context():
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()
