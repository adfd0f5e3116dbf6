"""AppTest of the page l4-style: every control reaches the core call; the result and its preview show."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from core.transfer import style as sy
from tests.helpers import finish_job, page, texts

STYLE = "apps/pages/l4/style.py"


@pytest.fixture(autouse=True)
def no_vgg(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No VGG-19 weights and no network (as in a lecture hall): the bundled Lite0 serves, saying why."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path_factory.mktemp("empty-torch-home")))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Records each sy.run call the page makes, then runs it at the smallest size and step count."""
    calls: list[dict[str, Any]] = []
    real = sy.run

    def record(cfg: sy.StyleConfig, style: Any, content: Any = None, job: Any = None) -> sy.StyleResult:
        calls.append(dict(cfg=cfg, style=style, content=content))
        small = dataclasses.replace(cfg, size=sy.SIZE[0], iterations=sy.ITERATIONS[0])
        return real(small, style, content, job)

    monkeypatch.setattr(sy, "run", record)
    return calls


def test_default_page_says_which_network_and_synthesises(spy: list[dict[str, Any]]) -> None:
    at = page(STYLE, timeout=120)
    shown = texts(at)
    assert "VGG-19" in shown and "EfficientNet-Lite0" in shown and "`blocks.0`-`blocks.4`" in shown
    assert "VGG-19 is unavailable" in " ".join(w.value for w in at.warning)
    at.button(key="l4st__start").click().run()
    finish_job(at, "l4st")
    assert not at.exception and len(spy) == 1
    cfg = spy[0]["cfg"]
    assert (cfg.mode, cfg.size, cfg.iterations, cfg.optimiser) == ("style", 192, 100, "lbfgs")
    assert spy[0]["content"] is not None and spy[0]["content"].width == 451  # Chelsea
    captions = " ".join(i.caption for im in at.image for i in im.proto.imgs)
    assert "Style transfer: 10 steps" in captions and "stage 4" in captions
    assert "EfficientNet-Lite0 (ImageNet, bundled) layers used" in captions
    assert "Style loss (relative Gram error)" in texts(at)


def test_every_control_reaches_the_core_call(spy: list[dict[str, Any]]) -> None:
    at = page(STYLE, timeout=120)
    at.selectbox(key="l4st_style").set_value("coffee").run()
    at.selectbox(key="l4st_content").set_value("rocket").run()
    at.slider(key="l4st_size").set_value(128).run()
    at.slider(key="l4st_iterations").set_value(20).run()
    at.radio(key="l4st_optimiser").set_value("adam").run()
    at.number_input(key="l4st_seed").set_value(7).run()
    at.select_slider(key="l4st_style_weight").set_value(100.0).run()
    at.select_slider(key="l4st_content_weight").set_value(10.0).run()
    at.multiselect(key="l4st_layers").set_value(["blocks.1", "blocks.4"]).run()
    at.selectbox(key="l4st_content_layer").set_value("blocks.2").run()
    at.button(key="l4st__start").click().run()
    finish_job(at, "l4st")
    assert not at.exception
    cfg, call = spy[-1]["cfg"], spy[-1]
    assert (cfg.size, cfg.iterations, cfg.optimiser, cfg.seed) == (128, 20, "adam", 7)
    assert (cfg.style_weight, cfg.content_weight) == (100.0, 10.0)
    assert cfg.style_layers == ("blocks.1", "blocks.4") and cfg.content_layer == "blocks.2"
    assert call["style"].width == 600 and call["content"].width == 640  # coffee, rocket


def test_texture_mode_needs_no_content_photo(spy: list[dict[str, Any]]) -> None:
    at = page(STYLE, timeout=120)
    at.radio(key="l4st_mode").set_value("texture").run()
    assert "l4st_content" not in [s.key for s in at.selectbox]
    at.button(key="l4st__start").click().run()
    finish_job(at, "l4st")
    assert spy[-1]["cfg"].mode == "texture" and spy[-1]["content"] is None
    captions = " ".join(i.caption for im in at.image for i in im.proto.imgs)
    assert "Texture synthesis: 10 steps" in captions


def test_no_style_layer_asks_for_one() -> None:
    at = page(STYLE, timeout=120)
    at.multiselect(key="l4st_layers").set_value([]).run()
    assert "Choose at least one style layer." in texts(at)
