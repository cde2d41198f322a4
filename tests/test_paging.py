"""Pages of long lists: the pure window, and the indicator pool and panel pages."""

import pytest

from consensus.paging import window


@pytest.mark.parametrize(
    ("total", "requested", "expected"),
    [
        (450, None, (1, 3, 0, 200)),
        (450, "3", (3, 3, 400, 450)),
        (450, "999", (3, 3, 400, 450)),  # past the end: the last page
        (450, "0", (1, 3, 0, 200)),
        (450, "x\x00", (1, 3, 0, 200)),
        (450, "9" * 20, (1, 3, 0, 200)),
        (0, "2", (1, 1, 0, 0)),
        (200, "2", (1, 1, 0, 200)),
    ],
)
def test_window(total, requested, expected):
    w = window(total, requested, 200)
    assert (w.page, w.pages, w.start, w.stop) == expected


def test_page_numbers_leave_out_the_middle():
    assert window(5_000, "10", 100).numbers() == [1, None, 8, 9, 10, 11, 12, None, 50]
    assert window(300, "1", 100).numbers() == [1, 2, 3]


@pytest.fixture
def leader(client, make_user):
    from tests.conftest import PASSWORD

    make_user()
    client.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    return client


def test_the_panel_page_shows_200_panelists_a_page(leader, study):
    from consensus.extensions import db
    from consensus.studies import services

    for n in range(450):
        services.add_participant(study, email=f"p{n:03d}@example.se", group_id=study.groups[0].id)
    db.session.commit()
    first = leader.get("/studier/pilot/panel").get_data(as_text=True)
    assert first.count("@example.se</span>") == 200
    assert '<nav class="pagination" aria-label="Sidor med paneldeltagare">' in first
    assert "Visar 1–200 av 450." in first
    assert 'href="/studier/pilot/panel?sida=2" rel="next"' in first
    assert '<a href="/studier/pilot/panel?sida=1" aria-current="page">' in first
    last = leader.get("/studier/pilot/panel?sida=3").get_data(as_text=True)
    assert last.count("@example.se</span>") == 50 and "Visar 401–450 av 450." in last
    assert leader.get("/studier/pilot/panel?sida=%00").status_code == 400


def test_the_indicator_pool_shows_200_indicators_a_page(leader, study):
    from consensus.extensions import db
    from consensus.studies import services

    for n in range(249):  # and P01 from the fixture: 250
        services.add_indicator(
            study, code=f"X{n:03d}", title=f"Indikator {n}", perspective="samhälle", type="effect"
        )
    db.session.commit()
    first = leader.get("/studier/pilot/indikatorer").get_data(as_text=True)
    assert first.count("<td><code>") == 200
    assert "Visar 1–200 av 250." in first and "<code>P01</code>" in first  # deltagare first
    assert "(249)" in first  # the perspective's count is of the whole pool
    second = leader.get("/studier/pilot/indikatorer?sida=2").get_data(as_text=True)
    assert second.count("<td><code>") == 50 and "<code>X248</code>" in second
