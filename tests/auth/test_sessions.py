"""Sessions end on the server (issue 13): a copy of the session cookie made before logging out,
deactivation, erasure or "log out everywhere" opens nothing afterwards, on any process. The
personal link's token never rides in the session cookie."""

import pytest
from sqlalchemy import func, select

from consensus.auth.models import StaffSession
from consensus.auth.services import issue_link
from consensus.extensions import db
from consensus.studies import services as study_services
from tests.conftest import PASSWORD

COOKIE = "consensus_session"


def cookie(client) -> str:
    return client.get_cookie(COOKIE).value


def replay(app, value: str):
    """A new browser that carries a copy of the cookie ``value``."""
    other = app.test_client()
    other.set_cookie(COOKIE, value)
    return other


def session_data(app, value: str) -> dict:
    """The Flask session inside a cookie (signed, not encrypted: anyone can read it)."""
    return app.session_interface.get_signing_serializer(app).loads(value)


def staff_client(app, make_user, email="pl@example.se", role="projektledare"):
    make_user(email=email, role=role)
    client = app.test_client()
    response = client.post("/logga-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/studier").status_code == 200
    return client


def panelist_client(app, study):
    p = study_services.add_participant(study, email="p@example.se", group_id=study.groups[0].id)
    p.consent_at = p.created_at
    token = issue_link(p)
    db.session.commit()
    client = app.test_client()
    assert client.get(f"/l/{token}").status_code == 302
    assert client.get("/deltagare").status_code == 200
    return client, p, token


def test_a_staff_cookie_saved_before_logout_is_refused_after(app, make_user):
    client = staff_client(app, make_user)
    saved = cookie(client)
    assert replay(app, saved).get("/studier").status_code == 200  # a copy works ... for now
    client.post("/logga-ut")
    response = replay(app, saved).get("/studier")
    assert response.status_code == 302 and response.headers["Location"].startswith("/logga-in")
    assert db.session.scalar(select(func.count(StaffSession.id))) == 0


def test_logout_on_one_device_keeps_the_others(app, make_user):
    phone = staff_client(app, make_user)
    laptop = app.test_client()
    assert laptop.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    assert laptop.get("/studier").status_code == 200
    phone.post("/logga-ut")
    assert laptop.get("/studier").status_code == 200


def test_log_out_everywhere(app, make_user):
    phone = staff_client(app, make_user)
    laptop = app.test_client()
    laptop.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    response = phone.post("/konto/logga-ut-overallt")
    assert response.status_code == 302
    assert phone.get("/studier").status_code == 302
    assert laptop.get("/studier").status_code == 302


def test_deactivation_ends_the_sessions_at_once(app, make_user):
    client = staff_client(app, make_user)
    saved = cookie(client)
    admin = staff_client(app, make_user, email="admin@example.se", role="admin")
    from consensus.auth.models import User

    user_id = db.session.scalar(select(User.id).where(User.email == "pl@example.se"))
    assert admin.post(f"/admin/konton/{user_id}/inaktivera").status_code == 302
    assert client.get("/studier").status_code == 302
    assert replay(app, saved).get("/studier").status_code == 302
    assert (
        db.session.scalar(
            select(func.count(StaffSession.id)).where(StaffSession.user_id == user_id)
        )
        == 0
    )


def test_a_password_change_keeps_this_session_and_ends_the_others(app, make_user):
    here = staff_client(app, make_user)
    elsewhere = app.test_client()
    elsewhere.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    new = "a brand new passphrase"
    response = here.post("/konto/losenord", data={"current": PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 302
    assert here.get("/studier").status_code == 200
    assert elsewhere.get("/studier").status_code == 302


def test_a_participant_cookie_saved_before_logout_is_refused_after(app, study):
    client, p, _ = panelist_client(app, study)
    saved = cookie(client)
    client.post("/logga-ut")
    assert replay(app, saved).get("/deltagare").status_code == 403
    # Opening the personal link again starts a new session.
    token = issue_link(p)
    db.session.commit()
    again = app.test_client()
    assert again.get(f"/l/{token}").status_code == 302
    assert again.get("/deltagare").status_code == 200


def test_a_participant_cookie_is_refused_on_the_ballot_save_after_logout(app, make_user):
    from consensus.rounds import services as round_services
    from tests.rounds.conftest import make_delphi

    delphi = make_delphi()
    p = delphi.panel[0]
    p.consent_at = p.created_at
    token = issue_link(p)
    round_services.open_round(round_services.create_round(delphi.study, "rating"))
    db.session.commit()
    client = app.test_client()
    client.get(f"/l/{token}")
    indicator = delphi.indicators[0].id
    path = "/deltagare/omgang/1/svar"
    assert client.post(path, data={f"value-{indicator}": "7"}).status_code == 200
    saved = cookie(client)
    client.post("/logga-ut")
    assert replay(app, saved).post(path, data={f"value-{indicator}": "8"}).status_code == 403
    assert replay(app, saved).get("/deltagare/omgang/1").status_code == 403


def test_erasure_ends_the_participant_session(app, study):
    client, p, _ = panelist_client(app, study)
    saved = cookie(client)
    study_services.erase_participant(p)
    db.session.commit()
    assert client.get("/deltagare").status_code == 403
    assert replay(app, saved).get("/deltagare").status_code == 403


def test_the_personal_link_token_is_not_in_the_session_cookie(app, study):
    client, p, token = panelist_client(app, study)
    data = session_data(app, cookie(client))
    assert token not in repr(data)
    assert data["participant"]["id"] == p.id


def test_the_workshop_join_shows_the_link_without_keeping_it_in_the_cookie(app, study):
    study_services.ensure_join_code(study)
    db.session.commit()
    client = app.test_client()
    response = client.post(
        f"/k/{study.join_code}", data={"group": study.groups[0].id, "accept": "y"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    [link] = [part for part in page.split('"') if "/l/" in part]
    token = link.rsplit("/l/", 1)[1]
    assert len(token) == 43
    data = session_data(app, cookie(client))
    assert token not in repr(data) and "new_link" not in data
    assert client.get("/deltagare").status_code == 200
    assert token not in client.get("/deltagare").get_data(as_text=True)  # shown once


@pytest.mark.parametrize("joins_allowed", [3])
def test_workshop_joins_are_counted_per_address(app, study, joins_allowed):
    app.config["WORKSHOP_JOINS_PER_MINUTE"] = joins_allowed
    study_services.ensure_join_code(study)
    db.session.commit()
    statuses = []
    for _ in range(joins_allowed + 1):
        browser = app.test_client()
        response = browser.post(
            f"/k/{study.join_code}",
            data={"group": study.groups[0].id, "accept": "y"},
            environ_base={"REMOTE_ADDR": "10.7.0.1"},
        )
        statuses.append(response.status_code)
    assert statuses == [200] * joins_allowed + [429]
    assert "Försök igen om 1 minut." in response.get_data(as_text=True)
    other = app.test_client().post(
        f"/k/{study.join_code}",
        data={"group": study.groups[0].id, "accept": "y"},
        environ_base={"REMOTE_ADDR": "10.7.0.2"},
    )
    assert other.status_code == 200
