"""The gallery's one figure builder, :func:`fast_figure`, and its look (palette, type size, white).

Figures that a slider or a live view redraws are built from plain trace dicts in one constructor call
without plotly's property validation. Validating costs 1-3 ms a trace and applying the ``plotly_white``
template ~20-30 ms a figure, most of a slider's 100 ms budget (and GIL time a training thread waits for).
The tests validate these figures instead (``go.Figure(fig.to_dict())``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

# Okabe-Ito: distinguishable for colour-blind viewers and on washed-out projectors.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
MIN_TEXT_PX = 18
"""Smallest figure text: what the back of a lecture room reads on a projector at 1280 px. Streamlit's
chart theme draws ticks and legends at 0.75 rem (13.5 px) and labels of log minor ticks at 0.75 of
that (10 px) unless a figure sets its own sizes, so every size below is set explicitly."""
FONT = dict(size=MIN_TEXT_PX)
TITLE_PX = 20
"""Figure titles (bold in Streamlit); axis titles, ticks, legends and annotations take MIN_TEXT_PX."""
TITLE_CHARS = 32
"""Longest title line: a two-column chart at 1280 px is ~370 px wide, ~34 bold 20 px characters. Longer
titles are wrapped (plotly cuts them off instead)."""
LEGEND_BELOW = dict(orientation="h", yref="container", y=0.0, yanchor="bottom", xanchor="left", x=0.0,
                    font=dict(size=MIN_TEXT_PX))  # fmt: skip
"""A legend under the plot (``legend=LEGEND_BELOW``): above it, five or more entries run into the title.
Placed in the figure's container, it reserves its own bottom margin, so however many rows it wraps into
it never covers the x-axis title (in paper coordinates it did, once the type grew)."""

_AXIS_NAME = re.compile(r"^[xy]axis\d*$")
_WHITE_AXIS = dict(gridcolor="#EBF0F8", linecolor="#EBF0F8", zerolinecolor="#EBF0F8", zerolinewidth=2,
                   ticks="", automargin=True)  # fmt: skip
_LIGHT = dict(template={}, font=dict(color="#2a3f5f"), paper_bgcolor="white", plot_bgcolor="white",
              hovermode="closest", hoverlabel=dict(align="left"), colorway=list(PALETTE),
              xaxis=_WHITE_AXIS, yaxis=_WHITE_AXIS)  # fmt: skip
"""What ``plotly_white`` shows on a 2D chart, spelled out: the look without the 7 KB template, which
plotly deep-copies when it builds a figure and again when it serialises one (~3 ms a figure measured)."""


def wrap_title(text: str, width: int = TITLE_CHARS) -> str:
    """``text`` broken at spaces into lines of at most ``width`` characters, joined by ``<br>`` (plotly
    does not wrap titles; it cuts them off at the figure's edge). Existing ``<br>`` breaks are kept."""
    lines: list[str] = []
    for part in text.split("<br>"):
        line = ""
        for word in part.split(" "):
            if line and len(_visible(line)) + 1 + len(_visible(word)) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return "<br>".join(lines)


def _visible(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)


def _title_margin(title: str) -> int:
    return 18 + int(1.35 * TITLE_PX) * (title.count("<br>") + 1)  # line height ~1.3 em, and a gap


def base_layout(fig: go.Figure, title: str = "", height: int = 380, **kw: object) -> go.Figure:
    """Large type, tight margins, white background, on a built figure (prefer :func:`fast_figure`)."""
    title = wrap_title(title) if title else ""
    fig.update_layout(
        title=dict(text=title, x=0.0, xanchor="left", font=dict(size=TITLE_PX)) if title else None,
        height=height,
        margin=dict(l=10, r=10, t=_title_margin(title) if title else 20, b=10),
        font=FONT,
        template="plotly_white",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0,
                    font=dict(size=MIN_TEXT_PX), title=dict(font=dict(size=MIN_TEXT_PX))),  # fmt: skip
        hoverlabel=dict(font=dict(size=MIN_TEXT_PX)),
        **kw,
    )
    layout = fig.layout.to_plotly_json()
    for name in [k for k in layout if _AXIS_NAME.match(k)] or ["xaxis", "yaxis"]:
        fig.update_layout({name: _readable_axis(layout.get(name) or {})})
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


def _readable_axis(axis: Mapping[str, Any]) -> dict[str, Any]:
    """The axis with its tick labels and title at MIN_TEXT_PX unless set (a bare string title becomes
    ``{"text": ...}``, the form plotly.js 3 documents, so that it can carry a font)."""
    out = dict(axis)
    title = out.get("title")
    if isinstance(title, str):
        title = {"text": title}
    if isinstance(title, Mapping):
        out["title"] = {**title, "font": {"size": MIN_TEXT_PX, **(title.get("font") or {})}}
    out["tickfont"] = {"size": MIN_TEXT_PX, **(out.get("tickfont") or {})}
    return out


def fast_figure(
    traces: list[dict[str, Any]],
    title: str = "",
    height: int = 380,
    *,
    light: bool = False,
    log_ticks: bool = True,
    **layout: Any,
) -> go.Figure:
    """A figure from trace dicts, without plotly's validation: large type, tight margins, white.

    Nested ``layout`` dicts are merged into the base layout. ``light=True`` draws the same white look
    without embedding the ``plotly_white`` template (for figures redrawn on every slider move; trace types
    then keep plotly's own defaults, e.g. heatmap colour scales, and only ``xaxis``/``yaxis`` get the grid
    colours). Every axis gets MIN_TEXT_PX ticks and title, titles longer than TITLE_CHARS are wrapped,
    and log axes get readable ticks (:func:`readable_log_ticks`; ``log_ticks=False`` leaves plotly's);
    sizes and ticks set in ``layout`` win.
    """
    lay = json.loads(_base_layout_json(height, bool(title), light))
    if title:
        lay["title"]["text"] = wrap_title(title)
    lay = _merge(lay, layout)
    if title:  # room for every line of the title, whatever margin the caller asked for
        lay["margin"]["t"] = max(lay["margin"].get("t") or 0, _title_margin(lay["title"]["text"]))
    used = {f"{c}axis{ref[1:]}" for t in traces for c in "xy" if isinstance(ref := t.get(f"{c}axis"), str)}
    for name in sorted(used | {k for k in lay if _AXIS_NAME.match(k)}):
        axis = _readable_axis(lay.get(name) or {})
        if log_ticks and axis.get("type") == "log" and not _TICK_KEYS & set(layout.get(name) or {}):
            ticks = readable_log_ticks(traces, name, _axis_length(name, height), axis.get("range"))
            axis = {**ticks, **axis}
        lay[name] = axis
    return go.Figure(data=traces, layout=lay, _validate=False)


_TICK_KEYS = {"dtick", "tickvals", "tickmode", "tickformat", "exponentformat", "nticks"}


LOG_TICKS = dict(tickformat=".3~g")
"""Log-axis labels written whole, at the axis's own size: 0.05, 0.1, 0.2, 100, 1e-7. Plotly's default
labels the minor ticks with bare mantissas at 3/4 size ("2 5 0.1 2 5": noise, and 10 px under
Streamlit's theme) and puts the exponents of powers of ten in superscripts smaller still; with a
``tickformat`` it writes each label as a number at full size."""
_TICK_GAP_PX = {"x": 60, "y": 28}
"""Least distance between two log-axis labels: an 18 px label is ~20 px tall and up to ~50 px wide."""


def readable_log_ticks(
    traces: Sequence[Mapping[str, Any]], axis: str, length_px: float, log_range: Sequence[float] | None = None
) -> dict[str, Any]:
    """Tick settings for log axis ``axis`` ('xaxis', 'yaxis2', ...) about ``length_px`` long, over the
    values its traces plot (or its explicit ``log_range``, in decades): labels in full (LOG_TICKS), as
    many as fit at 18 px.

    Ticks at 1, 2, 5 × 10^k where a decade is long enough for them, otherwise every k-th power of ten
    (:func:`power_label`). Left to plotly, a one-decade axis 200 px tall gets every 1..9 × 10^k, and
    18 px labels overlap.
    """
    vals = [float(v) for t in traces if _on_axis(t, axis) for v in _flat(t.get(axis[0]))]
    vals = [v for v in vals if math.isfinite(v) and v > 0]
    if log_range is not None and len(log_range) == 2 and all(isinstance(v, (int, float)) for v in log_range):
        lo, hi = sorted(float(v) for v in log_range)
    elif vals:
        lo, hi = math.log10(min(vals)), math.log10(max(vals))
    else:
        return dict(LOG_TICKS)
    # Under ~0.6 decades (plus plotly's padding, under one) plotly ticks on a linear scale, in full.
    if hi - lo < 0.6:
        return dict(LOG_TICKS)
    per_decade = length_px / max(hi - lo, 1.0)
    gap = _TICK_GAP_PX[axis[0]]
    if per_decade * math.log10(2.0) >= gap:  # 1 → 2, the closest pair of 1-2-5 ticks
        return dict(LOG_TICKS, dtick="D2")
    step = max(1, math.ceil(gap / per_decade))
    powers = range(math.floor(lo) - step, math.ceil(hi) + step + 1, step)  # from the lowest decade
    labels = [power_label(k) for k in powers]
    return dict(tickmode="array", tickvals=[10.0**k for k in powers], ticktext=labels)


def power_label(k: int) -> str:
    """10^k as a tick label: written out from 0.001 to 1000, else in e-notation (1e-7, 1e6), all of it
    at the label's size; in "10⁶" the exponent, a superscript glyph or plotly's <sup>, is ~11 px."""
    return f"{10.0**k:.{max(-k, 0)}f}" if -3 <= k <= 3 else f"1e{k}"


def _axis_length(axis: str, height: int) -> float:
    """A cautious guess at an axis's length in pixels: a y axis gets the figure's height less title,
    x axis and legend (~200 px); an x axis the plot width of a two-column chart at 1280 px."""
    return max(120.0, height - 200.0) if axis[0] == "y" else 300.0


def _on_axis(trace: Mapping[str, Any], axis: str) -> bool:
    ref = trace.get(f"{axis[0]}axis") or axis[0]
    return f"{axis[0]}axis{ref[1:]}" == axis


def _flat(values: Any) -> list[Any]:
    if values is None or isinstance(values, str):
        return []
    if hasattr(values, "ravel"):  # numpy arrays, without a Python loop per element
        return values.ravel().tolist()
    out: list[Any] = []
    for v in values:
        out += _flat(v) if isinstance(v, (list, tuple)) or hasattr(v, "ravel") else [v]
    return [v for v in out if isinstance(v, (int, float))]
