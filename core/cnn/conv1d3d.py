"""Convolution beyond images: 1D over a time series, 3D over a short video clip (lecture 3).

The same operation as in a 2D CNN, with the kernel sliding along one axis (time: smoothing, trends,
derivatives, as in WaveNet's causal convolutions, van den Oord et al. 2016) or three (time × height ×
width: C3D, Tran et al. 2015). Both run through ``torch.nn.functional`` exactly as in a network, and
the output sizes follow the per-axis formula of ``core.cnn.explorer.conv_output_size``.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import plotly.graph_objects as go
import torch
import torch.nn.functional as F

from core.cnn.conv import conv_output_size
from core.viz.style import PALETTE, base_layout

# --------------------------------------------------------------------------------------------------
# 1D: a noisy time series
# --------------------------------------------------------------------------------------------------

KERNELS_1D: tuple[str, ...] = ("moving average", "Gaussian", "derivative", "second derivative", "custom")
"""1D kernels the page offers."""
MAX_TAPS = 31
"""Longest custom kernel accepted."""
SERIES_LENGTH = 300
"""Samples in the page's time series."""
NOISE = (0.0, 1.0, 0.3)
"""The page's noise σ slider (lowest, highest, default), in steps of ``NOISE_STEP``."""
NOISE_STEP = 0.05
NOISE_SEED = (0, 20, 0)
"""The page's noise seed slider (lowest, highest, default)."""
TAPS = (1, MAX_TAPS, 9)
"""The page's kernel width slider (taps: lowest, highest, default)."""
DILATION = (1, 4, 1)
"""The page's dilation slider (lowest, highest, default)."""
PADDINGS: tuple[str, ...] = ("same", "valid")
"""Paddings :func:`conv1d` offers."""


@functools.lru_cache(maxsize=32)
def time_series(n: int = 300, noise: float = 0.3, seed: int = 0) -> np.ndarray:
    """A seeded synthetic signal: a slow oscillation, a faster one, a step at 60 % and Gaussian noise.

    The step is there so that smoothing (which blurs it) and derivatives (which spike on it) differ.
    """
    t = np.linspace(0.0, 1.0, n)
    clean = np.sin(2 * np.pi * 2 * t) + 0.4 * np.sin(2 * np.pi * 11 * t) + 1.2 * (t > 0.6)
    rng = np.random.default_rng(seed)
    out = (clean + noise * rng.standard_normal(n)).astype(np.float32)
    out.flags.writeable = False
    return out


def parse_kernel(text: str) -> np.ndarray:
    """Weights from text such as ``"1, 0, -1"`` or ``"0.25 0.5 0.25"``; ValueError says what is wrong."""
    parts = [p for p in text.replace(";", ",").replace(",", " ").split() if p]
    if not parts:
        raise ValueError("the custom kernel is empty: type numbers separated by commas, e.g. 1, 0, -1")
    try:
        w = np.array([float(p) for p in parts], dtype=np.float32)
    except ValueError:
        bad = next(p for p in parts if not _is_number(p))
        raise ValueError(
            f"'{bad}' is not a number; type numbers separated by commas, e.g. 1, 0, -1"
        ) from None
    if not np.all(np.isfinite(w)):
        raise ValueError("the custom kernel contains inf or nan")
    if len(w) > MAX_TAPS:
        raise ValueError(f"the custom kernel has {len(w)} taps; at most {MAX_TAPS} are allowed")
    return w


def _is_number(p: str) -> bool:
    try:
        float(p)
    except ValueError:
        return False
    return True


def kernel_1d(name: str, width: int = 5, custom: str = "") -> np.ndarray:
    """A 1D kernel by name (``KERNELS_1D``); ``width`` is its number of taps (custom: ``custom``)."""
    if name == "custom":
        return parse_kernel(custom)
    if width < 1:
        raise ValueError(f"kernel width must be ≥ 1, got {width}")
    x = np.arange(width) - (width - 1) / 2
    if name == "moving average":
        w = np.full(width, 1.0 / width)
    elif name == "Gaussian":
        g = np.exp(-(x**2) / (2 * max(width / 5, 0.5) ** 2))
        w = g / g.sum()
    elif name == "derivative":  # finite difference smoothed over the width (derivative of a box)
        if width < 2:
            raise ValueError("a derivative needs at least 2 taps")
        w = x / (x**2).sum()  # least-squares slope of the window: Savitzky & Golay 1964
    elif name == "second derivative":
        if width < 3:
            raise ValueError("a second derivative needs at least 3 taps")
        q = x**2 - (x**2).mean()  # orthogonal to constants and slopes
        w = 2.0 * q / (q * x**2).sum()  # twice the least-squares curvature: on t² it gives exactly 2
    else:
        raise ValueError(f"unknown kernel {name!r}; choose one of {', '.join(KERNELS_1D)}")
    return w.astype(np.float32)


def conv1d(signal: np.ndarray, kernel: np.ndarray, padding: str = "same", dilation: int = 1) -> np.ndarray:
    """Cross-correlate (as ``nn.Conv1d`` does) with zero padding: 'same' keeps the length, 'valid' does
    not pad (length n − d(k−1)). The kernel is not flipped, so a derivative kernel reads left to right."""
    k = len(kernel)
    eff = dilation * (k - 1) + 1
    if padding not in PADDINGS:
        raise ValueError(f"padding must be 'same' or 'valid', got {padding!r}")
    if padding == "valid":
        conv_output_size(len(signal), k, 1, 0, dilation)  # raises a clear error if the kernel is too long
    x = torch.tensor(signal, dtype=torch.float32)[None, None]
    if padding == "same":  # uneven kernels put the extra zero on the right, as torch's padding='same'
        left = (eff - 1) // 2
        x = F.pad(x, (left, eff - 1 - left))
    with torch.no_grad():
        y = F.conv1d(x, torch.tensor(kernel, dtype=torch.float32)[None, None], dilation=dilation)
    return y[0, 0].numpy()


def window_start(position: int, k: int, padding: str = "same", dilation: int = 1) -> int:
    """Input index of the first tap for output ``position`` (negative: it lies in the zero padding)."""
    eff = dilation * (k - 1) + 1
    return position - ((eff - 1) // 2 if padding == "same" else 0)


def series_figure(
    signal: np.ndarray,
    output: np.ndarray,
    kernel: np.ndarray,
    position: int,
    padding: str = "same",
    dilation: int = 1,
) -> go.Figure:
    """Top: the signal with the kernel's window at ``position`` (weights as stems); bottom: the output,
    drawn up to ``position`` — the kernel sliding along the series."""
    k = len(kernel)
    position = int(np.clip(position, 0, len(output) - 1))
    taps = window_start(position, k, padding, dilation) + dilation * np.arange(k)
    scale = float(np.abs(signal).max() or 1.0) / float(np.abs(kernel).max() or 1.0)
    xs = np.arange(len(output)) + (0 if padding == "same" else (dilation * (k - 1)) // 2)
    # Two stacked axes laid out by hand: make_subplots alone costs more than the convolution (~40 ms).
    fig = go.Figure(
        layout=dict(
            yaxis=dict(domain=[0.56, 1.0], title="input"),
            xaxis=dict(anchor="y", matches="x2", showticklabels=False),
            yaxis2=dict(domain=[0.0, 0.44], title="output"),
            xaxis2=dict(anchor="y2", title="time step"),
        )
    )
    base_layout(fig, "The kernel sliding along the signal", height=520)
    fig.add_traces(
        [
            go.Scatter(
                x=np.arange(len(signal)), y=signal, mode="lines", name="signal", line=dict(color=PALETTE[0])
            ),
            go.Bar(
                x=taps,
                y=kernel * scale * 0.8,
                name="kernel weights (scaled)",
                marker_color=PALETTE[3],
                width=max(dilation * 0.6, 0.6),
            ),
            go.Scatter(
                x=xs,
                y=output,
                mode="lines",
                name="output (whole)",
                line=dict(color="#BBBBBB", width=1),
                xaxis="x2",
                yaxis="y2",
            ),
            go.Scatter(
                x=xs[: position + 1],
                y=output[: position + 1],
                mode="lines",
                name="output so far",
                line=dict(color=PALETTE[2], width=3),
                xaxis="x2",
                yaxis="y2",
            ),
            go.Scatter(
                x=[xs[position]],
                y=[output[position]],
                mode="markers",
                marker=dict(size=12, color=PALETTE[3]),
                name=f"y[{position}] = {output[position]:.3f}",
                xaxis="x2",
                yaxis="y2",
            ),
        ]
    )
    fig.add_shape(
        type="rect",
        x0=taps[0] - 0.5,
        x1=taps[-1] + 0.5,
        y0=0,
        y1=1,
        xref="x",
        yref="y domain",
        fillcolor=PALETTE[1],
        opacity=0.2,
        line_width=0,
        layer="below",
    )  # the kernel's window
    return fig


# --------------------------------------------------------------------------------------------------
# 3D: a short synthetic video
# --------------------------------------------------------------------------------------------------

SHAPES: tuple[str, ...] = ("ball", "square")
"""Moving objects of the synthetic clip."""
KERNELS_3D: tuple[str, ...] = ("temporal difference", "spatial edge (one frame)", "spatio-temporal average")
"""3D kernels the page offers."""
FRAMES, FRAME_SIZE = 16, 32
"""The page's clip: 16 frames of 32×32 pixels (frame slider 0 to FRAMES − 1)."""
SPEED = (0, 4, 2)
"""The page's speed slider (pixels per frame: lowest, highest, default)."""


@functools.lru_cache(maxsize=32)
def synthetic_video(
    frames: int = 16, size: int = 32, shape: str = "ball", speed: int = 2, seed: int = 0
) -> np.ndarray:
    """A (frames, size, size) float32 clip: a bright object moving right at ``speed`` px/frame (bouncing
    off the borders) over a static, seeded background of soft stripes and blocks. ``speed=0`` is still."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; choose one of {', '.join(SHAPES)}")
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    background = 0.25 + 0.1 * np.sin(2 * np.pi * (xx + yy) / 12.0)
    for _ in range(3):  # a few static blocks: edges that do not move
        y0, x0 = rng.integers(0, size - 8, 2)
        background[y0 : y0 + 6, x0 : x0 + 6] = 0.55
    r = size / 8
    # The centre bounces between r and r + span, so the object never leaves the frame. A span that is
    # not a multiple of ½ px means no frame lands mirror-symmetric to the previous one across a wall
    # (which would repeat the position and make a moving clip look still for one frame).
    span = size - 2 * r - 1.375
    video = np.empty((frames, size, size), dtype=np.float32)
    for t in range(frames):
        p = (size / 4 - r + speed * t) % (2 * span)
        cx, cy = r + (p if p <= span else 2 * span - p), size / 2
        if shape == "ball":
            mask = (xx - cx) ** 2 + (yy - cy) ** 2 <= r**2
        else:
            mask = (np.abs(xx - cx) <= r) & (np.abs(yy - cy) <= r)
        video[t] = np.where(mask, 1.0, background)
    video.flags.writeable = False
    return video


def kernel_3d(name: str) -> np.ndarray:
    """A (time, height, width) kernel by name (``KERNELS_3D``)."""
    if name == "temporal difference":  # frame t+1 − frame t at each pixel: zero wherever nothing moves
        return np.array([-1.0, 1.0], dtype=np.float32).reshape(2, 1, 1)
    if name == "spatial edge (one frame)":  # Sobel x on a single frame: sees every edge, moving or not
        return np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32).reshape(1, 3, 3) / 4
    if name == "spatio-temporal average":
        return np.full((3, 3, 3), 1 / 27, dtype=np.float32)
    raise ValueError(f"unknown kernel {name!r}; choose one of {', '.join(KERNELS_3D)}")


def conv3d(video: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """'Valid' 3D cross-correlation: output (T − kt + 1, H − kh + 1, W − kw + 1)."""
    for n, k in zip(video.shape, kernel.shape, strict=False):
        conv_output_size(n, k)  # a clear error for a kernel longer than the clip
    with torch.no_grad():
        y = F.conv3d(torch.tensor(video)[None, None], torch.tensor(kernel)[None, None])
    return y[0, 0].numpy()


def motion_energy(output: np.ndarray) -> np.ndarray:
    """Mean |response| per output frame: how much the kernel fires over time."""
    return np.abs(output).reshape(len(output), -1).mean(axis=1)


def video_figure(video: np.ndarray, output: np.ndarray, frame: int) -> go.Figure:
    """Input frame, output frame (signed colours) and the response energy over time."""
    frame = int(np.clip(frame, 0, len(output) - 1))
    top = float(np.abs(output).max()) or 1.0
    energy = motion_energy(output)
    img_axis = dict(showticklabels=False, showgrid=False, zeroline=False)
    fig = go.Figure(
        layout=dict(
            xaxis=dict(domain=[0.0, 0.28], title=f"input frame {frame}", **img_axis),
            yaxis=dict(autorange="reversed", scaleanchor="x", **img_axis),
            xaxis2=dict(domain=[0.33, 0.61], title=f"output frame {frame}", **img_axis),
            yaxis2=dict(autorange="reversed", scaleanchor="x2", anchor="x2", **img_axis),
            xaxis3=dict(domain=[0.7, 1.0], title="output frame", anchor="y3"),
            yaxis3=dict(anchor="x3", title="mean |response|"),
        )
    )
    base_layout(fig, height=340)
    fig.add_traces(
        [
            go.Heatmap(z=video[frame], colorscale="gray", zmin=0, zmax=1, showscale=False),
            go.Heatmap(
                z=output[frame],
                colorscale="RdBu",
                reversescale=True,
                zmin=-top,
                zmax=top,
                showscale=False,
                xaxis="x2",
                yaxis="y2",
            ),
            go.Scatter(
                x=np.arange(len(energy)),
                y=energy,
                mode="lines+markers",
                line=dict(color=PALETTE[0]),
                showlegend=False,
                xaxis="x3",
                yaxis="y3",
            ),
            go.Scatter(
                x=[frame],
                y=[energy[frame]],
                mode="markers",
                marker=dict(size=12, color=PALETTE[3]),
                showlegend=False,
                xaxis="x3",
                yaxis="y3",
            ),
        ]
    )
    return fig


def filmstrip(video: np.ndarray, every: int = 2, scale: int = 3) -> np.ndarray:
    """Frames side by side (every ``every``-th) as a uint8 grey image, separated by white lines."""
    frames = [np.pad(f, ((0, 0), (0, 1)), constant_values=1.0) for f in video[::every]]
    strip = np.concatenate(frames, axis=1)
    top = float(np.abs(strip).max()) or 1.0
    img = (np.clip(np.abs(strip) / top, 0, 1) * 255).astype(np.uint8)
    return img.repeat(scale, 0).repeat(scale, 1)


def shape_text(video: np.ndarray, kernel: np.ndarray) -> str:
    """'16×32×32 ⊛ 2×1×1 → 15×32×32': the per-axis output-size formula without padding."""
    out = [conv_output_size(n, k) for n, k in zip(video.shape, kernel.shape, strict=False)]

    def fmt(shape: tuple[int, ...] | list[int]) -> str:
        return "×".join(str(v) for v in shape)

    return f"{fmt(video.shape)} (T×H×W) ⊛ {fmt(kernel.shape)} → {fmt(out)}; each axis: n − k + 1"


def kernel_params(kernel: np.ndarray) -> int:
    """Weights of a one-channel 3D kernel (plus bias): shared over all positions and frames."""
    return int(math.prod(kernel.shape)) + 1
