"""The lecture 3 Gradio tab: the convolution explorer called through its /convolve API endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from tests.helpers import gradio_tab_client

DEFAULTS = dict(
    source="camera",
    upload=None,
    kernel="edge (Sobel x)",
    kernel_size=3,
    stride=1,
    padding=1,
    dilation=1,
    relu=False,
    pool="none",
    pool_size=2,
    pool_stride=2,
)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    from apps.gradio_tabs import lecture3

    with gradio_tab_client(lecture3.build) as c:
        yield c


def _call(client: Client, **changes: object) -> tuple:
    args = {**DEFAULTS, **changes}
    return client.predict(*args.values(), api_name="/convolve")


def test_endpoint_is_listed(client: Client) -> None:
    assert "/convolve" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]


def test_convolve_and_pool(client: Client) -> None:
    inp, conv, pooled, text = _call(client, stride=2, pool="max")
    assert "input 256×256 → convolution 128×128 → pooling 64×64" in text
    assert r"\left\lfloor" in text and "= 128" in text
    assert np.asarray(Image.open(inp)).shape[:2] == (256, 256)
    assert np.asarray(Image.open(conv)).shape[:2] == (128, 128)
    assert np.asarray(Image.open(pooled)).shape[:2] == (64, 64)


def test_small_images_are_shown_enlarged(client: Client) -> None:
    _, conv, pooled, text = _call(client, source="MNIST digit", kernel="blur (Gaussian)", padding=0)
    assert "input 28×28 → convolution 26×26" in text and pooled is None
    side = 26 * 9  # drawn at the input's scale: 28 px × 9 = 252 px
    assert np.asarray(Image.open(conv)).shape[:2] == (side, side)


def test_upload(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "stripes.png"
    Image.fromarray(((np.arange(400 * 100) // 7 % 2) * 255).reshape(100, 400).astype(np.uint8)).save(path)
    *_, text = _call(client, upload=handle_file(str(path)), kernel_size=5, dilation=2)
    assert "your upload 'stripes.png'" in text and "input 64×256 → convolution 58×250" in text


def test_learned_filters_fall_back_with_a_message(client: Client) -> None:
    from core.cnn import kernels

    *_, text = _call(client, kernel=kernels.LEARNED)
    try:
        kernels.learned_filters()
    except kernels.FiltersUnavailable:
        assert "not available yet" in text and "Using the Sobel x kernel" in text
    else:
        assert "input 256×256" in text


def test_impossible_settings_raise_a_clear_error(client: Client) -> None:
    with pytest.raises(Exception, match="do not fit a 8×8 image"):
        _call(client, source="8×8 digit", kernel_size=11, padding=0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kernel_size": float("nan")}, "Kernel size k must be a whole number from 1 to 11, not nan"),
        ({"stride": float("inf")}, "Stride s must be a whole number from 1 to 4"),
        ({"padding": 11}, "Padding p must be a whole number from 0 to 10, not 11"),
        ({"dilation": 1.5}, "Dilation d must be a whole number from 1 to 4"),
        ({"pool_size": "lots"}, "Pool window must be a whole number from 2 to 4, not 'lots'"),
        ({"kernel": "edge (Sobel z)"}, "Kernel must be one of"),
        ({"pool": {"max": 1}}, "Pooling must be one of none, max, avg; got a dict value"),
        ({"source": "unknown photo"}, "Image must be one of"),
    ],
)
def test_endpoint_enforces_the_page_ranges_with_plain_messages(change: dict, message: str) -> None:
    """The same ranges and choices as the Streamlit sliders; NaN and inf refused; no object reprs."""
    from apps.gradio_tabs import lecture3

    with pytest.raises(gr.Error) as info:
        lecture3.convolve(**{**DEFAULTS, **change})
    assert message in info.value.message and "object at 0x" not in info.value.message


def test_numbers_sent_as_text_and_whole_floats_are_accepted() -> None:
    from apps.gradio_tabs import lecture3

    *_, text = lecture3.convolve(**{**DEFAULTS, "kernel_size": "5", "stride": 2.0, "padding": "0"})
    assert "convolution 126×126" in text  # (256 - 5) // 2 + 1


def test_relu_toggle_reaches_the_convolution() -> None:
    """The ReLU checkbox must change the output: no negative (blue) responses with it on."""
    from apps.gradio_tabs import lecture3

    _, signed, *_ = lecture3.convolve(**DEFAULTS)
    _, rectified, *_ = lecture3.convolve(**{**DEFAULTS, "relu": True})
    blue = lambda img: int((img[..., 2].astype(int) > img[..., 0].astype(int) + 40).sum())  # noqa: E731
    assert blue(signed) > 1000 and blue(rectified) == 0
