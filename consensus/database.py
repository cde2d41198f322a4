"""What the services share about the database itself: which dialect it speaks, and the one
upsert (``INSERT ... ON CONFLICT ... DO UPDATE``) that both PostgreSQL and SQLite run."""

import functools
from collections.abc import Sequence

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db


def dialect() -> str:
    """``postgresql`` or ``sqlite``: the engine's dialect name."""
    return db.engine.dialect.name


@functools.cache
def _upsert(name: str, table: Table, conflict: tuple[str, ...], update: tuple[str, ...]):
    insert = postgresql.insert if name == "postgresql" else sqlite.insert
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(conflict),
        set_={column: statement.excluded[column] for column in update},
    )


def upsert(table: Table, conflict: Sequence[str], update: Sequence[str]):
    """``INSERT INTO table ... ON CONFLICT (conflict) DO UPDATE SET`` each column of
    ``update`` to the value the row would have been inserted with. Execute it with the rows
    as parameters. Built once per dialect, table and columns, so SQLAlchemy's compiled cache
    serves every later call."""
    return _upsert(dialect(), table, tuple(conflict), tuple(update))
