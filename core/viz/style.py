"""Figure builders shared by the Streamlit pages and the Gradio tabs (plotly: cheap to re-render).

Figures that a slider or a live view redraws are built with :func:`fast_figure`: plain trace dicts in
one constructor call without plotly's property validation. Validating costs 1-3 ms a trace and applying
the ``plotly_white`` template ~20-30 ms a figure, most of a slider's 100 ms budget (and GIL time a
training thread waits for). The tests validate these figures instead (``go.Figure(fig.to_dict())``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

# Okabe-Ito: distinguishable for colour-blind viewers and on washed-out projectors.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
FONT = dict(size=16)


def base_layout(fig: go.Figure, title: str = "", height: int = 380, **kw: object) -> go.Figure:
    """Large type, tight margins, white background: readable from the back of a lecture hall."""
    fig.update_layout(
        title=dict(text=title, x=0.0, xanchor="left") if title else None,
        height=height,
        margin=dict(l=10, r=10, t=50 if title else 20, b=10),
        font=FONT,
        template="plotly_white",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
        **kw,
    )
    return fig


@lru_cache(maxsize=16)
def _base_layout_json(height: int, titled: bool) -> str:
    # The look of base_layout, template resolved once per (height, title?) instead of once per figure.
    return json.dumps(base_layout(go.Figure(), "T" if titled else "", height=height).layout.to_plotly_json(),
                      cls=PlotlyJSONEncoder)


def _merge(into: dict, extra: Mapping[str, Any]) -> dict:
    for k, v in extra.items():
        if isinstance(v, Mapping) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = v
    return into


def fast_figure(traces: list[dict[str, Any]], title: str = "", height: int = 380, **layout: Any) -> go.Figure:
    """A figure in the look of :func:`base_layout` from trace dicts, without plotly's validation.

    Nested ``layout`` dicts are merged into the base layout.
    """
    lay = json.loads(_base_layout_json(height, bool(title)))
    if title:
        lay["title"]["text"] = title
    return go.Figure(data=traces, layout=_merge(lay, layout), _validate=False)


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
