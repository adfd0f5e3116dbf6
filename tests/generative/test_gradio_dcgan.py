"""The DCGAN Gradio tab over HTTP: /sample_dcgan answers with the grid, the interpolation row and the
classifier's verdict, refuses values outside the page's slider ranges, and answers a repeated request from
its cache."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from gradio_client import Client
from PIL import Image

from apps.gradio_tabs import lecture5_dcgan
from core.generative import dcgan as dc
from tests.helpers import gradio_tab_client


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(lecture5_dcgan.build, "DCGAN") as c:
        yield c


def picture(path: str) -> np.ndarray:
    return np.asarray(Image.open(path).convert("L"))


def test_sample_returns_the_grid_the_row_and_the_verdict(client: Client) -> None:
    grid, row, verdict = client.predict(5, 16, 0, 1, 6, api_name="/sample_dcgan")
    # 28 px tiles, 2 px gaps, drawn 3x: 8 per row, two rows; one row of 6.
    assert picture(grid).shape == (3 * (2 * 30 - 2), 3 * (8 * 30 - 2))
    assert picture(row).shape == (3 * 28, 3 * (6 * 30 - 2))
    assert verdict["seeds"] == [5, 20] and len(verdict["labels"]) == 16
    assert len(verdict["interpolation_labels"]) == 6 and 0 <= verdict["confident_share"] <= 1
    again = client.predict(5, 16, 0, 1, 6, api_name="/sample_dcgan")
    assert np.array_equal(picture(again[0]), picture(grid))


@pytest.mark.parametrize(("args", "message"), [
    ((10000, 16, 0, 1, 6), "first seed must be a whole number from 0 to 9999"),
    ((0, 33, 0, 1, 6), "samples must be a whole number from 4 to 32"),
    ((0, 16, -1, 1, 6), "seed A must be a whole number from 0 to 9999"),
    ((0, 16, 0, 1, 17), "steps must be a whole number from 3 to 16, not 17"),
    ((0, 16, 0, 1, 2), "steps must be a whole number from 3 to 16, not 2"),
])  # fmt: skip
def test_values_outside_the_sliders_are_refused(client: Client, args: tuple, message: str) -> None:
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name="/sample_dcgan")


@pytest.mark.parametrize(("args", "message"), [
    ((0, 3, 0, 1, 6), "from 4 to 32"), ((0, 16, 0.5, 1, 6), "seed A must be a whole number"),
    ((0, 16, 0, 1, float("nan")), "whole number"),
])  # fmt: skip
def test_direct_calls_check_their_inputs(args: tuple, message: str) -> None:
    with pytest.raises(Exception, match=message):
        lecture5_dcgan.sample_dcgan(*args)


def test_the_same_request_again_uses_the_page_s_cached_core_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    for name in ("judged_samples", "judged_interpolation"):
        real = getattr(dc, name)
        monkeypatch.setattr(dc, name, lambda *a, _f=real, _n=name: calls.append(_n) or _f(*a))
    lecture5_dcgan._samples.cache_clear()
    lecture5_dcgan._interpolation.cache_clear()
    first = lecture5_dcgan.sample_dcgan(3, 8, 2, 5, 4)
    again = lecture5_dcgan.sample_dcgan(3.0, "8", 2, 5, 4)  # the same values, spelt otherwise
    assert calls == ["judged_samples", "judged_interpolation"]
    assert np.array_equal(first[0], again[0]) and first[2] == again[2]
    lecture5_dcgan.sample_dcgan(3, 8, 2, 6, 4)
    assert calls == ["judged_samples", "judged_interpolation", "judged_interpolation"]
