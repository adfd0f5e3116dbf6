"""Figures of lecture 4: top-k bars, importance overlays, deletion curves, normalised pixel values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
import torch

from core.transfer.saliency import DeletionCurve
from core.viz.style import PALETTE, fast_figure

# "inferno"-like ramp: dark = unimportant, bright yellow = important (readable on a projector).
_RAMP = np.array([[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]], np.float32)


def colourise(values: np.ndarray) -> np.ndarray:
    """uint8 (H, W, 3) colours of a map scaled to [0, 1] by its own range (robust: 99th percentile)."""
    v = np.asarray(values, np.float32)
    lo, hi = 0.0, float(np.percentile(np.abs(v), 99)) if v.size else 0.0
    t = np.clip((v - lo) / (hi - lo), 0.0, 1.0) if hi > lo else np.zeros_like(v)
    pos = t * (len(_RAMP) - 1)
    i = np.minimum(pos.astype(int), len(_RAMP) - 2)
    f = (pos - i)[..., None]
    return (_RAMP[i] * (1 - f) + _RAMP[i + 1] * f).astype(np.uint8)


def overlay(rgb: np.ndarray, values: np.ndarray, alpha: float = 0.6) -> np.ndarray:
    """uint8 (H, W, 3): the importance map's colours blended over the photo (same size)."""
    base = np.asarray(rgb, np.float32)[..., :3]
    return (base * (1 - alpha) + colourise(values).astype(np.float32) * alpha).astype(np.uint8)


def with_box(rgb: object, box: tuple[float, float, float, float], width: int = 0) -> np.ndarray:
    """uint8 (H, W, 3): the photo with the crop the network sees outlined, the rest dimmed."""
    from PIL import Image, ImageDraw

    im = rgb if isinstance(rgb, Image.Image) else Image.fromarray(np.asarray(rgb)[..., :3])
    a = np.asarray(im.convert("RGB"), np.float32)
    left, top, right, bottom = (int(round(v)) for v in box)
    dim = a * 0.45
    dim[max(top, 0) : bottom, max(left, 0) : right] = a[max(top, 0) : bottom, max(left, 0) : right]
    out = Image.fromarray(dim.astype(np.uint8))
    line = width or max(2, round(max(out.size) / 150))
    ImageDraw.Draw(out).rectangle((left, top, right - 1, bottom - 1), outline=PALETTE[1], width=line)
    return np.asarray(out)


def topk_figure(top: Sequence[tuple[str, float]], title: str = "") -> go.Figure:
    """Horizontal bars, best class on top."""
    names = [n for n, _ in top][::-1]
    probs = [p for _, p in top][::-1]
    trace = dict(
        type="bar",
        orientation="h",
        x=probs,
        y=names,
        marker=dict(color=PALETTE[0]),
        text=[f"{p:.1%}" for p in probs],
        textposition="auto",
        hovertemplate="%{y}: %{x:.2%}<extra></extra>",
    )
    return fast_figure(
        [trace],
        title,
        height=max(220, 48 * len(top) + 60),
        light=True,
        xaxis=dict(title=dict(text="probability"), range=[0, 1], tickformat=".0%"),
    )


def deletion_figure(curves: Mapping[str, DeletionCurve]) -> go.Figure:
    """Class probability vs fraction hidden: one line per method, the random order dashed."""
    traces = []
    for i, (label, c) in enumerate(curves.items()):
        traces.append(
            dict(
                type="scatter",
                mode="lines+markers",
                x=c.fractions,
                y=c.by_importance,
                name=f"{label} (area {c.auc:.3f})",
                line=dict(color=PALETTE[i % len(PALETTE)]),
            )
        )
    if curves:
        ref = next(iter(curves.values()))
        traces.append(
            dict(
                type="scatter",
                mode="lines",
                x=ref.fractions,
                y=ref.at_random,
                name=f"random order (area {ref.random_auc:.3f})",
                line=dict(color="#777", dash="dash"),
            )
        )
    return fast_figure(
        traces,
        "Deletion curve: lower is more faithful",
        height=380,
        light=True,
        xaxis=dict(title=dict(text="fraction of the crop hidden, most important first"), tickformat=".0%"),
        yaxis=dict(title=dict(text="probability of the explained class"), rangemode="tozero"),
        legend=dict(orientation="h", yanchor="top", y=-0.25, x=0.0),
    )


def channel_histogram(tensor: torch.Tensor) -> go.Figure:
    """Histogram of the normalised input values per colour channel (what the network receives)."""
    x = tensor.detach()[0].numpy()
    traces = []
    for c, (name, colour) in enumerate(zip("RGB", ("#D55E00", "#009E73", "#0072B2"))):
        counts, edges = np.histogram(x[c], bins=48, range=(-2.5, 2.5))
        traces.append(
            dict(
                type="bar",
                x=(edges[:-1] + edges[1:]) / 2,
                y=counts,
                name=name,
                opacity=0.6,
                marker=dict(color=colour),
            )
        )
    return fast_figure(
        traces,
        "Normalised input values per channel",
        height=300,
        light=True,
        barmode="overlay",
        bargap=0,
        xaxis=dict(title=dict(text="(pixel/255 − mean) / std")),
        yaxis=dict(title=dict(text="pixels")),
    )


def curve_figure(
    grid: Sequence[int],
    curves: Mapping[str, Sequence[float]],
    labels: Mapping[str, str],
    runs: Sequence[tuple[str, int, float]] = (),
    n_test: int = 0,
) -> go.Figure:
    """Held-out accuracy vs labelled images per class (log axis): a line per method, live runs as stars."""
    colour = {m: PALETTE[i % len(PALETTE)] for i, m in enumerate(labels)}
    traces = [
        dict(type="scatter", mode="lines+markers", x=list(grid), y=list(acc), name=labels.get(m, m),
             line=dict(color=colour.get(m, "#777")), hovertemplate="%{x} per class: %{y:.1%}<extra></extra>")
        for m, acc in curves.items()
    ]  # fmt: skip
    for m in labels:
        mine = [(k, a) for method, k, a in runs if method == m and np.isfinite(a)]
        if mine:
            traces.append(dict(type="scatter", mode="markers", x=[k for k, _ in mine], y=[a for _, a in mine],
                               name=f"{labels[m]}: your runs", marker=dict(symbol="star", size=16,
                               color=colour[m], line=dict(color="#000", width=1))))  # fmt: skip
    traces.append(dict(type="scatter", mode="lines", x=[1, 100], y=[0.1, 0.1], name="chance (10 classes)",
                       line=dict(color="#999", dash="dot"), hoverinfo="skip"))  # fmt: skip
    held = f" ({n_test:,} held-out images)" if n_test else ""
    return fast_figure(
        traces,
        f"Test accuracy vs labels per class{held}",
        height=420,
        light=True,
        xaxis=dict(type="log", title=dict(text="labelled training images per class"), range=[-0.1, 2.1]),
        yaxis=dict(title=dict(text="test accuracy"), range=[0, 1], tickformat=".0%"),
        legend=dict(orientation="h", yanchor="top", y=-0.2, x=0.0),
    )


def pca_figure(fmap: object) -> go.Figure:
    """Two scatter plots side by side: PCA of raw pixels and of deep features, coloured by class."""
    from plotly.subplots import make_subplots

    from core.transfer.features import FeatureMap

    assert isinstance(fmap, FeatureMap)
    fig = make_subplots(rows=1, cols=2, subplot_titles=(
        f"raw pixels: 5-NN accuracy {fmap.neighbours[0]:.0%}",
        f"deep features: 5-NN accuracy {fmap.neighbours[1]:.0%}"))  # fmt: skip
    palette = (*PALETTE, "#8C564B", "#7F7F7F")
    for col, points in ((1, fmap.raw), (2, fmap.deep)):
        for c, name in enumerate(fmap.classes):
            sel = fmap.y == c
            fig.add_trace(go.Scattergl(x=points[sel, 0], y=points[sel, 1], mode="markers", name=name,
                                       legendgroup=name, showlegend=col == 1,
                                       marker=dict(size=6, color=palette[c % len(palette)])),
                          1, col)  # fmt: skip
    fig.update_layout(height=460, template="plotly_white", margin=dict(l=10, r=10, t=60, b=10),
                      font=dict(size=16))  # fmt: skip
    fig.update_xaxes(showticklabels=False, title_text="PC 1")
    fig.update_yaxes(showticklabels=False, title_text="PC 2")
    return fig
