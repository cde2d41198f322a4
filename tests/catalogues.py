"""Helpers for the tests of the message catalogues: the compiled English catalogue, and the
codes a feature's pure modules use."""

import ast
import gettext as stdlib_gettext
import pathlib
import re
import string

ROOT = pathlib.Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "consensus" / "translations"


def english_catalogue() -> dict[str, str]:
    """msgid → English text from the compiled catalogue (``pybabel compile``)."""
    translations = stdlib_gettext.translation("messages", TRANSLATIONS, languages=["en"])
    return dict(translations._catalog)  # type: ignore[attr-defined]


def english(catalogue: dict[str, str]):
    """A gettext over ``catalogue`` (msgid itself when missing, as Flask-Babel does)."""
    return lambda text: catalogue.get(text) or text


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def codes_used(paths, constructors: dict[str, int]) -> set[str]:
    """String codes passed positionally to the named calls: ``{"Problem": 1}`` takes the
    second positional argument of every ``Problem(...)`` / ``x.Problem(...)`` call."""
    found: set[str] = set()
    for path in paths:
        tree = ast.parse(pathlib.Path(path).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name not in constructors:
                continue
            index = constructors[name]
            if len(node.args) > index:
                arg = node.args[index]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    if re.fullmatch(r"[a-z][a-z0-9_]*", arg.value):
                        found.add(arg.value)
    return found
