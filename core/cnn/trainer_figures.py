"""Figures of the CNN trainer (plotly for both front ends, small uint8 pictures for live views).

Built with :func:`core.viz.style.fast_figure` (the gallery's one figure builder): plain trace dicts, no
per-figure template or validation cost, so a redraw stays in the low milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.cnn.classify import Classification
from core.cnn.convnet import ConvNet
from core.cnn.explorer_figures import BLUE_WHITE_RED
from core.cnn.inspection import FeatureMap, first_layer_filters, worst_mistakes
from core.cnn.training import CNNRun
from core.viz.style import PALETTE, fast_figure


def tile(
    images: np.ndarray, cols: int, pad: int = 1, pad_y: int | None = None, diverging: bool = False
) -> np.ndarray:
    """(N, h, w) images as one array of ``cols`` columns, NaN between tiles; each tile scaled on its own
    to [0, 1], or to [-1, 1] around 0 when ``diverging`` (so weak and strong channels are both visible)."""
    images = np.asarray(images, dtype=np.float32)
    n, h, w = images.shape
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    pad_y = pad if pad_y is None else pad_y
    grid = np.full((rows * (h + pad_y) - pad_y, cols * (w + pad) - pad), np.nan, np.float32)
    for i, img in enumerate(images):
        if diverging:
            img = img / (float(np.abs(img).max()) or 1.0)
        else:
            lo, hi = float(img.min()), float(img.max())
            img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
        r, c = divmod(i, cols)
        grid[r * (h + pad_y) : r * (h + pad_y) + h, c * (w + pad) : c * (w + pad) + w] = img
    return grid


def filters_image(filters: np.ndarray, cols: int = 16, px: int = 12) -> np.ndarray:
    """First-layer kernels as one small RGB picture (red positive, blue negative, white gaps), each kernel
    pixel ``px`` screen pixels wide: far cheaper than a plotly figure to send 2-5 times a second."""
    grid = tile(filters, cols, pad=1, diverging=True)
    gap = np.isnan(grid)
    v = np.nan_to_num(grid)[..., None]
    red, white, blue = np.array([178, 24, 43.0]), np.array([247, 247, 247.0]), np.array([33, 102, 172.0])
    rgb = np.where(v >= 0, white + v * (red - white), white - v * (blue - white))
    rgb[gap] = 255.0
    return np.repeat(np.repeat(rgb.astype(np.uint8), px, axis=0), px, axis=1)


def image_grid(
    images: np.ndarray,
    titles: Sequence[str] | None = None,
    cols: int = 8,
    title: str = "",
    diverging: bool = False,
    tile_px: int = 90,
) -> go.Figure:
    """Small multiples of (N, h, w) images in ONE heatmap (a subplot per image costs ~200 ms to build,
    too slow for a live view); ``diverging`` uses a red-blue scale centred at 0 (for filters)."""
    images = np.asarray(images)
    n, h, w = images.shape
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    pad = max(1, w // 8)
    pad_y = max(pad, round(0.45 * h)) if titles else pad  # room for a title line above each tile
    grid = tile(images, cols, pad, pad_y, diverging)
    if titles:
        grid = np.vstack([np.full((pad_y, grid.shape[1]), np.nan, np.float32), grid])
    scale = (
        dict(colorscale=BLUE_WHITE_RED, zmid=0.0, zmin=-1, zmax=1)
        if diverging
        else dict(colorscale="gray", zmin=0, zmax=1)
    )
    trace = {"type": "heatmap", "z": grid, "showscale": False,
             "hoverongaps": False, "hovertemplate": "%{z:.2f}<extra></extra>", **scale}
    notes = []
    for i, text in enumerate(titles or ()):
        r, c = divmod(i, cols)
        notes.append({"x": c * (w + pad) + (w - 1) / 2, "y": (r + 1) * (h + pad_y) - h - 1, "text": text,
                      "showarrow": False, "yanchor": "bottom", "font": {"size": 11}})
    height = int(rows * tile_px * (1.4 if titles else 1.0)) + (60 if title else 20)
    return fast_figure(
        [trace], title, height=height, annotations=notes,
        xaxis={"visible": False, "constrain": "domain"},
        yaxis={"visible": False, "autorange": "reversed", "scaleanchor": "x", "constrain": "domain"},
    )  # fmt: skip


def mistakes_figure(run: CNNRun, k: int = 12, cols: int = 6) -> go.Figure:
    """The most confident mistakes with their images: 'true → predicted (confidence)'."""
    mistakes = worst_mistakes(run.test_probs, run.test_y, k)
    if not mistakes:
        return fast_figure([], "No mistakes on the test images")
    images = np.stack([run.test_X[m.index, 0] for m in mistakes])
    titles = [f"{run.classes[m.true]}→{run.classes[m.pred]} {m.confidence:.0%}" for m in mistakes]
    return image_grid(
        images, titles, cols=cols, title="Most confident mistakes (true → predicted)", tile_px=120
    )


def filters_figure(model: ConvNet) -> go.Figure:
    """The learned first-layer kernels (red positive, blue negative)."""
    w = first_layer_filters(model)
    return image_grid(
        w, cols=min(16, len(w)), diverging=True, title=f"First-layer filters ({len(w)})", tile_px=60
    )


def feature_map_figure(fm: FeatureMap, max_channels: int = 32) -> go.Figure:
    """Up to ``max_channels`` channels of one layer's activations."""
    maps = fm.maps[:max_channels]
    return image_grid(
        maps, cols=min(8, len(maps)), title=f"{fm.name}: {len(maps)} of {len(fm.maps)} channels", tile_px=80
    )


def probabilities_figure(result: Classification, k: int = 5) -> go.Figure:
    """Horizontal bars of the top-``k`` class probabilities."""
    top = result.top(k)[::-1]
    trace = {
        "type": "bar", "x": [p for _, p in top], "y": [c for c, _ in top], "orientation": "h",
        "text": [f"{p:.1%}" for _, p in top], "textposition": "auto", "marker": {"color": PALETTE[0]},
    }  # fmt: skip
    return fast_figure(
        [trace], f"Top-{k} classes", height=300, xaxis={"range": [0, 1], "tickformat": ".0%"},
        yaxis={"type": "category"},
    )
