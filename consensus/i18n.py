"""Languages: Swedish first, English second (Flask-Babel)."""

from collections.abc import Mapping

from flask import Flask, request, session
from markupsafe import Markup

from .extensions import babel

LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}


def select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    # No choice stored (a first visit): the browser's preferred language when we have it
    # (Accept-Language, in the browser's order), else Swedish.
    if request:
        preferred = request.accept_languages.best_match(languages)
        if preferred:
            return preferred
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def ui_language() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "sv")


def mark_swedish(text):
    """Swedish content (a study's or protocol's own text) on a page in another language:
    wrapped in ``lang="sv"`` so that screen readers pronounce it right (WCAG 3.1.2)."""
    if text and ui_language() != "sv":
        return Markup('<span lang="sv">{}</span>').format(text)
    return text


def localized(item, field: str):
    """Study content (an indicator's ``title``, a measure's ``name`` ...) in the page's
    language: on an English page the English text (``<field>_en``) when there is one, else the
    Swedish text, marked ``lang="sv"`` on a page in another language (``mark_swedish``)."""
    if isinstance(item, Mapping):
        swedish, english = item.get(field), item.get(f"{field}_en")
    else:
        swedish, english = getattr(item, field, None), getattr(item, f"{field}_en", None)
    if english and ui_language() == "en":
        return english
    return mark_swedish(swedish)


def number(value, digits: int = 1) -> str:
    """A number in the page's language with ``digits`` decimals (flask-babel's
    ``format_decimal``): decimal comma on Swedish pages, point on English ones; "–" for none."""
    if value is None:
        return "–"
    from flask_babel import format_decimal

    pattern = "#,##0." + "0" * digits if digits > 0 else "#,##0"
    return format_decimal(value, format=pattern)


def render_message(item) -> str:
    """A problem, refusal or note (anything with ``render(gettext)``, see
    ``consensus/messages.py``) in the page's language; a plain string as it is."""
    from flask_babel import gettext

    from .messages import render

    return render(item, gettext)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.add_template_filter(mark_swedish, "sv")
    app.add_template_filter(localized, "localized")
    app.add_template_filter(number, "number")
    app.add_template_filter(render_message, "message")

    @app.context_processor
    def language_context():
        from flask_babel import get_locale

        return {
            "current_lang": str(get_locale() or "sv"),
            "language_names": LANGUAGE_NAMES,
            "request_path": request.full_path.rstrip("?") if request else "/",
        }
