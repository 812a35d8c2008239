"""The pages work in a real browser with the Content-Security-Policy enforced: no
violation is reported on public pages, desks, forms with confirmations and charts."""

from __future__ import annotations

from portal.accounts.models import Role, UnitKind
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in


def test_no_page_breaks_the_content_security_policy(browser, live_server, make_user,
                                                    make_unit, make_item, center):
    town = make_unit(UnitKind.township, code="T1", name="城关镇")
    item = make_item(town, submitted="2026-10-12 10:00", published="2026-10-13 09:00",
                     title="城关镇开展秋季防火检查")
    admin = make_user(Role.admin)
    make_user(Role.officer, unit=town)
    context = browser.new_context(base_url=live_server, locale="zh-CN")  # CSP enforced
    page = context.new_page()
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(
        f"{page.url}: {m.text}"))
    page.on("pageerror", lambda e: violations.append(f"{page.url}: {e}"))

    for url in ["/", "/column/news", f"/items/{item.id}", "/messages/new", "/search?q=防火",
                "/care-mode/on?next=/", "/login"]:
        page.goto(url)
    log_in(page, admin.username, PASSWORD)
    for url in ["/admin/units", "/admin/users", "/monitor/", "/monitor/trend", "/audit/",
                "/admin/pages/profile"]:
        page.goto(url)
    # The rich-text editor (Jodit) starts and takes typing under the policy.
    page.locator(".jodit-wysiwyg").click()
    page.keyboard.type("测试")
    # A confirmation (data-confirm, answered by a static script) still asks, and a "no" stops it.
    page.goto("/admin/users")
    asked = []
    page.on("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    with page.expect_event("dialog"):
        page.get_by_role("button", name="停用").first.click()
    page.wait_for_load_state()
    assert asked and "停用" in asked[0]
    assert page.url.endswith("/admin/users")
    assert violations == []
    context.close()
