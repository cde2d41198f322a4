import csv
import io

from openpyxl import load_workbook

from consensus.protocol.example import example_protocol
from consensus.protocol.render import (
    CSV_HEADERS,
    SHEETS,
    csv_rows,
    to_csv,
    to_xlsx,
    xlsx_sheets,
)


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_one_csv_row_per_measure_with_indicator_repeated():
    doc = example_protocol()
    rows = csv_rows(doc)
    assert len(rows) == sum(len(i["measures"]) for i in doc["indicators"])
    assert all(len(row) == len(CSV_HEADERS) for row in rows)
    i05 = [row for row in rows if row[0] == "I05"]
    assert [row[6] for row in i05] == ["I05-M1", "I05-M2"]
    assert [row[7] for row in i05] == ["Ja", "Nej"]  # the recommended measure first
    assert i05[0][1] == i05[1][1] == doc["indicators"][4]["name"]["sv"]
    assert i05[0][4] == "Deltagare" and i05[0][11] == "Enkät"


def test_csv_bytes_read_back():
    doc = example_protocol()
    table = read_csv(to_csv(doc))
    assert table[0] == CSV_HEADERS
    assert len(table) == 1 + len(csv_rows(doc))
    assert table[1][0] == "I01"


def test_xlsx_has_a_sheet_per_entity():
    doc = example_protocol()
    workbook = load_workbook(io.BytesIO(to_xlsx(doc)), read_only=True)
    assert workbook.sheetnames == list(SHEETS)
    assert {"Indikatorer", "Mått", "Frågor", "Scheman", "Ursprung"} <= set(SHEETS)
    sheets = xlsx_sheets(doc)
    assert len(sheets["Indikatorer"][1]) == 15
    assert len(sheets["Frågor"][1]) == len(doc["items"])
    offsets = [row[4] for row in sheets["Scheman"][1] if row[0] == "inskrivning"]
    assert offsets == ["P0D", "P6M", "P12M", "P18M"]
    protocol = dict(sheets["Protokoll"][1])
    assert protocol["Kontrollsumma (SHA-256)"] == doc["checksum"]
    assert protocol["Minsta cellstorlek"] == 5
    workbook.close()


def test_formulas_are_neutralised_in_csv_and_xlsx():
    doc = example_protocol()
    doc["indicators"][0]["name"]["sv"] = '=HYPERLINK("http://evil.example","Klicka")'
    doc["indicators"][0]["measures"][0]["name"]["sv"] = "+1+1"
    doc["items"][0]["text"]["sv"] = "@SUM(A1)"

    table = read_csv(to_csv(doc))
    assert table[1][1] == '\'=HYPERLINK("http://evil.example","Klicka")'
    assert table[1][8] == "'+1+1"

    workbook = load_workbook(io.BytesIO(to_xlsx(doc)))
    assert workbook["Indikatorer"]["B2"].value.startswith("'=HYPERLINK")
    assert workbook["Indikatorer"]["B2"].data_type == "s"
    assert workbook["Mått"]["D2"].value == "'+1+1"
    assert workbook["Frågor"]["B2"].value == "'@SUM(A1)"
    formulas = [
        cell.coordinate
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []


def test_english_falls_back_to_swedish():
    doc = example_protocol()
    rows = csv_rows(doc, lang="en")
    assert rows[0][4] == "Participants"  # the perspective has English
    assert rows[0][1] == doc["indicators"][0]["name"]["sv"]  # the name has not
