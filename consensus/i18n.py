"""Languages: Swedish first, English second (Flask-Babel)."""

from flask import Flask, request, session

from .extensions import babel

LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}


def select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    # Swedish is the default; English only when the visitor has chosen it.
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def language_context():
        from flask_babel import get_locale

        return {
            "current_lang": str(get_locale() or "sv"),
            "language_names": LANGUAGE_NAMES,
            "request_path": request.full_path.rstrip("?") if request else "/",
        }
