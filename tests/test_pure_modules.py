"""Pure logic stays plain Python: no Flask, no SQLAlchemy (architecture rule 1).

Every module is pure unless it is one of the framework modules listed here, so a new
module is held to the rule by default.
"""

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "consensus"
FRAMEWORK_MODULES = {
    "__init__.py",
    "models.py",
    "views.py",
    "services.py",
    "forms.py",
    "cli.py",
    "extensions.py",
    "config.py",
    "errors.py",
    "security.py",
    "i18n.py",
    "access.py",
    "demo.py",
    "dbtypes.py",
    "mail.py",
    "commands.py",
    "mailing.py",
    "survey_views.py",
    "manage_views.py",
    "followup_views.py",
    # measures/services/ and measures/views/ (until the rule is path-based)
    "common.py",
    "survey.py",
    "responding.py",
    "review.py",
    "paper.py",
    "exports.py",
    "rating.py",
    "manage.py",
    "experts.py",
}
FORBIDDEN = ("flask", "flask_", "sqlalchemy", "werkzeug", "wtforms", "alembic")


def _imports(path: pathlib.Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, 0
        elif isinstance(node, ast.ImportFrom):
            yield node.module or "", node.level


def _resolve(path: pathlib.Path, module: str, level: int) -> pathlib.Path | None:
    base = path.parent
    for _ in range(level - 1):
        base = base.parent
    target = base.joinpath(*module.split(".")) if module else base
    for candidate in (target.with_suffix(".py"), target / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def pure_modules():
    return sorted(
        p
        for p in PACKAGE.rglob("*.py")
        if p.name not in FRAMEWORK_MODULES and "translations" not in p.parts
    )


def test_there_are_pure_modules():
    names = {p.name for p in pure_modules()}
    assert {"tokens.py", "roles.py", "lifecycle.py"} <= names


def test_pure_modules_import_no_framework():
    offenders = []
    for path in pure_modules():
        for module, level in _imports(path):
            if level == 0 and module.split(".")[0].startswith(FORBIDDEN):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {module}")
            elif level > 0:
                target = _resolve(path, module, level)
                if target is not None and target.name in FRAMEWORK_MODULES:
                    offenders.append(
                        f"{path.relative_to(PACKAGE)} imports framework module {module or '.'}"
                    )
    assert offenders == []
