"""Pictures of the convolution explorer: uint8 arrays for st.image / gr.Image, small plotly figures.

Plotly figures are built with :func:`core.viz.style.fast_figure` (the gallery's one figure builder).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.cnn.image_sources import MAX_SIDE
from core.cnn.receptive_field import RFCheck, RFRow
from core.viz.style import fast_figure


def display_scale(shape: tuple[int, int], target: int = MAX_SIDE) -> int:
    """Integer upscaling so that a small image (a 28×28 digit) shows at about ``target`` px."""
    return max(1, target // max(shape))


def _diverging_lut() -> np.ndarray:
    v = np.linspace(-1.0, 1.0, 255)[:, None]  # odd length: entry 127 is exactly 0 (white)
    white, red, blue = np.array([1.0, 1, 1]), np.array([0.84, 0.19, 0.15]), np.array([0.13, 0.4, 0.67])
    rgb = np.where(v >= 0, white + v * (red - white), white - v * (blue - white))
    return (rgb * 255).round().astype(np.uint8)


BLUE_WHITE_RED = [[0.0, "rgb(33,102,172)"], [0.5, "rgb(247,247,247)"], [1.0, "rgb(178,24,43)"]]
"""Plotly colour scale for signed values: blue (−), white (0), red (+), as in :func:`to_rgb`. Spelled out:
a named scale means two things, plotly.js's "RdBu" runs blue to red and plotly.py's (applied only when a
figure is validated) red to blue, so an unvalidated fast_figure with "RdBu" + reversescale drew +1 blue."""

_DIVERGING = _diverging_lut()  # blue (−), white (0), red (+) as a 255-entry table: one gather per map
_GREY = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)


def to_rgb(
    a: np.ndarray, scale: int = 1, signed: bool | None = None, percentile: float | None = 99.5
) -> np.ndarray:
    """A map as uint8 RGB: grey for non-negative maps, blue–white–red for signed ones (white = 0).

    Colours are scaled to the ``percentile`` of |a| (None: to the maximum): an edge map is mostly near
    zero with a few strong responses, and scaling to the single largest one would wash it out.
    Nearest-neighbour upscaling by ``scale`` keeps pixels visible as squares.
    """
    a = np.asarray(a, dtype=np.float32)
    mag = np.abs(a)
    top = float(mag.max())
    if percentile is not None and a.size > 64:
        top = float(np.percentile(mag, percentile)) or top
    top = top or 1.0
    signed = bool(a.min() < -1e-6 * top) if signed is None else signed
    if signed:
        idx = np.clip((a / top + 1.0) * 127.0 + 0.5, 0, 254).astype(np.uint8)
        img = _DIVERGING[idx]
    else:
        img = _GREY[np.clip(a / top * 255.0 + 0.5, 0, 255).astype(np.uint8)]
    return img.repeat(scale, 0).repeat(scale, 1) if scale > 1 else img


def rf_picture(image: np.ndarray, check: RFCheck, scale: int = 1) -> np.ndarray:
    """The input with the unit's gradient tinted orange and the predicted field's box outlined (cached:
    the explorer's sliders rerun the page without changing the field; the result is read-only)."""
    a = np.ascontiguousarray(image, dtype=np.float32)
    return _rf_picture(a.tobytes(), a.shape, check, scale)


@functools.lru_cache(maxsize=16)
def _rf_picture(raw: bytes, shape: tuple[int, int], check: RFCheck, scale: int) -> np.ndarray:
    image = np.frombuffer(raw, dtype=np.float32).reshape(shape)
    grey = np.repeat(image[..., None], 3, axis=2) * 0.6
    g = (check.gradient / (check.gradient.max() or 1.0))[..., None]
    tint = np.array([0.9, 0.62, 0.0], dtype=np.float32)
    rgb = grey * (1 - g * 0.8) + tint * (g * 0.8 + 0.2 * (g > 0))
    img = (np.clip(rgb, 0, 1) * 255).astype(np.uint8).repeat(scale, 0).repeat(scale, 1)
    h, w = shape
    top, left, bottom, right = check.box
    y0, x0 = max(0, math.floor(top)) * scale, max(0, math.floor(left)) * scale
    y1, x1 = (min(h - 1, math.ceil(bottom)) + 1) * scale - 1, (min(w - 1, math.ceil(right)) + 1) * scale - 1
    if y0 <= y1 and x0 <= x1:  # the box can lie wholly in the padding for a border unit
        blue = np.array([0, 114, 178], dtype=np.uint8)
        img[[y0, y1], x0 : x1 + 1] = blue
        img[y0 : y1 + 1, [x0, x1]] = blue
    img.flags.writeable = False
    return img


def kernel_figure(kernel: np.ndarray, title: str = "Kernel") -> go.Figure:
    """The kernel's weights as an annotated heatmap (row 0 at the top, as in the image).

    Cached by content: building a plotly figure with the gallery's template costs ~20-30 ms, more than
    the convolution itself, and the kernel rarely changes while other sliders move. Treat the returned
    figure as read-only.
    """
    k = np.ascontiguousarray(kernel, dtype=np.float64)
    return _kernel_figure(k.tobytes(), k.shape, title)


@functools.lru_cache(maxsize=128)
def _kernel_figure(raw: bytes, shape: tuple[int, int], title: str) -> go.Figure:
    k = np.frombuffer(raw, dtype=np.float64).reshape(shape)
    top = float(np.abs(k).max()) or 1.0
    text = [[f"{v:.2g}" for v in row] for row in k] if k.shape[0] <= 7 else None
    trace = {"type": "heatmap", "z": k.tolist(), "zmin": -top, "zmax": top, "zmid": 0.0,
             "colorscale": BLUE_WHITE_RED, "showscale": False}
    if text:
        trace.update(text=text, texttemplate="%{text}")
    return fast_figure(
        [trace], title, height=260,
        yaxis={"autorange": "reversed", "scaleanchor": "x", "showticklabels": False},
        xaxis={"showticklabels": False},
    )  # fmt: skip


@functools.lru_cache(maxsize=64)
def rf_growth_figure(rows: tuple[RFRow, ...]) -> go.Figure:
    """Receptive field and jump after each layer of a stack (cached per stack; treat as read-only)."""
    xs = list(range(1, len(rows) + 1))
    traces = [
        {"type": "scatter", "x": xs, "y": [r.rf for r in rows], "mode": "lines+markers",
         "name": "receptive field (px)", "line": {"width": 3}},
        {"type": "scatter", "x": xs, "y": [r.jump for r in rows], "mode": "lines+markers",
         "name": "jump (px)", "line": {"dash": "dot"}},
    ]  # fmt: skip
    return fast_figure(
        traces, "Receptive field growth", height=300,
        xaxis={"title": {"text": "layer"}, "tickmode": "array", "tickvals": xs},
    )  # fmt: skip


def rf_markdown(rows: Sequence[RFRow]) -> str:
    """The table as Markdown (cheaper to render on every slider move than a data frame)."""
    lines = [
        "| layer | type | output | jump j | receptive field r | first centre |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {i} | {r.layer} | {r.out_size[0]}×{r.out_size[1]} | {r.jump} | {r.rf} | {r.start:g} |"
        for i, r in enumerate(rows, 1)
    ]
    return "\n".join(lines)

