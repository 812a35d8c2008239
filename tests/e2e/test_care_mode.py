"""关怀版 measured in Chromium with computed styles (互联网网站适老化通用设计规范): main text
at least 18 px (20 here), line height at least 1.5, every click target at least 44 × 44 px on
a 390 px phone, no motion; switching on and off keeps the page."""

from __future__ import annotations

from portal.accounts.models import UnitKind

MEASURE = """() => {
  const px = v => parseFloat(v);
  const text = [...document.querySelectorAll('main p, main li, .article-body p')]
    .filter(e => e.offsetParent && e.textContent.trim());
  const small = text.filter(e => px(getComputedStyle(e).fontSize) < 18)
    .map(e => e.tagName + ':' + getComputedStyle(e).fontSize + ':'
              + e.textContent.trim().slice(0, 20));
  const tight = text.filter(e => {
    const s = getComputedStyle(e); return px(s.lineHeight) / px(s.fontSize) < 1.5; })
    .map(e => e.textContent.trim().slice(0, 20));
  const targets = [...document.querySelectorAll('a, button, input, select, textarea')]
    .filter(e => e.offsetParent && !e.closest('p') && e.type !== 'hidden'
                 && !e.classList.contains('skip-link'));
  const tiny = targets.filter(e => { const r = e.getBoundingClientRect();
    return r.height < 44 || r.width < 44; })
    .map(e => { const r = e.getBoundingClientRect();
      return e.tagName + ' ' + (e.textContent || e.name || '').trim().slice(0, 12) + ' '
             + Math.round(r.width) + 'x' + Math.round(r.height); });
  return {small, tight, tiny, targets: targets.length,
          wide: document.documentElement.scrollWidth > window.innerWidth};
}"""


def test_care_mode_meets_the_elderly_rules_on_a_phone(browser, live_server, make_unit,
                                                      make_item):
    town = make_unit(UnitKind.township, code="T1", name="城关镇")
    item = make_item(town, submitted="2026-10-12 10:00", published="2026-10-13 09:00",
                     title="城关镇开展秋季防火检查")
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"/items/{item.id}")
    page.get_by_role("link", name="关怀版").click()
    assert page.url.endswith(f"/items/{item.id}")  # the same page, now larger
    for url in ["/", "/column/news", f"/items/{item.id}", "/messages/new"]:
        page.goto(url)
        result = page.evaluate(MEASURE)
        assert result["small"] == [], (url, result["small"][:5])
        assert result["tight"] == [], (url, result["tight"][:5])
        assert result["tiny"] == [], (url, result["tiny"][:8], result["targets"])
        assert not result["wide"], url
        size = page.evaluate("() => getComputedStyle(document.body).fontSize")
        assert size == "20px"
    page.get_by_role("link", name="退出关怀版").click()
    assert page.evaluate("() => getComputedStyle(document.body).fontSize") == "16px"
    context.close()
