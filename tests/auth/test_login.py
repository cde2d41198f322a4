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
    """Failed logins are counted in the database (auth/throttle.py has the rule and its
    hand-computed unit tests); these drive the login page."""

    @pytest.fixture
    def app_config(self, database_url):
        from tests.conftest import make_config

        return make_config(
            database_url,
            LOGIN_FAILURES_PER_ADDRESS=3,
            LOGIN_ACCOUNT_FREE_FAILURES=5,
            LOGIN_ACCOUNT_DELAY_SECONDS=20,
        )

    @staticmethod
    def post(client, email="pl@example.se", password=PASSWORD, address="10.0.0.1"):
        return client.post(
            "/logga-in",
            data={"email": email, "password": password},
            environ_base={"REMOTE_ADDR": address},
        )

    def test_an_address_has_its_failed_logins_then_waits(self, app, client, make_user):
        make_user()
        for _ in range(3):
            assert self.post(client, password="guess guess guess").status_code == 200
        blocked = self.post(client)  # not evaluated: even the right password waits now
        assert blocked.status_code == 429
        page = blocked.get_data(as_text=True)
        assert "För många misslyckade inloggningar. Försök igen om 15 minuter." in page
        assert 899 <= int(blocked.headers["Retry-After"]) <= 900
        assert client.get("/oversikt").status_code == 302  # still anonymous
        # The refused attempt was not counted: three failures, by address and by account.
        from sqlalchemy import func, select

        from consensus.auth.models import ThrottleEvent

        counts = dict(
            db.session.execute(
                select(ThrottleEvent.kind, func.count()).group_by(ThrottleEvent.kind)
            ).all()
        )
        assert counts == {"login_address": 3, "login_account": 3}
        # Neither the address nor the email is stored as typed.
        keys = db.session.scalars(select(ThrottleEvent.key)).all()
        assert not any("pl@" in key or "10.0.0.1" in key for key in keys)

    def test_correct_login_after_guesses_from_another_address(self, client, make_user):
        make_user()
        for _ in range(3):
            assert self.post(client, password="guess guess guess").status_code == 200
        assert self.post(client, address="10.0.0.1").status_code == 429
        assert self.post(client, address="10.9.9.9").status_code == 302

    def test_correct_logins_are_never_throttled(self, client, make_user):
        """A facilitator's account used on many devices on a conference day."""
        make_user()
        for _ in range(15):
            assert self.post(client).status_code == 302
            client.post("/logga-ut")

    def test_guesses_from_many_addresses_slow_the_account_down(self, app, client, make_user):
        make_user()
        for n in range(5):  # five free failures, each from its own address
            assert self.post(client, password="guess", address=f"10.1.0.{n}").status_code == 200
        assert self.post(client, password="guess", address="10.1.0.9").status_code == 200
        delayed = self.post(client, address="10.2.0.1")  # the sixth failure costs 20 s
        assert delayed.status_code == 429
        assert "Försök igen om 20 sekunder." in delayed.get_data(as_text=True)

    def test_a_browser_that_signed_in_before_skips_the_account_delay(self, client, make_user):
        make_user()
        assert self.post(client, address="10.3.0.1").status_code == 302
        client.post("/logga-ut")
        attacker = client.application.test_client()
        for n in range(6):  # from other addresses: the account waits 20 s now
            response = self.post(attacker, password="guess", address=f"10.4.0.{n}")
            assert response.status_code == 200
        stranger = client.application.test_client()
        assert self.post(stranger, address="10.5.0.1").status_code == 429
        assert self.post(client, address="10.3.0.1").status_code == 302

    def test_english_wait(self, client, make_user):
        make_user()
        client.post("/sprak", data={"lang": "en"})
        for _ in range(3):
            self.post(client, password="guess guess guess")
        page = self.post(client).get_data(as_text=True)
        assert "Too many failed sign-ins. Try again in 15 minutes." in page


class TestRedisDown:
    """The limiter's Redis (the survey's and follow-up's limits) at a closed port: requests
    are still answered, the limiter counts in memory and says so in the log; the login (its
    counts are in the database) works as ever."""

    @pytest.fixture
    def app_config(self, database_url):
        from tests.conftest import make_config

        return make_config(
            database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0"
        )

    def test_no_500_and_the_fallback_is_logged(self, client, make_user, caplog):
        make_user()
        with caplog.at_level("WARNING"):
            for _ in range(3):
                assert client.post("/enkat/kod", data={"kod": "ABC234"}).status_code < 500
        assert any("falling back to in-memory" in r.getMessage() for r in caplog.records)
        assert client.post("/logga-in", data={"email": "pl@example.se", "password": "nej"})
        response = client.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
        assert response.status_code == 302
