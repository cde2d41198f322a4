"""Issue 15 in the study report: the method as applied, and a core set short of the target."""

from consensus.extensions import db
from tests.rounds.test_round_views import panelist_client
from tests.rounds.test_round_views import setup as setup  # noqa: F401  (the fixture)


def report(leader):
    return leader.get("/studier/pilot/rapport").get_data(as_text=True)


def test_the_report_states_the_studys_own_rule_and_settings(app, setup):  # noqa: F811
    leader, study = setup["leader"], setup["study"]
    study.rule_params = {"high": 0.8, "low": 0.1}
    study.min_ratings = 3
    study.min_group_size = 4
    db.session.commit()
    leader.post("/studier/pilot/omgangar", data={"method": "approval", "max_selections": "2"})
    page = report(leader)
    method = page.split('id="method"')[1].split("</dl>")[0]
    assert "andel 7–9 ≥ 80\u00a0% och andel 1–3 < 10\u00a0%" in method
    primary = method.split("Omgång 1")[0]
    assert "COMET 80/10:" in primary and "70" not in primary
    assert "3: en indikator som färre har bedömt" in method
    assert "4 deltagare som svarade i omgången" in method
    # The approval round has its own scale and rule: K as on its ballot, not the target 15.
    approval = method.split("Omgång 1")[1]
    assert "väljer högst 2 indikatorer" in approval
    assert "De 15 mest röstade" in approval  # the rule's cut: the target core size
    assert "Skala 1–9" not in approval
    for text in ("Cohens kappa, oviktad", "linjär interpolation", "”övriga”"):
        assert text in method


def test_a_smaller_core_set_with_a_named_addition_is_in_the_report(app, setup):  # noqa: F811
    leader, ids, study = setup["leader"], setup["ids"], setup["study"]
    study.target_core_size = 2
    db.session.commit()
    leader.post("/studier/pilot/omgangar", data={"method": "rating", "is_final": "y"})
    leader.post("/studier/pilot/omgangar/1/oppna")
    for (_p, token), values in zip(
        setup["panel"], [("9", "5", "4"), ("8", "6", "3"), ("9", "4", "5")], strict=True
    ):
        c = panelist_client(app, token)
        c.post(
            "/deltagare/omgang/1",
            data={f"value-{ids[k]}": v for k, v in zip(("P01", "E01", "M01"), values, strict=True)},
        )
    leader.post("/studier/pilot/omgangar/1/stang", data={"confirm": "y"})
    page = leader.get("/studier/pilot/omgangar/1/beslut").get_data(as_text=True)
    assert 'id="core-shortfall"' in page and "färre än målet 2" in page
    form = {
        f"decision-{ids['P01']}": "core",
        f"decision-{ids['E01']}": "core",
        f"reason-{ids['E01']}": "Styrgruppen vill följa hållbara effekter.",
        f"decision-{ids['M01']}": "excluded",
    }
    assert leader.post("/studier/pilot/omgangar/1/beslut", data=form).status_code == 302
    page = report(leader)
    outcome = page.split('id="core-outcome"')[1].split("</p>")[0]
    assert "1 indikatorer nådde konsensus" in outcome and "färre än målet 2" in outcome
    assert "E01" in outcome and "Styrgruppen vill följa hållbara effekter." in outcome
