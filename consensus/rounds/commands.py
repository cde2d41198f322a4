"""``consensus round ...``, ``consensus ballots ...`` and ``consensus results ...``."""

from flask import Flask


def register(app: Flask) -> None:
    """Attach the rounds commands to ``app.cli`` (filled in with the rounds feature)."""
