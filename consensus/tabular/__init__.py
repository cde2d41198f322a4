"""Reading and writing tables (XLSX and CSV) the way Swedish Excel users keep them.

A pure module: plain Python in, plain data out (no Flask, no SQLAlchemy). The domain
validation of imported lists lives in the feature packages (``studies/importing.py``); this
module only knows about files, cells, headings and problems.

Reading
    :func:`read_table` turns the bytes of an uploaded ``.xlsx``, ``.csv`` or ``.txt`` file into a
    :class:`Table`. It never raises for a bad file: every problem (too large, not a workbook, bad
    encoding, missing column, formula without a saved value ...) becomes a :class:`Problem`
    with a row, a column, a stable ``code`` and parameters. ``render(gettext)`` words it from
    the catalogue ``MESSAGES`` in the reader's language; ``.message`` is the Swedish sentence
    (command line, logs).

Row numbers
    ``Row.number`` is the row number the user sees in Excel: the header is row 1 and the first
    data row row 2 (blank rows are skipped but still counted, so numbers never shift). For CSV the
    number counts *records*, which is what Excel shows when it opens the file: a quoted cell with
    line breaks is one spreadsheet row even though it spans several lines of text. The physical
    line where the record starts (what a text editor shows) is kept in ``Row.line``. The two
    differ only after a cell with a line break.

Formula injection
    :func:`write_csv` and :func:`write_xlsx` pass every text cell through
    :func:`neutralise_formula` (OWASP "CSV injection"): text starting with ``=``, ``+``, ``-``,
    ``@``, tab or carriage return gets a leading apostrophe. The readers undo exactly that one
    apostrophe (:func:`restore_formula_text`), so export -> import round-trips unchanged. Text
    that already starts with apostrophes followed by such a character gets one more apostrophe on
    the way out, so the round trip is exact for it too. The price: a cell that a user typed as
    ``'=x`` by hand in a CSV file is read as ``=x``.

XML safety
    openpyxl parses with defusedxml automatically when it is installed (``openpyxl.DEFUSEDXML``;
    it is a project dependency) and never resolves entities; our own formula scan also uses
    defusedxml. Zip bombs are refused from the zip directory before anything is decompressed
    (``zipfile`` never inflates a member beyond its declared size).

Modules
    ``problems`` (Problem, Note, the message catalogue and its renderer), ``cells`` (cell text,
    formula neutralising), ``grid`` (the raw cells of a file), ``reading`` (read_table, decoding,
    CSV and its delimiter), ``workbook`` (XLSX, zip-bomb check, formula scan), ``headers``
    (columns, header matching, building the table), ``writing`` (write_csv, write_xlsx). The
    names below are re-exported here: import them from ``consensus.tabular``.
"""

from .cells import FORMULA_TRIGGERS, neutralise_formula, restore_formula_text
from .headers import HEADER_SEARCH_ROWS, Column, Row, Table, limit_rows, map_columns
from .problems import (
    DELIMITER_NAMES,
    FIELD_PHRASES,
    MESSAGES,
    Note,
    Problem,
    render_message,
    sort_problems,
)
from .reading import CSV_DELIMITERS, DEFAULT_MAX_BYTES, SNIFF_SAMPLE, detect_delimiter, read_table
from .workbook import DEFAULT_MAX_UNCOMPRESSED
from .writing import write_csv, write_xlsx

__all__ = [
    "CSV_DELIMITERS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_UNCOMPRESSED",
    "DELIMITER_NAMES",
    "FIELD_PHRASES",
    "FORMULA_TRIGGERS",
    "HEADER_SEARCH_ROWS",
    "MESSAGES",
    "SNIFF_SAMPLE",
    "Column",
    "Note",
    "Problem",
    "Row",
    "Table",
    "detect_delimiter",
    "limit_rows",
    "map_columns",
    "neutralise_formula",
    "read_table",
    "render_message",
    "restore_formula_text",
    "sort_problems",
    "write_csv",
    "write_xlsx",
]
