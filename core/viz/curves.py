"""Curves against training progress: loss and accuracy per epoch, earlier runs overlaid."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from core.viz.style import PALETTE, fast_figure


def thin_indices(n: int, max_points: int) -> list[int]:
    """At most ``max_points`` evenly strided indices of ``range(n)``, always keeping the last one."""
    if n <= max_points:
        return list(range(n))
    idx = list(range(0, n, math.ceil(n / max_points)))
    return idx if idx[-1] == n - 1 else idx + [n - 1]


def loss_curves(
    history: Mapping[str, Sequence[float]],
    keys: Sequence[str] = ("train_loss", "val_loss"),
    title: str = "Loss",
    log_y: bool = False,
    x_key: str = "epoch",
    extra: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
    max_points: int = 400,
) -> go.Figure:
    """Curves of ``history[key]`` against epochs; ``extra`` overlays earlier runs (dotted, faded).

    Each curve is thinned to ``max_points`` points: a chart a few hundred pixels wide shows no more,
    and a 5,000-epoch history would otherwise cost milliseconds per live redraw.
    """
    traces: list[dict[str, Any]] = []
    runs = [(label, hist, True) for label, hist in (extra or {}).items()] + [("", history, False)]
    for label, hist, faded in runs:
        for i, key in enumerate(keys):
            ys = hist.get(key)
            if not ys:
                continue
            xs = hist.get(x_key) or list(range(1, len(ys) + 1))
            keep = thin_indices(len(ys), max_points)
            line: dict[str, Any] = {"color": PALETTE[i % len(PALETTE)], "width": 1.5 if faded else 3}
            if faded:
                line["dash"] = "dot"
            traces.append({
                "type": "scatter", "x": [xs[j] for j in keep], "y": _finite([ys[j] for j in keep]),
                "mode": "lines", "name": f"{label}: {_pretty(key)}" if label else _pretty(key),
                "line": line, "opacity": 0.5 if faded else 1.0, "connectgaps": True,
            })
    return fast_figure(traces, title, xaxis={"title": {"text": x_key}},
                       yaxis={"type": "log" if log_y else "linear"})


def _finite(ys: Sequence[float]) -> list[float | None]:
    # plotly draws None as a gap; NaN would break autoscaling of the axis.
    return [float(y) if isinstance(y, (int, float)) and math.isfinite(y) else None for y in ys]


def _pretty(key: str) -> str:
    return key.replace("_", " ")
