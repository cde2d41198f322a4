from datetime import timedelta

import pytest

from consensus.auth import services
from consensus.auth.tokens import hash_token
from consensus.dbtypes import utcnow
from consensus.extensions import db
from consensus.studies import lifecycle
from consensus.studies import services as study_services


@pytest.fixture
def panelist(study):
    p = study_services.add_participant(
        study, name="Anna Andersson", email="anna@example.se", group=study.groups[0]
    )
    token = services.issue_link(p)
    db.session.commit()
    return p, token


def test_valid_link_admits_and_hides_the_token(client, panelist):
    p, token = panelist
    response = client.get(f"/l/{token}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/deltagare"
    assert token not in response.headers["Location"]
    page = client.get("/deltagare")
    assert page.status_code == 200
    assert p.pseudonym in page.get_data(as_text=True)
    db.session.refresh(p)
    assert p.first_visit_at is not None


def test_only_the_hash_is_stored(panelist):
    from sqlalchemy import select

    from consensus.studies.models import PersonalLink

    p, token = panelist
    stored = db.session.scalars(select(PersonalLink.token_hash)).all()
    assert stored == [hash_token(token)]
    assert token not in p.token_hash  # the session key is not the token either


def test_tampered_link_is_refused(client, panelist):
    _, token = panelist
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.get(f"/l/{tampered}")
    assert response.status_code == 403
    assert "känner inte igen länken" in response.get_data(as_text=True)
    assert client.get("/deltagare").status_code == 403


@pytest.mark.parametrize("junk", ["x", "../../etc/passwd", "a" * 500, "%00"])
def test_malformed_tokens_are_refused(client, junk):
    assert client.get(f"/l/{junk}").status_code in (400, 403, 404)  # %00: 400 at the edge


def test_revoked_link_is_refused_even_mid_session(client, panelist):
    p, token = panelist
    client.get(f"/l/{token}")
    assert client.get("/deltagare").status_code == 200
    services.revoke_link(p)
    db.session.commit()
    assert client.get("/deltagare").status_code == 403
    response = client.get(f"/l/{token}")
    assert response.status_code == 403
    assert "spärrats" in response.get_data(as_text=True)


def test_a_new_link_leaves_the_old_one_working(client, panelist):
    p, old = panelist
    assert client.get(f"/l/{old}").status_code == 302
    new = services.issue_link(p, "reminder")
    db.session.commit()
    assert client.get("/deltagare").status_code == 200  # the open session goes on
    assert client.application.test_client().get(f"/l/{old}").status_code == 302
    assert client.application.test_client().get(f"/l/{new}").status_code == 302


def test_revoking_ends_every_link_and_session_and_a_new_link_works(client, panelist):
    p, old = panelist
    second = services.issue_link(p)
    db.session.commit()
    client.get(f"/l/{second}")
    services.revoke_link(p)
    db.session.commit()
    assert client.get("/deltagare").status_code == 403
    for token in (old, second):
        refused = client.application.test_client().get(f"/l/{token}")
        assert refused.status_code == 403
        assert "spärrats" in refused.get_data(as_text=True)
    third = services.issue_link(p)
    db.session.commit()
    assert client.application.test_client().get(f"/l/{third}").status_code == 302
    # The links revoked before stay revoked after a new one was issued.
    assert client.application.test_client().get(f"/l/{old}").status_code == 403


def test_opening_a_link_notes_its_last_use(client, panelist):
    from sqlalchemy import select

    from consensus.studies.models import PersonalLink

    _, token = panelist
    link = db.session.scalar(select(PersonalLink))
    assert link.last_used_at is None
    client.get(f"/l/{token}")
    db.session.refresh(link)
    assert link.last_used_at is not None


def test_link_expires_with_its_study(client, panelist, study):
    p, token = panelist
    study.links_expire_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/l/{token}")
    assert response.status_code == 403
    assert "avslutad" in response.get_data(as_text=True)


def test_link_expires_when_the_study_is_archived(client, panelist, study):
    _, token = panelist
    client.get(f"/l/{token}")
    study.phase = lifecycle.transition(study.phase, "archive")
    db.session.commit()
    # The open session is told the study has ended (410), on every visit, not to open its
    # link again; the link itself no longer opens the study.
    for _ in range(2):
        ended = client.get("/deltagare")
        assert ended.status_code == 410 and "Studien är avslutad" in ended.get_data(as_text=True)
    assert client.get(f"/l/{token}").status_code == 403


def test_check_link_statuses(panelist, study):
    p, token = panelist
    assert services.check_link(token).status == "ok"
    assert services.check_link("nonsense").status == "unknown"
    p.erased_at = utcnow()
    db.session.flush()
    assert services.check_link(token).status == "erased"
