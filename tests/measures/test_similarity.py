"""Duplicate suggestions on real-looking Swedish proposals (pure)."""

import time

import pytest

from consensus.measures.similarity import suggest_by_indicator, suggest_duplicates, tokens

TABLE = [
    (1, "Andel deltagare som upplever ökat inflytande (enkät vid 6 mån)", "survey", ""),
    (2, "Deltagarnas upplevda inflytande, enkätfråga vid sex månader", "survey", ""),
    (3, "Antal avslut till arbete enligt SUS", "register", "antal"),
    (4, "Deltagarens egen bedömning av delaktighet i planeringen", "interview", ""),
    (5, "Antal deltagare som avslutats till arbete, uppgift ur SUS", "register", "antal"),
    (6, "Styrelsens bedömning av samverkansklimatet", "survey", ""),
]


def _proposals():
    return [
        {"id": i, "indicator": "P01", "name": name, "description": "", "method": m, "unit": u}
        for i, name, m, u in TABLE
    ]


@pytest.mark.parametrize(
    ("a", "b", "suggested"),
    [(1, 2, True), (1, 3, False), (2, 3, False), (3, 5, True), (1, 4, False), (4, 6, False)],
)
def test_suggestions(a, b, suggested):
    pairs = {(s.first, s.second) for s in suggest_duplicates(_proposals())}
    assert ((a, b) in pairs) is suggested


def test_suggestion_is_explained():
    s = next(s for s in suggest_duplicates(_proposals()) if (s.first, s.second) == (1, 2))
    # The words as people wrote them (abbreviations written out), never stems ("deltag").
    assert {"deltagare", "upplever", "inflytande", "6", "månad"} <= set(s.shared_words)
    assert not {"deltag", "upplev", "inflyt"} & set(s.shared_words)
    assert s.shared_fields == ("method",)
    assert 0 < s.text_score <= s.score <= 1


def test_never_across_indicators():
    props = _proposals()
    props[1]["indicator"] = "P02"
    assert all((s.first, s.second) != (1, 2) for s in suggest_by_indicator(props)["P01"])


def test_tokens_normalise_swedish():
    assert tokens("Deltagarnas upplevda inflytande") == tokens("deltagare upplever inflytande")


def test_two_thousand_proposals_fast():
    props = [
        {
            "id": n,
            "indicator": f"I{n % 15}",
            "name": f"{TABLE[n % 6][1]} variant {n}",
            "description": "Beskrivning av hur måttet samlas in hos förbundet",
            "method": "survey",
        }
        for n in range(2000)
    ]
    start = time.perf_counter()
    suggest_by_indicator(props)
    assert time.perf_counter() - start < 5
