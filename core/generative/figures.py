"""Pictures and plots of lecture 5: image grids as arrays (for ``st.image`` / ``gr.Image``), the latent
map coloured by class, and the KL of each latent dimension. Plots use the gallery's ``fast_figure``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.generative.gan2d import EXTENT, MAP_SIZE, Snapshot
from core.generative.latent import LatentMap
from core.viz.style import PALETTE, fast_figure

# Ten distinguishable class colours: the Okabe-Ito palette, then two more.
CLASS_COLOURS = (*PALETTE[:7], "#999999", "#882255", "#44AA99")


def image_grid(images: np.ndarray, cols: int | None = None, pad: int = 2, upscale: int = 3) -> np.ndarray:
    """uint8 picture of (R, C, h, w) images (or (N, h, w) in ``cols`` columns), white gaps between tiles,
    each pixel ``upscale`` screen pixels wide. Values are probabilities in [0, 1], shown as they are:
    dark strokes on white, so a faint sample looks faint (no per-tile rescaling)."""
    a = np.asarray(images, dtype=np.float32)
    if a.ndim == 3:
        n = len(a)
        cols = max(1, min(cols or n, n))
        rows = -(-n // cols)
        a = np.concatenate([a, np.zeros((rows * cols - n, *a.shape[1:]), np.float32)]).reshape(rows, cols,
                                                                                                 *a.shape[1:])
    rows, cols, h, w = a.shape
    grid = np.ones((rows * (h + pad) - pad, cols * (w + pad) - pad), np.float32)
    for r in range(rows):
        for c in range(cols):
            grid[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = 1.0 - a[r, c]
    pic = (np.clip(grid, 0.0, 1.0) * 255).round().astype(np.uint8)
    return np.repeat(np.repeat(pic, upscale, 0), upscale, 1)


def latent_figure(lmap: LatentMap, classes: Sequence[str], marks: Sequence[tuple[str, float, float]] = (),
                  title: str = "") -> go.Figure:
    """The test images' codes, one colour per class; ``marks`` (label, x, y) ring chosen points of the
    map's plane (the ends of an interpolation, a drawing), e.g. from :meth:`LatentMap.project`."""
    traces: list[dict[str, Any]] = []
    for k, name in enumerate(classes):
        idx = np.flatnonzero(lmap.labels == k)
        if not len(idx):
            continue
        traces.append({"type": "scattergl", "mode": "markers", "name": str(name),
                       "x": lmap.coords[idx, 0].tolist(), "y": lmap.coords[idx, 1].tolist(),
                       "marker": {"size": 5, "color": CLASS_COLOURS[k % len(CLASS_COLOURS)], "opacity": 0.75},
                       "hovertemplate": f"{name}<extra></extra>"})  # fmt: skip
    if len(marks):
        ring = {"size": 14, "color": "rgba(0,0,0,0)", "line": {"color": "#000", "width": 2}}
        traces.append({"type": "scatter", "mode": "markers+text", "name": "chosen", "showlegend": False,
                       "x": [float(m[1]) for m in marks], "y": [float(m[2]) for m in marks],
                       "text": [m[0] for m in marks], "textposition": "top center", "marker": ring})
    xt, yt = lmap.axis_titles
    return fast_figure(traces, title, height=460, xaxis={"title": {"text": xt}, "zeroline": True},
                       yaxis={"title": {"text": yt}, "zeroline": True},
                       legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1.0, "yanchor": "top"})


def kl_figure(kl_dims: Sequence[float], active: float) -> go.Figure:
    """Mean KL of each latent dimension on held-out images (nats): the dimensions the decoder uses stand
    out; a dimension under ``active`` nats carries (almost) no information about the image."""
    kl = [float(v) for v in kl_dims]
    colours = [PALETTE[0] if v > active else "#BBBBBB" for v in kl]
    trace = {"type": "bar", "x": [f"z{i + 1}" for i in range(len(kl))], "y": kl,
             "marker": {"color": colours}, "hovertemplate": "%{x}: %{y:.2f} nats<extra></extra>"}
    return fast_figure([trace], "KL per latent dimension (held-out, nats/image)", height=300,
                       yaxis={"title": {"text": "nats"}}, showlegend=False)


def gan_figure(real: np.ndarray, snap: Snapshot | None, title: str = "") -> go.Figure:
    """The discriminator's belief D(x) that a point is real (heatmap: purple fake, green real), the data
    (grey) and the generator's samples (orange)."""
    axis = np.linspace(-EXTENT, EXTENT, MAP_SIZE).round(3).tolist()
    traces: list[dict[str, Any]] = []
    if snap is not None:
        traces.append({"type": "heatmap", "x": axis, "y": axis, "z": snap.d_map.round(3).tolist(), "zmin": 0,
                       "zmax": 1, "colorscale": "PRGn", "opacity": 0.55, "name": "D(x)",
                       "colorbar": {"title": {"text": "D(x)"}, "len": 0.8},
                       "hovertemplate": "D = %{z:.2f}<extra></extra>"})
    traces.append({"type": "scattergl", "mode": "markers", "name": "data", "x": real[:, 0].tolist(),
                   "y": real[:, 1].tolist(), "marker": {"size": 4, "color": "#555555", "opacity": 0.6}})
    if snap is not None:
        fake = snap.fake
        traces.append({"type": "scattergl", "mode": "markers", "name": "generated", "x": fake[:, 0].tolist(),
                       "y": fake[:, 1].tolist(), "marker": {"size": 4, "color": PALETTE[1], "opacity": 0.8}})
    rng = [-EXTENT, EXTENT]
    return fast_figure(traces, title, height=520, xaxis={"range": rng, "constrain": "domain"},
                       yaxis={"range": rng, "scaleanchor": "x"})


# --------------------------------------------------------------------------------------------------
# PixelCNN pictures (RGB uint8 arrays): masks, what one pixel sees, sampling frames

INK, PAPER, UNDRAWN = (0, 0, 0), (255, 255, 255), (205, 205, 205)
SEEN, BLIND, CURRENT, FAR = (0, 114, 178), (230, 159, 0), (213, 94, 0), (250, 228, 180)


def rgb_grid(tiles: np.ndarray, cols: int | None = None, pad: int = 2, upscale: int = 3) -> np.ndarray:
    """uint8 (H, W, 3) picture of (N, h, w, 3) tiles in ``cols`` columns, white gaps between tiles."""
    a = np.asarray(tiles, dtype=np.uint8)
    n, h, w = a.shape[:3]
    cols = max(1, min(cols or n, n))
    rows = -(-n // cols)
    grid = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad, 3), 255, np.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        grid[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = a[i]
    return np.repeat(np.repeat(grid, upscale, 0), upscale, 1)


def binary_tiles(frames: np.ndarray, current: int | None = None) -> np.ndarray:
    """(N, 28, 28, 3): ink for 1, paper for 0, grey where not drawn yet (NaN), and the pixel being drawn
    (raster index ``current``) in red."""
    f = np.asarray(frames, dtype=np.float32)
    out = np.empty((*f.shape, 3), np.uint8)
    out[:] = PAPER
    out[f > 0.5] = INK
    out[np.isnan(f)] = UNDRAWN
    if current is not None and 0 <= current < f.shape[1] * f.shape[2]:
        r, c = divmod(current, f.shape[2])
        out[:, r, c] = CURRENT
    return out


def mask_picture(mask: np.ndarray, cell: int = 22) -> np.ndarray:
    """A kernel mask: blue weights are used, white ones are zeroed; the centre is outlined in red."""
    m = np.asarray(mask) > 0
    k = m.shape[0]
    tiles = np.where(m[..., None], np.array(SEEN, np.uint8), np.array(PAPER, np.uint8)).astype(np.uint8)
    pic = rgb_grid(tiles[None], pad=0, upscale=cell)
    c = k // 2
    lo, hi = c * cell, (c + 1) * cell - 1
    for edge in (lo, lo + 1, hi - 1, hi):
        pic[edge, lo : hi + 1] = CURRENT
        pic[lo : hi + 1, edge] = CURRENT
    pic[::cell], pic[:, ::cell] = (150, 150, 150), (150, 150, 150)  # cell borders
    return pic


def dependency_picture(seen: np.ndarray, before: np.ndarray, reach: np.ndarray, row: int, col: int,
                       upscale: int = 10) -> np.ndarray:
    """What the output at (row, col) sees: blue pixels it depends on; orange ones before it in raster order
    and within the layers' ``reach`` that it cannot see (the blind spot); pale ones before it but out of
    reach; white ones after it; the pixel itself in red."""
    tile = np.empty((*seen.shape, 3), np.uint8)
    tile[:] = PAPER
    tile[before & ~seen] = FAR
    tile[before & reach & ~seen] = BLIND
    tile[seen] = SEEN
    tile[row, col] = CURRENT
    return rgb_grid(tile[None], pad=0, upscale=upscale)
