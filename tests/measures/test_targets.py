"""Targets, directions, disaggregations and codelists of reviewed measures (pure, table-driven)."""

import pytest

from consensus.measures import targets

SHARE = {"kind": "quantitative", "method": "survey", "unit": "andel (%)"}
MEAN = {"kind": "quantitative", "method": "survey", "unit": "poäng"}
COUNT = {"kind": "quantitative", "method": "register", "unit": "antal"}
DAYS = {"kind": "quantitative", "method": "register", "unit": "dagar"}
STORY = {"kind": "qualitative", "method": "interview", "unit": ""}
KNOWN = ["kon", "alder"]


@pytest.mark.parametrize(
    ("measure", "values", "expected"),
    [
        (
            SHARE,
            {"target_value": "80", "target_near_margin": "5", "direction": "increase"},
            {"target_value": 80.0, "target_near_margin": 5.0, "direction": "increase"},
        ),
        (
            SHARE,
            {"target_value": "12,5", "direction": "decrease"},
            {"target_value": 12.5, "target_near_margin": None, "direction": "decrease"},
        ),
        (
            MEAN,
            {"target_value": 4, "target_near_margin": 0.5, "direction": "increase"},
            {"target_value": 4.0, "target_near_margin": 0.5, "direction": "increase"},
        ),
        (
            DAYS,
            {"target_value": "30", "target_near_margin": "40", "direction": "decrease"},
            {"target_value": 30.0, "target_near_margin": 40.0, "direction": "decrease"},
        ),
        (
            SHARE,
            {"direction": "increase"},
            {"target_value": None, "target_near_margin": None, "direction": "increase"},
        ),
        (STORY, {}, {"target_value": None, "target_near_margin": None, "direction": None}),
    ],
)
def test_accepted_targets(measure, values, expected):
    checked, problems = targets.check_target(values, measure=measure, codelist_ids=KNOWN)
    assert problems == []
    assert {k: checked[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("measure", "values", "field", "code", "message"),
    [
        (
            SHARE,
            {"target_value": "åtta"},
            "target_value",
            "target_not_number",
            "Målvärde: ”åtta” är inget tal. Skriv till exempel 80 eller 2,5.",
        ),
        (
            SHARE,
            {"target_value": "80", "direction": "increase", "target_near_margin": "x"},
            "target_near_margin",
            "margin_not_number",
            "Marginal: ”x” är inget tal. Skriv till exempel 5 eller 0,5.",
        ),
        (
            SHARE,
            {"target_near_margin": "5"},
            "target_near_margin",
            "margin_without_target",
            "Marginal: ange ett målvärde när du anger en marginal.",
        ),
        (
            SHARE,
            {"target_value": "80", "direction": "increase", "target_near_margin": "-1"},
            "target_near_margin",
            "margin_negative",
            "Marginal: marginalen får inte vara negativ (den är -1).",
        ),
        (
            SHARE,
            {"target_value": "4", "direction": "increase", "target_near_margin": "5"},
            "target_near_margin",
            "margin_too_large",
            "Marginal: 5 är för stor. Målvärdet 4 ligger 4 från skalans ände (0), och marginalen "
            "måste vara mindre än så.",
        ),
        (
            SHARE,
            {"target_value": "97", "direction": "decrease", "target_near_margin": "3"},
            "target_near_margin",
            "margin_too_large",
            "Marginal: 3 är för stor. Målvärdet 97 ligger 3 från skalans ände (100), och "
            "marginalen måste vara mindre än så.",
        ),
        (
            MEAN,
            {"target_value": "4,5", "direction": "decrease", "target_near_margin": "0,5"},
            "target_near_margin",
            "margin_too_large",
            "Marginal: 0,5 är för stor. Målvärdet 4,5 ligger 0,5 från skalans ände (5), och "
            "marginalen måste vara mindre än så.",
        ),
        (
            SHARE,
            {"target_value": "120", "direction": "increase"},
            "target_value",
            "target_out_of_range",
            "Målvärde: 120 ligger utanför måttets skala. För en andel (%) ska målvärdet ligga "
            "mellan 0 och 100.",
        ),
        (
            SHARE,
            {"target_value": "-5", "direction": "increase"},
            "target_value",
            "target_out_of_range",
            "Målvärde: -5 ligger utanför måttets skala. För en andel (%) ska målvärdet ligga "
            "mellan 0 och 100.",
        ),
        (
            COUNT,
            {"target_value": "-1", "direction": "decrease"},
            "target_value",
            "target_below_minimum",
            "Målvärde: -1 är för litet. För ett antal kan målvärdet inte vara mindre än 0.",
        ),
        (
            SHARE,
            {"direction": "upp"},
            "direction",
            "direction_unknown",
            "Riktning: ”upp” är ingen riktning. Välj ska öka eller ska minska.",
        ),
        (
            SHARE,
            {"target_value": "80"},
            "direction",
            "direction_required",
            "Riktning: ett mått med målvärde behöver en riktning (ska öka eller ska minska).",
        ),
        (
            STORY,
            {"target_value": "3", "direction": "increase"},
            "target_value",
            "target_qualitative",
            "Målvärde: ett kvalitativt mått har inget målvärde. Ta bort målvärdet och marginalen.",
        ),
        (
            SHARE,
            {"disaggregations": ["kon", "lan"]},
            "disaggregations",
            "unknown_codelist",
            "Nedbrytningar: ”lan” är ingen kodlista i studien. Studiens kodlistor: kon, alder.",
        ),
    ],
)
def test_refused_targets(measure, values, field, code, message):
    _checked, problems = targets.check_target(values, measure=measure, codelist_ids=KNOWN)
    assert [(p.field, p.code, p.message) for p in problems] == [(field, code, message)]


def test_disaggregations_follow_the_study_order_once():
    checked, problems = targets.check_target(
        {"disaggregations": ["alder", "kon", "alder"]}, measure=SHARE, codelist_ids=KNOWN
    )
    assert problems == [] and checked["disaggregations"] == ["kon", "alder"]


def test_messages_render_in_the_readers_language():
    _checked, [problem] = targets.check_target(
        {"target_value": "120", "direction": "increase"}, measure=SHARE, codelist_ids=KNOWN
    )
    seen = []

    def gettext(msgid):
        seen.append(msgid)
        return msgid

    problem.render(gettext)
    assert "en andel (%)" in seen  # the scale's name is translated too


AGE = {
    "id": "alder",
    "name": "Åldersgrupp",
    "codes": "16-29 16–29 år\n30-49 30–49 år\n\n50-64 50–64 år",
    "total_code": "_T",
    "total_label": "Alla åldrar",
}


def test_a_codelist_is_read_from_lines():
    values, problems = targets.check_codelist(AGE)
    assert problems == []
    assert values == {
        "id": "alder",
        "name": "Åldersgrupp",
        "total": {"code": "_T", "label": "Alla åldrar"},
        "codes": [
            {"code": "16-29", "label": "16–29 år"},
            {"code": "30-49", "label": "30–49 år"},
            {"code": "50-64", "label": "50–64 år"},
        ],
    }
    assert targets.parse_code_lines(targets.code_lines(values["codes"]))[0] == (
        1,
        "16-29",
        "16–29 år",
    )


@pytest.mark.parametrize(
    ("change", "taken", "field", "code", "message"),
    [
        (
            {"id": "ålder"},
            [],
            "id",
            "codelist_id_invalid",
            "Id: ”ålder” är inget giltigt id. Använd bokstäver a–z, siffror, punkt, bindestreck "
            "och understreck (högst 64 tecken), till exempel alder.",
        ),
        (
            {},
            ["alder"],
            "id",
            "codelist_id_taken",
            "Id: studien har redan en kodlista med id ”alder”.",
        ),
        (
            {"name": " "},
            [],
            "name",
            "codelist_name_required",
            "Namn: ge kodlistan ett namn, till exempel Åldersgrupp.",
        ),
        (
            {"codes": "K Kvinna"},
            [],
            "codes",
            "codelist_too_few_codes",
            "Koder: en kodlista behöver minst två koder (den har 1).",
        ),
        (
            {"codes": "K Kvinna\nK Kille"},
            [],
            "codes",
            "code_duplicate",
            "Koder, rad 2: koden ”K” finns redan på rad 1.",
        ),
        (
            {"codes": "K Kvinna\nM"},
            [],
            "codes",
            "code_label_missing",
            "Koder, rad 2: koden ”M” saknar etikett. Skriv koden, ett blanksteg och etiketten, "
            "till exempel K Kvinna.",
        ),
        (
            {"codes": "K Kvinna\n%M Man"},
            [],
            "codes",
            "code_invalid",
            "Koder, rad 2: ”%M” är ingen giltig kod. Använd bokstäver a–z, siffror, punkt, "
            "bindestreck och understreck.",
        ),
        (
            {"codes": "K Kvinna\nM Man", "total_code": "K"},
            [],
            "total_code",
            "total_among_codes",
            "Totalkod: ”K” är också en av kodlistans koder. Totalen behöver en egen kod, till "
            "exempel _T.",
        ),
        (
            {"total_code": ""},
            [],
            "total_code",
            "total_invalid",
            "Totalkod: ”” är ingen giltig kod. Använd till exempel _T.",
        ),
        (
            {"total_label": ""},
            [],
            "total_label",
            "total_label_required",
            "Totalens etikett: skriv till exempel Totalt.",
        ),
    ],
)
def test_refused_codelists(change, taken, field, code, message):
    _values, problems = targets.check_codelist({**AGE, **change}, taken_ids=taken)
    assert [(p.field, p.code, p.message) for p in problems] == [(field, code, message)]


def test_kon_is_offered_unless_the_study_has_its_own():
    assert [c["id"] for c in targets.with_defaults([])] == ["kon"]
    own = {"id": "kon", "name": "Kön", "total": {"code": "_T", "label": "Alla"}, "codes": []}
    assert targets.with_defaults([own]) == [own]
    age = {"id": "alder", "name": "Ålder", "total": {}, "codes": []}
    assert [c["id"] for c in targets.with_defaults([age])] == ["kon", "alder"]
