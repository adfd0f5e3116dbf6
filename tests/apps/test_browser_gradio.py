"""Real browser on the Gradio front end: every lecture's tab draws its inputs with Gradio's stock browser
code (no request for component code that does not exist), and each tab shows its sliders, choices and
buttons, so a student can use the demos without the API. Screenshots go beside the Streamlit ones."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from apps.gradio_app import tab_modules
from core import schedule
from tests.apps.test_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS, served

pytestmark = pytest.mark.browser

INPUTS = "input[type=range], input[type=radio], input[type=checkbox], input[role=listbox], input[type=number]"


@pytest.fixture(scope="module")
def gradio_url() -> Iterator[str]:
    env = {"GRADIO_SERVER_PORT": "{port}", "GRADIO_ANALYTICS_ENABLED": "False"}
    with served([sys.executable, "apps/gradio_app.py"], "/config", env, timeout_s=180) as url:
        yield url


@pytest.mark.timeout(400)
def test_every_lecture_tab_draws_its_inputs(gradio_url: str) -> None:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    failed: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Wide enough for the top row to show all eight tabs (a narrower one folds the last into a menu).
        page = browser.new_page(viewport={"width": 2800, "height": 1000})
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(gradio_url, wait_until="networkidle", timeout=120_000)
        for lec in [lec for lec in schedule.LECTURES if tab_modules(lec)]:  # no demos, no tab
            page.get_by_role("tab", name=f"{lec.number} · ", exact=False).first.click()
            page.wait_for_timeout(1500)
            shown = page.locator(INPUTS).filter(visible=True).count()
            page.screenshot(path=str(SHOTS / f"gradio-lecture{lec.number}.png"))
            assert shown > 0, f"lecture {lec.number}'s Gradio tab shows no input"
        browser.close()
    assert not failed, "requests that failed:\n" + "\n".join(failed[:10])
