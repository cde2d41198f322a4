"""Issue 15: the experts' rating of the measures follows the rounds' rules: the study's minimum
number of ratings (fewer: undecided, "för få bedömningar") and n = 0 reads "ej bedömd"."""

from consensus.extensions import db
from consensus.measures import services as ms
from tests.conftest import PASSWORD, share_studies
from tests.measures.test_measure_services import _submitted, survey  # noqa: F401 (fixture)

# Relevance ratings of five measures by five experts ("x" = kan ej bedöma, None = no rating):
#         e1 e2 e3 e4 e5     n  7-9   1-3   COMET 70/15      minimum 5        minimum 1
#   M1     9  -  -  -  -     1  1.0   0     in               undecided (too few)  in
#   M2     x  -  -  -  -     0  -     -     undecided        not rated         not rated
#   M3     8  8  8  9  7     5  1.0   0     in               in                in
#   M4     1  2  1  2  3     5  0     1.0   out              out               out
#   M5     9  9  9  9  x     4  1.0   0     in               undecided (too few)  in
RATINGS = [
    [9, "x", 8, 1, 9],
    [None, None, 8, 2, 9],
    [None, None, 8, 1, 9],
    [None, None, 9, 2, 9],
    [None, None, 7, 3, "x"],
]


def _rated(study, survey):  # noqa: F811
    proposals = _submitted(study, survey, 5)
    indicator = study.indicators[0]
    measures = [ms.merge_proposals(survey, indicator, [p.id]) for p in proposals]
    experts = [
        ms.add_expert(survey, email=f"e{k}@x.se", level="lokal").participant for k in range(5)
    ]
    for expert, row in zip(experts, RATINGS, strict=True):
        for measure, value in zip(measures, row, strict=True):
            if value is not None:
                ms.save_rating(
                    measure,
                    expert,
                    "relevance",
                    None if value == "x" else value,
                    unable=value == "x",
                )
    db.session.commit()
    return [f"M{m.id}" for m in measures]


def test_minimum_ratings_and_not_rated(app, study, survey):  # noqa: F811
    codes = _rated(study, survey)
    study.min_ratings = 5
    db.session.commit()
    results = ms.rating_results(survey)
    relevance = results["dimensions"]["relevance"]
    assert [relevance["stats"].items[c].n for c in codes] == [1, 0, 5, 5, 4]
    assert [relevance["decisions"][c] for c in codes] == [
        "undecided",
        "undecided",
        "in",
        "out",
        "undecided",
    ]
    assert relevance["reasons"] == {codes[0]: "too_few", codes[1]: "not_rated", codes[4]: "too_few"}
    # Nobody rated feasibility: every measure reads "ej bedömd".
    feasibility = results["dimensions"]["feasibility"]
    assert feasibility["reasons"] == dict.fromkeys(codes, "not_rated")

    study.min_ratings = 1  # the minimum turned off: one rating of 9 is a consensus again
    db.session.commit()
    relevance = ms.rating_results(survey)["dimensions"]["relevance"]
    assert [relevance["decisions"][c] for c in codes] == ["in", "undecided", "in", "out", "in"]
    assert relevance["reasons"] == {codes[1]: "not_rated"}


def test_the_study_rule_and_its_parameters_hold_for_the_measures(app, study, survey):  # noqa: F811
    codes = _rated(study, survey)
    study.min_ratings = 1
    study.primary_rule = "median_iqr"
    study.rule_params = {"median_min": 9}  # IN: median >= 9 and IQR <= 1
    db.session.commit()
    results = ms.rating_results(survey)
    assert results["rule"] == "median_iqr"
    assert results["params"] == {"median_min": 9, "iqr_max": 1, "out_median_max": 3}
    decisions = results["dimensions"]["relevance"]["decisions"]
    # M1 median 9; M3 8 8 8 9 7: median 8 < 9 (IN under the default 7); M4 1 2 1 2 3: median
    # 2, IQR 1: OUT; M5 median 9.
    assert [decisions[c] for c in codes] == ["in", "undecided", "undecided", "out", "in"]


def test_the_page_says_not_rated_and_too_few(app, client, make_user, study, survey):  # noqa: F811
    codes = _rated(study, survey)
    study.min_ratings = 5
    db.session.commit()
    make_user()
    share_studies()  # the leader is made after the study: make them a member
    db.session.commit()
    client.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    page = client.get("/studier/pilot/matt/bedomning").get_data(as_text=True)
    assert codes[0] in page
    assert page.count("ej bedömd") == 1 + 5  # M2's relevance, every feasibility
    assert page.count("för få bedömningar") == 2 + 1  # M1, M5, and the rule sentence
    assert "konsensus: in" in page  # M3
    client.post("/sprak", data={"lang": "en", "next": "/"})
    page = client.get("/studier/pilot/matt/bedomning").get_data(as_text=True)
    assert page.count("not rated") == 6 and page.count("too few ratings") == 3
