"""Accessibility and layout audit of every gallery page in a real browser at 1280 px (a projector's width).

For each page of the navigation (with every expander opened and every tab shown in turn):
- axe-core (vendored, ``tests/apps/vendor/axe.min.js``) finds no WCAG 2.0/2.1 A or AA violation: images
  have alt text, text has 4.5:1 contrast, a region that scrolls can be reached with the keyboard, ...
- no text is cut off: no label truncated with an ellipsis, no widget value, code line, formula, chart or
  table wider than the box that clips it.

Violations that only a page's own code can fix are listed in ``KNOWN_VIOLATIONS`` / ``KNOWN_CLIPPED`` with
the reason, so the audit passes today and still catches any new one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from apps import catalog
from tests.apps.test_browser import CHROMIUM, CHROMIUM_ARGS, _streamlit_server, _wait_until_idle

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
VIEWPORT = {"width": 1280, "height": 800}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SLUGS = ["", "status", *(d.slug for d in catalog.available_demos())]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Debian chromium (apt-get install chromium)"),
    pytest.mark.skipif(not AXE.exists(), reason=f"axe-core is not vendored at {AXE}"),
]

# Streamlit's own navigation markup: its <ul> holds <div> section headers, and its <li> items sit in <div>s,
# not in the <ul>. Nothing the app passes to st.navigation changes that, so these two rules are waived
# there, and only there: a list anywhere else in the page is still checked.
SIDEBAR_NAV = '[data-testid="stSidebarNav"]'
STREAMLIT_MARKUP_RULES = {"list", "listitem"}

# (page slug, axe rule) -> why it is still there. Each needs a change in the page's own code.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {
}

# (page slug, where: the element's data-testid, or "input" for a widget's value) -> why.
KNOWN_CLIPPED: dict[tuple[str, str], str] = {
    ("l4-saliency", "input"): "the Grad-CAM layer names are longer than their select box (line 37)",
}

# Every failing node of every WCAG A/AA rule, with whether it lies in Streamlit's navigation.
_AXE_RUN = """async (tags) => {
  const describe = e => e && (e.innerText || (e.closest('[data-testid="stImage"]') || e).innerText
    || e.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ').slice(0, 70);
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, elementRef: true,
                                     resultTypes: ['violations']});
  return r.violations.flatMap(v => v.nodes.map(n => ({
    rule: v.id, help: v.help,
    inNav: !!(n.element && n.element.closest('%s')),
    what: describe(n.element) || n.html.slice(0, 70),
  })));
}""" % SIDEBAR_NAV

# Text cut off in the main area: an element that clips (overflow other than visible, an ellipsis, or a
# text input) and whose content is wider than its box. Elements 1 px wide or less are skipped: they are
# hidden, or visually hidden on purpose (KaTeX's MathML copy for screen readers). 2 px of slack: KaTeX's
# struts overhang a formula's box by up to 2 px with no glyph cut.
_CLIPPED = """() => {
  const out = [];
  for (const e of document.querySelectorAll('[data-testid="stMain"] *')) {
    if (e.clientWidth <= 1 || e.scrollWidth <= e.clientWidth + 2) continue;
    const cs = getComputedStyle(e);
    const input = e.tagName === 'INPUT';
    if (!input && cs.overflowX === 'visible' && cs.textOverflow !== 'ellipsis') continue;
    const table = e.closest('[data-testid="stDataFrame"]');
    const text = (input ? e.value : e.innerText || '').trim().replace(/\\s+/g, ' ');
    if (!text && !table) continue;
    const owner = e.closest('[data-testid]');
    const key = [...(e.closest('[class*="st-key-"]') || e).classList].find(c => c.startsWith('st-key-'));
    out.push({where: table ? 'stDataFrame' : input ? 'input' : (owner ? owner.dataset.testid : e.tagName),
              what: text.slice(0, 50) || key || '', shown: e.clientWidth, needed: e.scrollWidth});
  }
  return out;
}"""

_OPEN_EXPANDERS = """() => document
  .querySelectorAll('[data-testid="stExpander"] details:not([open]) > summary').forEach(s => s.click())"""


@dataclass
class PageAudit:
    violations: dict[tuple[str, str], dict] = field(default_factory=dict)  # (rule, what) -> node
    clipped: dict[tuple[str, str], dict] = field(default_factory=dict)  # (where, what) -> element

    def add(self, page) -> None:
        page.evaluate(_OPEN_EXPANDERS)
        page.wait_for_timeout(300)
        for node in page.evaluate(_AXE_RUN, WCAG_TAGS):
            if node["inNav"] and node["rule"] in STREAMLIT_MARKUP_RULES:
                continue
            self.violations.setdefault((node["rule"], node["what"]), node)
        for el in page.evaluate(_CLIPPED):
            self.clipped.setdefault((el["where"], el["what"]), el)


@pytest.fixture(scope="module")
def audit() -> Iterator[Callable[[str], PageAudit]]:
    """Audits a page once (both tests of a page share it): opens it at 1280x800, opens its expanders,
    shows each of its tabs in turn, and runs axe and the cut-off check on every view."""
    from playwright.sync_api import sync_playwright

    done: dict[str, PageAudit] = {}
    script = AXE.read_text(encoding="utf-8")
    with _streamlit_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)

        def run(slug: str) -> PageAudit:
            if slug not in done:
                page.goto(f"{url}/{slug}")
                _wait_until_idle(page)
                page.add_script_tag(content=script)
                result = PageAudit()
                result.add(page)
                tabs = page.locator('[data-testid="stMain"] [role="tab"]')
                for i in range(1, tabs.count()):
                    tabs.nth(i).click()
                    _wait_until_idle(page)  # a tab bound to the URL reruns the page
                    if not page.evaluate("typeof axe !== 'undefined'"):
                        page.add_script_tag(content=script)
                    result.add(page)
                done[slug] = result
            return done[slug]

        yield run
        browser.close()


def _name(slug: str) -> str:
    return slug or "home"


@pytest.mark.parametrize("slug", SLUGS, ids=_name)
def test_no_wcag_aa_violations(audit: Callable[[str], PageAudit], slug: str) -> None:
    found = audit(slug).violations
    new = [n for (rule, _), n in found.items() if (slug, rule) not in KNOWN_VIOLATIONS]
    assert not new, f"{_name(slug)} at 1280 px: WCAG 2 A/AA violations (axe-core):\n" + "\n".join(
        f"  {n['rule']}: {n['help']} — {n['what']!r}" for n in new
    )


@pytest.mark.parametrize("slug", SLUGS, ids=_name)
def test_no_text_cut_off_at_1280_px(audit: Callable[[str], PageAudit], slug: str) -> None:
    found = audit(slug).clipped
    new = [e for (where, _), e in found.items() if (slug, where) not in KNOWN_CLIPPED]
    assert not new, f"{_name(slug)} at 1280 px: text cut off:\n" + "\n".join(
        f"  {e['where']}: {e['what']!r} needs {e['needed']} px, shown in {e['shown']} px" for e in new
    )
