import pytest

from tests.conftest import PASSWORD, make_config


@pytest.fixture
def app_config(database_url):
    return make_config(database_url, WTF_CSRF_ENABLED=True)


def test_post_without_token_is_refused_and_changes_nothing(client, make_user):
    user = make_user()
    response = client.post("/logga-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "säkerhetskod" in response.get_data(as_text=True)
    assert client.get("/oversikt").status_code == 302  # not logged in


def test_logout_without_token_is_refused(client):
    assert client.post("/logga-ut").status_code == 400


def test_post_with_token_works(client, make_user):
    import re

    user = make_user()
    page = client.get("/logga-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/logga-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
