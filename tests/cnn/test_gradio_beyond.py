"""The 1D/3D convolution Gradio tab: /convolve_series and /convolve_video answer with what the core computes
for the same settings, refuse values outside the page's sliders and choices, and cache repeated requests."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import numpy as np
import pytest
from gradio_client import Client
from PIL import Image

from apps.gradio_tabs import lecture3_beyond as tab
from core.cnn import conv1d3d as c13
from tests.helpers import gradio_tab_client, plot_json


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(tab.build, "Lecture 3") as c:
        yield c


def values(trace_value: object) -> np.ndarray:
    """A plotly trace's array as the client receives it: a list, or a typed array (dtype, base64 bytes)."""
    if isinstance(trace_value, dict):
        flat = np.frombuffer(base64.b64decode(trace_value["bdata"]), trace_value["dtype"])
        shape = trace_value.get("shape")
        return flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat
    return np.asarray(trace_value, dtype=float)


def test_series_endpoint_returns_the_core_convolution(client: Client) -> None:
    fig, numbers, note = client.predict(0.5, 3, "Gaussian", 7, "", "valid", 2, 40,
                                        api_name="/convolve_series")  # fmt: skip
    signal = c13.time_series(c13.SERIES_LENGTH, 0.5, 3)
    kernel = c13.kernel_1d("Gaussian", 7)
    out = c13.conv1d(signal, kernel, "valid", 2)
    assert numbers["output_length"] == len(out) == c13.SERIES_LENGTH - 2 * 6
    assert numbers["kernel"] == pytest.approx(kernel.tolist(), abs=1e-6) and numbers["taps"] == 7
    assert numbers["output_at_position"] == pytest.approx(float(out[40]), abs=1e-5)
    assert f"y[40] = {out[40]:.3f}" in note and "Kernel (7 taps)" in note
    traces = plot_json(fig)["data"]
    whole = next(t for t in traces if t["name"] == "output (whole)")
    assert np.allclose(values(whole["y"]), out, atol=1e-5)


def test_custom_kernel_is_parsed_and_the_width_ignored(client: Client) -> None:
    _, numbers, _ = client.predict(0.3, 0, "custom", 31, "1, -2; 1", "same", 1, 299,
                                   api_name="/convolve_series")  # fmt: skip
    assert numbers["kernel"] == [1.0, -2.0, 1.0] and numbers["output_length"] == c13.SERIES_LENGTH
    signal = c13.time_series(c13.SERIES_LENGTH, 0.3, 0)
    expected = c13.conv1d(signal, np.array([1, -2, 1], np.float32), "same", 1)[299]
    assert numbers["position"] == 299
    assert numbers["output_at_position"] == pytest.approx(float(expected), abs=1e-5)


@pytest.mark.parametrize(("args", "message"), [
    ((1.05, 0, "Gaussian", 9, "", "same", 1, 150), "Noise σ must be a number from 0 to 1, not 1.05"),
    (("nan", 0, "Gaussian", 9, "", "same", 1, 150), "Noise σ must be a number from 0 to 1"),
    ((0.3, 21, "Gaussian", 9, "", "same", 1, 150), "Noise seed must be a whole number from 0 to 20, not 21"),
    ((0.3, 0, "sharpen", 9, "", "same", 1, 150), "Kernel must be one of moving average, Gaussian"),
    ((0.3, 0, "Gaussian", 32, "", "same", 1, 150), "width \\(taps\\) must be a whole number from 1 to 31"),
    ((0.3, 0, "Gaussian", 0, "", "same", 1, 150), "from 1 to 31, not 0"),
    ((0.3, 0, "Gaussian", 9, "", "full", 1, 150), "Padding must be one of same, valid; got 'full'"),
    ((0.3, 0, "Gaussian", 9, "", "same", 5, 150), "Dilation must be a whole number from 1 to 4, not 5"),
    ((0.3, 0, "Gaussian", 9, "", "same", 1, 300), "Kernel position must be a whole number from 0 to 299"),
    ((0.3, 0, "Gaussian", 9, "", "same", 1, "inf"), "Kernel position must be a whole number from 0 to 299"),
    ((0.3, 0, "derivative", 1, "", "same", 1, 150), "Cannot apply this kernel: a derivative needs"),
    ((0.3, 0, "custom", 9, "1, x", "same", 1, 150), "Cannot apply this kernel: 'x' is not a number"),
    ((0.3, 0, "custom", 9, "1 " * 40, "same", 1, 150), "the custom kernel has 40 taps; at most 31"),
    ((0.3, 0, "custom", 9, "1," * 400, "same", 1, 150), "Custom kernel: at most 744 characters"),
])  # fmt: skip
def test_series_refuses_what_the_page_does_not_offer(client: Client, args: tuple, message: str) -> None:
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name="/convolve_series")


def test_video_endpoint_returns_the_core_convolution(client: Client) -> None:
    strip, fig, numbers, note = client.predict("square", 3, "temporal difference", 15,
                                               api_name="/convolve_video")  # fmt: skip
    video = c13.synthetic_video(c13.FRAMES, c13.FRAME_SIZE, "square", 3)
    response = c13.conv3d(video, c13.kernel_3d("temporal difference"))
    assert numbers["output_shape"] == [15, 32, 32] and numbers["kernel_parameters"] == 3
    assert numbers["frame"] == 14  # the 2-frame kernel leaves 15 output frames: the last is shown
    assert numbers["mean_abs_response"] == pytest.approx(c13.motion_energy(response).tolist(), abs=1e-6)
    assert "16×32×32 (T×H×W) ⊛ 2×1×1 → 15×32×32" in note
    assert np.asarray(Image.open(strip).convert("L")).shape == c13.filmstrip(video).shape
    heat = plot_json(fig)["data"][1]
    assert np.allclose(values(heat["z"]), response[14], atol=1e-6)


def test_a_still_clip_has_no_temporal_response() -> None:
    _, _, numbers, _ = tab.convolve_video("ball", 0, "temporal difference", 0)
    assert max(numbers["mean_abs_response"]) == 0.0  # nothing moves: exactly zero
    _, _, edges, _ = tab.convolve_video("ball", 0, "spatial edge (one frame)", 0)
    assert min(edges["mean_abs_response"]) > 0.0 and edges["output_shape"] == [16, 30, 30]


@pytest.mark.parametrize(("args", "message"), [
    (("triangle", 2, "temporal difference", 4), "Moving object must be one of ball, square"),
    (("ball", 5, "temporal difference", 4), "frame\\) must be a whole number from 0 to 4, not 5"),
    (("ball", 1.5, "temporal difference", 4), "Speed \\(pixels per frame\\) must be a whole number"),
    (("ball", 2, "blur", 4), "3D kernel must be one of temporal difference"),
    (("ball", 2, "temporal difference", 16), "Frame must be a whole number from 0 to 15, not 16"),
    (("ball", 2, "temporal difference", "nan"), "Frame must be a whole number from 0 to 15"),
])  # fmt: skip
def test_video_refuses_what_the_page_does_not_offer(client: Client, args: tuple, message: str) -> None:
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name="/convolve_video")


def test_the_same_request_again_is_served_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = c13.conv1d
    monkeypatch.setattr(c13, "conv1d", lambda *a: calls.append("conv1d") or real(*a))
    tab._series.cache_clear()
    first = tab.convolve_series(0.2, 1, "moving average", 5, "ignored", "same", 1, 10)
    again = tab.convolve_series("0.2", 1.0, "moving average", "5", "", "same", 1, 10)  # spelt otherwise
    assert calls == ["conv1d"] and first[1] == again[1]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_direct_calls_refuse_nan_and_infinities(bad: float) -> None:
    with pytest.raises(Exception, match="Noise σ must be a number from 0 to 1"):
        tab.convolve_series(bad, 0, "Gaussian", 9, "", "same", 1, 150)
    with pytest.raises(Exception, match="Frame must be a whole number from 0 to 15"):
        tab.convolve_video("ball", 2, "temporal difference", bad)
