"""AppTest of the super-resolution page: the scores shown are measured on the chosen photo and scale,
held-out photos are marked, and every control (photo, scale, crop size and position) changes what is
shown."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core import checkpoints
from core.generative import superres as sr
from core.generative import superres_training as srt
from tests.helpers import page, texts

PAGE = "apps/pages/l5/superres.py"


def app(params: dict[str, str] | None = None) -> AppTest:
    return page(PAGE, 120, params)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def crop_captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if c.value.startswith("this crop")]


def test_default_is_a_held_out_photo_scored_as_measured() -> None:
    at = app()
    assert at.selectbox(key="l5sr_photo").value == sr.HELD_OUT[0]
    c = sr.compare(checkpoints.load_model(srt.checkpoint(2)), sr.photo(sr.HELD_OUT[0]))
    m = metrics(at)
    assert m["ESPCN PSNR"] == f"{c.scores['espcn']['psnr']:.2f} dB"
    assert m["Bicubic SSIM"] == f"{c.scores['bicubic']['ssim']:.4f}"
    assert c.scores["espcn"]["psnr"] > c.scores["bicubic"]["psnr"]
    assert "a held-out photo" in texts(at) and len(crop_captions(at)) == 2


def test_photo_picker_marks_held_out_photos_and_changes_the_scores() -> None:
    at = app()
    box = at.selectbox(key="l5sr_photo")
    assert any("held out" in o for o in box.options) and any("trained on" in o for o in box.options)
    before = metrics(at)
    box.set_value("astronaut").run()
    assert not at.exception and metrics(at) != before
    assert "may have seen in training" in texts(at)


@pytest.mark.parametrize("scale", [3])
def test_scale_slider_switches_the_model(scale: int) -> None:
    at = app()
    before = metrics(at)
    at.select_slider(key="l5sr_scale").set_value(scale).run()
    assert not at.exception
    assert f"ESPCN x{scale}" in texts(at) and metrics(at) != before


@pytest.mark.parametrize("key, value", [("l5sr_size", 48), ("l5sr_x", 0), ("l5sr_y", 100)])
def test_each_crop_slider_moves_the_view(key: str, value: int) -> None:
    at = app()
    before = crop_captions(at)
    at.slider(key=key).set_value(value).run()
    assert not at.exception and crop_captions(at) != before


def test_the_url_sets_photo_and_scale() -> None:
    at = app({"l5sr_photo": "coffee", "l5sr_scale": "3"})
    assert at.selectbox(key="l5sr_photo").value == "coffee"
    assert at.select_slider(key="l5sr_scale").value == 3


def test_upload_choice_asks_for_an_image() -> None:
    at = app()
    at.selectbox(key="l5sr_photo").set_value("upload").run()
    assert not at.exception and "at least 64 px" in texts(at)
