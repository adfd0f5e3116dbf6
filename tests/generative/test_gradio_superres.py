"""The super-resolution Gradio tab over HTTP: /super_resolve answers with bicubic | ESPCN | original side
by side and measured scores, uses an upload when given (odd ones handled, unusable ones refused with a
reason), and refuses values outside the page's ranges."""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from apps.gradio_tabs import lecture5_superres as tab
from core.generative import superres as sr
from tests.helpers import gradio_tab_client


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(tab.build, "Super-resolution") as c:
        yield c


def picture(path: str) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def call(client: Client, upload: object = None, photo: object = "chelsea", scale: object = 2,
         size: object = 96, left: object = 50, top: object = 40) -> tuple[np.ndarray, dict]:
    image, scores = client.predict(upload, photo, scale, size, left, top, api_name="/super_resolve")
    return picture(image), scores


def test_endpoint_is_published(client: Client) -> None:
    assert "/super_resolve" in client.view_api(return_format="dict", print_info=False)["named_endpoints"]


def test_three_crops_side_by_side_and_espcn_wins_on_a_held_out_photo(client: Client) -> None:
    image, scores = call(client)
    k = tab.DISPLAY // 96
    assert image.shape == (96 * k, 3 * 96 * k + 2 * tab.GAP, 3)
    whole = scores["whole_image"]
    assert whole["espcn"]["psnr"] > whole["bicubic"]["psnr"] and scores["scale"] == 2


def test_upload_is_used_instead_of_the_photo(client: Client, tmp_path: Path) -> None:
    rgba = np.zeros((120, 160, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, np.linspace(0, 255, 160, dtype=np.uint8)  # red fading in over white
    path = tmp_path / "fade.png"
    Image.fromarray(rgba, "RGBA").save(path)
    image, scores = call(client, handle_file(str(path)), size=64, left=0, top=0)
    h = image.shape[0]
    original = image[:, 2 * (h + tab.GAP) :].astype(int)
    assert original[:, :3].min() >= 250  # transparent: shown over white
    assert original[:, -3:, 0].min() > 200 and original[:, -3:, 1].max() < 200  # red showing through
    assert scores["crop_size"] == 64


@pytest.mark.parametrize("content, message", [
    (b"not an image at all", "not an image this app can read"),
    ("tiny", "at least 64 pixels"),
])  # fmt: skip
def test_unusable_uploads_are_refused(client: Client, tmp_path: Path, content: object, message: str) -> None:
    path = tmp_path / "upload.png"
    if content == "tiny":
        buf = io.BytesIO()
        Image.new("RGB", (40, 200), "grey").save(buf, "PNG")
        content = buf.getvalue()
    path.write_bytes(content)  # type: ignore[arg-type]
    with pytest.raises(Exception, match=message):
        call(client, handle_file(str(path)))


@pytest.mark.parametrize("field, value", [
    ("scale", 5), ("scale", 1), ("size", 8), ("size", 400), ("left", 101), ("top", -1),
    ("photo", "cat"), ("scale", "two"),
])  # fmt: skip
def test_values_outside_the_page_ranges_are_refused(client: Client, field: str, value: object) -> None:
    with pytest.raises(Exception, match="must be"):
        call(client, **{field: value})


@pytest.mark.parametrize("bad", [math.nan, math.inf, None])
def test_crop_position_must_be_a_finite_number(bad: object) -> None:
    with pytest.raises(gr.Error, match="left position"):
        tab.super_resolve(None, "chelsea", 2, 96, bad, 40)


def test_ranges_match_the_page() -> None:
    assert sr.CROP_RANGE == (32, 192) and sr.SCALES[0] == 2
