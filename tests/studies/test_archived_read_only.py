"""An archived study is read-only on every page: writes are refused with a Swedish message and
change nothing, forms are hidden, restoring is the one write; a participant's open session is
told "Studien är avslutad"."""

import pytest
from sqlalchemy import func, select

from consensus.auth.services import issue_link
from consensus.extensions import db
from consensus.studies import services
from consensus.studies.models import Indicator, Participant, StakeholderGroup
from tests.conftest import PASSWORD


@pytest.fixture
def leader(client, make_user):
    make_user()
    client.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    return client


@pytest.fixture
def archived(study):
    services.change_phase(study, "archive")
    db.session.commit()
    return study


REFUSED = "Studien är arkiverad och skrivskyddad: ingenting har ändrats."


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/studier/pilot/grupper", {"name": "Brukarorganisationer"}),
        (
            "/studier/pilot/indikatorer/ny",
            {"code": "X01", "title": "Ny", "perspective": "deltagare", "type": "process"},
        ),
        ("/studier/pilot/panel/ny", {"email": "ny@example.se"}),
        ("/studier/pilot/omgangar", {"method": "rating"}),
        ("/studier/pilot/matt/oppna", {}),
        ("/studier/pilot/installningar", {"title": "Nytt namn"}),
    ],
)
def test_writes_to_an_archived_study_are_refused(leader, archived, path, data):
    before = [
        db.session.scalar(select(func.count(model.id)))
        for model in (StakeholderGroup, Indicator, Participant)
    ]
    response = leader.post(path, data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == "/studier/pilot"
    assert REFUSED in leader.get("/studier/pilot").get_data(as_text=True)
    after = [
        db.session.scalar(select(func.count(model.id)))
        for model in (StakeholderGroup, Indicator, Participant)
    ]
    assert after == before
    db.session.refresh(archived)
    assert archived.title == "Pilotstudie"


def test_restoring_is_the_one_write(leader, archived):
    response = leader.post("/studier/pilot/aterstall")
    assert response.status_code == 302
    db.session.refresh(archived)
    assert archived.phase == "setup"


def test_forms_are_hidden_on_an_archived_study(leader, archived):
    rounds = leader.get("/studier/pilot/omgangar").get_data(as_text=True)
    assert "Ny omgång" not in rounds
    overview = leader.get("/studier/pilot").get_data(as_text=True)
    assert "Studien är arkiverad och skrivskyddad" in overview
    assert "Återställ studien" in overview and "Arkivera studien" not in overview


def test_participant_with_an_open_session_is_told_the_study_has_ended(client, study):
    p = services.add_participant(study, email="p@example.se", group_id=study.groups[0].id)
    token = issue_link(p)
    db.session.commit()
    client.get(f"/l/{token}")
    assert client.get("/deltagare").status_code == 200
    services.change_phase(study, "archive")
    db.session.commit()
    response = client.get("/deltagare")
    page = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "Studien är avslutad" in page
    assert "Åtkomst nekad" not in page and "personliga länk" not in page
