"""Figure builders shared by the Streamlit pages and the Gradio tabs (plotly: cheap to re-render)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

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


def loss_curves(
    history: Mapping[str, Sequence[float]],
    keys: Sequence[str] = ("train_loss", "val_loss"),
    title: str = "Loss",
    log_y: bool = False,
    x_key: str = "epoch",
    extra: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
) -> go.Figure:
    """Curves of ``history[key]`` against epochs; ``extra`` overlays earlier runs (dashed, faded)."""
    fig = go.Figure()
    for label, hist in (extra or {}).items():
        for i, key in enumerate(keys):
            ys = hist.get(key)
            if ys:
                xs = hist.get(x_key) or list(range(1, len(ys) + 1))
                fig.add_scatter(x=xs, y=_finite(ys), mode="lines", name=f"{label}: {_pretty(key)}",
                                line=dict(color=PALETTE[i % len(PALETTE)], dash="dot", width=1.5), opacity=0.5)
    for i, key in enumerate(keys):
        ys = history.get(key)
        if ys:
            xs = history.get(x_key) or list(range(1, len(ys) + 1))
            fig.add_scatter(x=xs, y=_finite(ys), mode="lines", name=_pretty(key), connectgaps=True,
                            line=dict(color=PALETTE[i % len(PALETTE)], width=3))
    base_layout(fig, title)
    fig.update_xaxes(title=x_key)
    fig.update_yaxes(type="log" if log_y else "linear")
    return fig


def _finite(ys: Sequence[float]) -> list[float | None]:
    # plotly draws None as a gap; NaN would break autoscaling of the axis.
    return [y if isinstance(y, (int, float)) and math.isfinite(y) else None for y in ys]


def _pretty(key: str) -> str:
    return key.replace("_", " ")
