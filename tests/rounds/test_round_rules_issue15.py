"""Issue 15: approval and ranking rounds have their own a-priori rule (hand-computed tables).

Approval: the K most voted or a vote-share threshold; ranking: the N highest Borda scores or a
mean-rank limit. The study's minimum number of ratings holds for each (fewer voters, or fewer
panelists who ranked the indicator, than the minimum: undecided).
"""

import pytest

from consensus.extensions import db
from consensus.rounds import services
from consensus.rounds.result_document import RoundFacts, compute_results
from consensus.rounds.round_rule import applied_rule, check_round_rule, describe_sv
from consensus.rounds.stats import votes_frame
from tests.rounds.conftest import make_delphi
from tests.rounds.test_round_views import setup as setup  # noqa: F401  (the fixture)


def facts(codes, method, rule, params, **extra):
    settings = {
        "number": 2,
        "method": method,
        "indicators": [(c, c) for c in codes],
        "groups": [("a", "A")],
        "min_group_size": 1,
        "min_ratings": 1,
        "target_core_size": 15,
        "round_rule": rule,
        "round_rule_params": params,
    }
    settings.update(extra)
    return RoundFacts(**settings)


# Approval, ten voting panelists. Votes (share):
#   A1 10 (100 %), A2 7 (70 %), A3 7 (70 %), A4 6 (60 %), A5 0 (0 %)
APPROVAL_VOTES = {"A1": range(1, 11), "A2": range(1, 8), "A3": range(4, 11), "A4": range(5, 11)}
APPROVAL = votes_frame(
    [(p, "a", code, 1, False) for code, people in APPROVAL_VOTES.items() for p in people]
)
CODES_A = ["A1", "A2", "A3", "A4", "A5"]


@pytest.mark.parametrize(
    ("rule", "params", "min_ratings", "expected", "ties"),
    [
        # >= 70 %: 70 % exactly is IN (the boundary is >=), 60 % and 0 % are OUT.
        ("approval_threshold", {"threshold": 0.70}, 1, "in in in out out", []),
        ("approval_threshold", {"threshold": 0.71}, 1, "in out out out out", []),
        ("approval_threshold", {"threshold": 0.60}, 1, "in in in in out", []),
        # Top 2: A1 (10) IN; A2 and A3 tie on 7 at the cut: both undecided, never broken.
        ("approval_top_k", {"k": 2}, 1, "in undecided undecided out out", ["A2", "A3"]),
        # Top 3: A1, A2, A3 exactly fill it.
        ("approval_top_k", {"k": 3}, 1, "in in in out out", []),
        # The minimum number of ratings: ten voters; a minimum of 11 leaves all undecided,
        # a minimum of 10 changes nothing.
        ("approval_threshold", {"threshold": 0.70}, 11, "undecided " * 5, []),
        ("approval_top_k", {"k": 3}, 11, "undecided " * 5, []),
        ("approval_threshold", {"threshold": 0.70}, 10, "in in in out out", []),
    ],
)
def test_approval_round_rules(rule, params, min_ratings, expected, ties):
    doc = compute_results(
        facts(CODES_A, "approval", rule, params, min_ratings=min_ratings), APPROVAL
    )
    assert [i["decision"] for i in doc["indicators"]] == expected.split()
    assert doc["primary_rule"]["name"] == rule
    assert doc["ties_at_cut"].get(rule, []) == ties
    # The sensitivity table reruns the other approval rule beside the chosen one.
    assert set(doc["indicators"][0]["sensitivity"]) == {"approval_top_k", "approval_threshold"}


# Ranking, four panelists rank all four candidates (rank 1 = first):
#        P1 P2 P3 P4   mean rank          Borda (n - r, n = 4)
#   R1    1  1  2  2   6/4  = 1.5         3+3+2+2 = 10
#   R2    2  3  1  1   7/4  = 1.75        2+1+3+3 = 9
#   R3    3  2  3  4   12/4 = 3.0         1+2+1+0 = 4
#   R4    4  4  4  3   15/4 = 3.75        0+0+0+1 = 1
RANKS = {
    "R1": [1, 1, 2, 2],
    "R2": [2, 3, 1, 1],
    "R3": [3, 2, 3, 4],
    "R4": [4, 4, 4, 3],
}
RANKING = votes_frame(
    [(p, "a", code, r, False) for code, ranks in RANKS.items() for p, r in enumerate(ranks, 1)]
)
CODES_R = ["R1", "R2", "R3", "R4"]


@pytest.mark.parametrize(
    ("rule", "params", "min_ratings", "expected"),
    [
        # Mean rank <= 3: R3 at exactly 3.0 is IN (the boundary is <=).
        ("ranking_mean_rank", {"max_mean_rank": 3.0}, 1, "in in in out"),
        ("ranking_mean_rank", {"max_mean_rank": 2.99}, 1, "in in out out"),
        ("ranking_mean_rank", {"max_mean_rank": 1.75}, 1, "in in out out"),
        ("ranking_mean_rank", {"max_mean_rank": 1.5}, 1, "in out out out"),
        ("ranking_top_n", {"n": 2}, 1, "in in out out"),
        ("ranking_top_n", {"n": 3}, 1, "in in in out"),
        # Four panelists ranked every candidate: a minimum of 5 leaves all undecided.
        ("ranking_mean_rank", {"max_mean_rank": 3.0}, 5, "undecided " * 4),
        ("ranking_mean_rank", {"max_mean_rank": 3.0}, 4, "in in in out"),
    ],
)
def test_ranking_round_rules(rule, params, min_ratings, expected):
    doc = compute_results(facts(CODES_R, "ranking", rule, params, min_ratings=min_ratings), RANKING)
    assert [i["decision"] for i in doc["indicators"]] == expected.split()
    assert [i["mean_rank"] for i in doc["indicators"]] == [1.5, 1.75, 3.0, 3.75]
    assert [i["borda"] for i in doc["indicators"]] == [10, 9, 4, 1]
    assert doc["primary_rule"] == {"name": rule, "params": params}


def test_ranking_ties_at_the_boundary():
    # Two panelists, three candidates: P1 X1 X2 X3, P2 X1 X3 X2.
    # Borda (n = 3): X1 2+2 = 4, X2 1+0 = 1, X3 0+1 = 1. Mean rank: 1, 2.5, 2.5.
    votes = votes_frame(
        [(1, "a", "X1", 1, False), (1, "a", "X2", 2, False), (1, "a", "X3", 3, False)]
        + [(2, "a", "X1", 1, False), (2, "a", "X3", 2, False), (2, "a", "X2", 3, False)]
    )
    codes = ["X1", "X2", "X3"]
    top = compute_results(facts(codes, "ranking", "ranking_top_n", {"n": 2}), votes)
    assert [i["decision"] for i in top["indicators"]] == ["in", "undecided", "undecided"]
    assert top["ties_at_cut"] == {"ranking_top_n": ["X2", "X3"]}
    # A threshold has no cut to tie at: both candidates on 2.5 are IN under <= 2.5 ...
    mean = compute_results(
        facts(codes, "ranking", "ranking_mean_rank", {"max_mean_rank": 2.5}), votes
    )
    assert [i["decision"] for i in mean["indicators"]] == ["in", "in", "in"]
    # ... and both OUT under <= 2.4.
    mean = compute_results(
        facts(codes, "ranking", "ranking_mean_rank", {"max_mean_rank": 2.4}), votes
    )
    assert [i["decision"] for i in mean["indicators"]] == ["in", "out", "out"]


def test_top_m_ballots_count_the_unranked_at_the_shared_rank():
    # Four candidates, each panelist ranks two (top M = 2); the two unranked share rank
    # (2 + 1 + 4) / 2 = 3.5.  P1: R1 1, R2 2.  P2: R2 1, R3 2.
    # Mean rank: R1 (1 + 3.5)/2 = 2.25, R2 (2 + 1)/2 = 1.5, R3 (3.5 + 2)/2 = 2.75, R4 3.5.
    # Ranked by: R1 1, R2 2, R3 1, R4 0 panelists.
    votes = votes_frame(
        [(1, "a", "R1", 1, False), (1, "a", "R2", 2, False)]
        + [(2, "a", "R2", 1, False), (2, "a", "R3", 2, False)]
    )
    rule = ("ranking_mean_rank", {"max_mean_rank": 2.75})
    doc = compute_results(facts(CODES_R, "ranking", *rule, top_m=2), votes)
    assert [i["mean_rank"] for i in doc["indicators"]] == [2.25, 1.5, 2.75, 3.5]
    # R4 <= 2.75 fails, but nobody ranked it: no ranking is fewer than the minimum of 1, so it
    # is undecided (the minimum counts the panelists who ranked the indicator).
    assert [i["decision"] for i in doc["indicators"]] == ["in", "in", "in", "undecided"]
    assert doc["indicators"][3]["sensitivity"]["ranking_mean_rank"] == "undecided"
    # A minimum of 2: only R2 was ranked by two panelists; the others are undecided.
    doc = compute_results(facts(CODES_R, "ranking", *rule, top_m=2, min_ratings=2), votes)
    assert [i["decision"] for i in doc["indicators"]] == [
        "undecided",
        "in",
        "undecided",
        "undecided",
    ]


def test_nobody_voted_is_undecided_under_every_round_rule():
    empty = votes_frame([])
    for method, codes, rule, params in [
        ("approval", CODES_A, "approval_threshold", {"threshold": 0.7}),
        ("ranking", CODES_R, "ranking_mean_rank", {"max_mean_rank": 3}),
    ]:
        doc = compute_results(facts(codes, method, rule, params), empty)
        assert {i["decision"] for i in doc["indicators"]} == {"undecided"}


@pytest.mark.parametrize(
    ("method", "rule", "params", "n_items", "error"),
    [
        ("approval", "approval_top_k", {"k": 5}, 5, None),
        ("approval", "approval_top_k", {}, 5, None),  # K = the study's target
        ("approval", "approval_top_k", {"k": 6}, 5, "round_rule_count"),
        ("approval", "approval_threshold", {"threshold": 0.7}, 5, None),
        ("approval", "approval_threshold", {}, 5, "round_rule_param"),
        ("approval", "approval_threshold", {"threshold": 0}, 5, "round_rule_param"),
        ("approval", "approval_threshold", {"threshold": 1.2}, 5, "round_rule_param"),
        ("approval", "ranking_top_n", {"n": 2}, 5, "round_rule_method"),
        ("ranking", "ranking_mean_rank", {"max_mean_rank": 2.5}, 5, None),
        ("ranking", "ranking_mean_rank", {"max_mean_rank": 0.5}, 5, "round_rule_param"),
        ("ranking", "ranking_mean_rank", {"max_mean_rank": "3"}, 5, "round_rule_param"),
        ("ranking", "ranking_top_n", {"n": 3, "k": 3}, 5, "round_rule_param"),
        ("rating", "comet_70_15", {}, 5, "round_rule_method"),
        ("rating", None, None, 5, None),
    ],
)
def test_check_round_rule(method, rule, params, n_items, error):
    assert check_round_rule(method, rule, params, n_items) == error


def test_applied_rule_and_its_words():
    assert applied_rule("approval", "comet_70_15", {}, 15) == {
        "name": "approval_top_k",
        "params": {"k": 15},
    }
    assert applied_rule(
        "approval",
        "comet_70_15",
        {},
        15,
        round_rule="approval_threshold",
        round_rule_params={"threshold": 0.7},
    ) == {"name": "approval_threshold", "params": {"threshold": 0.7}}
    assert describe_sv("approval_threshold", {"threshold": 0.7}) == (
        "Konsensus när minst 70 % av de röstande väljer indikatorn"
    )
    assert describe_sv("ranking_mean_rank", {"max_mean_rank": 2.5}) == (
        "Konsensus när medelrangen är högst 2,5"
    )
    assert describe_sv("comet_70_15", {"high": 0.8, "low": 0.1}) == (
        "Konsensus när minst 80 % skattar 7–9 och färre än 10 % skattar 1–3 (COMET)"
    )


# --- through the services: chosen a priori, locked once the round opens, applied at close ----


def test_round_rule_is_applied_at_close_and_locked_once_open(app):
    d = make_delphi(panel=(("a", 4),), indicators=4)
    with pytest.raises(services.RoundError) as refused:
        services.create_round(
            d.study, "approval", max_selections=2, rule="approval_top_k", rule_params={"k": 5}
        )
    assert refused.value.code == "round_rule_count"
    db.session.rollback()
    r = services.create_round(
        d.study,
        "approval",
        max_selections=2,
        rule="approval_threshold",
        rule_params={"threshold": 0.5},
    )
    services.set_round_rule(r, "approval_threshold", {"threshold": 0.75})
    db.session.commit()
    services.open_round(r)
    with pytest.raises(services.RoundError) as locked:
        services.set_round_rule(r, "approval_top_k", {"k": 1})
    assert locked.value.code == "round_rule_locked"
    # Votes: I1 by all four (100 %), I2 by three (75 %), I3 by one (25 %), I4 none.
    picks = [["I1", "I2"], ["I1", "I2"], ["I1", "I2"], ["I1", "I3"]]
    for person, codes in zip(d.panel, picks, strict=True):
        services.save_answers(r, person, [{"indicator_id": d.ind(c).id, "value": 1} for c in codes])
    services.close_round(r)
    db.session.commit()
    doc = services.get_result(r)
    assert doc["primary_rule"] == {"name": "approval_threshold", "params": {"threshold": 0.75}}
    assert [i["decision"] for i in doc["indicators"]] == ["in", "in", "out", "out"]
    assert services.decisive_rule(r) == doc["primary_rule"]


def test_the_leader_chooses_the_rule_on_the_create_form(app, client, make_user, study):
    from tests.conftest import PASSWORD, share_studies

    make_user()
    share_studies()  # the leader is made after the study: make them a member
    client.post("/logga-in", data={"email": "pl@example.se", "password": PASSWORD})
    study.min_ratings = 3
    db.session.commit()
    form = {"method": "approval", "max_selections": "1", "approval_rule": "approval_threshold"}
    bad = client.post("/studier/pilot/omgangar", data={**form, "approval_share": "170"})
    assert bad.status_code == 200  # the form again, with the problem at the field
    assert services.rounds(study) == []  # out of range: nothing created
    made = client.post("/studier/pilot/omgangar", data={**form, "approval_share": "70"})
    assert made.status_code == 302
    r = services.rounds(study)[0]
    assert (r.rule, r.rule_params) == ("approval_threshold", {"threshold": 0.7})
    page = client.get("/studier/pilot/omgangar/1").get_data(as_text=True).replace("\xa0", " ")
    assert "In: andel av de röstande ≥ 70 %; annars ut." in page
    assert "Färre än 3 bedömningar: ingen konsensus." in page
    assert "Regeln låses när omgången öppnar." in page
    # Ranking with a mean-rank limit written with a decimal comma.
    db.session.delete(r)
    db.session.commit()
    made = client.post(
        "/studier/pilot/omgangar",
        data={"method": "ranking", "ranking_rule": "ranking_mean_rank", "ranking_mean_rank": "2,5"},
    )
    assert made.status_code == 302
    r = services.rounds(study)[0]
    assert (r.rule, r.rule_params) == ("ranking_mean_rank", {"max_mean_rank": 2.5})
    assert "medelrang ≤ 2,5" in client.get("/studier/pilot/omgangar/1").get_data(as_text=True)


def test_the_ballot_introduction_states_the_rule(app, setup):  # noqa: F811
    from tests.rounds.test_round_views import panelist_client

    leader = setup["leader"]
    leader.post(
        "/studier/pilot/omgangar",
        data={
            "method": "approval",
            "max_selections": "2",
            "approval_rule": "approval_threshold",
            "approval_share": "70",
        },
    )
    leader.post("/studier/pilot/omgangar/1/oppna")
    _, token = setup["panel"][0]
    page = panelist_client(app, token).get("/deltagare/omgang/1").get_data(as_text=True)
    intro = page.replace("\xa0", " ").split('id="ballot-rule">')[1].split("</p>")[0]
    assert intro == "Så avgörs omgången: In: andel av de röstande ≥ 70 %; annars ut."


def test_a_draft_rounds_rule_changes_until_it_opens(app, setup):  # noqa: F811
    leader, study = setup["leader"], setup["study"]
    leader.post("/studier/pilot/omgangar", data={"method": "ranking"})
    r = services.rounds(study)[0]
    assert (r.rule, r.rule_params) == ("ranking_top_n", {})
    detail = leader.get("/studier/pilot/omgangar/1").get_data(as_text=True)
    assert "Ändra konsensusregeln" in detail
    bad = leader.post(
        "/studier/pilot/omgangar/1/regel",
        data={"ranking_rule": "ranking_mean_rank", "ranking_mean_rank": "noll"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Högsta medelrang:" in bad  # the field is named with its problem
    db.session.refresh(r)
    assert r.rule == "ranking_top_n"  # nothing changed
    too_many = leader.post(
        "/studier/pilot/omgangar/1/regel",
        data={"ranking_rule": "ranking_top_n", "ranking_count": "4"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "större än antalet indikatorer i omgången (3)" in too_many
    leader.post(
        "/studier/pilot/omgangar/1/regel",
        data={"ranking_rule": "ranking_mean_rank", "ranking_mean_rank": "1,5"},
    )
    db.session.refresh(r)
    assert (r.rule, r.rule_params) == ("ranking_mean_rank", {"max_mean_rank": 1.5})
    leader.post("/studier/pilot/omgangar/1/oppna")
    locked = leader.post(
        "/studier/pilot/omgangar/1/regel",
        data={"ranking_rule": "ranking_top_n", "ranking_count": "2"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "kan inte ändras efteråt" in locked
    db.session.refresh(r)
    assert r.rule == "ranking_mean_rank"
    assert "Ändra konsensusregeln" not in leader.get("/studier/pilot/omgangar/1").get_data(
        as_text=True
    )
    # The report's method prints the round's own rule.
    report = leader.get("/studier/pilot/rapport").get_data(as_text=True)
    method = report.split('id="method"')[1].split("</dl>")[0].split("Omgång 1")[1]
    assert "Medelrang högst en gräns: In: medelrang ≤ 1,5" in method
    assert "Skala 1–9" not in method and "COMET" not in method
