"""The admin's pages: staff accounts (create, deactivate, activate) and förbund."""

import re

import pytest
from sqlalchemy import func, select

from consensus.auth import services
from consensus.auth.models import Organisation, User
from consensus.extensions import db
from tests.conftest import PASSWORD, make_config

ADMIN = "admin@example.se"
NEW_PASSWORD = "a fresh start password"


@pytest.fixture
def admin(make_user, login):
    user = make_user(email=ADMIN, role="admin")
    assert login(email=ADMIN).status_code == 302
    return user


@pytest.fixture
def org(app):
    organisation = services.get_or_create_organisation("norra", "Samordningsförbundet Norra")
    db.session.commit()
    return organisation


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def org_count() -> int:
    return db.session.scalar(select(func.count(Organisation.id)))


def account_data(**overrides) -> dict:
    data = {
        "name": "Ny Person",
        "email": "ny@example.se",
        "role": "projektledare",
        "organisation": "",
        "password": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def field_error(body: str, field: str) -> str:
    """The error text shown under a field (tied to it with aria-describedby)."""
    match = re.search(rf'<p class="error-text" id="{field}-error">(.*?)</p>', body, re.S)
    assert match, f"no error shown for {field}"
    return match.group(1)


# --- accounts ----------------------------------------------------------------------------------


def test_account_refusals_are_english_on_an_english_page(client, admin, org):
    """The same catalogue as the command line (auth/messages.py), in the page's language."""
    client.post("/sprak", data={"lang": "en", "next": "/"})
    data = account_data(role="facilitator", organisation=str(org.id))
    body = client.post("/admin/konton", data=data).get_data(as_text=True)
    assert field_error(body, "organisation") == (
        "Only accounts with the role association belong to an association. Give no association "
        "for the role facilitator."
    )


def test_account_list_shows_every_account(client, admin, make_user, org):
    make_user(email="f@example.se", role="forbund", organisation=org)
    body = client.get("/admin/konton").get_data(as_text=True)
    assert "<caption" in body and '<th scope="col">Roll</th>' in body
    assert "f@example.se" in body and ADMIN in body
    assert "förbund" in body and "administratör" in body
    assert "Samordningsförbundet Norra" in body
    assert "aktivt" in body
    assert 'aria-current="page">Konton</a>' in body


@pytest.mark.parametrize("role", ["admin", "projektledare", "facilitator", "forbund"])
def test_admin_creates_an_account_for_each_role(app, client, admin, org, role):
    data = account_data(role=role, organisation=str(org.id) if role == "forbund" else "")
    response = client.post("/admin/konton", data=data, follow_redirects=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Kontot för ny@example.se är skapat med rollen" in body
    user = db.session.scalar(select(User).where(User.email == "ny@example.se"))
    assert user.role == role
    assert user.name == "Ny Person"
    assert user.active
    assert user.organisation_id == (org.id if role == "forbund" else None)
    # The new person can sign in with the first password.
    other = app.test_client()
    signed_in = other.post("/logga-in", data={"email": "ny@example.se", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302


def test_email_is_normalised(client, admin):
    client.post("/admin/konton", data=account_data(email="  Ny@Example.SE "))
    assert db.session.scalar(select(User.email).where(User.email == "ny@example.se"))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"email": "pl@example.se"},
            "email",
            "Det finns redan ett konto med e-postadressen pl@example.se.",
        ),
        (
            {"email": "PL@example.se"},
            "email",
            "Det finns redan ett konto med e-postadressen pl@example.se.",
        ),
        ({"password": "kort"}, "password", "Lösenordet måste ha minst 12 tecken."),
        (
            {"role": "forbund"},
            "organisation",
            "Välj ett förbund: ett konto med rollen förbund måste höra till ett förbund.",
        ),
        (
            {"role": "facilitator", "organisation": "ORG"},
            "organisation",
            "Bara konton med rollen förbund hör till ett förbund. Ange inget förbund för rollen "
            "facilitator.",
        ),
        ({"email": "inte-en-adress"}, "email", "Ange en giltig e-postadress."),
        ({"email": ""}, "email", "Skriv en e-postadress."),
        ({"name": ""}, "name", "Skriv personens namn."),
        ({"role": ""}, "role", "Välj en roll."),
        ({"password": ""}, "password", "Skriv ett första lösenord."),
    ],
    ids=[
        "duplicate-email",
        "duplicate-email-other-case",
        "short-password",
        "forbund-without-forbund",
        "forbund-for-other-role",
        "bad-email",
        "no-email",
        "no-name",
        "no-role",
        "no-password",
    ],
)
def test_account_refusals(client, admin, make_user, org, overrides, field, message):
    make_user()  # pl@example.se
    if overrides.get("organisation") == "ORG":
        overrides["organisation"] = str(org.id)
    before = user_count()
    response = client.post("/admin/konton", data=account_data(**overrides))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert field_error(body, field) == message
    assert 'class="error-summary"' in body
    assert user_count() == before


def test_unknown_organisation_is_refused(client, admin):
    before = user_count()
    response = client.post(
        "/admin/konton", data=account_data(role="forbund", organisation="999999")
    )
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "organisation")
    assert user_count() == before


def test_hints_explain_forbund_and_first_password(client, admin):
    body = client.get("/admin/konton").get_data(as_text=True)
    assert "Krävs för rollen förbund" in body
    assert "Lämna tomt för alla andra roller." in body
    assert "Minst 12 tecken." in body and "Mitt konto" in body


# --- deactivate / activate ---------------------------------------------------------------------


def test_deactivate_ends_sessions_and_activate_lets_them_back(app, client, admin, make_user):
    user = make_user()  # pl@example.se
    other = app.test_client()
    assert (
        other.post("/logga-in", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    assert other.get("/oversikt").status_code == 200
    version = user.session_version

    response = client.post(f"/admin/konton/{user.id}/inaktivera", follow_redirects=True)
    assert (
        "Kontot för pl@example.se är inaktiverat. Personen har loggats ut och kan inte logga in."
        in response.get_data(as_text=True)
    )
    db.session.refresh(user)
    assert user.active is False
    assert user.session_version == version + 1
    ended = other.get("/oversikt")
    assert ended.status_code == 302
    assert ended.headers["Location"].startswith("/logga-in")
    refused = other.post("/logga-in", data={"email": user.email, "password": PASSWORD})
    assert "Fel e-postadress eller lösenord." in refused.get_data(as_text=True)
    assert "inaktiverat" in client.get("/admin/konton").get_data(as_text=True)

    response = client.post(f"/admin/konton/{user.id}/aktivera", follow_redirects=True)
    assert "Kontot för pl@example.se är aktivt igen." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.active is True
    assert (
        other.post("/logga-in", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    assert other.get("/oversikt").status_code == 200


def test_admin_cannot_deactivate_themselves(client, admin):
    version = admin.session_version
    response = client.post(f"/admin/konton/{admin.id}/inaktivera", follow_redirects=True)
    assert (
        "Du kan inte inaktivera ditt eget konto. Be en annan administratör om det behövs."
        in response.get_data(as_text=True)
    )
    db.session.refresh(admin)
    assert admin.active is True
    assert admin.session_version == version
    assert client.get("/admin/konton").status_code == 200  # still signed in


def test_unknown_account_is_404(client, admin):
    assert client.post("/admin/konton/999999/inaktivera").status_code == 404


def test_activate_and_deactivate_are_post_only(client, admin, make_user):
    user = make_user()
    assert client.get(f"/admin/konton/{user.id}/inaktivera").status_code == 405


class TestCsrf:
    @pytest.fixture
    def app_config(self, database_url):
        return make_config(database_url, WTF_CSRF_ENABLED=True)

    def test_deactivate_without_token_is_refused(self, client, make_user):
        admin = make_user(email=ADMIN, role="admin")
        user = make_user()
        page = client.get("/logga-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/logga-in", data={"email": admin.email, "password": PASSWORD, "csrf_token": token}
        )
        assert client.post(f"/admin/konton/{user.id}/inaktivera").status_code == 400
        db.session.refresh(user)
        assert user.active is True


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["projektledare", "facilitator", "forbund"])
def test_non_admins_are_refused(client, make_user, login, role):
    target = make_user(email="target@example.se", role="projektledare")
    make_user(email="x@example.se", role=role)
    login(email="x@example.se")
    users, orgs = user_count(), org_count()
    assert client.get("/admin/konton").status_code == 403
    assert client.post("/admin/konton", data=account_data()).status_code == 403
    assert client.post(f"/admin/konton/{target.id}/inaktivera").status_code == 403
    assert client.get("/admin/forbund").status_code == 403
    assert client.post("/admin/forbund", data={"name": "X", "slug": "x"}).status_code == 403
    assert (user_count(), org_count()) == (users, orgs)
    db.session.refresh(target)
    assert target.active is True
    assert "/admin/konton" not in client.get("/oversikt").get_data(as_text=True)


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/konton")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in")


# --- förbund -----------------------------------------------------------------------------------


def test_admin_creates_a_forbund(client, admin, make_user, org):
    make_user(email="f@example.se", role="forbund", organisation=org)
    response = client.post(
        "/admin/forbund",
        data={"name": "Samordningsförbundet Södra", "slug": "sodra"},
        follow_redirects=True,
    )
    body = response.get_data(as_text=True)
    assert "Förbundet Samordningsförbundet Södra är skapat med kortnamnet sodra." in body
    created = db.session.scalar(select(Organisation).where(Organisation.slug == "sodra"))
    assert created.name == "Samordningsförbundet Södra"
    # The list shows every förbund with its number of accounts.
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td><code>(.*?)</code></td>\s*<td>(\d+)</td>", body)
    assert ("Samordningsförbundet Norra", "norra", "1") in rows
    assert ("Samordningsförbundet Södra", "sodra", "0") in rows
    # ... and it can be chosen for a new account at once.
    assert f'<option value="{created.id}">' in client.get("/admin/konton").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"name": "Ett till", "slug": "norra"},
            "slug",
            "Det finns redan ett förbund med kortnamnet norra.",
        ),
        *[
            (
                {"name": "Ett till", "slug": slug},
                "slug",
                "Kortnamnet får bara innehålla små bokstäver a–z, siffror och bindestreck, och "
                "ska börja med en bokstav eller siffra.",
            )
            for slug in ["Bad Slug", "Norra", "-norra", "södra", "a_b"]
        ],
        ({"name": "Ett till", "slug": ""}, "slug", "Skriv ett kortnamn."),
        ({"name": "", "slug": "nytt"}, "name", "Skriv förbundets namn."),
        ({"name": "   ", "slug": "nytt"}, "name", "Skriv förbundets namn."),
    ],
)
def test_forbund_refusals(client, admin, org, data, field, message):
    before = org_count()
    response = client.post("/admin/forbund", data=data)
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), field) == message
    assert org_count() == before


def test_create_organisation_service_refusals(app, org):
    for slug, code in [("norra", "slug_taken"), ("X y", "slug_invalid"), ("", "slug_invalid")]:
        with pytest.raises(services.AccountError) as raised:
            services.create_organisation("Namn", slug)
        assert raised.value.code == code
    assert org_count() == 1


@pytest.mark.parametrize("role", ["admin", "forbund"])
def test_admin_routes_survive_empty_and_odd_input(client, make_user, login, role):
    """The admin routes' share of tests/test_no_server_errors.py, on its own."""
    make_user(email="x@example.se", role=role)
    login(email="x@example.se")
    for method, url in [
        ("GET", "/admin/konton"),
        ("POST", "/admin/konton"),
        ("POST", "/admin/konton/1/inaktivera"),
        ("POST", "/admin/konton/1/aktivera"),
        ("POST", "/admin/konton/999999/inaktivera"),
        ("GET", "/admin/forbund"),
        ("POST", "/admin/forbund"),
    ]:
        for data in ({}, {"role": "nonsense", "organisation": "abc", "slug": "?"}):
            response = client.open(url, method=method, data=data)
            assert response.status_code < 500, f"{method} {url} -> {response.status_code}"
