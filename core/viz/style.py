"""The gallery's one figure builder, :func:`fast_figure`, and its look (palette, type size, white).

Figures that a slider or a live view redraws are built from plain trace dicts in one constructor call
without plotly's property validation. Validating costs 1-3 ms a trace and applying the ``plotly_white``
template ~20-30 ms a figure, most of a slider's 100 ms budget (and GIL time a training thread waits for).
The tests validate these figures instead (``go.Figure(fig.to_dict())``).
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
LEGEND_BELOW = dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0.0)
"""A legend under the plot (``legend=LEGEND_BELOW``): above it, five or more entries run into the title."""

_WHITE_AXIS = dict(gridcolor="#EBF0F8", linecolor="#EBF0F8", zerolinecolor="#EBF0F8", zerolinewidth=2,
                   ticks="", automargin=True)  # fmt: skip
_LIGHT = dict(template={}, font=dict(color="#2a3f5f"), paper_bgcolor="white", plot_bgcolor="white",
              hovermode="closest", hoverlabel=dict(align="left"), colorway=list(PALETTE),
              xaxis=_WHITE_AXIS, yaxis=_WHITE_AXIS)  # fmt: skip
"""What ``plotly_white`` shows on a 2D chart, spelled out: the look without the 7 KB template, which
plotly deep-copies when it builds a figure and again when it serialises one (~3 ms a figure measured)."""


def base_layout(fig: go.Figure, title: str = "", height: int = 380, **kw: object) -> go.Figure:
    """Large type, tight margins, white background, on a built figure (prefer :func:`fast_figure`)."""
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


@lru_cache(maxsize=32)
def _base_layout_json(height: int, titled: bool, light: bool) -> str:
    # The look of base_layout, resolved once per (height, title?, light?) instead of once per figure.
    base = base_layout(go.Figure(), "T" if titled else "", height=height).layout.to_plotly_json()
    if light:
        base.pop("template")
        return json.dumps(_merge(json.loads(json.dumps(_LIGHT)), base))
    return json.dumps(base, cls=PlotlyJSONEncoder)


def _merge(into: dict, extra: Mapping[str, Any]) -> dict:
    for k, v in extra.items():
        if isinstance(v, Mapping) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = v
    return into


def fast_figure(
    traces: list[dict[str, Any]],
    title: str = "",
    height: int = 380,
    *,
    light: bool = False,
    log_ticks: bool = False,
    **layout: Any,
) -> go.Figure:
    """A figure from trace dicts, without plotly's validation: large type, tight margins, white.

    Nested ``layout`` dicts are merged into the base layout. ``light=True`` draws the same white look
    without embedding the ``plotly_white`` template (for figures redrawn on every slider move; trace types
    then keep plotly's own defaults, e.g. heatmap colour scales, and only ``xaxis``/``yaxis`` get the grid
    colours). ``log_ticks=True`` labels log axes readably (see :func:`readable_log_ticks`); ticks set in
    ``layout`` win.
    """
    lay = json.loads(_base_layout_json(height, bool(title), light))
    if title:
        lay["title"]["text"] = title
    if log_ticks:
        for name in ("xaxis", "yaxis"):
            axis = layout.get(name)
            if isinstance(axis, Mapping) and axis.get("type") == "log":
                layout[name] = {**readable_log_ticks(traces, name[0]), **axis}
    return go.Figure(data=traces, layout=_merge(lay, layout), _validate=False)


def readable_log_ticks(traces: Sequence[Mapping[str, Any]], coord: str) -> dict[str, Any]:
    """Tick settings for a log axis over the traces' ``coord`` ('x' or 'y') values: the fewer decades
    the data span, the more ticks, written in full.

    (Plotly's default labels the minor ticks with bare mantissas, "2 5 0.1 2 5", which reads as noise.)
    """
    vals = [float(v) for t in traces for v in _flat(t.get(coord))]
    vals = [v for v in vals if math.isfinite(v) and v > 0]
    decades = math.log10(max(vals) / min(vals)) if vals else 0.0
    if decades <= 1.0:
        return dict(tickformat=".2g", dtick="D1")  # every 1..9 × 10^k
    if decades <= 2.5:
        return dict(tickformat=".2g", dtick="D2")  # 1, 2, 5 × 10^k
    return dict(dtick=1, exponentformat="power")  # one tick per decade


def _flat(values: Any) -> list[Any]:
    if values is None or isinstance(values, str):
        return []
    if hasattr(values, "ravel"):  # numpy arrays, without a Python loop per element
        return values.ravel().tolist()
    out: list[Any] = []
    for v in values:
        out += _flat(v) if isinstance(v, (list, tuple)) or hasattr(v, "ravel") else [v]
    return [v for v in out if isinstance(v, (int, float))]
