"""Test databases: a migrated SQLite template copied per test, or fresh PostgreSQL databases.

Environment:
- ``CONSENSUS_TEST_POSTGRES_URL``: a PostgreSQL server for the PostgreSQL-only tests
  (migrations, concurrency), e.g. ``postgresql://postgres@127.0.0.1:5432/test``. The tests
  create and drop their own databases next to the one named.
- ``CONSENSUS_TEST_DATABASE_URL``: run the whole suite on this PostgreSQL server instead of
  SQLite (CI does both).
"""

import os
import uuid
from contextlib import contextmanager

from sqlalchemy.engine import make_url

from consensus.config import normalise_database_url


def postgres_url() -> str | None:
    url = os.environ.get("CONSENSUS_TEST_POSTGRES_URL") or os.environ.get(
        "CONSENSUS_TEST_DATABASE_URL"
    )
    if url and url.startswith("postgres"):
        return normalise_database_url(url)
    return None


def suite_url() -> str | None:
    url = os.environ.get("CONSENSUS_TEST_DATABASE_URL")
    return normalise_database_url(url) if url else None


def _admin_connect(url: str):
    import psycopg

    u = make_url(url)
    return psycopg.connect(
        host=u.host,
        port=u.port or 5432,
        user=u.username,
        password=u.password,
        dbname=u.database or "postgres",
        autocommit=True,
    )


def create_postgres_database(base_url: str, template: str | None = None) -> str:
    """Create a database beside ``base_url``'s and return its URL: empty, or a copy of the
    database at the URL ``template`` (which must have no open connections)."""
    name = f"consensus_t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    copy = f' TEMPLATE "{make_url(template).database}"' if template else ""
    with _admin_connect(base_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(base_url: str, url: str) -> None:
    name = make_url(url).database
    with _admin_connect(base_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_postgres_database(base_url: str):
    url = create_postgres_database(base_url)
    try:
        yield url
    finally:
        drop_postgres_database(base_url, url)


def postgres_reachable(url: str) -> str | None:
    """None when reachable, else the reason (for a visible skip)."""
    try:
        with _admin_connect(url):
            return None
    except Exception as error:  # noqa: BLE001 - any failure means: skip with the reason
        return f"PostgreSQL at {make_url(url).render_as_string()} unreachable: {error}"


def require_postgres() -> str:
    """The PostgreSQL base URL for a PostgreSQL-only test, or skip (fail in CI) with the reason."""
    from tests.skips import skip_or_fail

    base = postgres_url()
    if base is None:
        skip_or_fail("CONSENSUS_TEST_POSTGRES_URL is not set: PostgreSQL-only test skipped")
    reason = postgres_reachable(base)
    if reason:
        skip_or_fail(reason)
    return base
