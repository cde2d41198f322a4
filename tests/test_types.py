"""mypy over the pure modules (the same modules as ``tests/test_pure_modules.py``).

The settings are ``[tool.mypy]`` in pyproject.toml; imports into framework modules are
followed silently, so only the pure modules' own errors count.
"""

import pathlib

from mypy import api as mypy_api

from tests.test_pure_modules import pure_modules

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_pure_modules_type_check(monkeypatch):
    monkeypatch.chdir(ROOT)  # mypy reports paths relative to the working directory
    files = [str(path.relative_to(ROOT)) for path in pure_modules()]
    assert files
    stdout, stderr, status = mypy_api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--no-error-summary", *files]
    )
    assert status == 0, f"mypy found errors in pure modules:\n{stdout}{stderr}"
