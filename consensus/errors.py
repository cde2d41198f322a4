"""Swedish error pages. The 500 handler rolls the session back."""

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db

# Status codes with a page of their own; others fall back to the generic page.
PAGES = {400, 403, 404, 405, 410, 413, 429, 500}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def render_error(code: int, reason: str | None = None):
    if _wants_json():
        return jsonify({"error": code, "reason": reason}), code
    return render_template("errors/error.html", code=code, reason=reason), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, "csrf")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code, getattr(error, "reason", None))

    @app.errorhandler(InternalServerError)
    def server_error(error):
        # Reached for unhandled exceptions too (Flask logs them first): leave no half-done work.
        db.session.rollback()
        return render_error(500)
