"""The network diagram of the playground (lecture 2), TF Playground style, from the course's own model.

Each drawn unit is a small picture of its output over the input plane (:func:`core.mlp.neurons.
neuron_maps`); each edge's width is proportional to |weight| and its colour gives the sign (blue
positive, orange negative, as TF Playground draws them). The pictures are PNGs placed as layout images:
a few kilobytes each, where a heatmap trace per unit would make the figure heavy to redraw.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.mlp.neurons import NeuronMaps
from core.viz.style import fast_figure

POSITIVE, NEGATIVE = "#2166ac", "#e08214"
_POS_RGB, _NEG_RGB = np.array([33, 102, 172], np.float32), np.array([224, 130, 20], np.float32)
_SIZE = 0.62  # a unit's picture, in row spacings
_STYLE = dict(bgcolor="rgba(255,255,255,0.85)")


def unit_image(a: np.ndarray) -> np.ndarray:
    """One unit's outputs (res, res; row i = ys[i]) as RGB uint8 (image row 0 = top): white at 0, blue
    for positive, orange for negative, full colour at the unit's largest |output|."""
    scale = float(np.nanmax(np.abs(a))) if np.isfinite(a).any() else 0.0
    v = np.nan_to_num(a / scale if scale > 0 else np.zeros_like(a))[::-1]
    white = np.full(3, 255.0, np.float32)
    colour = np.where(v[..., None] >= 0, _POS_RGB, _NEG_RGB)
    return (white + (colour - white) * np.clip(np.abs(v), 0, 1)[..., None]).astype(np.uint8)


def _png(rgb: np.ndarray) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _rows(n: int) -> np.ndarray:
    return (n - 1) / 2 - np.arange(n, dtype=np.float64)  # each column centred on y = 0, first unit on top


def network_figure(m: NeuronMaps, title: str = "Inside the network: every unit over the input plane",
                   height: int | None = None) -> go.Figure:
    """Columns of unit pictures (inputs, then hidden layers) joined by weight-coloured edges."""
    tallest = max(len(layer) for layer in m.layers)
    ys = [_rows(len(layer)) for layer in m.layers]
    traces: list[dict[str, Any]] = []
    for k, w in enumerate(m.weights):
        w = np.nan_to_num(w, nan=0.0, posinf=0.0, neginf=0.0)  # a diverged model draws no edges
        top = float(np.abs(w).max()) or 1.0
        for j in range(w.shape[0]):
            for i in range(w.shape[1]):
                v = float(w[j, i])
                traces.append(dict(type="scatter", x=[k + _SIZE / 2, k + 1 - _SIZE / 2],
                                   y=[ys[k][i], ys[k + 1][j]], mode="lines", showlegend=False,
                                   line=dict(width=0.4 + 6 * abs(v) / top,
                                             color=POSITIVE if v >= 0 else NEGATIVE),
                                   opacity=0.75, hoverinfo="text",
                                   text=f"{m.names[k][i]} → {m.names[k + 1][j]}: w = {v:+.3f}"))
    images, notes = [], []
    for k, layer in enumerate(m.layers):
        for i, a in enumerate(layer):
            images.append(dict(source=_png(unit_image(a)), xref="x", yref="y", x=k, y=ys[k][i], sizex=_SIZE,
                               sizey=_SIZE, xanchor="center", yanchor="middle", sizing="stretch",
                               layer="above"))
            notes.append(dict(x=k, y=ys[k][i] - _SIZE / 2, text=m.names[k][i], showarrow=False,
                              yanchor="top", xref="x", yref="y", **_STYLE))
        head = "inputs" if k == 0 else f"hidden layer {k}"
        more = m.widths[k] - len(layer)
        notes.append(dict(x=k, y=ys[k][0] + _SIZE / 2 + 0.1, text=head + (f" (first {len(layer)} of "
                          f"{m.widths[k]})" if more > 0 else ""), showarrow=False, yanchor="bottom",
                          xref="x", yref="y", **_STYLE))
    top = (tallest - 1) / 2
    return fast_figure(traces, title, height or int(150 + 78 * tallest), images=images, annotations=notes,
                       showlegend=False, hovermode="closest",
                       xaxis=dict(visible=False, range=[-0.55, len(m.layers) - 0.45]),
                       yaxis=dict(visible=False, range=[-top - 0.75, top + 0.75]))
