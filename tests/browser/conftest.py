"""Browser tests: a real server (werkzeug, threaded, port 0) driven by Playwright in Debian's Chromium.

Chromium comes from Debian's package (`apt-get install chromium`); Playwright never downloads
a browser here. Under CI=true a missing browser fails the run instead of skipping it.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from participation.config import ROOT

AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _missing(what: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI", pytrace=False)
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        _missing("Debian's chromium (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def playwright_instance():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        _missing("playwright (pip install playwright)")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance, chromium_path):
    browser = playwright_instance.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def live_server(app):
    """The test app served over HTTP on a free port, for the length of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SOURCE.exists():
        _missing("axe-core (npm install)")
    return AXE_SOURCE.read_text()


@pytest.fixture
def axe(axe_source):
    """Run axe-core (WCAG 2.1 A and AA rules) on the page; returns the violations."""

    def run(page) -> list[dict]:
        # Evaluated through the DevTools protocol, not a <script> tag: the page's CSP stays strict.
        page.evaluate(axe_source)
        result = page.evaluate(
            """() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
        )
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]

    return run


def browser_login(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/connexion")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def screenshot(page, name: str) -> None:
    """Kept for people to look at: screenshots/<name>.png (ignored by git)."""
    folder = Path(ROOT / "screenshots")
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
