"""Lecture 4's Gradio tabs over HTTP: /classify and /saliency, with the pages' ranges."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from apps.gradio_tabs import lecture4, lecture4_saliency, lecture4_transfer
from core import schedule
from tests.helpers import gradio_tab_client, plot_json


def _both() -> None:
    lecture4.build()
    lecture4_saliency.build()
    lecture4_transfer.build()


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(_both) as c:
        yield c


def test_classify_a_bundled_photo(client: Client) -> None:
    label, crop, note = client.predict("coffee", None, "efficientnet_lite0", 3, api_name="/classify")
    assert label["label"] == "espresso" and len(label["confidences"]) == 3
    assert np.asarray(Image.open(crop)).shape[:2] == (224, 224)
    assert "EfficientNet-Lite0" in note


def test_classify_an_upload_and_refuse_a_non_image(client: Client, tmp_path: Path) -> None:
    good = tmp_path / "cup.png"
    Image.open(lecture4.photos.photos()["coffee"].path).convert("CMYK").convert("RGB").save(good)
    label, _, _ = client.predict(
        "chelsea", handle_file(str(good)), "efficientnet_lite0", 5, api_name="/classify"
    )
    assert label["label"] == "espresso"  # the upload wins over the photo chosen
    bad = tmp_path / "notes.png"
    bad.write_bytes(b"not an image at all")
    with pytest.raises(Exception, match="not an image this app can read"):
        client.predict("chelsea", handle_file(str(bad)), "efficientnet_lite0", 5, api_name="/classify")


@pytest.mark.parametrize("top_k", [0, 11, "nan", 2.5])
def test_classify_enforces_the_slider_range(client: Client, top_k: object) -> None:
    with pytest.raises(Exception, match="Classes listed must be"):
        client.predict("chelsea", None, "efficientnet_lite0", top_k, api_name="/classify")


def test_saliency_gives_a_map_of_the_photo_size(client: Client) -> None:
    heat, note = client.predict(
        "chelsea", None, "efficientnet_lite0", "gradcam", 1, 32, "deepest", 32, 16, True, api_name="/saliency"
    )
    assert np.asarray(Image.open(heat)).shape[:2] == (300, 451)
    assert "Grad-CAM for **" in note and " ms." in note and "random order" in note


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("magic", 1, 32, "deepest", 32, 16), "Method must be one of"),
        (("occlusion", 1, 32, "deepest", 36, 16), "multiples of 8"),
        (("occlusion", 1, 32, "deepest", 16, 32), "must not exceed the window"),
        (("integrated_gradients", 1, "inf", "deepest", 32, 16), "steps must be"),
        (("gradcam", 6, 32, "deepest", 32, 16), "Class rank must be"),
        (("gradcam", 1, 32, "layer4", 32, 16), "no Grad-CAM layer 'layer4'"),
    ],
)
def test_saliency_refuses_what_the_page_would_not_accept(client: Client, args: tuple, message: str) -> None:
    with pytest.raises(Exception, match=message):
        client.predict("chelsea", None, "efficientnet_lite0", *args, False, api_name="/saliency")


def test_the_gallery_app_mounts_every_tab() -> None:
    from apps.gradio_app import tab_modules

    assert tab_modules(schedule.lecture(4)) == ["lecture4", "lecture4_saliency", "lecture4_transfer",
                                              "lecture4_style", "lecture4_detect"]


def test_transfer_trains_one_point_and_draws_it_on_the_curve(client: Client) -> None:
    fig, note = client.predict(1, "probe", 0.003, 5, "none", 0, api_name="/transfer")
    names = [t.get("name", "") for t in plot_json(fig)["data"]]
    assert "linear probe (frozen features): your runs" in names and "CNN from scratch" in names
    assert "1 labelled images per class" in note and "2,000 held-out images" in note


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, "probe", 0.003, 5, "none", 0), "Labelled images per class must be"),
        ((101, "probe", 0.003, 5, "none", 0), "Labelled images per class must be"),
        (("nan", "probe", 0.003, 5, "none", 0), "Labelled images per class must be"),
        ((2.5, "probe", 0.003, 5, "none", 0), "Labelled images per class must be"),
        ((5, "magic", 0.003, 5, "none", 0), "Method must be one of"),
        ((5, "probe", 0.5, 5, "none", 0), "Learning rate must be one of"),
        ((5, "probe", 0.003, 0, "none", 0), "Epochs must be"),
        ((5, "probe", 0.003, 5, "rotate", 0), "Augmentation must be one of"),
        ((5, "probe", 0.003, 5, "none", -1), "Seed must be"),
    ],
)
def test_transfer_refuses_what_the_page_would_not_accept(client: Client, args: tuple, message: str) -> None:
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name="/transfer")
