"""Reading and writing tables: consensus.tabular (pure module, no app needed)."""

import io
import re
import time
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from consensus.tabular import (
    MESSAGES,
    Column,
    Note,
    Problem,
    detect_delimiter,
    limit_rows,
    map_columns,
    neutralise_formula,
    read_table,
    restore_formula_text,
    write_csv,
    write_xlsx,
)

SWEDISH = "Åsa Öberg, Ängelholm – café é"

SPEC = (
    Column("code", "Kod", ("Code",), required=True),
    Column("title", "Titel", ("Title", "Indikator"), required=True),
    Column("description", "Förtydligande", ("Beskrivning", "Description")),
)


def codes(table):
    return [p.code for p in table.problems]


def xlsx_bytes(*sheets, hidden=(), active=None):
    """A workbook from (title, rows) pairs; ``hidden`` titles are hidden."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        if title in hidden:
            ws.sheet_state = "hidden"
    if active is not None:
        wb.active = active
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def patch_zip(data, replace=None, drop=()):
    """Rewrite members of a zip: ``replace`` maps member -> function(bytes) -> bytes."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            content = src.read(info.filename)
            if info.filename in replace:
                content = replace[info.filename](content)
            dst.writestr(info.filename, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# CSV: encodings, delimiters, quoting, blank rows
# --------------------------------------------------------------------------------------------

ENCODINGS = [
    ("utf-8-sig", "UTF-8 med BOM"),
    ("utf-8", "UTF-8"),
    ("cp1252", "Windows-1252"),
    ("utf-16", "UTF-16"),
]


@pytest.mark.parametrize(("encoding", "label"), ENCODINGS)
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_encodings_and_delimiters(encoding, label, delimiter):
    lines = [["Kod", "Titel"], ["Å1", SWEDISH.replace(",", "")], ["ä2", "ÅÄÖ åäö é"]]
    text = "\r\n".join(delimiter.join(cells) for cells in lines) + "\r\n"
    table = read_table(text.encode(encoding), "lista.csv", columns=SPEC)
    assert table.problems == []
    assert table.encoding == label
    assert table.delimiter == delimiter
    assert [(r.number, r.values) for r in table.rows] == [
        (2, {"code": "Å1", "title": "Åsa Öberg Ängelholm – café é"}),
        (3, {"code": "ä2", "title": "ÅÄÖ åäö é"}),
    ]


def test_csv_note_names_encoding_and_delimiter():
    table = read_table("Kod;Titel\r\nÅ;B\r\n".encode("cp1252"), "x.csv")
    assert [n.message for n in table.notes] == [
        "Filen lästes som text (Windows-1252) med semikolon (;) som avgränsare."
    ]


def test_quoted_fields_with_delimiters_and_line_breaks_keep_spreadsheet_row_numbers():
    text = (
        "Kod;Titel;Förtydligande\r\n"
        'A1;"Titel; med semikolon";"Rad ett\r\nrad två\r\nrad tre"\r\n'
        'A2;"Säger ""hej""";\r\n'
        "\r\n"
        ";;\r\n"
        "  A3  ; Titel med mellanslag ;\r\n"
    )
    table = read_table(text.encode("utf-8-sig"), "x.csv", columns=SPEC)
    assert table.problems == []
    got = [(r.number, r.line, r.values) for r in table.rows]
    assert got == [
        (
            2,
            2,
            {
                "code": "A1",
                "title": "Titel; med semikolon",
                "description": "Rad ett\nrad två\nrad tre",
            },
        ),
        (3, 5, {"code": "A2", "title": 'Säger "hej"', "description": ""}),
        # rows 4 and 5 are blank (one empty line, one line of delimiters only)
        (6, 8, {"code": "A3", "title": "Titel med mellanslag", "description": ""}),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kod;Titel\nA;a, b, c, d\nB;e, f, g, h\n", ";"),
        ('Kod,Titel\nA,"a; b; c"\nB,"d; e; f"\n', ","),
        ("Kod\tTitel\tX\nA\tb\tc\n", "\t"),
        ("Kod\nA\nB\n", ";"),
        ('"Kod;med";Titel\n1;2\n', ";"),
    ],
)
def test_detect_delimiter(text, expected):
    assert detect_delimiter(text) == expected


@pytest.mark.parametrize("hostile", [';"a' * 100_000, ',"' * 100_000, '"' * 100_000])
def test_delimiter_detection_is_fast_on_hostile_input(hostile):
    start = time.perf_counter()
    read_table(hostile.encode(), "x.csv")
    assert time.perf_counter() - start < 3  # csv.Sniffer alone would take minutes here


def test_semicolon_file_with_many_commas_in_text():
    rows = ["Kod;Titel;Förtydligande"] + [f"K{i};T{i};a, b, c, d, e, f" for i in range(30)]
    table = read_table("\n".join(rows).encode(), "x.csv", columns=SPEC)
    assert table.delimiter == ";"
    assert table.rows[0].values["description"] == "a, b, c, d, e, f"


def test_more_values_than_headings_is_a_problem_in_csv():
    table = read_table(b"Kod,Titel\nA1,Titel, med komma\n", "x.csv", columns=SPEC)
    assert codes(table) == ["too_many_values"]
    assert table.problems[0].message == (
        "Rad 2: raden har 3 värden men filen har bara 2 kolumnrubriker. Text som innehåller "
        "komma (,) måste stå inom citattecken."
    )


def test_unterminated_quote_is_reported():
    table = read_table(b'Kod;Titel\nA;"ofullst\xc3\xa4ndig\nB;b\n', "x.csv", columns=SPEC)
    assert codes(table) == ["malformed_csv"]
    assert table.problems[0].row == 2  # the record where the open quote starts


@pytest.mark.parametrize(
    "data",
    [b"\x81\x8d\x8f kod;titel\n", "Kod;Titel\nA;B\n".encode("utf-16-le")],
    ids=["undefined-cp1252-bytes", "utf-16-without-bom"],
)
def test_undecodable_text_is_bad_encoding(data):
    table = read_table(data, "x.csv")
    assert codes(table) == ["bad_encoding"]
    assert table.problems[0].message.startswith("Filen kunde inte läsas som text.")


@pytest.mark.parametrize(
    "data",
    [b"", b"   \r\n\r\n", b";;;\r\n;;\r\n", b"\xef\xbb\xbf"],
    ids=["zero", "blank", "delims", "bom"],
)
def test_empty_csv(data):
    table = read_table(data, "tom.csv")
    assert codes(table) == ["empty_file"]
    assert table.problems[0].message == "Filen är tom."


@pytest.mark.parametrize("filename", ["x.csv", "x.xlsx"])
def test_only_a_header_is_a_problem(filename):
    data = (
        b"Kod;Titel\r\n\r\n" if filename.endswith("csv") else xlsx_bytes(("A", [["Kod", "Titel"]]))
    )
    table = read_table(data, filename, columns=SPEC)
    assert codes(table) == ["no_data_rows"]
    assert (
        table.problems[0].message == "Filen innehåller bara en rubrikrad och inga rader med data."
    )


def test_too_large():
    table = read_table(b"Kod;Titel\n" + b"A;B\n" * 2_000_000, "stor.csv")
    assert codes(table) == ["too_large"]
    assert table.problems[0].message == "Filen är för stor (8 MB). Den får vara högst 5 MB."
    assert read_table(b"Kod\nA\n", "x.csv", max_bytes=3).problems[0].code == "too_large"


# --------------------------------------------------------------------------------------------
# Headings
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headings",
    [
        ("Kod", "Titel", "Förtydligande"),
        ("Code", "Title", "Description"),
        ("  KOD ", "indikator", "BESKRIVNING"),
        ("Kod *", "Titel:", "Beskrivning (valfri)"),
    ],
)
def test_heading_variants(headings):
    data = (";".join(headings) + "\nA;B;C\n").encode()
    table = read_table(data, "x.csv", columns=SPEC)
    assert table.problems == []
    assert table.rows[0].values == {"code": "A", "title": "B", "description": "C"}
    assert table.columns == dict(
        zip(["code", "title", "description"], [h.strip() for h in headings], strict=True)
    )


def test_missing_required_columns_one_problem_each():
    table = read_table(b"Beskrivning\nx\n", "x.csv", columns=SPEC)
    assert codes(table) == ["missing_column", "missing_column"]
    assert [p.message for p in table.problems] == [
        "Kolumnen ”Kod” saknas. Godtagna rubriker: ”Kod” eller ”Code”.",
        "Kolumnen ”Titel” saknas. Godtagna rubriker: ”Titel”, ”Title” eller ”Indikator”.",
    ]
    assert table.problems[0].column == "Kod"


def test_extra_columns_are_a_note():
    table = read_table(b"Kod;Titel;Kommentar;Ansvarig\nA;B;c;d\n", "x.csv", columns=SPEC)
    assert table.problems == []
    assert "Följande kolumner känns inte igen och lästes inte: ”Kommentar”, ”Ansvarig”." in [
        n.message for n in table.notes
    ]
    assert table.rows[0].values == {"code": "A", "title": "B"}


def test_duplicate_headings_are_a_problem():
    table = read_table(b"Kod;Titel;Beskrivning;Description\nA;B;c;d\n", "x.csv", columns=SPEC)
    assert codes(table) == ["duplicate_column"]
    assert table.problems[0].message == (
        "Kolumnen ”Förtydligande” finns flera gånger (”Beskrivning” eller ”Description”). "
        "Behåll bara en av dem."
    )


def test_without_spec_rows_are_keyed_by_heading_and_duplicates_reported():
    table = read_table(b"A;B;A\n1;2;3\n", "x.csv")
    assert table.columns is None
    assert codes(table) == ["duplicate_column"]
    assert table.rows[0].values == {"A": "1", "B": "2"}


def test_title_rows_above_the_header_are_skipped_with_a_note():
    data = xlsx_bytes(("Blad1", [["Indikatorlista 2025"], [], ["Kod", "Titel"], ["A", "B"]]))
    table = read_table(data, "x.xlsx", columns=SPEC)
    assert table.problems == []
    assert table.header_row == 3
    assert [(r.number, r.values) for r in table.rows] == [(4, {"code": "A", "title": "B"})]
    assert "Rubrikraden hittades på rad 3. Raderna ovanför lästes inte." in [
        n.message for n in table.notes
    ]


def test_map_columns_on_a_table_read_without_spec():
    raw = read_table(b"Code,Title,Other\nA,B,C\n", "x.csv")
    mapped = map_columns(raw, SPEC)
    assert mapped.rows[0].values == {"code": "A", "title": "B"}
    assert mapped.columns == {"code": "Code", "title": "Title"}
    assert map_columns(raw, (Column("x", "X", required=True),)).problems[0].code == "missing_column"


# --------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------


def test_xlsx_values_and_row_numbers():
    rows = [
        ["Kod", "Titel", "Förtydligande"],
        ["A1", SWEDISH, "rad 1\nrad 2"],
        [None, None, None],
        [12, 3.5, datetime(2025, 3, 1)],
        ["  A4 ", True, date(2025, 3, 2)],
    ]
    table = read_table(xlsx_bytes(("Blad1", rows)), "lista.xlsx", columns=SPEC)
    assert table.problems == []
    assert table.format == "xlsx"
    assert [(r.number, r.values) for r in table.rows] == [
        (2, {"code": "A1", "title": SWEDISH, "description": "rad 1\nrad 2"}),
        (4, {"code": "12", "title": "3.5", "description": "2025-03-01"}),
        (5, {"code": "A4", "title": "SANT", "description": "2025-03-02"}),
    ]
    assert [n.message for n in table.notes] == ["Bladet ”Blad1” lästes."]


def test_xlsx_data_beyond_the_headings_is_a_note_not_a_problem():
    data = xlsx_bytes(("Blad1", [["Kod", "Titel"], ["A", "B", None, "anteckning"]]))
    table = read_table(data, "x.xlsx", columns=SPEC)
    assert table.problems == []
    assert "Kolumn D har ingen rubrik och lästes inte." in [n.message for n in table.notes]


@pytest.mark.parametrize(
    ("sheets", "hidden", "preferred", "expected"),
    [
        ([("Instruktioner", [["Läs mig"]]), ("Lista", [["Kod", "Titel"], ["A", "B"]])],
         ("Instruktioner",), (), "Lista"),
        ([("Gammal", [["Kod", "Titel"], ["X", "Y"]]),
          ("Indicators", [["Kod", "Titel"], ["A", "B"]])],
         (), ("Indikatorer", "Indicators"), "Indicators"),
        ([("Lista", [["Kod", "Titel"], ["A", "B"]]), ("Annat", [["Kod", "Titel"], ["X", "Y"]])],
         (), ("Indikatorer",), "Lista"),
    ],
    ids=["first-visible", "preferred-name", "no-preferred-match"],
)  # fmt: skip
def test_xlsx_sheet_choice(sheets, hidden, preferred, expected):
    active = [t for t, _ in sheets].index(expected)
    data = xlsx_bytes(*sheets, hidden=hidden, active=active)
    table = read_table(data, "x.xlsx", columns=SPEC, sheet_names=preferred)
    assert table.problems == []
    assert table.sheet == expected
    assert table.rows[0].values == {"code": "A", "title": "B"}
    others = [f"”{t}”" for t, _ in sheets if t != expected]
    assert table.notes[0].message == (
        f"Bladet ”{expected}” lästes. Övriga blad lästes inte: {', '.join(others)}."
    )


def _with_formula(cached):
    """Title in B2 is a formula; ``cached`` is the <v> element Excel would have saved."""
    data = xlsx_bytes(("Blad1", [["Kod", "Titel"], ["A1", '=CONCAT("Del", "aktighet")']]))
    if cached is None:
        return data

    def patch(xml):
        return xml.replace(b"<v />", cached).replace(b'<c r="B2">', b'<c r="B2" t="str">')

    return patch_zip(data, {"xl/worksheets/sheet1.xml": patch})


def test_formula_with_cached_value_gives_the_value():
    table = read_table(_with_formula(b"<v>Delaktighet</v>"), "x.xlsx", columns=SPEC)
    assert table.problems == []
    assert table.rows[0].values == {"code": "A1", "title": "Delaktighet"}


def test_formula_with_cached_empty_string_is_a_value():
    table = read_table(_with_formula(b"<v></v>"), "x.xlsx", columns=SPEC)
    assert table.problems == []
    assert table.rows[0].values == {"code": "A1", "title": ""}


def test_formula_without_cached_value_is_a_problem_for_that_cell():
    table = read_table(_with_formula(None), "x.xlsx", columns=SPEC)
    assert [(p.row, p.column, p.code) for p in table.problems] == [
        (2, "Titel", "formula_without_value")
    ]
    assert table.problems[0].message == (
        'Rad 2, kolumn ”Titel”: cellen innehåller en formel (”=CONCAT("Del", "aktighet")”) men '
        "inget sparat värde. Öppna filen i Excel, spara den på nytt och försök igen, eller ersätt "
        "formeln med ett värde."
    )


def test_formula_without_value_found_when_cells_have_no_references():
    def strip_refs(xml):
        return re.sub(rb' r="[A-Z]+[0-9]+"', b"", xml)

    data = xlsx_bytes(("Blad1", [["Kod", "Titel"], [], ["A1", "=B1"], ["A2", "ok"]]))
    data = patch_zip(data, {"xl/worksheets/sheet1.xml": strip_refs})
    table = read_table(data, "x.xlsx", columns=SPEC)
    assert [(p.row, p.column, p.code) for p in table.problems] == [
        (3, "Titel", "formula_without_value")
    ]
    assert [r.number for r in table.rows] == [3, 4]


def test_formula_without_value_in_an_ignored_column_is_not_a_problem():
    data = xlsx_bytes(("Blad1", [["Kod", "Titel", "Summa"], ["A1", "T", "=1+1"]]))
    table = read_table(data, "x.xlsx", columns=SPEC)
    assert table.problems == []


def test_cached_error_value_is_a_problem():
    def patch(xml):
        return xml.replace(
            b'<c r="B2"><f>1/0</f><v /></c>', b'<c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        )

    data = xlsx_bytes(("Blad1", [["Kod", "Titel"], ["A1", "=1/0"]]))
    data = patch_zip(data, {"xl/worksheets/sheet1.xml": patch})
    table = read_table(data, "x.xlsx", columns=SPEC)
    assert [p.message for p in table.problems] == [
        "Rad 2, kolumn ”Titel”: cellen innehåller felvärdet ”#DIV/0!” från en formel."
    ]


def test_fake_xlsx_is_a_problem_not_an_exception():
    table = read_table(b"Kod;Titel\nA;B\n", "lista.xlsx")
    assert codes(table) == ["not_xlsx"]
    assert table.problems[0].message == (
        "Filen ”lista.xlsx” heter .xlsx men är ingen Excel-arbetsbok. Spara den i Excel som "
        "”Excel-arbetsbok (*.xlsx)” eller som CSV och försök igen."
    )


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "gammal.xls", "xls_or_encrypted"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "skyddad.xlsx", "xls_or_encrypted"),
        (b"PK\x03\x04" + b"\x00" * 100, "trasig.xlsx", "not_xlsx"),
        (b"%PDF-1.7", "lista.pdf", "unsupported_format"),
        (b"Kod;Titel\nA;B\n", "lista", "unsupported_format"),
    ],
)
def test_unreadable_files(data, filename, code):
    assert codes(read_table(data, filename)) == [code]


def test_other_zip_is_not_xlsx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    assert codes(read_table(buffer.getvalue(), "x.xlsx")) == ["not_xlsx"]


def test_broken_workbook_is_corrupt_not_an_exception():
    data = patch_zip(xlsx_bytes(("Blad1", [["Kod"]])), drop=("xl/workbook.xml",))
    table = read_table(data, "x.xlsx")
    assert codes(table) == ["corrupt_xlsx"]


def test_workbook_saved_as_csv_name_is_read_as_xlsx():
    table = read_table(
        xlsx_bytes(("Blad1", [["Kod", "Titel"], ["A", "B"]])), "lista.csv", columns=SPEC
    )
    assert table.problems == []
    assert table.format == "xlsx"
    assert (
        table.notes[0].message == "Filen ”lista.csv” är en Excel-arbetsbok och lästes som en sådan."
    )


def test_zip_bomb_is_refused_before_parsing():
    data = xlsx_bytes(("Blad1", [["Kod", "Titel"], ["A", "B"]]))
    padding = b" " * 1_000_000

    def inflate(xml):
        return xml.replace(b"<sheetData>", b"<sheetData>" + padding * 51)

    bomb = patch_zip(data, {"xl/worksheets/sheet1.xml": inflate})
    assert len(bomb) < 200_000  # small on the wire ...
    table = read_table(bomb, "bomb.xlsx")  # ... but 51 MB unpacked
    assert codes(table) == ["uncompressed_too_large"]
    assert table.problems[0].message.startswith(
        "Arbetsboken blir 51 MB när den packas upp, men får bli högst 50 MB."
    )


def test_lying_zip_directory_cannot_inflate_beyond_declared_size():
    # a member whose directory entry understates its size: zipfile stops at the declared size,
    # the CRC check fails, and the reader reports a damaged workbook instead of inflating it.
    data = xlsx_bytes(("Blad1", [["Kod", "Titel"], ["A", "B"]]))
    padding = b" " * 2_000_000
    big = patch_zip(
        data,
        {"xl/worksheets/sheet1.xml": lambda x: x.replace(b"<sheetData>", b"<sheetData>" + padding)},
    )
    raw = bytearray(big)
    name = b"xl/worksheets/sheet1.xml"
    entry = raw.find(b"PK\x01\x02")  # central directory entries
    while entry != -1:
        length = int.from_bytes(raw[entry + 28 : entry + 30], "little")
        if raw[entry + 46 : entry + 46 + length] == name:
            raw[entry + 24 : entry + 28] = (1000).to_bytes(4, "little")  # uncompressed size
        entry = raw.find(b"PK\x01\x02", entry + 4)
    table = read_table(bytes(raw), "x.xlsx")
    assert codes(table) == ["corrupt_xlsx"]


def test_openpyxl_uses_defusedxml_and_entities_are_refused():
    assert openpyxl.DEFUSEDXML is True
    from openpyxl.xml import functions

    assert functions.iterparse.__module__.startswith("defusedxml")
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )

    def patch(xml):
        xml = xml.replace(b"<is><t>B</t></is>", b"<is><t>&lol2;</t></is>")
        return laughs + xml.split(b"?>", 1)[-1] if xml.startswith(b"<?xml") else laughs + xml

    data = patch_zip(
        xlsx_bytes(("Blad1", [["Kod", "Titel"], ["A", "B"]])), {"xl/worksheets/sheet1.xml": patch}
    )
    table = read_table(data, "x.xlsx", columns=SPEC)
    assert codes(table) == ["corrupt_xlsx"]


def test_openpyxl_warnings_do_not_escape():
    # without xl/styles.xml openpyxl warns "Workbook contains no default style"
    data = xlsx_bytes(("Blad1", [["Kod", "Titel"], ["A", "B"]]))
    data = patch_zip(data, drop=("xl/styles.xml",))
    table = read_table(data, "x.xlsx", columns=SPEC)  # filterwarnings=error would raise here
    assert table.problems == []
    assert table.rows[0].values == {"code": "A", "title": "B"}


# --------------------------------------------------------------------------------------------
# Formula injection and writing
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+46 8 123", "'+46 8 123"),
        ("-5", "'-5"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\tflik", "'\tflik"),
        ("\rretur", "'\rretur"),
        ("'=redan", "''=redan"),
        ("vanlig text", "vanlig text"),
        ("a=b", "a=b"),
        ("'citat", "'citat"),
        ("'", "'"),
        ("", ""),
    ],
)
def test_neutralise_formula_and_restore(text, expected):
    assert neutralise_formula(text) == expected
    assert restore_formula_text(neutralise_formula(text)) == text


def test_write_csv_for_swedish_excel():
    data = write_csv(["Kod", "Titel", "Antal"], [["Å1", "=1+1", 2.5], ["B", "a;b\nc", None]])
    assert data == ('\ufeffKod;Titel;Antal\r\nÅ1;\'=1+1;2,5\r\nB;"a;b\nc";\r\n'.encode())


def test_write_csv_plain():
    data = write_csv(["Kod", "Tal"], [["-x", 2.5]], excel=False)
    assert data == b"Kod,Tal\r\n'-x,2.5\r\n"


DANGEROUS = ['=HYPERLINK("http://x")', "+1", "-1", "@x", "'=x", "''@y", "vanlig, text; med ”citat”"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_import_round_trip_unchanged(fmt):
    headers = ["Kod", "Titel"]
    rows = [[f"K{i}", text] for i, text in enumerate(DANGEROUS)]
    data = write_csv(headers, rows) if fmt == "csv" else write_xlsx({"Export": (headers, rows)})
    table = read_table(data, f"export.{fmt}", columns=SPEC)
    assert table.problems == []
    assert [r.values["title"] for r in table.rows] == DANGEROUS


def test_write_xlsx_neutralises_styles_and_sizes():
    data = write_xlsx(
        {
            "Indikatorer": (["Kod", "Titel"], [["A1", "=cmd|' /C calc'!A0"], ["A2", "x" * 200]]),
            "Tom": (["Kod"], []),
        }
    )
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Indikatorer"]
    assert wb.sheetnames == ["Indikatorer", "Tom"]
    assert ws["A1"].font.bold is True
    assert ws["B2"].value == "'=cmd|' /C calc'!A0"
    assert ws["B2"].data_type == "s"
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width == 8
    assert ws.column_dimensions["B"].width == 60


# --------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------


def test_every_message_renders_without_placeholders():
    params = {
        "size": 6_000_000, "limit": 5_000_000, "filename": "a.csv", "encoding": "UTF-8",
        "delimiter": ";", "label": "Kod", "headings": ["Kod", "Code"], "count": 3, "width": 2,
        "columns": ["X"],
        "formula": "A1", "value": "x", "length": 400, "max": 300, "field": "type",
        "allowed": ["a", "b"], "other_rows": [3, 9], "sheet": "Blad1", "others": ["B"], "row": 3,
        "letters": ["D"], "char": "Š", "rows": 100_000, "max_rows": 2_000,
    }  # fmt: skip
    for code in MESSAGES.messages:
        for rendered in (Problem(4, "Kod", code, params).message, Note(code, params).message):
            assert "{" not in rendered and "}" not in rendered, code
            assert rendered[0].isupper() or rendered[0] == "”", code


def test_line_break_in_a_quoted_cell_of_the_last_row_is_not_an_unterminated_quote():
    data = b'Kod;Titel\r\nA;"rad 1\nrad 2"\r\nB;\'+46\r\n'
    table = read_table(data, "x.csv", columns=SPEC)
    assert table.problems == []
    data = b'Kod;Titel\r\nA;x\r\nB;"rad 1\nrad 2";extra\r\n'
    assert "malformed_csv" not in codes(read_table(data, "x.csv", columns=SPEC))


# --------------------------------------------------------------------------------------------
# Encodings that are not what they seem: refused by row and column, never imported misread
# --------------------------------------------------------------------------------------------

PLACES = ("Västra Götaland", "Region Skåne", "Försäkringskassan")


def _places_csv(encoding):
    lines = ["Kod;Titel"] + [f"K{i};{place}" for i, place in enumerate(PLACES, start=1)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_swedish_place_names_read_in_honest_encodings(encoding):
    table = read_table(_places_csv(encoding), "platser.csv", columns=SPEC)
    assert table.problems == []
    assert [r.values["title"] for r in table.rows] == list(PLACES)


def test_mac_roman_is_refused_naming_row_and_column():
    data = _places_csv("mac_roman")
    # The bytes Windows-1252 would read: Mac Roman's ä, ö and å are its Š, š and Œ.
    assert data.decode("cp1252").splitlines()[1:] == [
        "K1;VŠstra Gštaland",
        "K2;Region SkŒne",
        "K3;FšrsŠkringskassan",
    ]
    table = read_table(data, "platser.csv", columns=SPEC)
    assert [(p.row, p.column, p.code) for p in table.problems] == [
        (2, "Titel", "implausible_text"),
        (3, "Titel", "implausible_text"),
        (4, "Titel", "implausible_text"),
    ]
    assert table.problems[0].message == (
        "Rad 2, kolumn ”Titel”: cellen innehåller tecknet ”Š”, som inte hör hemma i text. "
        "Filen är troligen sparad med en annan teckenkodning än den lästes som (Windows-1252), "
        "till exempel Mac Roman eller Shift_JIS. Spara filen i Excel som ”CSV UTF-8 "
        "(kommaavgränsad)” eller som Excel-arbetsbok (.xlsx) och ladda upp den igen."
    )


def test_mac_roman_capitals_are_refused_too():
    # Mac Roman's Ö is Windows-1252's ellipsis: "…stersund".
    data = "Kod;Titel\r\nK1;Östersund\r\n".encode("mac_roman")
    table = read_table(data, "x.csv", columns=SPEC)
    assert [(p.row, p.column, p.code, p.params["char"]) for p in table.problems] == [
        (2, "Titel", "implausible_text", "…")
    ]


def test_shift_jis_is_refused():
    # Shift_JIS has no å, ä or ö: a Japanese Excel's file carries Japanese text, which
    # Windows-1252 reads as “Œ‹ž“s (東京都) or cannot read at all.
    data = "Kod;Titel\r\nK1;東京都 kommun\r\n".encode("shift_jis")
    assert data.decode("cp1252").splitlines()[1] == "K1;“Œ‹ž“s kommun"
    table = read_table(data, "x.csv", columns=SPEC)
    assert [(p.row, p.column, p.code) for p in table.problems] == [(2, "Titel", "implausible_text")]
    undecodable = "Kod;Titel\r\nK1;大阪\r\n".encode("shift_jis")  # 0x8D is undefined in cp1252
    assert codes(read_table(undecodable, "x.csv", columns=SPEC)) == ["bad_encoding"]


def test_control_characters_are_refused_in_any_encoding():
    data = b"Kod;Titel\r\nK1;Sk\x01ne\r\n"
    table = read_table(data, "x.csv", columns=SPEC)
    assert [(p.row, p.column, p.params["char"]) for p in table.problems] == [(2, "Titel", "U+0001")]


@pytest.mark.parametrize(
    "text",
    ["Pris 100 € per år", "Mål – delmål … och mer", "”Citat” och ’apostrof’", "Punkt • punkt"],
)
def test_windows_1252_punctuation_in_swedish_text_is_accepted(text):
    data = f"Kod;Titel\r\nK1;{text}\r\n".encode("cp1252")
    table = read_table(data, "x.csv", columns=SPEC)
    assert table.problems == [] and table.rows[0].values["title"] == text


def test_a_czech_letter_in_utf8_is_a_letter():
    table = read_table("Kod;Titel\r\nK1;Šťastný\r\n".encode(), "x.csv", columns=SPEC)
    assert table.problems == []


def test_a_table_over_the_row_limit_is_refused_whole():
    lines = ["Kod;Titel"] + [f"K{i};Titel {i}" for i in range(2_001)]
    table = read_table("\n".join(lines).encode(), "x.csv", columns=SPEC)
    assert len(table.rows) == 2_001 and table.ok
    limited = limit_rows(table, 2_000)
    assert limited.rows == []
    assert [p.message for p in limited.problems] == [
        "Filen har 2\u00a0001 rader men en import får ha högst 2\u00a0000. Ingenting har lästs "
        "in. Dela upp filen i flera filer och importera dem en i taget."
    ]
    assert limit_rows(table, 2_001) is table
