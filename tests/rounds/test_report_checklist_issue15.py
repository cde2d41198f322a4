"""Issue 15: a complete COS-STAR and ACCORD report: the study's report texts, the panel's
characteristics per round with suppression, the pool's sources, the checklist generated from
data (18 and 35 items) and the report as one self-contained HTML file."""

import re

import pytest

from consensus.extensions import db
from consensus.rounds.panel_profile import characteristics
from consensus.rounds.report_checklist import REPORT_FIELDS, checklist, load, study_facts
from tests.rounds.test_round_views import panelist_client
from tests.rounds.test_round_views import setup as setup  # noqa: F401  (the fixture)

# --- the checklist as data -------------------------------------------------------------------


def test_the_guidelines_have_18_and_35_items_with_sources():
    data = load()
    counts = {g["id"]: len(g["items"]) for g in data["guidelines"]}
    assert counts == {"cos-star": 18, "accord": 35}
    accord = next(g for g in data["guidelines"] if g["id"] == "accord")
    # ACCORD: title 1, introduction 3, methods 21, results 5, discussion 2, other 3.
    sections = [item["id"][0] for item in accord["items"]]
    assert {s: sections.count(s) for s in "TIMRDO"} == {
        "T": 1,
        "I": 3,
        "M": 21,
        "R": 5,
        "D": 2,
        "O": 3,
    }
    for g in data["guidelines"]:
        assert "PLoS Med" in g["reference"] and "doi:10.1371" in g["reference"]
        for item in g["items"]:
            assert item["sv"] and item["en"] and item["section"] in data["sections"]
            for need in item["needs"]:
                assert need in {
                    "always",
                    "groups",
                    "pool_sources",
                    "rounds_closed",
                    "core_set",
                } or (need.startswith("text:") and need[5:] in REPORT_FIELDS)


def _answered(facts):
    return {g["id"]: [i["id"] for i in g["items"] if i["answered"]] for g in checklist(facts)}


def test_only_what_the_study_has_is_reported():
    facts = study_facts(
        {"background": "Varför", "funding": "Finsam", "ethics": "  "},  # blank is not filled
        groups=3,
        pool_sources=0,
        rounds_closed=0,
        core_set=False,
    )
    answered = _answered(facts)
    # COS-STAR: 2 background, 7-9 the a-priori method (always), 17 funding. Item 5 needs the
    # recruitment text too; 10 (ethics) is blank.
    assert answered["cos-star"] == ["2", "7", "8", "9", "17"]
    # ACCORD: I2 background; the method items answered by the stored protocol; O33 funding.
    assert answered["accord"] == [
        "I2",
        "M12",
        "M14",
        "M15",
        "M16",
        "M17",
        "M18",
        "M19",
        "M20",
        "M21",
        "M22",
        "O33",
    ]
    blocks = {g["id"]: g for g in checklist(facts)}
    assert (blocks["cos-star"]["answered"], blocks["cos-star"]["total"]) == (5, 18)
    assert (blocks["accord"]["answered"], blocks["accord"]["total"]) == (12, 35)
    item = blocks["cos-star"]["items"][1]
    assert (item["section"], item["section_name"]["sv"]) == ("background", "Bakgrund och syfte")
    assert blocks["cos-star"]["items"][0]["section"] is None  # not answered: no section


def test_everything_filled_and_a_confirmed_core_set_answers_every_item():
    facts = study_facts(
        dict.fromkeys(REPORT_FIELDS, "text"),
        groups=2,
        pool_sources=4,
        rounds_closed=2,
        core_set=True,
    )
    assert [(g["answered"], g["total"]) for g in checklist(facts)] == [(18, 18), (35, 35)]


# --- the panel's characteristics -------------------------------------------------------------


@pytest.mark.parametrize(
    ("groups", "minimum", "rows"),
    [
        # a 6, b 5, c 2 at minimum 5: c is hidden, and alone it would be total - a - b, so the
        # smallest shown group (b, 5) is hidden too; b + c = 7 >= 5 are shown as "övriga".
        (
            {"a": 6, "b": 5, "c": 2},
            5,
            [("a", 6), ("b", None), ("c", None), ("ovriga", 7)],
        ),
        # every group large enough: all shown
        ({"a": 6, "b": 5}, 5, [("a", 6), ("b", 5)]),
        # a 6, b 1: b hidden, a hidden too (b = total - a); nothing to combine with: only the total
        ({"a": 6, "b": 1}, 5, [("a", None), ("b", None)]),
    ],
)
def test_panel_characteristics_are_suppressed(groups, minimum, rows):
    people = [{"group": g, "level": "lokal"} for g, n in groups.items() for _ in range(n)]
    profile = characteristics(people, ("group", "level"), minimum, order={"group": list(groups)})
    assert profile["n"] == sum(groups.values())
    assert [(r["value"], r["count"]) for r in profile["group"]] == rows
    assert profile["level"] == [{"value": "lokal", "count": sum(groups.values())}]


# --- the report through the web --------------------------------------------------------------


def _close_a_round(app, setup):
    leader, ids = setup["leader"], setup["ids"]
    leader.post("/studier/pilot/omgangar", data={"method": "rating"})
    leader.post("/studier/pilot/omgangar/1/oppna")
    for _, token in setup["panel"]:
        c = panelist_client(app, token)
        assert c.post("/deltagare/omgang/1", data={f"value-{ids['P01']}": "8"}).status_code == 302
    leader.post("/studier/pilot/omgangar/1/stang", data={"confirm": "y"})


def test_the_report_texts_form_and_the_checklist_in_the_report(app, setup):  # noqa: F811
    leader, study = setup["leader"], setup["study"]
    study.indicators[0].source = "Kunskapsöversikt 2024"
    db.session.commit()
    form = leader.get("/studier/pilot/rapport/uppgifter").get_data(as_text=True)
    assert "Bakgrund och syfte" in form and "Etikprövning" in form  # labels and help text
    too_long = leader.post("/studier/pilot/rapport/uppgifter", data={"background": "x" * 20001})
    assert too_long.status_code == 200
    db.session.refresh(study)
    assert not study.report_texts  # nothing stored
    saved = leader.post(
        "/studier/pilot/rapport/uppgifter",
        data={"background": "Samverkan behöver följas upp.", "funding": "Förbundets medel."},
    )
    assert saved.status_code == 302
    db.session.refresh(study)
    assert study.report_texts["background"] == "Samverkan behöver följas upp."
    _close_a_round(app, setup)

    page = leader.get("/studier/pilot/rapport").get_data(as_text=True)
    assert "Samverkan behöver följas upp." in page
    assert "Kunskapsöversikt 2024 (1 kandidat)" in page
    cos = page.split('data-guideline="cos-star"')[1].split("</table>")[0]
    accord = page.split('data-guideline="accord"')[1].split("</table>")[0]
    assert cos.count("<tr data-item=") == 18 and accord.count("<tr data-item=") == 35
    # Filled: background (2) and funding (17) point to their sections ...
    assert re.search(r'data-item="2">.*?href="#background"', cos, re.S)
    assert re.search(r'data-item="17">.*?href="#funding"', cos, re.S)
    # ... the round was closed and the pool has a source: 6, 11, 12 and 13 are answered ...
    assert re.search(r'data-item="12">.*?href="#characteristics"', cos, re.S)
    assert re.search(r'data-item="6">.*?href="#pool"', cos, re.S)
    # ... the empty texts and the unconfirmed core set are not reported.
    for item in ("3", "4", "5", "10", "14", "15", "16", "18"):
        row = cos.split(f'data-item="{item}">')[1].split("</tr>")[0]
        assert "ej rapporterat" in row and "href" not in row
    assert cos.count("ej rapporterat") == 8
    assert "COS-STAR: 10 av 18 punkter rapporterade" in page
    # every section a checklist row points to exists
    for anchor in set(re.findall(r'href="#([a-z-]+)"', page)):
        assert f'id="{anchor}"' in page
    # The panel's characteristics: three panelists, one per group, minimum group size 1.
    characteristics = page.split('id="characteristics"')[1].split('id="consensus"')[0]
    assert "3 deltagare svarade" in characteristics

    leader.post("/sprak", data={"lang": "en", "next": "/"})
    page = leader.get("/studier/pilot/rapport").get_data(as_text=True)
    assert "COS-STAR: 10 of 18 items reported" in page and "not reported" in page
    assert '<a href="#background">Background and rationale</a>' in page


def test_the_report_is_a_self_contained_html_file(app, setup):  # noqa: F811
    leader = setup["leader"]
    _close_a_round(app, setup)
    response = leader.get("/studier/pilot/rapport.html")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="pilot-rapport.html"'
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert html.startswith("<!doctype html>") and '<html lang="sv">' in html
    assert "<style>" in html and "@media print" in html
    assert not re.search(r"<link|<script|<img|<iframe|src=|url\(|@import", html)
    assert all(href.startswith("#") for href in re.findall(r'href="([^"]*)"', html))
    assert 'data-guideline="accord"' in html and "Studierapport" in html
