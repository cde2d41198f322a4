"""The round, ballots and results commands: exit codes, output, one commit each."""

import csv
import io
import json

from sqlalchemy import func, select

from consensus.extensions import db
from consensus.rounds import services
from consensus.rounds.models import Answer, Round
from consensus.studies.models import Participant


def run(runner, *args):
    return runner.invoke(args=[str(a) for a in args])


def write(tmp_path, name, lines):
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return path


def test_a_paper_conference_from_the_command_line(runner, delphi, tmp_path):
    result = run(runner, "round", "create", "delphi", "--method", "rating")
    assert result.exit_code == 0, result.output
    assert "Skapade omgång 1 (rating) med 3 indikatorer." in result.output
    assert run(runner, "round", "open", "delphi", 1).exit_code == 0

    a0, a1, b0 = delphi.member("a", 0), delphi.member("a", 1), delphi.member("b", 0)
    lines = ["Deltagarkod;Intressentgrupp;Indikatorkod;Värde"]
    for p, values in ((a0, (9, 8, 1)), (a1, (8, 8, 2)), (b0, (9, 7, 1))):
        lines += [f"{p.pseudonym};;I{k};{v}" for k, v in enumerate(values, 1)]
    lines += ["K-1;b;I1;kan ej bedöma"]
    result = run(runner, "ballots", "import", "delphi", 1, write(tmp_path, "ok.csv", lines))
    assert result.exit_code == 0, result.output
    assert "Läste in 10 svar från 4 deltagare (1 nya pappersdeltagare)." in result.output

    result = run(runner, "round", "close", "delphi", 1)
    assert result.exit_code == 0, result.output
    assert "4 deltagare svarade" in result.output

    result = run(runner, "results", "delphi", 1, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["round"], doc["method"], doc["n_panelists"]) == (1, "rating", 4)
    assert [i["decision"] for i in doc["indicators"]] == ["in", "in", "out"]
    assert doc["indicators"][0]["unable"] == 1
    for p in delphi.panel:
        assert p.pseudonym not in result.stdout and p.email not in result.stdout

    result = run(runner, "results", "delphi", 1, "--format", "csv")
    assert result.exit_code == 0, result.output
    table = list(csv.reader(io.StringIO(result.stdout)))
    assert table[0][:3] == ["Kod", "Indikator", "n"]
    assert [row[0] for row in table[1:]] == ["I1", "I2", "I3"]

    out = tmp_path / "resultat.csv"
    result = run(runner, "results", "delphi", 1, "--format", "csv", "--excel", "--output", out)
    assert result.exit_code == 0 and out.read_bytes().startswith(b"\xef\xbb\xbfKod;")

    assert run(runner, "round", "confirm", "delphi", 1).exit_code == 0
    result = run(runner, "round", "create", "delphi", "--method", "approval")
    assert result.exit_code == 1 and "högsta antal val" in result.output
    result = run(
        runner,
        "round",
        "create",
        "delphi",
        "--method",
        "approval",
        "--max-selections",
        1,
        "--final",
    )
    assert result.exit_code == 0, result.output
    assert "med 2 indikatorer" in result.output  # I3 was OUT


def test_ballot_file_problems_exit_non_zero_and_write_nothing(runner, delphi, tmp_path):
    run(runner, "round", "create", "delphi", "--method", "rating")
    run(runner, "round", "open", "delphi", 1)
    a0 = delphi.member("a").pseudonym
    lines = [
        "Deltagarkod;Intressentgrupp;Indikatorkod;Värde",
        f"{a0};;I1;7",
        f"{a0};;I9;7",
        "K-2;;I1;5",
    ]
    result = run(runner, "ballots", "import", "delphi", 1, write(tmp_path, "bad.csv", lines))
    assert result.exit_code == 1
    assert "Rad 3, kolumn ”Indikatorkod”: ”I9” är ingen indikator i omgång 1." in result.output
    assert "Rad 4, kolumn ”Intressentgrupp”: deltagarkoden ”K-2” finns inte i panelen." in (
        result.output
    )
    assert "Inget lästes in: 2 fel i filen." in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Answer.id))) == 0
    assert db.session.scalar(select(func.count(Participant.id))) == len(delphi.panel)


def test_refusals_exit_non_zero(runner, delphi):
    assert run(runner, "round", "open", "nosuch", 1).exit_code == 1
    result = run(runner, "round", "open", "delphi", 1)
    assert result.exit_code == 1 and "har ingen omgång 1" in result.output
    run(runner, "round", "create", "delphi", "--method", "rating")
    result = run(runner, "round", "close", "delphi", 1)
    assert result.exit_code == 1 and "Det går inte att stänga en omgång" in result.output
    result = run(runner, "results", "delphi", 1)
    assert result.exit_code == 1 and "inte stängd" in result.output
    result = run(runner, "round", "create", "delphi", "--method", "rating")
    assert result.exit_code == 1 and "redan förberedd eller öppen" in result.output
    result = run(runner, "round", "create", "delphi", "--method", "voting")
    assert result.exit_code == 2  # click refuses the choice


def test_reopen_and_tick(runner, delphi):
    run(
        runner, "round", "create", "delphi", "--method", "rating", "--closes-at", "2999-01-01T12:00"
    )
    run(runner, "round", "open", "delphi", 1)
    result = run(runner, "round", "tick")
    assert result.exit_code == 0 and "Ingen omgång behövde öppnas eller stängas." in result.output
    r = db.session.scalar(select(Round))
    assert r.closes_at.year == 2999
    run(runner, "round", "close", "delphi", 1)
    assert run(runner, "round", "reopen", "delphi", 1).exit_code == 2  # --reason is required
    result = run(runner, "round", "reopen", "delphi", 1, "--reason", "Sen röstsedel")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert services.get_round(delphi.study, 1).status == "open"


def test_refusals_are_printed_in_swedish_from_the_rounds_catalogue(runner, delphi):
    """The command line has no table of its own: it renders ``rounds/messages.py`` in Swedish,
    words of the parameters (action, status) included."""
    assert run(runner, "round", "create", "delphi", "--method", "rating").exit_code == 0
    result = run(runner, "round", "close", "delphi", 1)
    assert result.exit_code == 1
    assert "Det går inte att stänga en omgång med status ”utkast”." in result.output
    result = run(runner, "round", "create", "delphi", "--method", "rating")
    assert result.exit_code == 1
    assert "Error: En annan omgång är redan förberedd eller öppen." in result.output
