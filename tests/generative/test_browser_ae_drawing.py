"""Real browser: on the autoencoder page, draw a 1 with the mouse on the canvas (the inline component, no
network) and see the page encode it, redraw it and report the classifier's reading."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apps.test_browser import CHROMIUM, CHROMIUM_ARGS, _streamlit_server, _wait_until_idle

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Debian chromium (apt-get install chromium)"),
]


def test_a_digit_drawn_with_the_mouse_is_encoded_and_read() -> None:
    from playwright.sync_api import sync_playwright

    with _streamlit_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/l5-autoencoders")
        _wait_until_idle(page)
        page.get_by_role("tab", name="Draw to encode").click()
        canvas = page.locator("canvas[width='280']").first  # inside the component's shadow root
        canvas.wait_for(state="visible", timeout=60_000)
        box = canvas.bounding_box()
        assert box is not None
        x = box["x"] + box["width"] / 2
        page.mouse.move(x, box["y"] + 0.15 * box["height"])
        page.mouse.down()
        for i in range(1, 21):  # a vertical stroke, as a hand draws a 1
            page.mouse.move(x, box["y"] + (0.15 + 0.035 * i) * box["height"])
        page.mouse.up()
        page.get_by_text("reads your drawing as").wait_for(timeout=120_000)
        text = page.get_by_text("reads your drawing as").inner_text()
        browser.close()
    assert "cnn-mnist" in text and "drawing as 1 (" in text
