"""Ballot files: validation (consensus.rounds.ballot_files, pure) and the all-or-nothing import."""

import pytest
from sqlalchemy import func, select

from consensus.extensions import db
from consensus.rounds import services
from consensus.rounds.ballot_files import (
    BALLOT_MESSAGES,
    BallotAnswer,
    BallotProblem,
    NewParticipant,
    parse_ballots,
    parse_value,
)
from consensus.rounds.models import Answer
from consensus.studies.models import Participant
from consensus.tabular import MESSAGES, write_xlsx

GROUPS = {"politiker": "Politiker", "chefer": "Chefer"}
PANEL = {"P001": "politiker", "P002": "chefer"}
CODES = ["I1", "I2", "I3"]


def csv(*lines):
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def parse(content, method="rating", **kwargs):
    kwargs.setdefault("indicators", CODES)
    kwargs.setdefault("groups", GROUPS)
    kwargs.setdefault("panel", PANEL)
    return parse_ballots(content, "röster.csv", method=method, **kwargs)


def messages(result):
    return [p.message for p in result.problems]


HEADER = "Deltagarkod;Intressentgrupp;Indikatorkod;Värde"


def test_a_valid_rating_file():
    result = parse(
        csv(
            HEADER,
            "P001;;I1;7",
            "p001;Politiker;i2;KAN EJ  BEDÖMA",
            "K-1;chefer;I1;9",
            "K-1;Chefer;I3;1",
        )
    )
    assert result.ok, messages(result)
    first, paper = result.ballots
    assert (first.participant, first.group, first.new) == ("P001", "politiker", False)
    assert first.answers == [BallotAnswer(2, "I1", 7), BallotAnswer(3, "I2", None, True)]
    assert (paper.participant, paper.group, paper.new) == ("K-1", "chefer", True)
    assert result.new_participants == [NewParticipant("K-1", "chefer", 4)]
    assert result.n_answers == 4


def test_other_headings_and_xlsx():
    content = write_xlsx(
        {"Röster": (["Deltagare", "Grupp", "Kod", "Svar"], [["P002", "chefer", "I3", 5]])}
    )
    result = parse_ballots(
        content,
        "röster.xlsx",
        method="rating",
        indicators=CODES,
        groups=GROUPS,
        panel=PANEL,
    )
    assert result.ok, messages(result)
    assert result.ballots[0].answers == [BallotAnswer(2, "I3", 5)]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "P001;;I1;10",
            "Rad 2, kolumn ”Värde”: ”10” är inget giltigt svar. Ange en hel siffra från 1 till 9 "
            "eller ”kan ej bedöma”.",
        ),
        ("P001;;I1;7,5", "Rad 2, kolumn ”Värde”: ”7,5” är inget giltigt svar."),
        ("P001;;I1;", "Rad 2, kolumn ”Värde”: värde saknas."),
        ("P001;;I9;5", "Rad 2, kolumn ”Indikatorkod”: ”I9” är ingen indikator i omgång 2."),
        (
            "P001;Forskare;I1;5",
            "Rad 2, kolumn ”Intressentgrupp”: ”Forskare” är inte en intressentgrupp i studien. "
            "Tillåtna värden: Politiker, Chefer.",
        ),
        (
            "P001;Chefer;I1;5",
            "Rad 2, kolumn ”Intressentgrupp”: deltagaren ”P001” hör till intressentgruppen "
            "”Politiker” i panelen, inte ”Chefer”.",
        ),
        (
            "K-9;;I1;5",
            "Rad 2, kolumn ”Intressentgrupp”: deltagarkoden ”K-9” finns inte i panelen. Ange "
            "intressentgrupp för nya deltagare.",
        ),
        (
            "P123;chefer;I1;5",
            "Rad 2, kolumn ”Deltagarkod”: deltagarkoden ”P123” finns inte i panelen",
        ),
        ("K 9;chefer;I1;5", "Rad 2, kolumn ”Deltagarkod”: ”K 9” är ingen giltig deltagarkod."),
        (";chefer;I1;5", "Rad 2, kolumn ”Deltagarkod”: värde saknas."),
    ],
)
def test_rating_problems_name_row_and_column(line, message):
    result = parse(csv(HEADER, line), round_number=2)
    assert not result.ok
    assert any(m.startswith(message) for m in messages(result)), messages(result)


def test_duplicates_are_reported_on_every_row():
    result = parse(csv(HEADER, "P001;;I1;5", "P002;;I1;5", "p001;;i1;6"))
    assert messages(result) == [
        "Rad 2, kolumn ”Indikatorkod”: deltagaren ”P001” har ett svar för indikatorn ”I1” "
        "också på rad 4. Varje deltagare får bara svara en gång per indikator.",
        "Rad 4, kolumn ”Indikatorkod”: deltagaren ”P001” har ett svar för indikatorn ”i1” "
        "också på rad 2. Varje deltagare får bara svara en gång per indikator.",
    ]


def test_a_new_code_in_two_groups():
    result = parse(csv(HEADER, "K-1;chefer;I1;5", "K-1;politiker;I2;5"))
    assert messages(result) == [
        "Rad 2, kolumn ”Intressentgrupp”: deltagaren ”K-1” står med en annan intressentgrupp "
        "på rad 3. En deltagare hör till en enda grupp."
    ]


def test_approval_files():
    ok = parse(csv(HEADER, "P001;;I1;1", "P001;;I2;0", "P001;;I3;1"), "approval", max_selections=2)
    assert ok.ok and [a.indicator for a in ok.ballots[0].answers] == ["I1", "I3"]
    too_many = parse(
        csv(HEADER, "P001;;I1;1", "P001;;I2;1", "P001;;I3;1"), "approval", max_selections=2
    )
    assert messages(too_many) == [
        "Rad 4, kolumn ”Indikatorkod”: deltagaren ”P001” har valt 3 indikatorer men får välja "
        "högst 2."
    ]
    bad = parse(csv(HEADER, "P001;;I1;x"), "approval", max_selections=2)
    assert messages(bad) == [
        "Rad 2, kolumn ”Värde”: ”x” är inget giltigt värde. Ange 1 för varje vald indikator "
        "(0 = inte vald)."
    ]
    with pytest.raises(ValueError):
        parse(csv(HEADER, "P001;;I1;1"), "approval")


def test_ranking_files():
    ok = parse(csv(HEADER, "P001;;I2;1", "P001;;I1;2", "P002;;I3;1"), "ranking")
    assert ok.ok and [(a.indicator, a.value) for a in ok.ballots[0].answers] == [
        ("I2", 1),
        ("I1", 2),
    ]
    dup = parse(csv(HEADER, "P001;;I1;1", "P001;;I2;1"), "ranking")
    assert messages(dup) == [
        "Rad 2, kolumn ”Värde”: deltagaren ”P001” har gett rangen 1 också på rad 3. Varje "
        "rang får bara användas en gång.",
        "Rad 3, kolumn ”Värde”: deltagaren ”P001” har gett rangen 1 också på rad 2. Varje "
        "rang får bara användas en gång.",
    ]
    gap = parse(csv(HEADER, "P001;;I1;1", "P001;;I2;3"), "ranking")
    assert messages(gap) == [
        "Rad 2, kolumn ”Värde”: deltagaren ”P001” har rangordnat 2 indikatorer men rang 2 "
        "saknas. Rangerna ska vara 1, 2, 3 … utan luckor."
    ]
    top = parse(csv(HEADER, "P001;;I1;3"), "ranking", top_m=2)
    assert messages(top) == [
        "Rad 2, kolumn ”Värde”: ”3” är ingen giltig rang. Ange ett heltal från 1 till 2 "
        "(1 = först)."
    ]


def test_a_missing_column_stops_early():
    result = parse(csv("Deltagarkod;Värde", "P001;5"))
    assert [p.code for p in result.problems] == ["missing_column"]
    assert result.ballots == []


@pytest.mark.parametrize(
    ("method", "text", "expected"),
    [
        ("rating", "9", ("ok", (9, False))),
        ("rating", " Kan ej bedöma ", ("ok", (None, True))),
        ("rating", "0", ("invalid_rating", {"value": "0"})),
        ("approval", "1", ("ok", (1, False))),
        ("approval", "0", ("skip", None)),
        ("ranking", "4", ("invalid_rank", {"value": "4", "max": 3})),
        ("ranking", "3", ("ok", (3, False))),
    ],
)
def test_parse_value(method, text, expected):
    assert parse_value(method, text, limit=3) == expected


# --- the import through the services ---------------------------------------------------------


@pytest.fixture
def open_round(delphi):
    r = services.create_round(delphi.study, "rating")
    services.open_round(r)
    db.session.commit()
    return r


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_is_all_or_nothing(delphi, open_round):
    a0 = delphi.member("a").pseudonym
    bad = csv(HEADER, f"{a0};;I1;7", "K-1;b;I2;5", f"{a0};;I2;12")
    parsed = services.parse_ballot_file(open_round, bad, "röster.csv")
    assert messages(parsed) == [
        "Rad 4, kolumn ”Värde”: ”12” är inget giltigt svar. Ange en hel siffra från 1 till 9 "
        "eller ”kan ej bedöma”."
    ]
    with pytest.raises(services.RoundError):
        services.import_ballots(open_round, parsed)
    db.session.rollback()
    assert count(Answer) == 0
    assert count(Participant) == len(delphi.panel)

    good = csv(HEADER, f"{a0};;I1;7", "K-1;b;I2;5", f"{a0};A;I2;kan ej bedöma")
    parsed = services.parse_ballot_file(open_round, good, "röster.csv")
    assert parsed.ok, messages(parsed)
    assert services.import_ballots(open_round, parsed, filename="röster.csv") == (2, 3, 1)
    db.session.commit()
    paper = db.session.scalar(select(Participant).where(Participant.pseudonym == "K-1"))
    assert (paper.joined_via, paper.group_id) == ("paper", delphi.groups["b"].id)
    assert count(Answer) == 3
    # Importing the file again changes nothing: each ballot replaces the participant's.
    parsed = services.parse_ballot_file(open_round, good, "röster.csv")
    assert parsed.new_participants == []
    services.import_ballots(open_round, parsed)
    db.session.commit()
    assert count(Answer) == 3


def test_import_into_a_closed_round_is_refused(delphi, open_round):
    services.close_round(open_round)
    db.session.commit()
    content = csv(HEADER, f"{delphi.member('a').pseudonym};;I1;7")
    parsed = services.parse_ballot_file(open_round, content, "röster.csv")
    with pytest.raises(services.RoundError) as caught:
        services.import_ballots(open_round, parsed)
    assert caught.value.code == "round_closed"


def test_every_ballot_message_renders_without_placeholders():
    params = {
        "value": "x",
        "max": 9,
        "round": 2,
        "participant": "K-1",
        "group": "Chefer",
        "other_rows": [3, 9],
        "count": 4,
        "missing": 2,
        "digits": "12",
    }
    for code in BALLOT_MESSAGES.messages:
        rendered = BallotProblem(4, "Värde", code, params).message
        assert rendered.startswith("Rad 4, kolumn ”Värde”: "), code
        assert "{" not in rendered and "}" not in rendered, code
    assert "rad 3 och 9" in BallotProblem(4, "X", "duplicate_answer", params).message
    assert BallotProblem(None, None, "unknown_indicator", params).message[0] == "”"
    # Codes of the table layer keep their own templates.
    assert BallotProblem(2, "Värde", "required", {}).message == (
        "Rad 2, kolumn ”Värde”: värde saknas. Kolumnen måste fyllas i."
    )
    assert set(BALLOT_MESSAGES.messages).isdisjoint(MESSAGES.messages)
