"""Real browser: open the running gallery in Debian's Chromium, visit every page of the navigation,
check that no page shows a Streamlit exception, and save a screenshot of each; open a shared link as
the very first request to a fresh server; check that the navigation shows every demo, unfolded.

Screenshots go to ``artifacts/screenshots/`` (or ``GALLERY_SCREENSHOTS``); the README's picture is one.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from apps import catalog
from tests.helpers import ROOT, free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(os.environ.get("GALLERY_SCREENSHOTS", ROOT / "artifacts" / "screenshots"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--headless", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Debian chromium (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with _streamlit_server() as url:
        yield url


@contextmanager
def served(argv: list[str], health: str, extra_env: dict[str, str] | None = None,
           timeout_s: float = 90) -> Iterator[str]:
    """A fresh server started as ``argv`` from the repository root (``{port}`` in ``argv`` and ``extra_env``
    is a free port); yields its URL once ``health`` (a path) answers, and stops its process group after."""
    port = free_port()
    extra = {k: v.format(port=port) for k, v in (extra_env or {}).items()}
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1", **extra}
    proc = subprocess.Popen([a.format(port=port) for a in argv], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout_s
        while True:
            try:
                if urllib.request.urlopen(f"{url}{health}", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                out = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"{argv[1:3]} did not become healthy:\n{out[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def _streamlit_server() -> AbstractContextManager[str]:
    """A fresh gallery server on a free port, started the way the README and the Dockerfile start it;
    yields its URL once healthy (a health check opens no session, so the server is still fresh)."""
    return served([sys.executable, "-m", "streamlit", "run", "apps/streamlit_app.py", "--server.headless",
                   "true", "--server.address", "127.0.0.1", "--server.port", "{port}"], "/_stcore/health")


_CHARTS_DRAWN = (  # no placeholder still waiting for the script, and every plotly chart has its SVG
    "() => !document.querySelector('[data-testid^=\"stSkeleton\"]') && "
    "[...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
    ".every(c => c.querySelector('.main-svg'))"
)


def _wait_until_idle(page, timeout_s: float = 90) -> None:
    """Wait for the page title, then until the script run has finished for a moment (the app root's
    ``data-test-script-state``; the status widget does not show with the minimal toolbar), then until
    the charts have drawn."""
    page.wait_for_selector("h1", timeout=timeout_s * 1000)
    deadline, quiet_since = time.time() + timeout_s, None
    while time.time() < deadline:
        state = page.get_attribute('[data-testid="stApp"]', "data-test-script-state")
        if state in ("running", "initial", None):
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif time.time() - quiet_since > 1.0:
            # Charts draw client-side after the script ends: wait until every plotly chart has its SVG
            # (on a busy machine that takes seconds), then give the drawing a moment to settle.
            try:
                page.wait_for_function(_CHARTS_DRAWN, timeout=60_000)
            except Exception:  # a chart that never draws shows in the screenshot; the checks go on
                pass
            page.wait_for_timeout(500)
            return
        time.sleep(0.2)


def test_every_page_opens_without_an_exception(server: str) -> None:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    expected = {"", "status"} | {d.slug for d in catalog.available_demos()}
    failures: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server)
        _wait_until_idle(page)
        hrefs = page.eval_on_selector_all('[data-testid="stSidebarNav"] a', "els => els.map(e => e.href)")
        slugs = {h.removeprefix(server).strip("/") for h in hrefs}
        assert slugs == expected, f"navigation differs from the schedule: {sorted(slugs ^ expected)}"
        for slug in sorted(slugs):
            page.goto(f"{server}/{slug}")
            _wait_until_idle(page)
            name = slug or "home"
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)
            exc = page.locator('[data-testid="stException"]')
            if exc.count():
                failures.append(f"{name}: {exc.first.inner_text()[:500]}")
            title = page.locator("h1").first.inner_text()
            if not title.strip():
                failures.append(f"{name}: empty title")
        browser.close()
    assert not failures, "pages with exceptions:\n" + "\n".join(failures)


# True for an element whose text the sidebar clips (ellipsis): it or a child is wider than its box.
_CLIPPED = (
    "els => els.map(e => [e.innerText,"
    " [e, ...e.querySelectorAll('*')].some(x => x.scrollWidth > x.clientWidth)])"
)


def test_navigation_shows_every_demo_one_click_away(server: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server)
        _wait_until_idle(page)
        nav = page.locator('[data-testid="stSidebarNav"]')
        links = nav.locator('[data-testid="stSidebarNavLink"]')
        shown = [links.nth(i) for i in range(links.count()) if links.nth(i).is_visible()]
        visible = [link.inner_text().split("\n")[-1] for link in shown]
        headers = page.eval_on_selector_all('[data-testid="stNavSectionHeader"]', _CLIPPED)
        folded = re.findall(r"View (?:\d+ )?(?:more|less)", nav.inner_text())  # Streamlit's fold button
        browser.close()
    assert not folded, f"the navigation folds pages: {folded}"
    assert set(visible) >= {d.title for d in catalog.available_demos()}, visible
    lectures_shown = {catalog.section_title(catalog.lecture_of(d.slug)) for d in catalog.available_demos()}
    assert {h for h, _ in headers} == {"Course"} | lectures_shown
    assert not [h for h, clipped in headers if clipped], f"section titles clipped by the sidebar: {headers}"


def test_a_shared_link_opens_clean_as_the_first_request_to_a_fresh_server() -> None:
    """A lecturer's bookmark, opened right after the server (re)starts: the page itself with the link's
    settings, and no "Page not found" dialog over it."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with _streamlit_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/l2-playground?l2pg_lr=0.1&l2pg_width=32")
        _wait_until_idle(page)
        page.screenshot(path=str(SHOTS / "first-visit-l2-playground.png"), full_page=False)
        dialogs = page.locator('[role="dialog"]').all_inner_texts()
        title = page.locator("h1").first.inner_text()
        values = page.locator('[data-testid="stSliderThumbValue"]').all_inner_texts()
        address = page.url
        browser.close()
    assert not dialogs, f"a dialog covers the page: {dialogs}"
    assert title == "MLP playground"
    assert "0.1" in values and "32" in values, f"the link's learning rate and width are not shown: {values}"
    assert "l2pg_lr=0.1" in address and "l2pg_width=32" in address
