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
