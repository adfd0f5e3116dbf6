"""core.cnn.conv1d3d: 1D kernels on a time series, 3D kernels on a synthetic clip."""

from __future__ import annotations

import numpy as np
import pytest

from core.cnn import conv1d3d as c13


def test_time_series_is_seeded() -> None:
    a, b, c = c13.time_series(300, 0.3, 0), c13.time_series(300, 0.3, 0), c13.time_series(300, 0.3, 1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c) and a.shape == (300,) and not a.flags.writeable
    clean = c13.time_series(300, 0.0, 0)
    assert clean[200] - clean[170] > 0.8  # the step at 60 %


@pytest.mark.parametrize("name", [k for k in c13.KERNELS_1D if k != "custom"])
@pytest.mark.parametrize("width", [3, 4, 9])
def test_kernel_moments(name: str, width: int) -> None:
    w = c13.kernel_1d(name, width).astype(np.float64)
    x = np.arange(width) - (width - 1) / 2
    assert len(w) == width
    if name in ("moving average", "Gaussian"):
        assert w.sum() == pytest.approx(1.0)  # keeps the level
    if name == "derivative":
        assert w.sum() == pytest.approx(0, abs=1e-6) and (w * x).sum() == pytest.approx(
            1.0
        )  # slope of a ramp
    if name == "second derivative":
        assert w.sum() == pytest.approx(0, abs=1e-6) and (w * x**2).sum() == pytest.approx(2.0)


def test_derivatives_recover_slope_and_curvature() -> None:
    t = np.arange(40, dtype=np.float32)
    np.testing.assert_allclose(c13.conv1d(3 * t + 1, c13.kernel_1d("derivative", 5), "valid"), 3.0, rtol=1e-5)
    np.testing.assert_allclose(
        c13.conv1d(0.5 * t**2, c13.kernel_1d("second derivative", 7), "valid"), 1.0, rtol=1e-4
    )


@pytest.mark.parametrize("width,dilation", [(1, 1), (4, 1), (9, 2), (5, 4)])
def test_conv1d_lengths_and_values_match_numpy(width: int, dilation: int) -> None:
    s = c13.time_series(120, 0.3, 2)
    rng = np.random.default_rng(0)
    w = rng.standard_normal(width).astype(np.float32)
    same, valid = c13.conv1d(s, w, "same", dilation), c13.conv1d(s, w, "valid", dilation)
    assert len(same) == 120 and len(valid) == 120 - dilation * (width - 1)
    dilated = np.zeros(dilation * (width - 1) + 1, np.float32)
    dilated[::dilation] = w
    np.testing.assert_allclose(valid, np.correlate(s, dilated, "valid"), rtol=1e-4, atol=1e-5)  # not flipped
    left = (len(dilated) - 1) // 2
    np.testing.assert_allclose(same[left : left + len(valid)], valid, rtol=1e-5, atol=1e-6)


def test_smoothing_reduces_noise() -> None:
    noisy, clean = c13.time_series(300, 0.5, 0), c13.time_series(300, 0.0, 0)
    smooth = c13.conv1d(noisy, c13.kernel_1d("Gaussian", 9))
    assert np.abs(smooth - clean)[20:-20].mean() < 0.5 * np.abs(noisy - clean)[20:-20].mean()


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "empty"),
        ("1, x, 2", "'x' is not a number"),
        ("1, inf", "inf or nan"),
        (", ".join(["1"] * 32), "at most 31"),
    ],
)
def test_custom_kernel_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        c13.kernel_1d("custom", custom=text)


def test_custom_kernel_parsing_and_other_errors() -> None:
    np.testing.assert_array_equal(c13.kernel_1d("custom", custom="1; 0, -1  2"), [1, 0, -1, 2])
    with pytest.raises(ValueError, match="at least 2 taps"):
        c13.kernel_1d("derivative", 1)
    with pytest.raises(ValueError, match="unknown kernel"):
        c13.kernel_1d("median", 3)
    with pytest.raises(ValueError, match="empty"):
        c13.conv1d(np.zeros(5, np.float32), np.ones(9, np.float32), "valid")
    with pytest.raises(ValueError, match="'same' or 'valid'"):
        c13.conv1d(np.zeros(5, np.float32), np.ones(3, np.float32), "full")


def test_series_figure_slides_the_window() -> None:
    s = c13.time_series()
    k = c13.kernel_1d("moving average", 9)
    out = c13.conv1d(s, k)
    fig = c13.series_figure(s, out, k, 100)
    bars = next(t for t in fig.data if t.type == "bar")
    assert list(bars.x) == list(range(96, 105))  # the window centred on step 100
    assert len(next(t for t in fig.data if t.name == "output so far").y) == 101
    assert c13.window_start(0, 9, "valid") == 0 and c13.window_start(10, 4, "same", 2) == 7


def test_video_and_kernel_shapes() -> None:
    v = c13.synthetic_video(16, 32, "square", 2, 0)
    assert v.shape == (16, 32, 32) and v.dtype == np.float32 and v.max() == 1.0
    for name in c13.KERNELS_3D:
        k = c13.kernel_3d(name)
        out = c13.conv3d(v, k)
        assert out.shape == tuple(n - kk + 1 for n, kk in zip(v.shape, k.shape, strict=False))
    assert "16×32×32 (T×H×W) ⊛ 2×1×1 → 15×32×32" in c13.shape_text(v, c13.kernel_3d("temporal difference"))
    assert c13.kernel_params(c13.kernel_3d("spatio-temporal average")) == 28
    with pytest.raises(ValueError, match="unknown shape"):
        c13.synthetic_video(shape="star")
    with pytest.raises(ValueError, match="empty"):
        c13.conv3d(v[:1], c13.kernel_3d("temporal difference"))


def test_temporal_difference_detects_motion_only() -> None:
    diff = c13.kernel_3d("temporal difference")
    still = c13.conv3d(c13.synthetic_video(speed=0), diff)
    assert np.abs(still).max() == 0.0  # nothing moves: no response anywhere
    moving_video = c13.synthetic_video(speed=2)
    moving = c13.conv3d(moving_video, diff)
    assert np.abs(moving).max() > 0.5
    changed = moving_video[1:] != moving_video[:-1]
    assert np.array_equal(moving != 0, changed)  # fires exactly where a pixel changed: the object's edges
    assert changed.mean() < 0.1  # ... which is a small part of the frame
    edges = c13.conv3d(c13.synthetic_video(speed=0), c13.kernel_3d("spatial edge (one frame)"))
    assert np.abs(edges).max() > 0.1  # a spatial kernel fires on the static background's edges too


def test_video_figure_and_filmstrip() -> None:
    v = c13.synthetic_video()
    out = c13.conv3d(v, c13.kernel_3d("temporal difference"))
    fig = c13.video_figure(v, out, 99)  # a frame beyond the output is clipped to the last one
    assert fig.data[0].z.shape == (32, 32) and len(fig.data[2].y) == 15
    strip = c13.filmstrip(v, every=2, scale=3)
    assert strip.dtype == np.uint8 and strip.shape == (96, 8 * 33 * 3)
    energy = c13.motion_energy(out)
    assert energy.shape == (15,) and (energy > 0).all()
