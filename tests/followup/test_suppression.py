"""Small cells and what could give them away: primary and complementary suppression worked
by hand, an independent recovery checker run over random tables, and free text."""

import ast
import pathlib
import random

import numpy as np
import pytest
from babel.messages.pofile import read_po

from consensus.followup.scoring import Status, score
from consensus.followup.suppression import (
    Flag,
    Grouping,
    Reason,
    Reporting,
    SuppressionError,
    recoverable,
    release_free_text,
    suppress,
    suppress_values,
    table_groupings,
    text_flags,
)

KON = (("K", "M", "U"), "_T")  # U: "vill inte ange"


def recovered_by_subtraction(cells, groupings, hidden):
    """Every suppressed cell (n > 0) that some combination of subtractions gives back.

    Independent of the module: each grouping is an equation ``total - sum(parts) = 0``; with
    the shown cells known, a hidden cell is recoverable exactly when its unit vector lies in
    the row space of the equations over the hidden cells, i.e. adding it does not raise the
    rank (numpy's rank of a small 0/±1 matrix). One grouping with one hidden cell is the
    simplest case (total minus siblings); the rank also catches sums of several groupings.
    """
    hidden = [c for c in cells if c in hidden]
    if not hidden:
        return set()
    index = {c: i for i, c in enumerate(hidden)}
    rows = []
    for g in groupings:
        row = np.zeros(len(hidden))
        for cell, sign in [(g.total, 1.0)] + [(p, -1.0) for p in g.parts]:
            if cell in index:
                row[index[cell]] += sign
        if row.any():
            rows.append(row)
    matrix = np.array(rows) if rows else np.zeros((0, len(hidden)))
    rank = np.linalg.matrix_rank(matrix) if rows else 0
    found = set()
    for cell, i in index.items():
        unit = np.zeros((1, len(hidden)))
        unit[0, i] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank and cells[cell] > 0:
            found.add(cell)
    return found


def lone_hidden(groupings, hidden):
    return [g for g in groupings if sum(c in hidden for c in g.cells) == 1]


# --- by hand -----------------------------------------------------------------------------


def test_a_lone_small_cell_beside_a_total_gets_a_partner():
    # _T = 20 = K 3 + M 17: K is primary; shown M and _T give K = 20 - 17, so M goes too
    cells = {"K": 3, "M": 17, "_T": 20}
    result = suppress(cells, [Grouping("_T", ("K", "M"))])
    assert result.primary == ["K"] and result.reason("K") is Reason.PRIMARY
    assert result.complementary == ["M"] and result.reason("M") is Reason.COMPLEMENTARY
    assert result.cells["M"].protects == "K"
    assert result.reason("_T") is None and "_T" not in result


def test_the_partner_is_the_smallest_shown_sibling_not_the_total():
    # K 3, M 11, U 6, _T 20: partner U (6 < 11; the total is kept)
    cells = {("K",): 3, ("M",): 11, ("U",): 6, ("_T",): 20}
    result = suppress(cells, table_groupings([KON]))
    assert result.primary == [("K",)]
    assert result.complementary == [("U",)]


def test_zero_is_shown_and_never_a_partner():
    # K 3, M 17, U 0: U = 0 is shown (nothing about anyone) and does not protect K: M goes
    cells = {"K": 3, "M": 17, "U": 0, "_T": 20}
    result = suppress(cells, [Grouping("_T", ("K", "M", "U"))])
    assert result.primary == ["K"] and result.complementary == ["M"]


def test_a_small_total_hides_with_its_small_part():
    # _T 4 = K 4 + M 0: both 4s primary, the 0 shown; two hidden in the grouping: done
    cells = {"K": 4, "M": 0, "_T": 4}
    result = suppress(cells, [Grouping("_T", ("K", "M"))])
    assert set(result.primary) == {"K", "_T"} and result.complementary == []


def test_two_groupings_sharing_a_cell():
    #            K    M   _T
    #   A        2   10   12
    #   B        6    8   14
    #   _T       8   18   26
    # (A,K) = 2 is primary. Column K (A,K)+(B,K)=(_T,K) has it alone: partner (B,K) = 6.
    # Row A (A,K)+(A,M)=(A,_T) has it alone: partner (A,M) = 10. Column M now has (A,M) alone:
    # partner (B,M) = 8. Row B has two hidden. The four hidden cells form a cycle:
    # a+b = 12, c+d = 14, a+c = 8, b+d = 18 has rank 3 in 4 unknowns: none is fixed.
    dims = [(("A", "B"), "_T"), (("K", "M"), "_T")]
    cells = {
        ("A", "K"): 2, ("A", "M"): 10, ("A", "_T"): 12,
        ("B", "K"): 6, ("B", "M"): 8, ("B", "_T"): 14,
        ("_T", "K"): 8, ("_T", "M"): 18, ("_T", "_T"): 26,
    }  # fmt: skip
    groupings = table_groupings(dims)
    assert len(groupings) == 6
    result = suppress(cells, groupings)
    assert result.primary == [("A", "K")]
    assert set(result.complementary) == {("B", "K"), ("A", "M"), ("B", "M")}
    hidden = set(result.cells)
    assert recovered_by_subtraction(cells, groupings, hidden) == set()
    assert recoverable(groupings, hidden) == set()


def test_kon_and_local_groups_share_the_total_in_one_call():
    # one measure's cells of a wave: the förbund's total 30 = K 3 + M 20 + U 7 = A 12 + B 14
    # + C 4. K and C are primary; kön: K alone -> U (7 < 20); groups: C alone -> A (12 < 14).
    # The total stays shown in both breakdowns (suppressing them apart could hide it in one
    # and show it in the other): K + U = 10 and A + C = 16 fix neither.
    cells = {
        "_T": 30, ("kon", "K"): 3, ("kon", "M"): 20, ("kon", "U"): 7,
        ("grupp", "A"): 12, ("grupp", "B"): 14, ("grupp", "C"): 4,
    }  # fmt: skip
    groupings = [
        Grouping("_T", (("kon", "K"), ("kon", "M"), ("kon", "U"))),
        Grouping("_T", (("grupp", "A"), ("grupp", "B"), ("grupp", "C"))),
    ]
    result = suppress(cells, groupings)
    assert result.primary == [("kon", "K"), ("grupp", "C")]
    assert result.complementary == [("kon", "U"), ("grupp", "A")]
    assert "_T" not in result
    assert recovered_by_subtraction(cells, groupings, set(result.cells)) == set()


def test_a_cell_fixed_by_combining_groupings_is_found():
    # two cycles joined by one cell: every row and column has two hidden cells, yet
    # row1 + row2 - col1 - col2 leaves x13 alone (the "bridge")
    rows, cols = ("r1", "r2", "r3", "r4"), ("c1", "c2", "c3", "c4")
    hidden = {
        ("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2"),
        ("r3", "c3"), ("r3", "c4"), ("r4", "c3"), ("r4", "c4"),
        ("r1", "c3"),
    }  # fmt: skip
    groupings = table_groupings([(rows, "_T"), (cols, "_T")])
    cells = {key: 7 for g in groupings for key in g.cells}
    assert recoverable(groupings, hidden) == {("r1", "c3")}
    assert recovered_by_subtraction(cells, groupings, hidden) == {("r1", "c3")}
    assert lone_hidden(groupings, hidden) == []


def test_a_partner_against_combined_subtractions():
    #          y0  y1  y2  _T
    #   x0      0   8   1   9
    #   x1     12   1   1  14
    #   x2      2   5   0   7
    #   x3      3   1   0   4
    #   _T     17  15   2  34
    # primary (1..4): x0y2 x1y1 x1y2 x2y0 x3y0 x3y1 x3_T _Ty2. Rule 2 adds x2_T (row _T had
    # x3_T alone), x0y1 (row x0 had x0y2 alone) and _Ty1 (row _T of y: _Ty2 alone). Then every
    # grouping has two hidden cells, yet x3y1 is fixed:
    #   column y0: x20 + x30 = 17 - 0 - 12 = 5      row x2: x2T = x20 + 5 + 0
    #   column _T: x2T + x3T = 34 - 9 - 14 = 11     row x3: x31 = x3T - x30 - 0
    #   x31 = (11 - x2T) - (5 - x20) = 11 - (x20 + 5) - 5 + x20 = 1
    # so rule 3 hides x2y1 = 5, the only shown cell with n > 0 in x3y1's row and column.
    rows = {
        "x0": (0, 8, 1), "x1": (12, 1, 1), "x2": (2, 5, 0), "x3": (3, 1, 0),
    }  # fmt: skip
    ys = ("y0", "y1", "y2")
    cells = {(x, y): n for x, ns in rows.items() for y, n in zip(ys, ns, strict=True)}
    for x, ns in rows.items():
        cells[(x, "_T")] = sum(ns)
    for i, y in enumerate(ys):
        cells[("_T", y)] = sum(ns[i] for ns in rows.values())
    cells[("_T", "_T")] = 34
    groupings = table_groupings([(tuple(rows), "_T"), (ys, "_T")])
    before = {("x0", "y2"), ("x1", "y1"), ("x1", "y2"), ("x2", "y0"), ("x3", "y0"),
              ("x3", "y1"), ("x3", "_T"), ("_T", "y2"), ("x2", "_T"), ("x0", "y1"),
              ("_T", "y1")}  # fmt: skip
    assert lone_hidden(groupings, before) == []
    assert recoverable(groupings, before) == {("x3", "y1")}
    result = suppress(cells, groupings)
    assert set(result.cells) == before | {("x2", "y1")}
    assert result.cells[("x2", "y1")].protects == ("x3", "y1")
    assert result.cells[("x2", "y1")].combined
    assert recovered_by_subtraction(cells, groupings, set(result.cells)) == set()


def test_min_cell_size_and_switches_come_from_the_protocol():
    reporting = Reporting.from_protocol(
        {"reporting": {"minCellSize": 3, "suppression": {"complementary": False}}}
    )
    assert reporting == Reporting(3, True, False, 3)
    result = suppress({"K": 2, "M": 3, "_T": 5}, [Grouping("_T", ("K", "M"))], reporting=reporting)
    assert result.primary == ["K"] and result.complementary == []
    assert Reporting.from_protocol({}) == Reporting(5, True, True, 5)
    with pytest.raises(SuppressionError):
        Reporting.from_protocol({"reporting": {"minCellSize": 0}})


def test_bad_tables_are_refused_with_a_named_cell():
    with pytest.raises(SuppressionError) as error:
        suppress({"K": 3, "M": 17, "_T": 21}, [Grouping("_T", ("K", "M"))])
    assert error.value.code == "not_additive"
    assert "_T" in str(error.value) and "21" in str(error.value)
    with pytest.raises(SuppressionError) as error:
        suppress({"K": 3, "_T": 3}, [Grouping("_T", ("K", "M"))])
    assert error.value.code == "unknown_cell"
    with pytest.raises(SuppressionError):
        suppress({"K": -1}, [])


# --- property: nothing hidden can be recovered (random tables, fixed seed) ---------------


def _random_table(rng):
    """A crossed table of 1-3 dimensions with totals, many small counts and some zeros."""
    dims = []
    for d in range(rng.randint(1, 3)):
        size = rng.randint(2, 4)
        dims.append((tuple(f"{'xyz'[d]}{i}" for i in range(size)), "_T"))
    interior = [()]
    for codes, _total in dims:
        interior = [(*key, code) for key in interior for code in codes]
    counts = {key: rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 20, 40]) for key in interior}
    groupings = table_groupings(dims)
    # fill the totals: the margins by summing the interior (cells sorted interior-first)
    cells = dict(counts)
    totals = {g.total for g in groupings}
    for total in sorted(totals, key=lambda k: sum(c == "_T" for c in k)):
        cells[total] = sum(
            n for key, n in counts.items()
            if all(t == "_T" or t == k for t, k in zip(total, key, strict=True))
        )  # fmt: skip
    return cells, groupings


def _random_breakdowns(rng):
    """Two or three breakdowns (kön, group, age ...) of one total, without their crossing:
    the margins of a hidden crossed table."""
    cells, groupings = _random_table(rng)
    total = next(g.total for g in groupings if all(c == "_T" for c in g.total))
    margins = [g for g in groupings if g.total == total]
    kept = {total} | {p for g in margins for p in g.parts}
    return {k: n for k, n in cells.items() if k in kept}, margins


def test_random_tables_leak_nothing():
    rng = random.Random(20261125)
    combined = 0
    for i in range(400):
        cells, groupings = _random_table(rng) if i % 4 else _random_breakdowns(rng)
        result = suppress(cells, groupings)
        hidden = set(result.cells)
        for cell, n in cells.items():
            assert (cell in result.primary) == (0 < n < 5)
            if n == 0:
                assert cell not in hidden
        assert lone_hidden(groupings, hidden) == []
        assert recovered_by_subtraction(cells, groupings, hidden) == set()
        combined += sum(1 for s in result.cells.values() if s.combined)
    # the seed gives tables where one hidden cell per grouping was not the only leak
    assert combined > 0


# --- free text ----------------------------------------------------------------------------


def test_free_text_only_from_a_cell_that_reaches_the_minimum():
    texts = ["Bra bemötande.", "Mer tid behövs."]
    below = release_free_text(texts, cell_n=4, minimum=5)
    assert (below.released, below.texts, below.withheld) == (False, (), "below_minimum")
    hidden = release_free_text(texts, cell_n=9, minimum=5, suppressed=True)
    assert (hidden.released, hidden.texts, hidden.withheld) == (False, (), "suppressed")
    shown = release_free_text([*texts, "  "], cell_n=5, minimum=5)
    assert shown.released and shown.shown == texts and shown.for_review == []


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("Min handläggare var jättebra.", set()),
        ("Försäkringskassan och Arbetsförmedlingen pratade med varandra.", set()),
        ("Jag fick mycket stöd av FK och AF.", set()),
        ("Tack till Lisa på jobbtorget!", {Flag.NAME}),
        ("Anna var den som hjälpte mig mest.", {Flag.NAME}),
        ("Min coach heter karin och är bra.", {Flag.NAME}),
        ("Jag fick stöd av Svensson varje vecka.", {Flag.NAME}),
        ("Maila mig på ola.p@example.se om ni undrar.", {Flag.EMAIL}),
        ("Ring 070-123 45 67 om ni vill veta mer.", {Flag.PHONE}),
        ("Nummer +46 70 123 45 67 går bra.", {Flag.PHONE}),
        ("Kontor 08-123 456 78 dagtid.", {Flag.PHONE}),
        ("Göteborg 031-12 34 56.", {Flag.PHONE}),
        ("Det tog 10 000 kronor och 2024 var ett bra år.", set()),
        ("Mitt personnummer är 850101-1234.", {Flag.PERSONAL_NUMBER}),
    ],
)
def test_text_that_may_identify_someone_is_flagged(text, flags):
    assert text_flags(text) == flags


def test_flagged_text_waits_for_review():
    release = release_free_text(["Bra stöd.", "Ring Anna på 070-1234567."], cell_n=8, minimum=5)
    assert release.shown == ["Bra stöd."]
    [flagged] = release.for_review
    assert flagged.flags == {Flag.NAME, Flag.PHONE}


# --- the texts ----------------------------------------------------------------------------


def test_every_code_and_text_has_english():
    """The codes that scoring and suppression raise are in the follow-up's one catalogue
    (``followup/messages.py``, where their texts are marked), each with English."""
    from consensus.followup import messages, scoring, suppression
    from tests.test_message_catalogues import PO, _fields, codes_in

    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    path = pathlib.Path(messages.__file__)
    marked = {
        node.args[0].value
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "N_"
    }
    for module, error in ((scoring, "ScoringError"), (suppression, "SuppressionError")):
        codes = codes_in([pathlib.Path(module.__file__)], {error: 0})
        assert module.CATALOGUE is messages.CATALOGUE
        assert len(codes) >= 4 and codes <= set(messages.CATALOGUE.messages), module.__name__
        assert {messages.CATALOGUE.messages[c] for c in codes} <= marked
    texts = [*messages.STATUS_TEXTS.values(), *messages.REASON_TEXTS.values()]
    texts += list(messages.FLAG_TEXTS.values())
    assert set(texts) <= marked
    assert set(messages.STATUS_TEXTS) == {s.value for s in scoring.Status}
    assert set(messages.REASON_TEXTS) == {r.value for r in suppression.Reason}
    assert set(messages.FLAG_TEXTS) == {f.value for f in suppression.Flag}
    for text in marked:
        entry = catalog.get(text)
        assert entry is not None and entry.string and not entry.fuzzy, text
        assert _fields(entry.string) == _fields(text), text


def test_a_measure_table_is_blanked_where_suppressed():
    # I01-M1 by kön: K 3 answers (primary), M 6, U 5, _T 14 -> U (5 < 6) is the partner
    measure = {
        "id": "I01-M1",
        "scoring": "proportion",
        "numerator": {"description": {"sv": "x"}, "rule": {"item": "D01", "values": [4, 5]}},
        "denominator": {"description": {"sv": "x"}, "rule": {"item": "D01"}},
        "target": {"value": 70, "nearMargin": 5},
    }
    answers = {"K": [5, 5, 1], "M": [4, 4, 4, 2, 1, 5], "U": [5, 5, 5, 5, 1]}
    answers["_T"] = answers["K"] + answers["M"] + answers["U"]
    values = {
        (code,): score(measure, respondents=[{"D01": v} for v in given])
        for code, given in answers.items()
    }
    shown, decided = suppress_values(values, table_groupings([KON]))
    assert decided.primary == [("K",)] and decided.complementary == [("U",)]
    assert shown[("K",)].value is None and shown[("K",)].status is Status.SUPPRESSED
    assert shown[("U",)].as_row()["numerator"] is None
    # M: 4 of 6 = 66.67 % (near 70 - 5 = 65); _T: 10 of 14 = 71.43 % reached
    assert shown[("M",)].numerator == 4 and shown[("M",)].status is Status.NEAR
    assert shown[("_T",)].numerator == 10 and shown[("_T",)].status is Status.REACHED
