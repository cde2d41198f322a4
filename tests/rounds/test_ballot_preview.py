"""The ballot's preview for staff: the real ballot, read-only, with a sample answer, per
method; nothing can be saved from it."""

import re

import pytest
from sqlalchemy import func, select

from consensus.extensions import db
from consensus.rounds import services
from consensus.rounds.models import Answer
from tests.rounds.conftest import make_delphi


@pytest.mark.parametrize(
    ("method", "settings", "sample", "instruction"),
    [
        ("rating", {}, r'value="8" checked', "på en skala från 1 (inte viktig) till 9"),
        ("approval", {"max_selections": 2}, r'value="1" checked', "högst 2 stycken"),
        ("ranking", {}, r'value="1"', "Rangordna indikatorerna"),
    ],
)
def test_preview_per_method(client, make_user, login, method, settings, sample, instruction):
    d = make_delphi()
    services.create_round(d.study, method, **settings)
    db.session.commit()
    make_user()
    login()
    response = client.get("/studier/delphi/omgangar/1/forhandsvisning")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Förhandsvisning" in page and "Ingenting kan sparas här." in page
    assert instruction in page
    # The real ballot's questions, every one inside a disabled fieldset.
    assert page.count('class="question') == 3
    assert '<fieldset disabled class="preview-fields">' in page
    # The sample answer on the first indicator only.
    first = page.split('id="q-', 2)[1]
    assert re.search(sample, first)
    # No way to save: no autosave address, no ballot script, no submit button in the ballot.
    assert "data-autosave" not in page and "ballot.js" not in page
    assert "Spara svaren" not in page
    assert db.session.scalar(select(func.count(Answer.id))) == 0


def test_preview_link_on_the_round(client, make_user, login):
    d = make_delphi()
    services.create_round(d.study, "rating")
    db.session.commit()
    make_user()
    login()
    page = client.get("/studier/delphi/omgangar/1").get_data(as_text=True)
    assert (
        'href="/studier/delphi/omgangar/1/forhandsvisning">Förhandsvisa som paneldeltagare' in page
    )
