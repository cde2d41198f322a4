"""The review form sets a measure's target and disaggregations; the study's codelists page."""

import html

from sqlalchemy import func, select

from consensus.extensions import db
from consensus.measures.models import CanonicalMeasure, StudyCodelist
from tests.measures.test_leader_views import body, leader, proposals  # noqa: F401  (fixtures)

FORM = {
    "name": "Andel deltagare med upplevt inflytande",
    "description": "Enkätfråga",
    "kind": "quantitative",
    "method": "survey",
    "unit": "andel (%)",
    "numerator": "svar 4-5",
    "denominator": "alla svar",
    "respondent_group": "deltagare",
    "question_lines": "Jag kan påverka vad som händer.",
}


def _measure(client, made):
    url = f"/studier/pilot/matt/granskning/{made['indicator']}/sla-ihop"
    assert client.post(url, data={"proposals": [str(made["ids"][0])]}).status_code == 302
    return db.session.scalar(select(CanonicalMeasure).order_by(CanonicalMeasure.id.desc()))


def test_review_form_round_trip(leader, proposals):  # noqa: F811
    m = _measure(leader, proposals)
    url = f"/studier/pilot/matt/granskning/matt/{m.id}"
    page = body(leader.get(url))
    assert "Målvärde" in page and "Nedbrytningar" in page and 'value="kon"' in page
    saved = leader.post(
        url,
        data={
            **FORM,
            "target_value": "80",
            "target_near_margin": "2,5",
            "direction": "increase",
            "disaggregations": ["kon"],
        },
    )
    assert saved.status_code == 302, body(saved)
    db.session.expire_all()
    assert (m.target_value, m.target_near_margin, m.direction, m.disaggregations) == (
        80.0,
        2.5,
        "increase",
        ["kon"],
    )
    page = body(leader.get(url))
    assert 'value="80"' in page and 'value="2,5"' in page
    assert 'value="kon" checked' in page or 'checked id="disaggregations-0"' in page
    # a post without the target fields (an older page) keeps the stored target
    assert leader.post(url, data=FORM).status_code == 302
    db.session.expire_all()
    assert (m.target_value, m.target_near_margin) == (80.0, 2.5)


def test_review_form_refusals_name_the_field_and_write_nothing(leader, proposals):  # noqa: F811
    m = _measure(leader, proposals)
    url = f"/studier/pilot/matt/granskning/matt/{m.id}"
    cases = [
        ({"target_value": "120", "direction": "increase"}, "ligger utanför måttets skala"),
        (
            {"target_value": "3", "target_near_margin": "4", "direction": "increase"},
            "Marginal: 4 är för stor",
        ),
        ({"target_value": "80"}, "ett mått med målvärde behöver en riktning"),
        ({"disaggregations": ["lan"]}, "”lan” är ingen kodlista i studien"),
    ]
    for data, message in cases:
        response = leader.post(url, data={**FORM, "name": "Nytt namn", **data})
        assert response.status_code == 200
        assert message in html.unescape(body(response)), message
        db.session.expire_all()
        assert m.name != "Nytt namn" and m.target_value is None and m.disaggregations == []


def test_codelists_page_adds_edits_and_refuses(leader, proposals):  # noqa: F811
    url = "/studier/pilot/matt/kodlistor"
    page = body(leader.get(url))
    assert "kon" in page and "Kvinna" in page and "standard" in page
    refused = leader.post(
        url,
        data={
            "id": "alder",
            "name": "Ålder",
            "codes": "A Ung\nA Gammal",
            "total_code": "_T",
            "total_label": "Alla",
        },
    )
    assert "Koder, rad 2: koden ”A” finns redan på rad 1." in html.unescape(body(refused))
    assert db.session.scalar(select(func.count()).select_from(StudyCodelist)) == 0
    added = leader.post(
        url,
        data={
            "id": "alder",
            "name": "Ålder",
            "codes": "U Ung\nG Gammal",
            "total_code": "_T",
            "total_label": "Alla",
        },
    )
    assert added.status_code == 302
    rows = db.session.scalars(select(StudyCodelist)).all()
    assert [(r.code, r.codes) for r in rows] == [
        ("alder", [{"code": "U", "label": "Ung"}, {"code": "G", "label": "Gammal"}])
    ]
    # kön is changed by storing the study's own version; its id stays
    edited = leader.post(
        f"{url}/kon",
        data={
            "name": "Kön",
            "codes": "K Kvinna\nM Man\nX Annat",
            "total_code": "_T",
            "total_label": "Totalt",
        },
    )
    assert edited.status_code == 302
    codes = {r.code: r for r in db.session.scalars(select(StudyCodelist))}
    assert [c["code"] for c in codes["kon"].codes] == ["K", "M", "X"]

    # a measure broken down by ålder keeps the codelist from being removed
    m = _measure(leader, proposals)
    leader.post(
        f"/studier/pilot/matt/granskning/matt/{m.id}",
        data={**FORM, "disaggregations": ["kon", "alder"]},
    )
    db.session.expire_all()
    assert sorted(m.disaggregations) == ["alder", "kon"]  # in the study's order
    refused = leader.post(f"{url}/alder/ta-bort", follow_redirects=True)
    assert f"används av måtten M{m.id}" in html.unescape(body(refused))
    assert db.session.scalar(select(func.count()).select_from(StudyCodelist)) == 2
    assert leader.post(f"{url}/finns-inte/ta-bort").status_code in (400, 404)
    assert leader.get(f"{url}/finns-inte").status_code == 404
