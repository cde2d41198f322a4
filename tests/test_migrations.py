"""The migrations build exactly the models, on SQLite and on PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from consensus import create_app
from consensus.extensions import db
from tests import databases
from tests.conftest import make_config


def _differences(url: str) -> list:
    app = create_app(make_config(url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            diff = compare_metadata(context, db.metadata)
        downgrade(revision="base")
        with db.engine.connect() as connection:
            remaining = set(db.inspect(connection).get_table_names()) - {"alembic_version"}
        db.engine.dispose()
    return diff, remaining


def test_sqlite_upgrade_matches_models(tmp_path):
    diff, remaining = _differences(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    assert diff == []
    assert remaining == set()


@pytest.mark.postgres
def test_postgresql_upgrade_matches_models():
    base = databases.require_postgres()
    with databases.fresh_postgres_database(base) as url:
        diff, remaining = _differences(url)
    assert diff == []
    assert remaining == set()
