"""Validation of indicator pools and panel lists: consensus.studies.importing (pure)."""

import io

import openpyxl
import pytest

from consensus.studies import importing
from consensus.studies.importing import (
    INDICATOR_COLUMNS,
    IndicatorRow,
    PanelistRow,
    indicator_export_rows,
    normalise_level,
    normalise_perspective,
    normalise_type,
    parse_indicators,
    parse_panelists,
)
from consensus.tabular import read_table, write_csv, write_xlsx

GROUPS = {"politiker": "Politiker", "chefer": "Chefer", "deltagare": "Deltagare"}


def csv_bytes(rows, delimiter=";", encoding="utf-8-sig"):
    lines = []
    for row in rows:
        cells = []
        for cell in row:
            if any(c in cell for c in (delimiter, '"', "\n")):
                cell = '"' + cell.replace('"', '""') + '"'
            cells.append(cell)
        lines.append(delimiter.join(cells))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows, title="Indikatorer"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


HEADER = ["Kod", "Titel", "Förtydligande", "Perspektiv", "Typ", "Källa"]


def indicators(*rows, header=HEADER, existing=(), fmt="csv", **kwargs):
    data = csv_bytes([header, *rows], **kwargs) if fmt == "csv" else xlsx_bytes([header, *rows])
    return parse_indicators(data, f"pool.{fmt}", existing_codes=set(existing))


def messages(result):
    return [p.message for p in result.problems]


# --------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_valid_pool(fmt):
    result = indicators(
        ["D1", "Delaktighet", "Deltagaren känner sig delaktig", "Deltagare", "Effekt", "Enkät"],
        ["M1", "Samverkan i vardagen", "", "personal", "process", ""],
        fmt=fmt,
    )
    assert result.ok, messages(result)
    assert result.to_update == []
    assert result.to_create == [
        IndicatorRow(
            2, "D1", "Delaktighet", "Deltagaren känner sig delaktig", "deltagare", "effect", "Enkät"
        ),
        IndicatorRow(3, "M1", "Samverkan i vardagen", "", "medarbetare", "process", ""),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("deltagare", "deltagare"),
        ("DELTAGARE", "deltagare"),
        ("Deltagarperspektivet", "deltagare"),
        ("deltagarnas perspektiv", "deltagare"),
        ("Participant", "deltagare"),
        ("participant perspective", "deltagare"),
        ("medarbetare", "medarbetare"),
        ("Personal", "medarbetare"),
        ("personal/medarbetare", "medarbetare"),
        ("Personalperspektiv", "medarbetare"),
        ("staff", "medarbetare"),
        ("Organisation", "organisation"),
        ("organisationsperspektivet", "organisation"),
        ("organization", "organisation"),
        ("samhälle", "samhälle"),
        ("Samhällsperspektivet", "samhälle"),
        ("society", "samhälle"),
        ("kunder", None),
        ("perspektiv", None),
    ],
)
def test_perspective_synonyms(text, expected):
    assert normalise_perspective(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("process", "process"),
        ("Processindikator", "process"),
        ("effekt", "effect"),
        ("Effekter", "effect"),
        ("Effect", "effect"),
        ("outcome", "effect"),
        ("effektindikator", "effect"),
        ("resultat", None),
    ],
)
def test_type_synonyms(text, expected):
    assert normalise_type(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("lokal", "lokal"), ("Lokalt", "lokal"), ("local", "lokal"), ("Nationell", "nationell"),
     ("national", "nationell"), ("nationell nivå", "nationell"), ("regional", None)],
)  # fmt: skip
def test_level_synonyms(text, expected):
    assert normalise_level(text) == expected


def test_english_headings():
    header = ["Code", "Title", "Description", "Perspective", "Type", "Source"]
    result = indicators(["E1", "Jobs", "Share in work", "society", "effect", "SCB"], header=header)
    assert result.ok, messages(result)
    assert result.to_create[0].values() == {
        "code": "E1",
        "title": "Jobs",
        "description": "Share in work",
        "perspective": "samhälle",
        "type": "effect",
        "source": "SCB",
        "title_en": None,
        "description_en": None,
    }


def test_english_texts_from_optional_columns():
    header = [*HEADER, "Titel på engelska", "Förtydligande på engelska"]
    result = indicators(
        ["D1", "Delaktighet", "Känner sig delaktig", "deltagare", "effekt", "", "Participation",
         "Feels involved"],
        ["D2", "Tillit", "", "deltagare", "effekt", "", "", ""],
        header=header,
    )  # fmt: skip
    assert result.ok, messages(result)
    first, second = (row.values() for row in result.to_create)
    assert (first["title_en"], first["description_en"]) == ("Participation", "Feels involved")
    assert (second["title_en"], second["description_en"]) == (None, None)
    english_names = indicators(
        ["D1", "Delaktighet", "deltagare", "effekt", "Participation"],
        header=["Kod", "Titel", "Perspektiv", "Typ", "English title"],
    )
    assert english_names.to_create[0].values()["title_en"] == "Participation"


def test_an_english_title_over_the_limit_is_refused():
    result = indicators(
        ["D1", "Delaktighet", "", "deltagare", "effekt", "", "x" * 301],
        header=[*HEADER, "Titel på engelska"],
    )
    assert not result.ok
    assert "Titel på engelska" in messages(result)[0]


def test_optional_columns_may_be_absent():
    result = indicators(
        ["A", "Titel", "organisation", "process"], header=["Kod", "Titel", "Perspektiv", "Typ"]
    )
    assert result.ok
    assert result.to_create[0].description == "" and result.to_create[0].source == ""


def test_unknown_perspective_and_type_list_the_allowed_values():
    result = indicators(
        ["D1", "Delaktighet", "", "deltagare", "process", ""],
        ["D2", "Nöjdhet", "", "", "effekt", ""],
        ["", "", "", "", "", ""],
        ["D3", "Kundnöjdhet", "", "kunder", "resultat", ""],
        header=["Kod", "Titel", "Beskrivning", "Perspektiv", "Typ", "Källa"],
    )
    assert messages(result) == [
        "Rad 3, kolumn ”Perspektiv”: värde saknas. Kolumnen måste fyllas i.",
        "Rad 5, kolumn ”Perspektiv”: ”kunder” är inte ett giltigt perspektiv. "
        "Tillåtna värden: deltagare, medarbetare, organisation, samhälle.",
        "Rad 5, kolumn ”Typ”: ”resultat” är inte en giltig typ. Tillåtna värden: process, effekt.",
    ]
    assert [r.code for r in result.to_create] == ["D1"]  # valid rows still shown in the preview
    assert not result.ok


def test_problem_names_the_column_as_written_in_the_file():
    header = ["Code", "Title", "Description", "Perspective", "Type", "Source"]
    result = indicators(["E1", "Jobs", "", "clients?", "effect", ""], header=header)
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (2, "Perspective", "unknown_value")
    ]
    assert result.problems[0].params == {
        "value": "clients?",
        "field": "perspective",
        "allowed": ["deltagare", "medarbetare", "organisation", "samhälle"],
    }


def test_duplicate_codes_report_both_rows():
    result = indicators(
        ["D1", "Delaktighet", "", "deltagare", "effekt", ""],
        ["D2", "Annat", "", "deltagare", "effekt", ""],
        ["d1", "Delaktighet igen", "", "deltagare", "effekt", ""],
    )
    assert messages(result) == [
        "Rad 2, kolumn ”Kod”: koden ”D1” finns också på rad 4. Varje kod får bara finnas en gång.",
        "Rad 4, kolumn ”Kod”: koden ”d1” finns också på rad 2. Varje kod får bara finnas en gång.",
    ]
    assert [r.code for r in result.to_create] == ["D2"]


@pytest.mark.parametrize(
    ("cells", "code", "column"),
    [
        (["D 1", "T", "", "deltagare", "effekt", ""], "invalid_code", "Kod"),
        (["D1;", "T", "", "deltagare", "effekt", ""], "invalid_code", "Kod"),
        (["K" * 33, "T", "", "deltagare", "effekt", ""], "invalid_code", "Kod"),
        (["", "T", "", "deltagare", "effekt", ""], "required", "Kod"),
        (["D1", "", "", "deltagare", "effekt", ""], "required", "Titel"),
        (["D1", "T" * 301, "", "deltagare", "effekt", ""], "too_long", "Titel"),
        (["D1", "T", "x" * 4001, "deltagare", "effekt", ""], "too_long", "Förtydligande"),
        (["D1", "T", "", "deltagare", "", ""], "required", "Typ"),
        (["D1", "T", "", "deltagare", "effekt", "k" * 501], "too_long", "Källa"),
    ],
)
def test_cell_validations(cells, code, column):
    result = indicators(cells)
    assert [(p.row, p.column, p.code) for p in result.problems] == [(2, column, code)]
    assert result.to_create == []


def test_valid_code_characters():
    result = indicators(
        ["Å-1_2.3", "T", "", "deltagare", "effekt", ""],
        ["K" * 32, "T", "", "samhälle", "process", ""],
    )
    assert result.ok, messages(result)


def test_pinned_messages_for_code_and_length():
    result = indicators(["D 1", "T" * 301, "", "deltagare", "effekt", ""])
    assert messages(result) == [
        "Rad 2, kolumn ”Kod”: ”D 1” är ingen giltig kod. En kod får bara innehålla bokstäver, "
        "siffror, bindestreck (-), understreck (_) och punkt (.) och vara högst 32 tecken lång.",
        "Rad 2, kolumn ”Titel”: texten är 301 tecken lång men får vara högst 300 tecken.",
    ]


def test_missing_columns_stop_row_checks():
    result = indicators(["D1", "T"], header=["Kod", "Titel"])
    assert messages(result) == [
        "Kolumnen ”Perspektiv” saknas. Godtagna rubriker: ”Perspektiv” eller ”Perspective”.",
        "Kolumnen ”Typ” saknas. Godtagna rubriker: ”Typ”, ”Type”, ”Indikatortyp” eller "
        "”Indicator type”.",
    ]
    assert result.to_create == []


def test_formula_cell_is_reported_once():
    data = xlsx_bytes(
        [
            HEADER,
            ["D1", "=B3", "", "deltagare", "effekt", ""],
            ["D2", "T", "", "=NA()", "effekt", ""],
        ]
    )
    result = parse_indicators(data, "pool.xlsx", set())
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (2, "Titel", "formula_without_value"),
        (3, "Perspektiv", "formula_without_value"),
    ]
    assert result.to_create == []


def test_file_problems_pass_through():
    result = parse_indicators(b"", "tom.csv", set())
    assert [p.code for p in result.problems] == ["empty_file"]
    result = parse_indicators(b"not a workbook", "pool.xlsx", set())
    assert [p.code for p in result.problems] == ["not_xlsx"]


def test_reimport_updates_by_code_instead_of_duplicating():
    result = indicators(
        ["D1", "Delaktighet (ny lydelse)", "", "deltagare", "effekt", ""],
        ["D9", "Ny indikator", "", "samhälle", "process", ""],
        ["m2", "Samverkan", "", "medarbetare", "process", ""],
        existing={"D1", "M2", "X7"},
    )
    assert result.ok
    assert [(r.row, r.code, r.title) for r in result.to_update] == [
        (2, "D1", "Delaktighet (ny lydelse)"),
        (4, "M2", "Samverkan"),  # matched case-insensitively, spelled as in the study
    ]
    assert [r.code for r in result.to_create] == ["D9"]


def test_accepts_a_table_read_without_a_spec():
    table = read_table(csv_bytes([HEADER, ["D1", "T", "", "deltagare", "effekt", ""]]), "x.csv")
    result = parse_indicators(table, "x.csv", set())
    assert result.ok and [r.code for r in result.to_create] == ["D1"]


def test_preferred_sheet_name_for_indicators():
    wb = openpyxl.Workbook()
    wb.active.title = "Instruktioner"
    wb.active.append(["Fyll i bladet Indikatorer"])
    ws = wb.create_sheet("Indikatorer")
    ws.append(HEADER)
    ws.append(["D1", "T", "", "deltagare", "effekt", ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = parse_indicators(buffer.getvalue(), "pool.xlsx", set())
    assert result.ok, messages(result)
    assert (
        result.notes[0].message
        == "Bladet ”Indikatorer” lästes. Övriga blad lästes inte: ”Instruktioner”."
    )


# --------------------------------------------------------------------------------------------
# Export and round trip
# --------------------------------------------------------------------------------------------

POOL = [
    {
        "code": "D1",
        "title": "Deltagarens upplevelse av delaktighet",
        "description": "Andel som känner sig delaktiga; mäts vid start,\n6 och 12 månader.",
        "perspective": "deltagare",
        "type": "effect",
        "source": "Enkät \"Min väg\"",
    },
    {
        "code": "M-2.1",
        "title": "=Samverkan över gränser",
        "description": "-- inledande tankstreck",
        "perspective": "medarbetare",
        "type": "process",
        "source": "@registret",
    },
    {
        "code": "S_3",
        "title": "Minskat försörjningsstöd – ÅÄÖ åäö é",
        "description": "",
        "perspective": "samhälle",
        "type": "effect",
        "source": "",
    },
    {"code": "O4", "title": "+ Gemensam styrning", "description": "'=x",
     "perspective": "organisation", "type": "process", "source": "Protokoll",
     "title_en": "Joint steering", "description_en": "=formula-like"},
]  # fmt: skip
for _row in POOL:
    _row.setdefault("title_en", None)
    _row.setdefault("description_en", None)


def test_export_headings_and_rows():
    headers, rows = indicator_export_rows(POOL[:1])
    assert headers == [
        "Kod",
        "Titel",
        "Förtydligande",
        "Perspektiv",
        "Typ",
        "Källa",
        "Titel på engelska",
        "Förtydligande på engelska",
    ]
    assert rows[0][3:5] == ["deltagare", "effekt"]
    assert headers == [c.label for c in INDICATOR_COLUMNS]


def test_export_accepts_objects():
    headers, rows = indicator_export_rows(
        [IndicatorRow(2, "D1", "T", "", "samhälle", "process", "")]
    )
    assert rows == [["D1", "T", "", "samhälle", "process", "", "", ""]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_export_import(fmt):
    headers, rows = indicator_export_rows(POOL)
    data = (
        write_csv(headers, rows) if fmt == "csv" else write_xlsx({"Indikatorer": (headers, rows)})
    )
    result = parse_indicators(data, f"export.{fmt}", set())
    assert result.ok, messages(result)
    assert [r.values() for r in result.to_create] == POOL
    again = parse_indicators(data, f"export.{fmt}", {p["code"] for p in POOL})
    assert again.to_create == [] and [r.values() for r in again.to_update] == POOL


# --------------------------------------------------------------------------------------------
# Panelists
# --------------------------------------------------------------------------------------------

PANEL_HEADER = ["Namn", "E-post", "Intressentgrupp", "Organisation", "Nivå"]


def panel(*rows, header=PANEL_HEADER, groups=GROUPS, existing=(), fmt="csv"):
    data = (
        csv_bytes([header, *rows]) if fmt == "csv" else xlsx_bytes([header, *rows], title="Panel")
    )
    return parse_panelists(data, f"panel.{fmt}", groups, existing_emails=set(existing))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_valid_panel(fmt):
    result = panel(
        ["Åsa Öberg", "asa.oberg@forbund.se", "Politiker", "Finsam Väst", "lokal"],
        ["", "anonym@forbund.se", "chefer", "", ""],
        ["Erik", "Erik@Region.SE", "DELTAGARE", "Region", "national"],
        fmt=fmt,
    )
    assert result.ok, messages(result)
    assert result.to_create == [
        PanelistRow(2, "asa.oberg@forbund.se", "Åsa Öberg", "politiker", "Finsam Väst", "lokal"),
        PanelistRow(3, "anonym@forbund.se", "", "chefer", "", "lokal"),
        PanelistRow(4, "Erik@region.se", "Erik", "deltagare", "Region", "nationell"),
    ]


@pytest.mark.parametrize(
    "header",
    [
        ["Name", "Email", "Stakeholder group", "Organization", "Level"],
        ["namn", "E-postadress", "Grupp", "Förbund", "nivå"],
        ["Name", "Epost", "Group", "Organisation", "Level"],
    ],
)
def test_panel_heading_variants(header):
    result = panel(["A", "a@forbund.se", "politiker", "X", "lokal"], header=header)
    assert result.ok, messages(result)
    assert result.to_create[0].values() == {
        "email": "a@forbund.se",
        "name": "A",
        "group": "politiker",
        "organisation": "X",
        "level": "lokal",
        "language": "sv",
    }


def test_panel_language_column():
    """The emails' language, optional: a blank cell keeps what is known (None)."""
    result = panel(
        ["A", "a@forbund.se", "politiker", "", "", "English"],
        ["B", "b@forbund.se", "politiker", "", "", "svenska"],
        ["C", "c@forbund.se", "politiker", "", "", ""],
        ["D", "d@forbund.se", "politiker", "", "", "tyska"],
        header=[*PANEL_HEADER, "Språk"],
    )
    assert [(p.email, p.language) for p in result.to_create] == [
        ("a@forbund.se", "en"),
        ("b@forbund.se", "sv"),
        ("c@forbund.se", None),
    ]
    assert messages(result) == [
        "Rad 5, kolumn ”Språk”: ”tyska” är inte ett språk som studien skickar e-post på. "
        "Tillåtna värden: sv, en."
    ]


def test_panel_problems_pinned():
    result = panel(
        ["A", "inte-en-adress", "Politiker", "", ""],
        ["B", "b@forbund.se", "Brukare", "", "regional"],
        ["C", "", "", "", ""],
    )
    assert messages(result) == [
        "Rad 2, kolumn ”E-post”: ”inte-en-adress” är ingen giltig e-postadress.",
        "Rad 3, kolumn ”Intressentgrupp”: ”Brukare” är inte en intressentgrupp i studien. "
        "Tillåtna värden: Politiker, Chefer, Deltagare.",
        "Rad 3, kolumn ”Nivå”: ”regional” är inte en giltig nivå. "
        "Tillåtna värden: lokal, nationell.",
        "Rad 4, kolumn ”E-post”: värde saknas. Kolumnen måste fyllas i.",
        "Rad 4, kolumn ”Intressentgrupp”: värde saknas. Kolumnen måste fyllas i.",
    ]


def test_duplicate_emails_case_insensitive_both_rows():
    result = panel(
        ["A", "anna@forbund.se", "politiker", "", ""],
        ["B", "b@forbund.se", "politiker", "", ""],
        ["A2", "ANNA@Forbund.se", "chefer", "", ""],
    )
    assert messages(result) == [
        "Rad 2, kolumn ”E-post”: e-postadressen ”anna@forbund.se” finns också på rad 4. "
        "Varje person får bara finnas en gång.",
        "Rad 4, kolumn ”E-post”: e-postadressen ”ANNA@Forbund.se” finns också på rad 2. "
        "Varje person får bara finnas en gång.",
    ]
    assert [p.email for p in result.to_create] == ["b@forbund.se"]


def test_emails_on_the_panel_are_updates():
    result = panel(
        ["Anna Ny", "ANNA@forbund.se", "chefer", "Nytt förbund", "nationell"],
        ["Bo", "bo@forbund.se", "politiker", "", ""],
        existing={"anna@forbund.se"},
    )
    assert result.ok
    assert result.to_update == [
        PanelistRow(2, "anna@forbund.se", "Anna Ny", "chefer", "Nytt förbund", "nationell")
    ]
    assert [p.email for p in result.to_create] == ["bo@forbund.se"]


def test_study_without_groups():
    result = panel(["A", "a@forbund.se", "x", "", ""], groups={})
    assert messages(result) == [
        "Studien har inga intressentgrupper ännu. Lägg till grupperna innan du importerar panelen."
    ]


def test_missing_email_column():
    result = panel(["A", "politiker"], header=["Namn", "Grupp"])
    assert messages(result) == [
        "Kolumnen ”E-post” saknas. Godtagna rubriker: ”E-post”, ”E-postadress”, ”Mejl”, ”Mail”, "
        "”Email” eller ”Email address”."
    ]


def test_constants_match_the_models():
    models = pytest.importorskip("consensus.studies.models")
    assert importing.PERSPECTIVES == models.PERSPECTIVES
    assert importing.INDICATOR_TYPES == models.INDICATOR_TYPES
    assert importing.LEVELS == models.LEVELS


# --------------------------------------------------------------------------------------------
# Rows per import
# --------------------------------------------------------------------------------------------


def test_an_indicator_pool_may_have_2000_rows_not_more():
    rows = [[f"K{i}", f"Titel {i}", "", "deltagare", "process", ""] for i in range(2_001)]
    assert indicators(*rows[:2_000]).ok
    over = indicators(*rows)
    assert [p.code for p in over.problems] == ["too_many_rows"]
    assert over.problems[0].params == {"rows": 2_001, "max_rows": 2_000}
    assert over.to_create == [] and over.to_update == []


def test_a_panel_may_have_5000_rows_not_more():
    rows = [["", f"p{i}@example.se", "chefer", "", "lokal"] for i in range(5_001)]
    assert len(panel(*rows[:5_000]).to_create) == 5_000
    over = panel(*rows)
    assert [p.code for p in over.problems] == ["too_many_rows"]
    assert over.to_create == []
