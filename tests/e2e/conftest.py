"""Real-browser harness: the app served on loopback, driven by Playwright in Chromium.

Debian's chromium is used (``make test`` installs it with apt-get); Playwright's
own browser download is never used. axe-core comes from the npm registry
(``node_modules/``) and is injected into the page.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

ROOT = Path(__file__).parent.parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is missing: run `make test` (it installs Debian's chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"])
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The test's app served on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def page(browser, live_server):
    # bypass_csp: axe-core is injected as an inline script, which the portal's CSP
    # forbids; tests/e2e/test_security_journey.py checks the pages with the CSP enforced.
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the current page; the violations of the given impacts."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test` (npm install)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in impacts]


def log_in(page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def fill_body(page, text: str) -> None:
    """Write ``text`` into an item's body as a person does: in the rich-text editor when it
    runs (a blank line starts a new paragraph: Enter), else in the plain textarea."""
    # The editor is made on DOMContentLoaded; a page reached by a click may not be there
    # yet, and filling the textarea it is about to hide would then wait in vain.
    page.wait_for_load_state("load")
    editor = page.locator(".jodit-wysiwyg")
    if not editor.count():
        page.get_by_label("正文").fill(text)
        return
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    for n, paragraph in enumerate(p for p in text.split("\n\n") if p.strip()):
        if n:
            page.keyboard.press("Enter")
        page.keyboard.type(paragraph)
        expect(editor).to_contain_text(paragraph)  # typed in full before the next Enter
