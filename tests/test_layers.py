"""No import runs back up: the feature packages stand in floors.

``auth`` <- ``studies`` <- ``rounds`` <- ``measures`` <- ``protocol`` <- ``followup``. A module
may import from its own floor and the floors below. The top-level modules (``extensions``,
``config``, ``transitions``, ``mail`` ...) sit below every feature; ``pages/`` sits above the
features; ``cli.py``, ``demo.py`` (with ``demo_national.py``) and ``__init__.py`` sit above everything. A lower floor that
needs something from a higher one defines a hook the higher floor fills at app start
(``auth.access.register_participant_loader``, ``studies/hooks.py``).

The test reads every import with ``ast``: module-level and inside functions, absolute and
relative, so a late import is no way round it.
"""

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "consensus"
FEATURES = ("auth", "studies", "rounds", "measures", "protocol", "followup")
BASE = -1  # the top-level modules: config, extensions, transitions, mail ...
PAGES = len(FEATURES)
TOP = PAGES + 1  # consensus/__init__.py, cli.py, demo.py, demo_national.py

# Upward imports in packages this change may not edit, each with the package that owns it.
KNOWN_EXCEPTIONS: set[str] = set()


def floor(module: str) -> int | None:
    """The floor of a dotted module name inside ``consensus``, or None outside it."""
    parts = module.split(".")
    if parts[0] != "consensus":
        return None
    if len(parts) == 1 or parts[1] in ("cli", "demo", "demo_national"):
        return TOP
    if parts[1] in FEATURES:
        return FEATURES.index(parts[1])
    if parts[1] == "pages":
        return PAGES
    return BASE


def module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    parts = name.split(".")
    if parts[0] != "consensus":
        return False
    target = PACKAGE.joinpath(*parts[1:])
    return target.with_suffix(".py").exists() or (target / "__init__.py").exists()


def imported(path: pathlib.Path, text: str | None = None):
    """(line, dotted name) of every module ``path`` imports: ``from x import y`` gives ``x.y``
    when that is a module (``from consensus import rounds``), else ``x``. ``text`` stands in
    for the file's content."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8") if text is None else text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            for alias in node.names:
                name = f"{source}.{alias.name}"
                yield node.lineno, name if is_module(name) else source


def upward_imports() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "translations" in path.parts:
            continue
        here = floor(module_name(path))
        assert here is not None
        for line, name in imported(path):
            there = floor(name)
            if there is not None and there > here:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}")
    return sorted(set(found))


def test_floor_of_names():
    assert floor("consensus.extensions") < floor("consensus.auth.access")
    assert floor("consensus.auth") < floor("consensus.studies.models")
    assert floor("consensus.followup.views") > floor("consensus.protocol")
    assert floor("consensus.pages.views") > floor("consensus.followup")
    assert floor("consensus") == floor("consensus.cli") > floor("consensus.pages")
    assert floor("flask") is None


def test_the_walk_sees_late_relative_and_absolute_imports():
    text = (
        "import consensus.measures.models\n"
        "from consensus import protocol\n"
        "def f():\n"
        "    from ..rounds import services\n"
        "    from . import models\n"
    )
    names = {name for _, name in imported(PACKAGE / "studies" / "m.py", text)}
    assert {
        "consensus.measures.models",
        "consensus.protocol",
        "consensus.rounds.services",
        "consensus.studies.models",
    } <= names
    # One level deeper, two dots lead back to the package itself.
    names = {name for _, name in imported(PACKAGE / "studies" / "views" / "m.py", text)}
    assert {"consensus.studies.rounds", "consensus.studies.views"} <= names


def test_no_import_runs_back_up():
    found = upward_imports()
    unexpected = [line for line in found if line.split(":")[0] not in KNOWN_EXCEPTIONS]
    assert not unexpected, "imports that run up a floor:\n" + "\n".join(unexpected)


def test_known_exceptions_are_still_needed():
    """An exception that no longer happens is struck from the list."""
    files = {line.split(":")[0] for line in upward_imports()}
    assert KNOWN_EXCEPTIONS <= files
