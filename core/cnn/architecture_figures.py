"""Figures of the architecture gallery: one metric as bars, accuracy against cost (plotly, fast_figure)."""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go

from core.viz.style import PALETTE, fast_figure

METRICS: dict[str, str] = {
    "params": "Parameters",
    "macs": "Multiply-adds",
    "longest_path": "Depth (longest conv/linear chain)",
    "receptive_field": "Receptive field (pixels)",
    "top1": "ImageNet top-1 (%)",
}
"""Summary keys the comparison chart can show, with their axis titles."""


def comparison_figure(
    summaries: list[dict[str, Any]], metric: str = "params", highlight: str | None = None
) -> go.Figure:
    """Bars of one metric for several summaries (log axis for counts); ``highlight`` names the bar to
    colour differently (the architecture in focus)."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
    rows = [s for s in summaries if s.get(metric) is not None]
    labels = [f"{s['title']}<br>{s['input_size']} px" for s in rows]
    colours = [PALETTE[1] if s["name"] == highlight else PALETTE[0] for s in rows]
    bar = {"type": "bar", "x": labels, "y": [s[metric] for s in rows], "marker": {"color": colours},
           "text": [_human(s[metric]) for s in rows], "textposition": "outside", "cliponaxis": False}
    axis = {"type": "log" if metric in ("params", "macs") else "linear", "title": {"text": METRICS[metric]}}
    return fast_figure([bar], METRICS[metric], height=420, yaxis=axis)


def tradeoff_figure(summaries: list[dict[str, Any]], highlight: str | None = None) -> go.Figure:
    """Accuracy against multiply-adds, bubble area ∝ parameters: the cost/benefit picture of a decade."""
    rows = sorted((s for s in summaries if s.get("top1") is not None), key=lambda s: s["macs"])
    gmacs = [s["macs"] / 1e9 for s in rows]
    top1 = [s["top1"] for s in rows]
    points = {
        "type": "scatter", "x": gmacs, "y": top1, "mode": "markers+text", "text": [s["title"] for s in rows],
        "textposition": _label_sides(gmacs, top1), "cliponaxis": False,
        "marker": {"size": [10 + 3 * math.sqrt(s["params"] / 1e6) for s in rows], "opacity": 0.8,
                   "color": [PALETTE[1] if s["name"] == highlight else PALETTE[0] for s in rows]},
    }  # fmt: skip
    lo, hi = math.log10(min(gmacs)), math.log10(max(gmacs))
    return fast_figure(
        [points], "ImageNet top-1 vs multiply-adds (bubble area: parameters)", height=420,
        xaxis={"type": "log", "title": {"text": "GMACs per image"}, "range": [lo - 0.25, hi + 0.25]},
        yaxis={"title": {"text": "top-1 accuracy (%)"}, "range": [min(top1) - 4, max(top1) + 4]},
    )  # fmt: skip


def _label_sides(xs: list[float], ys: list[float]) -> list[str]:
    """Label below a point when a close neighbour (within 0.15 decades of cost) is more accurate, above
    otherwise: neighbours such as GoogLeNet and ResNet-18 then do not overprint each other."""

    def close(i: int, j: int) -> bool:
        return i != j and abs(math.log10(xs[i] / xs[j])) < 0.15

    return [
        "bottom center" if any(close(i, j) and ys[j] > ys[i] for j in range(len(xs))) else "top center"
        for i in range(len(xs))
    ]


def _human(v: float) -> str:
    for div, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"{v / div:.3g} {unit}"
    return f"{v:.4g}"
