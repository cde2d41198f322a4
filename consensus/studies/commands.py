"""``consensus study ...``, ``consensus indicators ...`` and ``consensus panel ...``."""

from flask import Flask


def register(app: Flask) -> None:
    """Attach the study commands to ``app.cli``."""
