"""The study overview (the cockpit) through the web: stage, next step, response status per
round, the confirmed core set, the survey and protocol versions."""

from consensus.extensions import db
from consensus.measures import services as ms
from consensus.rounds import services as round_services
from tests.rounds.conftest import make_delphi, rate


def confirmed_core_set():
    """Study ``delphi``: six panelists, one final rating round, confirmed (I1, I2 core)."""
    d = make_delphi(min_group_size=1, target_core_size=2)
    r = round_services.create_round(d.study, "rating", is_final=True)
    round_services.open_round(r)
    i1, i2, i3 = d.study.indicators
    for p in d.panel[:5]:  # five of six answer
        rate(r, p, {i1: 9, i2: 8, i3: 2})
    round_services.close_round(r)
    round_services.confirm_decisions(r)
    db.session.commit()
    return d.study


def overview_text(client) -> str:
    return client.get("/studier/delphi").get_data(as_text=True)


def test_in_preparation_the_next_step_is_the_pool(client, make_user, login):
    make_user()
    from consensus.studies import services

    services.create_study("delphi", "Delphistudie")
    db.session.commit()
    login()  # after the study exists: login() makes the leader a member of it
    page = overview_text(client)
    assert '<li aria-current="step" class="current">Förberedelse</li>' in page
    assert 'href="/studier/delphi/indikatorer">Importera kandidatindikatorer</a>' in page


def test_after_the_core_set_is_confirmed(client, make_user, login):
    confirmed_core_set()
    make_user()
    login()
    page = overview_text(client)
    # The stage follows the data (it said "Förberedelser" before issue 16).
    assert '<li aria-current="step" class="current">Kärnuppsättning bekräftad</li>' in page
    assert 'href="/studier/delphi/matt">Förbered måttenkäten</a>' in page
    # Response status per round: 6 invited, 5 answered (83 %), decisions confirmed.
    assert '<td class="num">6</td>' in page
    assert "5 (83 %)" in page
    assert "bekräftade" in page
    # The confirmed core set.
    assert "2 kärnindikatorer är bekräftade." in page
    assert "<strong>I1</strong> Indikator 1" in page and "<strong>I2</strong> Indikator 2" in page
    assert "<strong>I3</strong>" not in page
    assert "Måttenkäten är inte skapad ännu." in page
    assert "Inget protokoll är publicerat ännu." in page


def test_with_the_survey_open_the_stage_is_the_measures_survey(client, make_user, login):
    study = confirmed_core_set()
    survey = ms.create_survey(study)
    ms.change_status(survey, "open")
    db.session.commit()
    make_user()
    login()
    page = overview_text(client)
    assert '<li aria-current="step" class="current">Måttenkät</li>' in page
    assert "Enkäten: öppen." in page
    assert ">Följ måttenkäten</a>" in page
