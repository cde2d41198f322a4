"""Each feature's message catalogue knows every code its logic raises, and every template it
marks with ``N_`` has an English translation (tabular, studies, rounds).

Codes are found in the source (AST), not by running the checks: a code that only a rare input
raises is still held to its catalogue.
"""

import ast
import gettext
import io
import pathlib
import string

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from consensus.auth import messages as auth_messages
from consensus.followup import messages as followup_messages
from consensus.rounds import messages as rounds_messages
from consensus.rounds.ballot_files import BallotProblem
from consensus.studies import messages as studies_messages
from consensus.tabular import MESSAGES as TABULAR

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "consensus"
PO = PACKAGE / "translations" / "en" / "LC_MESSAGES" / "messages.po"

#: How a module names a code: the call and which positional argument is the code.
CODE_ARGUMENTS = {"Problem": 2, "BallotProblem": 2, "add": 2, "Note": 0}
ERROR_ARGUMENTS = {"RoundError": 0, "StudyError": 0, "AccountError": 0}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _strings(node: ast.expr | None) -> set[str]:
    """The string literals an expression can evaluate to as a code: ``"x"``,
    ``"x" if c else "y"``, ``{"a": "x", "b": "y"}[key]``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Dict):
        return set().union(*(_strings(v) for v in node.value.values))
    return set()


def codes_in(paths, arguments) -> set[str]:
    """Every code literal passed to the calls named in ``arguments``, assigned to a variable
    ``code`` or returned/stored as ``("code", {params})``."""
    found: set[str] = set()
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in arguments:
                index = arguments[_name(node.func)]
                if len(node.args) > index and not isinstance(node.args[index], ast.Starred):
                    found |= _strings(node.args[index])
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "code" for t in node.targets
            ):
                found |= _strings(node.value)
            elif (
                isinstance(node, ast.Tuple)
                and len(node.elts) == 2
                and isinstance(node.elts[1], ast.Dict)
            ):
                found |= _strings(node.elts[0])
    return found


def modules(*relative: str) -> list[pathlib.Path]:
    paths: list[pathlib.Path] = []
    for item in relative:
        path = PACKAGE / item
        paths += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return paths


@pytest.mark.parametrize(
    ("paths", "arguments", "catalogue"),
    [
        (modules("tabular", "studies/importing.py"), CODE_ARGUMENTS, TABULAR),
        (modules("rounds/ballot_files.py"), CODE_ARGUMENTS, BallotProblem.catalogue),
        (modules("rounds/services"), ERROR_ARGUMENTS, rounds_messages.ERRORS),
        (modules("studies/services.py"), ERROR_ARGUMENTS, studies_messages.ERRORS),
        (modules("auth/services.py", "auth/views.py"), ERROR_ARGUMENTS, auth_messages.ERRORS),
        (
            modules("followup/scoring.py", "followup/suppression.py", "followup/services"),
            {"ScoringError": 0, "SuppressionError": 0, "FollowupError": 0},
            followup_messages.CATALOGUE,
        ),
    ],
    ids=[
        "tabular+studies-import",
        "ballot-files",
        "round-errors",
        "study-errors",
        "accounts",
        "followup",
    ],
)
def test_every_code_raised_is_in_its_catalogue(paths, arguments, catalogue):
    codes = codes_in(paths, arguments)
    assert len(codes) >= 5, "the scan found (almost) nothing: has the code style changed?"
    missing = sorted(code for code in codes if code not in catalogue)
    assert not missing, f"codes without a message in {catalogue.name}: {missing}"


def test_the_scan_sees_codes_in_every_style():
    codes = codes_in(modules("tabular", "studies/importing.py"), CODE_ARGUMENTS)
    # a literal, a conditional, a dict lookup, a note, an issue tuple, a check.add
    for code in ("empty_file", "not_xlsx", "duplicate_email", "csv_read", "cell_error"):
        assert code in codes, code
    assert "invalid_code" in codes and "ok" not in codes
    ballot = codes_in(modules("rounds/ballot_files.py"), CODE_ARGUMENTS)
    assert {"invalid_rating", "invalid_rank", "rank_gap", "group_conflict"} <= ballot


def marked_templates() -> set[str]:
    """Every ``N_("...")`` in the catalogues' modules."""
    found: set[str] = set()
    for path in modules(
        "tabular/problems.py", "rounds/messages.py", "studies/messages.py", "auth/messages.py"
    ):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func) == "N_":
                found |= _strings(node.args[0])
    return found


@pytest.fixture(scope="module")
def english() -> gettext.GNUTranslations:
    """The English catalogue compiled as ``pybabel compile`` does (fuzzy entries left out)."""
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_marked_template_has_an_english_translation(english):
    templates = marked_templates()
    for catalogue in (
        TABULAR,
        BallotProblem.catalogue,
        rounds_messages.ERRORS,
        studies_messages.ERRORS,
        auth_messages.ERRORS,
    ):
        assert set(catalogue.messages.values()) <= templates, catalogue.name
    assert {"och", "eller", "Rad {row}: {message}", "semikolon (;)", "stänga"} <= templates
    # (present with a non-empty text: "facilitator" is the same word in both languages)
    untranslated = sorted(t for t in templates if not english._catalog.get(t))  # type: ignore[attr-defined]
    assert not untranslated, f"no English for: {untranslated}"
    # A translation keeps the template's placeholders, or it renders unfilled.
    wrong = sorted(t for t in templates if _fields(english.gettext(t)) != _fields(t))
    assert not wrong, f"placeholders differ in the English of: {wrong}"
