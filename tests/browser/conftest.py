"""Browser tests: the real UI in headless Debian Chromium, driven by Playwright.

Skipped, with the reason shown, when Chromium or Playwright is missing (CI installs both).
"""

import os
import pathlib
import re
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.skips import skip_or_fail

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-gpu",
    "--no-first-run",
]
AXE_SOURCE = pathlib.Path(__file__).with_name("vendor") / "axe.min.js"


def chromium_path() -> str | None:
    return os.environ.get("CONSENSUS_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        skip_or_fail("Chromium not found (apt-get install chromium): browser tests skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed: browser tests skipped")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The app served over HTTP on loopback in a thread, on the test's own database."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture
def new_page(browser, live_server):  # closes its pages before the server stops
    contexts = []
    errors: list[str] = []

    def _new_page():
        context = browser.new_context(locale="sv-SE")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        # JavaScript errors fail the test: the pages must work as written.
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: _console_error(page, message, errors))
        return page

    yield _new_page
    for context in contexts:
        context.close()
    assert errors == [], f"errors in the browser console: {errors}"


def _console_error(page, message, errors: list[str]) -> None:
    if message.type != "error":
        return
    # An error page (403, 404) that a test opens on purpose logs its own status: not a defect.
    if "Failed to load resource" in message.text and message.location.get("url") == page.url:
        return
    # A refused save (400/409 with a JSON message) is shown beside the answer by the page:
    # the browser still logs the status.
    refused = re.search(r"status of 4(00|09)", message.text)
    if refused and message.location.get("url", "").endswith("/svar"):
        return
    errors.append(f"{page.url}: {message.text}")


@pytest.fixture
def page(new_page):
    return new_page()


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core in the page (through DevTools, so the page's CSP does not block it)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def assert_accessible(page):
    violations = axe_violations(page)
    assert violations == [], f"axe-core on {page.url}: {violations}"


@pytest.fixture
def app_config(database_url):
    """Browser tests run with CSRF protection on, as in production."""
    from tests.conftest import make_config

    return make_config(database_url, WTF_CSRF_ENABLED=True)
