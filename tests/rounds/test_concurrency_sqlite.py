"""The same race on SQLite: saves and the close serialise on SQLite's write lock."""

from tests.rounds.test_concurrency_postgres import race_with_close


def test_answers_racing_a_close_are_counted_or_refused_on_sqlite(app):
    race_with_close(app, "race-sqlite")
