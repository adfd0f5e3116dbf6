"""Figures of the initialisation page: per-layer statistics on log axes that keep absolute scale."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.cnn.initialisation import LayerStats, label
from core.viz.style import PALETTE, base_layout


def _log_safe(v: np.ndarray) -> list[float | None]:
    # log axes cannot show 0 or NaN: leave a gap where the signal died completely.
    return [float(x) if math.isfinite(x) and x > 0 else None for x in v]


VANISHED = 1e-6
"""Below this a weight gradient (or activation std) is vanished: an SGD step at lr 0.01 moves nothing."""
_FLOOR, _CEIL = -8, 2


def _log_range(values: Sequence[np.ndarray]) -> list[float]:
    finite = [float(x) for v in values for x in v if math.isfinite(x) and x > 0]
    lo = min([10.0**_FLOOR, *finite])
    hi = max([10.0**_CEIL, *finite])
    return [math.floor(math.log10(lo)) - 0.2, math.ceil(math.log10(hi)) + 0.2]


def stats_figure(stats: LayerStats, compare: Sequence[LayerStats] = ()) -> go.Figure:
    """Activation std and weight-gradient norm per layer (log scale), with optional reference settings."""
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=("Activation std per layer", "Gradient norm ‖dL/dW‖ per layer")
    )
    for i, s in enumerate([stats, *compare]):
        layers = np.arange(1, len(s.act_std) + 1)
        name = label(s.config)
        style = dict(
            color=PALETTE[i % len(PALETTE)], width=3 if i == 0 else 1.5, dash=None if i == 0 else "dot"
        )
        fig.add_scatter(
            x=layers, y=_log_safe(s.act_std), name=name, line=style, legendgroup=name, row=1, col=1
        )
        fig.add_scatter(
            x=layers,
            y=_log_safe(s.grad_norm),
            name=name,
            line=style,
            legendgroup=name,
            showlegend=False,
            row=1,
            col=2,
        )
    fig.update_yaxes(type="log", exponentformat="power")
    # A log axis fitted to the data makes 5e-19 look as lively as 5: fix at least 10 decades around
    # the scale of a learning net (a gradient norm of ~0.1-10 at a cross-entropy of ln 10) and shade
    # what has vanished, so a dead signal reads as dead.
    every = (stats, *compare)
    for col, values in ((1, [s.act_std for s in every]), (2, [s.grad_norm for s in every])):
        lo, hi = _log_range(values)
        fig.update_yaxes(range=[lo, hi], row=1, col=col)
        fig.add_hrect(y0=10**lo, y1=VANISHED, fillcolor="#999999", opacity=0.25, line_width=0, row=1, col=col)
        fig.add_hline(y=VANISHED, line=dict(color="#555555", dash="dash", width=1), row=1, col=col,
                      annotation_text="vanished below 1e-6", annotation_position="bottom right")  # fmt: skip
    fig.update_xaxes(title="layer")
    base_layout(fig, height=460 + 25 * len(compare))
    # Legend under the plots: at the top it would cover the two subplot titles.
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0.0))
    return fig


def histogram_figure(stats: LayerStats) -> go.Figure:
    """Where the activations of each layer fall: a heatmap of per-layer histograms (layer 1 at the top)."""
    centres = (stats.bin_edges[:-1] + stats.bin_edges[1:]) / 2
    fig = go.Figure(
        go.Heatmap(
            z=stats.hist,
            x=centres,
            y=np.arange(1, len(stats.hist) + 1),
            colorscale="Viridis",
            colorbar=dict(title="share"),
            hovertemplate="layer %{y}<br>value %{x:.2f}<br>share %{z:.1%}<extra></extra>",
        )
    )
    base_layout(fig, f"Activation histograms per layer ({stats.config.activation})", height=420)
    fig.update_yaxes(title="layer", autorange="reversed")
    fig.update_xaxes(title="activation value (clipped to the range shown)")
    return fig
