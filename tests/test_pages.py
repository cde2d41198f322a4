import pytest

from consensus.extensions import db


def test_start_page_is_swedish(client):
    response = client.get("/")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="sv">' in body
    assert 'href="#main"' in body  # skip link
    assert '<main id="main"' in body


def test_language_switch_to_english_and_back(client):
    response = client.post("/sprak", data={"lang": "en", "next": "/tillganglighet"})
    assert response.headers["Location"] == "/tillganglighet"
    body = client.get("/tillganglighet").get_data(as_text=True)
    assert '<html lang="en">' in body
    assert "Accessibility statement" in body
    client.post("/sprak", data={"lang": "sv"})
    assert "Tillgänglighetsredogörelse" in client.get("/tillganglighet").get_data(as_text=True)


def test_unknown_language_is_refused(client):
    assert client.post("/sprak", data={"lang": "xx"}).status_code == 400


def test_language_switch_ignores_offsite_next(client):
    response = client.post("/sprak", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("path", ["/tillganglighet", "/personuppgifter"])
def test_statutory_pages_are_public(client, path):
    assert client.get(path).status_code == 200


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_templates_have_no_inline_script_or_style():
    """The CSP forbids inline script; keep templates free of it so nothing silently breaks."""
    import pathlib
    import re

    offenders = []
    for path in pathlib.Path("templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son\w+=", text):
            offenders.append(str(path))
        if re.search(r"<style[\s>]", text) or re.search(r'\sstyle="', text):
            offenders.append(str(path))
    assert offenders == []


def test_session_cookie_flags(app):
    from consensus import create_app
    from consensus.config import Defaults

    assert Defaults.SESSION_COOKIE_SECURE is True
    assert Defaults.SESSION_COOKIE_HTTPONLY is True
    assert Defaults.SESSION_COOKIE_SAMESITE == "Lax"
    assert create_app  # the production defaults are the ones tested above


def test_404_is_swedish(client):
    response = client.get("/finns-inte")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)


def test_404_as_json_for_api(client):
    response = client.get("/api/finns-inte")
    assert response.status_code == 404
    assert response.get_json() == {"error": 404, "reason": None}


class TestTooLarge:
    @pytest.fixture
    def app_config(self, database_url):
        from tests.conftest import make_config

        return make_config(database_url, MAX_CONTENT_LENGTH=1024)

    def test_413_is_friendly(self, client):
        response = client.post("/logga-in", data={"email": "x" * 5000, "password": "y"})
        assert response.status_code == 413
        assert "Filen är för stor" in response.get_data(as_text=True)


class TestServerError:
    @pytest.fixture
    def app_config(self, database_url):
        from tests.conftest import make_config

        return make_config(database_url, PROPAGATE_EXCEPTIONS=False)

    def test_500_rolls_back_and_shows_no_trace(self, app):
        from consensus.auth.access import public
        from consensus.auth.models import Organisation

        @app.route("/boom")
        @public
        def boom():
            db.session.add(Organisation(slug="half", name="Halvfärdig"))
            db.session.flush()
            raise RuntimeError("secret internals")

        response = app.test_client().get("/boom")
        body = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "Något gick fel hos oss" in body
        assert "secret internals" not in body and "Traceback" not in body
        db.session.remove()
        assert db.session.query(Organisation).filter_by(slug="half").count() == 0


def test_health(client):
    assert client.get("/halsa").get_json() == {"status": "ok"}
