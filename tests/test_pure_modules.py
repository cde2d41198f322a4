"""Pure logic stays plain Python: no Flask, no SQLAlchemy (architecture rule 1).

Which modules are framework modules is decided by their path, so a new module is held to
the rule by default and a module's place in the tree says what it may import:

- at the top level (``consensus/*.py``), the modules named in :data:`TOP_LEVEL_FRAMEWORK`;
- inside a feature package (``consensus/<feature>/``), the modules of the framework roles
  (:data:`FEATURE_FRAMEWORK_ROLES`): ``models``, ``forms``, ``commands``, ``views`` and
  ``services``, each either one module (``views.py``) or a package of them
  (``views/__init__.py``, ``views/manage.py`` ...);
- the few other framework modules a feature has, named by path with the reason
  (:data:`FEATURE_FRAMEWORK_MODULES`).

Everything else is pure: it may not import Flask, SQLAlchemy, Werkzeug, WTForms or Alembic,
nor (relatively) a framework module. ``tests/test_types.py`` runs mypy over the same modules.
"""

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "consensus"

#: ``consensus/<name>``: the application's framework modules, with what makes them one.
TOP_LEVEL_FRAMEWORK = {
    "__init__.py": "create_app, the application factory",
    "extensions.py": "the Flask extension objects (db, migrate, login_manager ...)",
    "config.py": "the Flask configuration defaults read by create_app",
    "cli.py": "the consensus command group (Flask's FlaskGroup)",
    "errors.py": "the error handlers (rolls the session back, renders templates)",
    "security.py": "security headers and request hooks",
    "i18n.py": "Flask-Babel locale selection and the message helpers",
    "mail.py": "SMTP sending with the app's configuration",
    "dbtypes.py": "SQLAlchemy column types",
    "database.py": "the engine's dialect and the dialect's upsert statement (SQLAlchemy)",
    "demo.py": "loads the demo study through the services",
    "demo_national.py": "loads the demo's national comparison through the services",
    "logs.py": "the request-log hooks (flask.request, g) and optional Sentry set up by create_app",
}

#: ``consensus/<feature>/<role>.py`` or ``consensus/<feature>/<role>/...``.
FEATURE_FRAMEWORK_ROLES = ("models", "forms", "commands", "views", "services")

#: Other framework modules inside a feature, by path below ``consensus/``, with the reason.
FEATURE_FRAMEWORK_MODULES = {
    "auth/access.py": "the before_request hook that enforces every route's declared access",
    "studies/mailing.py": "renders and sends invitations with the app's templates and mail",
    "studies/membership.py": "reads and writes who works on which study (services)",
    "studies/hooks.py": "the study pages' extension points, filled by higher floors in create_app",
    "studies/links.py": "the personal links' storage (a table) for auth's participant loader",
    "rounds/hooks.py": "registers the rounds' parts of study pages with studies/hooks.py",
    "measures/hooks.py": "registers the measures survey's due work with studies/hooks.py",
    "protocol/hooks.py": "registers the protocol versions with the study overview (studies/hooks.py)",
    # Views that the views/ package splits move under <feature>/views/ (then these go):
    "protocol/manage_views.py": "the projektledare's protocol pages (views)",
}

FORBIDDEN = ("flask", "flask_", "sqlalchemy", "werkzeug", "wtforms", "alembic")


def is_framework(path: pathlib.Path) -> bool:
    """True when ``path`` (a module under :data:`PACKAGE`) is a framework module."""
    parts = path.relative_to(PACKAGE).parts
    if len(parts) == 1:
        return parts[0] in TOP_LEVEL_FRAMEWORK
    if "/".join(parts) in FEATURE_FRAMEWORK_MODULES:
        return True
    role = parts[1].removesuffix(".py")
    return role in FEATURE_FRAMEWORK_ROLES and (len(parts) > 2 or parts[1].endswith(".py"))


def pure_modules() -> list[pathlib.Path]:
    """Every pure module of the package (see the module docstring), sorted."""
    return sorted(
        p for p in PACKAGE.rglob("*.py") if "translations" not in p.parts and not is_framework(p)
    )


def _imports(path: pathlib.Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, 0
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            yield module, node.level
            for alias in node.names:  # ``from . import services`` names a module too
                yield f"{module}.{alias.name}" if module else alias.name, node.level


def _resolve(path: pathlib.Path, module: str, level: int) -> pathlib.Path | None:
    base = path.parent
    for _ in range(level - 1):
        base = base.parent
    target = base.joinpath(*module.split(".")) if module else base
    for candidate in (target.with_suffix(".py"), target / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _absolute(module: str) -> pathlib.Path | None:
    """The file of ``consensus.x.y`` imported by its absolute name, else None."""
    parts = module.split(".")
    if parts[0] != PACKAGE.name:
        return None
    return _resolve(PACKAGE / "__init__.py", ".".join(parts[1:]), 1)


def test_there_are_pure_modules():
    names = {str(p.relative_to(PACKAGE)) for p in pure_modules()}
    assert {
        "auth/tokens.py",
        "auth/roles.py",
        "rounds/stats/descriptive.py",
        "transitions.py",
    } <= names


def test_framework_modules_are_decided_by_path():
    def framework(relative: str) -> bool:
        return is_framework(PACKAGE / relative)

    for relative in (
        "__init__.py",
        "extensions.py",
        "rounds/models.py",
        "rounds/services/__init__.py",
        "rounds/services/closing.py",
        "rounds/views/__init__.py",
        "rounds/views/results.py",
        "measures/forms/survey.py",
        "followup/views.py",
        "auth/access.py",
    ):
        assert framework(relative), relative
    for relative in (
        "tabular.py",
        "transitions.py",
        "rounds/__init__.py",
        "rounds/stats.py",
        "rounds/services_helpers.py",
        "protocol/render.py",
        "followup/fetch.py",
        "followup/plan.py",
    ):
        assert not framework(relative), relative


def test_named_framework_modules_are_modules_of_a_feature():
    for relative in FEATURE_FRAMEWORK_MODULES:
        assert relative.count("/") == 1 and relative.endswith(".py"), relative


def test_pure_modules_import_no_framework():
    offenders = set()
    for path in pure_modules():
        for module, level in _imports(path):
            if level == 0 and module.split(".")[0].startswith(FORBIDDEN):
                offenders.add(f"{path.relative_to(PACKAGE)} imports {module.split('.')[0]}")
                continue
            target = _resolve(path, module, level) if level > 0 else _absolute(module)
            if target is not None and is_framework(target):
                offenders.add(f"{path.relative_to(PACKAGE)} imports framework module {module}")
    assert sorted(offenders) == []
