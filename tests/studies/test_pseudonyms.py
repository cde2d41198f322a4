"""Pseudonyms are drawn at random: unique in the study, unrelated to the panel file's order."""

import io
import re

import pytest
from sqlalchemy import select

from consensus.extensions import db
from consensus.studies import pseudonyms
from consensus.studies.models import Participant
from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    ("total", "digits"),
    [(1, 3), (300, 3), (301, 4), (3000, 4), (3001, 5), (5000, 5), (30001, 6)],
)
def test_the_width_keeps_the_space_over_three_times_the_panel(total, digits):
    assert pseudonyms.width_for(total) == digits


def test_draw_skips_taken_and_repeated_numbers():
    numbers = iter([5, 5, 7, 12])
    drawn = pseudonyms.draw({"P007"}, 2, randbelow=lambda n: next(numbers))
    assert drawn == ["P005", "P012"]


def test_draw_widens_for_a_large_panel():
    drawn = pseudonyms.draw(set(), 400)
    assert len(set(drawn)) == 400
    assert all(re.fullmatch(r"P\d{4}", p) for p in drawn)


@pytest.fixture
def leader(client, make_user):
    make_user()
    client.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    return client


def test_an_imported_panel_is_not_numbered_in_file_order(leader, study):
    rows = [f"Person {i},p{i:02d}@example.se,Politiker,Huddinge,lokal" for i in range(50)]
    content = ("Namn,E-post,Intressentgrupp,Organisation,Nivå\n" + "\n".join(rows)).encode()
    response = leader.post(
        "/studier/pilot/panel/importera",
        data={"file": (io.BytesIO(content), "panel.csv")},
        content_type="multipart/form-data",
    )
    leader.post(response.headers["Location"])
    by_row = [
        db.session.scalar(
            select(Participant.pseudonym).where(Participant.email == f"p{i:02d}@example.se")
        )
        for i in range(50)
    ]
    assert all(re.fullmatch(r"P\d{3}", p) for p in by_row)
    assert len(set(by_row)) == 50
    # In file order the numbers would run P001, P002 ... : 50 random draws are in increasing
    # order with probability 1/50!, and start at P001 ... P005 with probability about 1/10^15.
    assert by_row != sorted(by_row)
    assert by_row[:5] != ["P001", "P002", "P003", "P004", "P005"]
    # A panelist added by hand afterwards draws a free one too.
    leader.post(
        "/studier/pilot/panel/ny",
        data={"email": "ny@example.se", "group": str(study.groups[0].id), "level": "lokal"},
    )
    added = db.session.scalar(
        select(Participant.pseudonym).where(Participant.email == "ny@example.se")
    )
    assert added not in by_row and re.fullmatch(r"P\d{3}", added)
