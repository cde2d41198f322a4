"""``consensus measures ...``."""

from flask import Flask


def register(app: Flask) -> None:
    """Attach the measures commands to ``app.cli``."""
