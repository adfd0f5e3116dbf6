"""Plotly figures of the MLP playground and the grid-vs-random search (shared by Streamlit and Gradio).

These figures are redrawn five times a second while a model trains, in the same process (and under
the same GIL) as the training thread, so they are built with the kit's :func:`core.viz.style.fast_figure`
(plain trace dicts, no validation: ~2 ms instead of ~25-30 ms a figure).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.mlp.datasets import MLPData
from core.mlp.decision_maps import DecisionGrid
from core.mlp.search import STRATEGIES, SearchResult
from core.viz.curves import thin_indices
from core.viz.style import PALETTE, fast_figure

STRATEGY_COLOURS = {"grid": PALETTE[0], "random": PALETTE[3], "tpe": PALETTE[2]}
SPLIT_MARKERS = {"train": "circle", "val": "diamond", "test": "x"}


def _axis(title: str = "", **kw: Any) -> dict[str, Any]:
    return {"title": {"text": title}, "automargin": True, **kw}


def _finite(ys: Sequence[float]) -> list[float | None]:
    # plotly draws None as a gap; NaN would break autoscaling of the axis.
    return [float(y) if y is not None and math.isfinite(y) else None for y in ys]


def _tint(hex_colour: str, amount: float) -> str:
    """Blend a colour towards white by ``amount`` (0 = unchanged), so points stay visible on regions."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return f"rgb({mix[0]},{mix[1]},{mix[2]})"


def region_colorscale(n_classes: int) -> list[list[float | str]]:
    """White-to-class-colour ramps side by side: z in [c, c+1) is class c at rising confidence."""
    scale: list[list[float | str]] = []
    for c in range(n_classes):
        scale += [[c / n_classes, "#ffffff"], [(c + 1) / n_classes, _tint(PALETTE[c % len(PALETTE)], 0.45)]]
    return scale


def region_values(probs: np.ndarray) -> np.ndarray:
    """Encode (res, res, C) probabilities as predicted class + confidence in [0, 1).

    Confidence 0 is a tie between classes (white, like TF Playground's boundary), 1 a certain
    prediction, so one heatmap shows both the regions and how sure the model is of them.
    """
    k = probs.shape[-1]
    conf = (probs.max(axis=-1) - 1.0 / k) / (1.0 - 1.0 / k)
    return np.round(probs.argmax(axis=-1) + np.clip(conf, 0.0, 0.999), 3)  # 3 decimals: a lighter JSON


def decision_map_figure(grid: DecisionGrid | None, data: MLPData, splits: Sequence[str] = ("train",),
                        title: str | None = None, height: int = 460) -> go.Figure:
    """Decision regions (if a model exists yet) under the data points of ``splits``, coloured by class."""
    k = data.n_classes
    traces: list[dict[str, Any]] = []
    if grid is not None:
        traces.append({"type": "heatmap", "x": grid.xs, "y": grid.ys, "z": region_values(grid.probs),
                       "zmin": 0, "zmax": k, "colorscale": region_colorscale(k), "showscale": False,
                       "hoverinfo": "skip"})
    for split in splits:
        X, y = data.split(split)
        for c, name in enumerate(data.classes):
            pts = X[y == c]
            traces.append({"type": "scatter", "x": pts[:, 0], "y": pts[:, 1], "mode": "markers",
                           "name": f"class {name} ({split})", "legendgroup": str(name),
                           "marker": {"color": PALETTE[c % len(PALETTE)], "size": 7,
                                      "symbol": SPLIT_MARKERS[split],
                                      "line": {"color": "white", "width": 1}}})
    if title is None:
        title = "Data" if grid is None else f"Decision regions after epoch {grid.epoch}"
    x0, x1, y0, y1 = data.bounds()
    return fast_figure(traces, title, height, hovermode="closest",
                       xaxis=_axis(data.features[0], range=[x0, x1], showgrid=False, zeroline=False,
                                   constrain="domain"),
                       yaxis=_axis(data.features[1], range=[y0, y1], showgrid=False, zeroline=False,
                                   scaleanchor="x", scaleratio=1, constrain="domain"))


def thinned(history: Mapping[str, Sequence[float]], keys: Sequence[str], x_key: str = "epoch",
            max_points: int = 400) -> dict[str, list[float]]:
    """``x_key`` and ``keys`` of a history, thinned to ``max_points`` rows (for live line charts)."""
    n = len(history.get(keys[0], []))
    keep = thin_indices(n, max_points)
    xs = history.get(x_key) or list(range(1, n + 1))
    return {x_key: [xs[i] for i in keep], **{k: [history[k][i] for i in keep] for k in keys if k in history}}


def best_so_far_figure(curves: Mapping[str, Sequence[float]],
                       expected: Mapping[str, Sequence[float]] | None = None,
                       title: str = "Best validation accuracy so far") -> go.Figure:
    """One line per strategy against the number of trials; ``expected`` adds the order-averaged curves."""
    traces: list[dict[str, Any]] = []
    for s, ys in curves.items():
        traces.append({"type": "scatter", "x": list(range(1, len(ys) + 1)), "y": _finite(ys),
                       "mode": "lines+markers", "name": f"{s} search",
                       "line": {"color": STRATEGY_COLOURS.get(s, PALETTE[2]), "width": 3, "shape": "hv"}})
    for s, ys in (expected or {}).items():
        traces.append({"type": "scatter", "x": list(range(1, len(ys) + 1)), "y": _finite(ys), "mode": "lines",
                       "name": f"{s}: expected over run orders",
                       "line": {"color": STRATEGY_COLOURS.get(s, PALETTE[2]), "width": 2, "dash": "dot"}})
    return fast_figure(traces, title, hovermode="closest", xaxis=_axis("number of trials"),
                       yaxis=_axis("validation accuracy"))


def search_scatter_figure(result: SearchResult) -> go.Figure:
    """Validation accuracy against each hyperparameter: the grid's few columns vs random's spread."""
    space = result.config.space
    n, gap = len(space), 0.04
    width = (1.0 - gap * (n - 1)) / n
    traces: list[dict[str, Any]] = []
    layout: dict[str, Any] = {}
    for i, d in enumerate(space):
        suffix = "" if i == 0 else str(i + 1)
        lo = i * (width + gap)
        # The whole searched range, so the page shows how much of it each strategy covered.
        span = [math.log10(d.low), math.log10(d.high)] if d.log else [d.low, d.high]
        pad = 0.04 * (span[1] - span[0])
        layout[f"xaxis{suffix}"] = _axis(d.label, domain=[lo, lo + width], type="log" if d.log else "linear",
                                         range=[span[0] - pad, span[1] + pad])
        layout[f"yaxis{suffix}"] = _axis("validation accuracy" if i == 0 else "", anchor=f"x{suffix}",
                                         matches=None if i == 0 else "y", showticklabels=i == 0)
        for s in STRATEGIES:
            trials = result.of(s)
            traces.append({"type": "scatter", "xaxis": f"x{suffix}", "yaxis": f"y{suffix}", "mode": "markers",
                           "x": [t.params[d.name] for t in trials],
                           "y": _finite([t.val_accuracy for t in trials]),
                           "name": f"{s} search", "legendgroup": s, "showlegend": i == 0,
                           "marker": {"color": STRATEGY_COLOURS[s], "size": 9, "opacity": 0.8,
                                      "symbol": "square" if s == "grid" else "circle"}})
    return fast_figure(traces, "Validation accuracy vs each hyperparameter", 360, hovermode="closest",
                       **layout)


def _rgb(colour: str) -> np.ndarray:
    if colour.startswith("#"):
        return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float32)
    return np.array([float(v) for v in colour[4:-1].split(",")], dtype=np.float32)  # "rgb(r,g,b)"


def decision_map_image(grid: DecisionGrid | None, data: MLPData, splits: Sequence[str] = ("train",),
                       size: int = 400, radius: int = 3) -> np.ndarray:
    """The decision map as an RGB array (uint8, ``size`` x ``size``), same colours as the heatmap.

    For the live view: an image updates in place in the browser, where a changed plotly chart is
    remounted by Streamlit 1.67 on every update (streamlit/streamlit#8782) and blinks five times a
    second; drawing it here also spares the browser a plotly heatmap redraw per update.
    """
    x0, x1, y0, y1 = data.bounds()
    white = np.full(3, 255.0, dtype=np.float32)
    if grid is None:
        img = np.broadcast_to(white, (size, size, 3)).copy()
    else:
        k = data.n_classes
        label = grid.probs.argmax(axis=-1)
        conf = np.clip((grid.probs.max(axis=-1) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
        tops = np.stack([_rgb(_tint(PALETTE[c % len(PALETTE)], 0.45)) for c in range(k)])
        cells = white + (tops[label] - white) * conf[..., None]  # (res, res, 3), row i = ys[i]
        rows = np.linspace(0, cells.shape[0] - 1, size).round().astype(int)[::-1]  # image row 0 = top
        cols = np.linspace(0, cells.shape[1] - 1, size).round().astype(int)
        img = cells[rows][:, cols]
    dy, dx = np.mgrid[-radius - 1 : radius + 2, -radius - 1 : radius + 2]
    ring, disc = dx**2 + dy**2 <= (radius + 1) ** 2, dx**2 + dy**2 <= radius**2
    for split in splits:
        X, y = data.split(split)
        px = np.clip(((X[:, 0] - x0) / (x1 - x0) * (size - 1)).round().astype(int), 0, size - 1)
        py = np.clip(((y1 - X[:, 1]) / (y1 - y0) * (size - 1)).round().astype(int), 0, size - 1)
        fill = np.stack([_rgb(PALETTE[c % len(PALETTE)]) for c in y]) if len(y) else None
        for mask, colours in ((ring, np.broadcast_to(white, (len(y), 3))), (disc, fill)):
            if colours is None:
                continue
            oy, ox = dy[mask], dx[mask]
            rr = np.clip(py[:, None] + oy[None, :], 0, size - 1)
            cc = np.clip(px[:, None] + ox[None, :], 0, size - 1)
            img[rr, cc] = colours[:, None, :]
    return img.astype(np.uint8)


def importance_figure(importances: Mapping[str, float], labels: Mapping[str, str],
                      title: str = "Share of the variance of validation accuracy (fANOVA)") -> go.Figure:
    """Horizontal bars, largest on top: each hyperparameter's measured importance (sums to 1)."""
    names = list(importances)[::-1]  # plotly draws the first bar at the bottom
    values = [float(importances[k]) for k in names]
    trace = {"type": "bar", "orientation": "h", "x": values, "y": [labels.get(k, k) for k in names],
             "marker": {"color": PALETTE[0]}, "text": [f"{v:.0%}" for v in values], "textposition": "auto",
             "hovertemplate": "%{y}: %{x:.1%}<extra></extra>"}
    return fast_figure([trace], title, 120 + 48 * len(names), showlegend=False,
                       xaxis=_axis("share of variance", range=[0, 1], tickformat=".0%"), yaxis=_axis())
