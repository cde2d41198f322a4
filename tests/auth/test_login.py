import pytest

from consensus.extensions import db
from tests.conftest import PASSWORD


def test_login_and_dashboard(client, make_user, login):
    make_user()
    response = login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/oversikt"
    page = client.get("/oversikt")
    assert page.status_code == 200
    assert "Översikt" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "password"),
    [("pl@example.se", "wrong password!!"), ("nobody@example.se", PASSWORD)],
    ids=["wrong-password", "unknown-user"],
)
def test_failed_login_says_the_same_thing(client, make_user, login, email, password):
    make_user()
    response = login(email=email, password=password)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Fel e-postadress eller lösenord." in body
    assert client.get("/oversikt").status_code == 302  # still anonymous


def test_email_is_case_insensitive(client, make_user, login):
    make_user()
    assert login(email="  PL@Example.SE ").status_code == 302


def test_disabled_account_cannot_log_in(client, make_user, login):
    user = make_user()
    user.active = False
    db.session.commit()
    assert "Fel e-postadress eller lösenord." in login().get_data(as_text=True)


def test_logout(client, make_user, login):
    make_user()
    login()
    assert client.post("/logga-ut").status_code == 302
    assert client.get("/oversikt").status_code == 302


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/studier", "/studier"),
        ("https://evil.example/", "/oversikt"),
        ("//evil.example/x", "/oversikt"),
        ("/\\evil.example", "/oversikt"),
        ("javascript:alert(1)", "/oversikt"),
    ],
)
def test_next_redirects_only_within_the_site(client, make_user, login, next_url, expected):
    make_user()
    response = client.post(
        "/logga-in",
        query_string={"next": next_url},
        data={"email": "pl@example.se", "password": PASSWORD},
    )
    assert response.headers["Location"] == expected


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/studier")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in?next=")


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("forbund", "/studier", 403),
        ("facilitator", "/studier", 200),
        ("projektledare", "/studier", 200),
        ("admin", "/studier", 200),
        ("forbund", "/oversikt", 200),
    ],
)
def test_role_checks(client, make_user, login, role, path, status):
    make_user(email="x@example.se", role=role)
    login(email="x@example.se")
    assert client.get(path).status_code == status


def test_change_password_ends_other_sessions(app, make_user, login, client):
    make_user()
    login()
    other = app.test_client()
    other.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    assert other.get("/oversikt").status_code == 200

    response = client.post(
        "/konto/losenord",
        data={
            "current": PASSWORD,
            "new": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get("/oversikt").status_code == 200  # this session continues
    assert other.get("/oversikt").status_code == 302  # the other one is logged out
    client.post("/logga-ut")
    assert login(password="a brand new passphrase").status_code == 302


def test_change_password_refuses_wrong_current(client, make_user, login):
    make_user()
    login()
    response = client.post(
        "/konto/losenord",
        data={
            "current": "not it at all",
            "new": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 200
    assert "Det nuvarande lösenordet stämmer inte." in response.get_data(as_text=True)


def test_passwords_are_stored_with_the_configured_method(make_user):
    user = make_user()
    assert user.password_hash.startswith("pbkdf2:sha256:1000$")  # tests/conftest.py
    assert PASSWORD not in user.password_hash


class TestDefaultHash:
    """Without configuration, passwords are hashed with scrypt (production's default)."""

    @pytest.fixture
    def app_config(self, database_url):
        from tests.conftest import make_config

        config = make_config(database_url)
        del config["PASSWORD_HASH_METHOD"]
        return config

    def test_the_default_password_hash_is_scrypt(self, app, make_user, login):
        from consensus.config import Defaults

        assert Defaults.PASSWORD_HASH_METHOD == "scrypt"
        assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
        user = make_user()
        assert user.password_hash.startswith("scrypt:")
        assert PASSWORD not in user.password_hash
        assert login().status_code == 302


class TestThrottling:
    @pytest.fixture
    def app_config(self, database_url):
        from tests.conftest import make_config

        return make_config(
            database_url,
            RATELIMIT_ENABLED=True,
            LOGIN_LIMIT_PER_ADDRESS="100 per minute",
            LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes",
        )

    def test_guessing_one_account_is_throttled(self, client, make_user, login):
        from consensus.extensions import limiter

        limiter.reset()
        make_user()
        for _ in range(3):
            assert login(password="guess guess guess").status_code == 200
        blocked = login()  # even the right password waits now
        assert blocked.status_code == 429
        assert "För många försök" in blocked.get_data(as_text=True)
        # Another account from the same address is not blocked by this account's limit.
        make_user(email="other@example.se")
        assert login(email="other@example.se").status_code == 302
        limiter.reset()

    def test_get_is_not_throttled(self, client):
        from consensus.extensions import limiter

        limiter.reset()
        for _ in range(10):
            assert client.get("/logga-in").status_code == 200
