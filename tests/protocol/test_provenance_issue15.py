"""Issue 15: the protocol's provenance names the rule and scale the rounds really used, and
the combined "övriga" group where suppression combined hidden groups."""

import copy

from consensus.protocol.build import build_protocol
from consensus.protocol.validate import validate_document
from tests.protocol.test_protocol_build import FACTS


def _valid(doc):
    problems = validate_document(doc)
    assert not problems, problems
    return doc


def test_an_approval_and_ranking_study_never_reads_rating_or_comet():
    facts = copy.deepcopy(FACTS)
    facts["rounds"] = [
        {
            "number": 1,
            "method": "approval",
            "max_selections": 5,
            "rule": {"name": "approval_threshold", "params": {"threshold": 0.7}},
            "start": "2030-01-01",
            "end": "2030-01-14",
            "participants": [{"group": "politiker", "invited": 6, "responding": 5}],
        },
        {
            "number": 2,
            "method": "ranking",
            "top_m": 3,
            "rule": {"name": "ranking_mean_rank", "params": {"max_mean_rank": 2.5}},
            "start": "2030-02-01",
            "end": "2030-02-14",
            "participants": [{"group": "politiker", "invited": 6, "responding": 6}],
        },
    ]
    doc = _valid(build_protocol(facts))
    prov = doc["provenance"]
    assert prov["scale"] == {"code": "ranking", "label": {"sv": "Rangordning av de 3 främsta"}}
    assert prov["consensusRule"] == {
        "code": "ranking_mean_rank",
        "label": {"sv": "Konsensus när medelrangen är högst 2,5"},
    }
    notes = [step["note"]["sv"] for step in prov["steps"] if step["kind"] == "delphi-round"]
    assert notes == [
        "Godkännanderöstning, högst 5 val per deltagare. Regel: Konsensus när minst 70 % av "
        "de röstande väljer indikatorn.",
        "Rangordning av de 3 främsta. Regel: Konsensus när medelrangen är högst 2,5.",
    ]
    text = str(prov)
    assert "COMET" not in text and "1–9" not in text


def test_a_rating_study_names_its_rule_with_its_own_thresholds():
    facts = copy.deepcopy(FACTS)
    facts["rounds"][0]["rule"] = {"name": "comet_70_15", "params": {"high": 0.8, "low": 0.1}}
    prov = _valid(build_protocol(facts))["provenance"]
    assert prov["scale"]["code"] == "rating_1_9"
    assert prov["consensusRule"]["label"]["sv"] == (
        "Konsensus när minst 80 % skattar 7–9 och färre än 10 % skattar 1–3 (COMET)"
    )
    assert prov["steps"][0]["note"]["sv"].startswith("Skattning 1–9 (GRADE)")


def test_the_combined_ovriga_group_is_in_the_provenance():
    # Three groups; "a" (2) and "b" (3) were hidden and shown together as "övriga" (5),
    # exactly as the round's results document shows them.
    facts = copy.deepcopy(FACTS)
    facts["groups"] = [
        {"code": "a", "name": "A"},
        {"code": "b", "name": "B"},
        {"code": "c", "name": "C"},
    ]
    facts["rounds"][0]["participants"] = [
        {"group": "c", "invited": 9, "responding": 8},
        {"group": "ovriga", "invited": 5, "responding": 4},
    ]
    prov = _valid(build_protocol(facts))["provenance"]
    assert prov["stakeholderGroups"][-1] == {"id": "ovriga", "name": {"sv": "Övriga grupper"}}
    assert prov["steps"][0]["participants"] == [
        {"group": "c", "invited": 9, "responding": 8},
        {"group": "ovriga", "invited": 5, "responding": 4},
    ]
    # Without a combined group none is added.
    plain = _valid(build_protocol(FACTS))["provenance"]
    assert "ovriga" not in [g["id"] for g in plain["stakeholderGroups"]]
