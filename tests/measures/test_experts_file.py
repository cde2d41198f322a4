"""Reading a list of invited experts, without an app (table-driven)."""

import pytest

from consensus.measures.experts_file import ROW_CODES, level_of, parse_experts

HEADER = "Namn;E-post;Organisation;Organisationstyp;Nivå;Roll\n"


def csv(*lines: str, header: str = HEADER) -> bytes:
    return (header + "".join(line + "\n" for line in lines)).encode("utf-8")


def problems(result):
    return [(p.row, p.column, p.code, p.params.get("value")) for p in result.problems]


@pytest.mark.parametrize(
    ("content", "taken", "rows", "found"),
    [
        pytest.param(
            csv("Eva Ek;Eva@Example.org;Kommunen;kommun;lokal;chef"),
            (),
            [("eva@example.org", "lokal", "Eva Ek")],
            [],
            id="one-good-row-address-lower-case",
        ),
        pytest.param(
            csv("Per;per@example.org;;;;", "Ola;ola@example.org;;;Nationell nivå;"),
            (),
            [("per@example.org", "lokal", "Per"), ("ola@example.org", "nationell", "Ola")],
            [],
            id="blank-level-is-lokal",
        ),
        pytest.param(
            csv("Eva;inte-en-adress;;;lokal;"),
            (),
            [],
            [(2, "E-post", "invalid_email", "inte-en-adress")],
            id="invalid-address-row-left-out",
        ),
        pytest.param(
            csv("Eva;eva@example.org;;;lokal;", "Eva igen;EVA@example.org;;;lokal;"),
            (),
            [("eva@example.org", "lokal", "Eva"), ("eva@example.org", "lokal", "Eva igen")],
            [(3, "E-post", "email_taken", "eva@example.org")],
            id="twice-in-the-file",
        ),
        pytest.param(
            csv("Eva;eva@example.org;;;lokal;"),
            ("eva@example.org",),
            [("eva@example.org", "lokal", "Eva")],
            [(2, "E-post", "email_taken", "eva@example.org")],
            id="already-in-the-study",
        ),
        pytest.param(
            csv("Eva;eva@example.org;;;regional;"),
            (),
            [("eva@example.org", "", "Eva")],
            [(2, "Nivå", "level_unknown", "regional")],
            id="unknown-level",
        ),
        pytest.param(
            csv(
                "A;a@example.org;;;mellan;",
                "B;fel;;;lokal;",
                header="Name;Email;Organisation;Typ av organisation;Level;Role\n",
            ),
            (),
            [("a@example.org", "", "A")],
            [(2, "Level", "level_unknown", "mellan"), (3, "Email", "invalid_email", "fel")],
            id="other-headings-named-as-written-in-row-order",
        ),
    ],
)
def test_rows_and_problems(content, taken, rows, found):
    result = parse_experts(content, "experter.csv", taken=lambda email: email in taken)
    assert [(r["email"], r["level"], r["name"]) for r in result.rows] == rows
    assert problems(result) == found
    assert result.ok == (not found and bool(rows))


def test_a_file_without_an_email_column_is_refused_by_tabular():
    result = parse_experts(b"Namn;Roll\nEva;chef\n", "experter.csv")
    assert not result.ok
    # The missing column comes first (no row); the rows are still checked, as before.
    assert [p.code for p in result.problems] == ["missing_column", "invalid_email"]
    assert result.problems[0].row is None and result.problems[1].code in ROW_CODES


def test_an_empty_list_is_not_ok():
    result = parse_experts(csv(), "experter.csv")
    assert result.rows == [] and not result.ok
    assert [p.code for p in result.problems] == ["no_data_rows"]


def test_a_row_keeps_every_column_stripped():
    result = parse_experts(
        csv(" Eva ; eva@example.org ; Förbundet ; kommun ; lokal ; chef "), "x.csv"
    )
    assert result.rows == [
        {
            "row": 2,
            "name": "Eva",
            "email": "eva@example.org",
            "organisation": "Förbundet",
            "organisation_type": "kommun",
            "level": "lokal",
            "role": "chef",
        }
    ]


@pytest.mark.parametrize(
    ("written", "level"),
    [("", "lokal"), ("lokal", "lokal"), ("Nationell", "nationell"), ("regional", None)],
)
def test_level_of(written, level):
    assert level_of(written) == level
