"""The page's language: the stored choice first, then the browser's Accept-Language on a first
visit, then Swedish; counts through ngettext in both languages."""

import pytest

from consensus.extensions import db
from consensus.studies import services
from tests.conftest import PASSWORD, share_studies


@pytest.mark.parametrize(
    ("accept", "lang"),
    [
        (None, "sv"),
        ("en-GB,en;q=0.9", "en"),
        ("en", "en"),
        ("sv-SE,sv;q=0.9,en;q=0.5", "sv"),
        ("de-DE,de;q=0.9,en;q=0.5", "en"),
        ("de-DE,fr;q=0.8", "sv"),
    ],
)
def test_first_visit_honours_accept_language(client, accept, lang):
    headers = {"Accept-Language": accept} if accept else {}
    page = client.get("/", headers=headers).get_data(as_text=True)
    assert f'<html lang="{lang}">' in page


def test_a_stored_choice_wins_over_accept_language(client):
    client.post("/sprak", data={"lang": "sv"})
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="sv">' in page


def _candidates_line(client, lang: str) -> str:
    client.post("/sprak", data={"lang": lang})
    page = client.get("/studier/pilot/indikatorer").get_data(as_text=True)
    return page


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [("sv", "1 kandidat.", "2 kandidater."), ("en", "1 candidate.", "2 candidates.")],
)
def test_counts_are_singular_and_plural_in_both_languages(client, make_user, study, lang, one, two):
    make_user()
    share_studies()  # the leader is made after the study: make them a member
    db.session.commit()
    client.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    page = _candidates_line(client, lang)
    assert one in page and two not in page
    services.add_indicator(
        study, code="P02", title="Tillit", perspective="deltagare", type="process"
    )
    db.session.commit()
    page = _candidates_line(client, lang)
    assert two in page


@pytest.mark.parametrize(
    ("accept", "value", "digits", "shown"),
    [
        ("sv", 7.5, 1, "7,5"),
        ("en", 7.5, 1, "7.5"),
        ("sv", 0.8123, 2, "0,81"),
        ("en", 0.8123, 2, "0.81"),
        ("sv", 12, 0, "12"),
        ("sv", None, 1, "–"),
        ("sv", 1234.5, 1, "1\u00a0234,5"),
        ("en", 1234.5, 1, "1,234.5"),
    ],
)
def test_numbers_in_the_pages_language(app, accept, value, digits, shown):
    from consensus.i18n import number

    with app.test_request_context("/", headers={"Accept-Language": accept}):
        assert number(value, digits) == shown


@pytest.mark.parametrize(("accept", "shown"), [("sv", "69,6\u00a0%"), ("en", "69.6\u00a0%")])
def test_shares_in_the_pages_language(app, accept, shown):
    with app.test_request_context("/", headers={"Accept-Language": accept}):
        assert app.jinja_env.from_string("{{ 0.696|share_percent }}").render() == shown


def test_organisation_levels_in_the_pages_language(client, make_user, study):
    make_user()
    share_studies()  # the leader is made after the study: make them a member
    db.session.commit()
    client.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    services.add_participant(study, email="p@example.se", group_id=study.groups[0].id)
    db.session.commit()
    client.post("/sprak", data={"lang": "en"})
    page = client.get("/studier/pilot/panel").get_data(as_text=True)
    assert "<dd>local</dd>" in page and "<dd>lokal</dd>" not in page
