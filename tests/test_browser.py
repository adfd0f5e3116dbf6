"""Real browser: open the running gallery in Debian's Chromium, visit every page of the navigation,
check that no page shows a Streamlit exception, and save a screenshot of each.

Screenshots go to ``artifacts/screenshots/`` (or ``GALLERY_SCREENSHOTS``); the README's picture is one.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
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
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "apps/streamlit_app.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                out = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"streamlit did not become healthy:\n{out[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def _wait_until_idle(page, timeout_s: float = 90) -> None:
    """Wait for the page title, then until Streamlit's 'running' indicator has gone for a moment."""
    page.wait_for_selector("h1", timeout=timeout_s * 1000)
    deadline, quiet_since = time.time() + timeout_s, None
    while time.time() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif time.time() - quiet_since > 1.0:
            # Charts draw client-side after the script ends: give plotly a moment before the screenshot.
            page.wait_for_timeout(1500)
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
            n_exc = page.locator('[data-testid="stException"]').count()
            if n_exc:
                failures.append(f"{name}: {page.locator('[data-testid=stException]').first.inner_text()[:500]}")
            title = page.locator("h1").first.inner_text()
            if not title.strip():
                failures.append(f"{name}: empty title")
        browser.close()
    assert not failures, "pages with exceptions:\n" + "\n".join(failures)
