"""The PixelCNN Gradio tab over HTTP: /sample_pixelcnn and /complete_pixelcnn answer with pictures of
the expected layout, seeded, with the given upper half kept, and refuse values outside the page's ranges."""

from __future__ import annotations

import math
from collections.abc import Iterator

import gradio as gr
import numpy as np
import pytest
from gradio_client import Client
from PIL import Image

from apps.gradio_tabs import lecture5_pixelcnn as tab
from tests.helpers import gradio_tab_client


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(tab.build, "PixelCNN") as c:
        yield c


def picture(path: str) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def test_endpoints_are_published(client: Client) -> None:
    names = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert {"/sample_pixelcnn", "/complete_pixelcnn"} <= set(names)


def test_samples_are_seeded_and_laid_out_eight_per_row(client: Client) -> None:
    a, b, c = (picture(client.predict(10, 1.0, s, api_name="/sample_pixelcnn")) for s in (1, 1, 2))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    # 28 px tiles with 2 px gaps, drawn 3x: two rows of eight.
    assert a.shape == (3 * (2 * 30 - 2), 3 * (8 * 30 - 2), 3)


def test_completions_keep_the_upper_half_of_the_test_image(client: Client) -> None:
    pic = picture(client.predict(3, 2, 1.0, 0, api_name="/complete_pixelcnn"))
    assert pic.shape == (4 * 28, 4 * (4 * 30 - 2), 3)
    tile = 4 * 30
    whole, *completions = (pic[: 4 * 14, i * tile : i * tile + 4 * 28] for i in (0, 2, 3))
    assert whole.min() == 0 and all(np.array_equal(whole, c) for c in completions)


@pytest.mark.parametrize(("api", "args", "message"), [
    ("/sample_pixelcnn", (17, 1.0, 0), "the number of samples must be a whole number from 1 to 16"),
    ("/sample_pixelcnn", (4, 2.5, 0), "the temperature must be a number from 0.1 to 2"),
    ("/sample_pixelcnn", (4, 1.0, -1), "the seed must be a whole number from 0 to 9999"),
    ("/complete_pixelcnn", (1000, 2, 1.0, 0), "the test image must be a whole number from 0 to 999"),
    ("/complete_pixelcnn", (0, 9, 1.0, 0), "the number of completions must be a whole number from 1 to 8"),
])
def test_values_outside_the_sliders_are_refused(client: Client, api: str, args: tuple, message: str) -> None:
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name=api)


@pytest.mark.parametrize("bad", [math.nan, math.inf, "warm", None])
def test_the_temperature_must_be_a_finite_number(bad: object) -> None:
    with pytest.raises(gr.Error, match="the temperature must be"):
        tab.sample_pixelcnn(2, bad, 0)
