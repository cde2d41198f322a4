"""The fixed cost of a request (issue 12): the session cookie is re-signed when it changed
or is due for its refresh, not on every request, and the limiter keeps its bookkeeping for
the routes that carry a limit."""

from datetime import timedelta

from consensus.auth.services import issue_link
from consensus.extensions import db
from consensus.studies import services as study_services


def _panelist_client(app, study):
    p = study_services.add_participant(study, email="p@example.se", group_id=study.groups[0].id)
    p.consent_at = p.created_at
    token = issue_link(p)
    db.session.commit()
    client = app.test_client()
    response = client.get(f"/l/{token}")
    assert response.status_code == 302 and "Set-Cookie" in response.headers
    return client


def test_an_unchanged_session_is_not_re_signed(app, study):
    client = _panelist_client(app, study)
    client.get("/deltagare")  # the first page with a form puts the CSRF token in the session
    for path in ("/halsa", "/deltagare", "/halsa"):
        response = client.get(path)
        assert response.status_code in (200, 302)
        assert "Set-Cookie" not in response.headers, path
    # The session still works: the cookie it kept is the one it was given.
    assert client.get("/deltagare").status_code in (200, 302)


def test_a_session_in_use_still_slides_its_expiry(app, study):
    client = _panelist_client(app, study)
    app.config["SESSION_REFRESH_INTERVAL"] = timedelta(0)
    response = client.get("/halsa")
    assert "consensus_session=" in response.headers.get("Set-Cookie", "")
    assert "Expires=" in response.headers["Set-Cookie"]
    app.config["SESSION_REFRESH_INTERVAL"] = 0  # seconds, as the environment gives it
    assert "Set-Cookie" in client.get("/halsa").headers


def test_a_changed_session_is_sent(app, study):
    client = _panelist_client(app, study)
    response = client.post("/logga-ut")
    assert response.status_code == 302
    assert "consensus_session=" in response.headers.get("Set-Cookie", "")
    assert client.get("/deltagare").status_code != 200  # the participant is forgotten


def test_the_limiter_is_skipped_only_where_no_limit_applies(app):
    from consensus.security import _no_rate_limit_applies

    with app.test_request_context("/halsa"):
        assert _no_rate_limit_applies() is True
    with app.test_request_context("/enkat/kod", method="POST"):
        assert _no_rate_limit_applies() is False  # the follow-up's code entry keeps its limit
    app.config["RATELIMIT_DEFAULT"] = "100 per minute"
    with app.test_request_context("/halsa"):
        assert _no_rate_limit_applies() is False
