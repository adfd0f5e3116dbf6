"""The one figure builder: the gallery's look (white, projector-sized type, Okabe-Ito), the light variant
that lecture 1 redraws on every slider move, readable log-axis ticks, and titles and legends that fit."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from core.viz.style import (
    LEGEND_BELOW,
    MIN_TEXT_PX,
    PALETTE,
    TITLE_CHARS,
    base_layout,
    fast_figure,
    power_label,
    readable_log_ticks,
    wrap_title,
)
from tests.viz.figure_checks import finite_figure, small_text

TRACES = [dict(type="scatter", x=np.arange(1.0, 11.0), y=np.linspace(0.01, 50.0, 10), name="a")]


def layout(fig: go.Figure) -> dict:
    return json.loads(fig.to_json())["layout"]


def test_default_look_is_plotly_white_with_large_type() -> None:
    lay = layout(fast_figure(TRACES, "Title", 300))
    assert lay["template"]["layout"]["plot_bgcolor"] == "white"
    assert lay["font"]["size"] == MIN_TEXT_PX == 18
    assert lay["height"] == 300 and lay["title"]["text"] == "Title"


@pytest.mark.parametrize("light", [False, True])
def test_every_label_is_at_least_18_px_even_under_streamlits_theme(light: bool) -> None:
    """Streamlit's chart theme draws what a figure leaves unset at 13.5 px (ticks, legend, axis titles;
    log minor ticks at 10 px): every size is set, on every axis, log axes and subplots included."""
    traces = [dict(type="scatter", x=[1.0, 2.0], y=[0.01, 5.0], name="a", text=["p", "q"], mode="text"),
              dict(type="scatter", x=[1.0, 1e4], y=[1.0, 2.0], xaxis="x2", yaxis="y2", name="b"),
              dict(type="heatmap", z=[[0.0, 1.0]], colorbar=dict(title=dict(text="P")))]  # fmt: skip
    fig = fast_figure(traces, "A title", light=light, xaxis=dict(title="x"),
                      yaxis=dict(type="log", title="y"), xaxis2=dict(type="log"),
                      annotations=[dict(text="note", x=1, y=1)], legend=LEGEND_BELOW)  # fmt: skip
    assert small_text(fig) == []
    go.Figure(fig.to_plotly_json())  # still valid plotly
    # What the check catches: plotly's own defaults, and a small size set on purpose.
    assert small_text(go.Figure(traces[:1], dict(title=dict(text="T"))))
    assert small_text(fast_figure(traces[:1], xaxis=dict(tickfont=dict(size=13)))) == ["xaxis.tickfont: 13"]


def test_base_layout_on_a_built_figure_is_just_as_readable() -> None:
    fig = base_layout(go.Figure(go.Scatter(x=[1, 2], y=[1, 2], name="a")), "Built elsewhere")
    assert small_text(fig) == []


def test_light_look_is_just_as_white_without_the_template() -> None:
    light, full = fast_figure(TRACES, "T", light=True), fast_figure(TRACES, "T")
    lay = layout(light)
    assert lay["paper_bgcolor"] == lay["plot_bgcolor"] == "white" and lay["font"]["size"] == MIN_TEXT_PX
    assert lay["colorway"] == list(PALETTE)
    grid = layout(full)["template"]["layout"]["xaxis"]["gridcolor"]
    assert lay["xaxis"]["gridcolor"] == lay["yaxis"]["gridcolor"] == grid  # the same grid as plotly_white
    assert not lay["template"]  # nothing for plotly to deep-copy on every redraw
    assert len(light.to_json()) < len(full.to_json()) / 3  # what the browser receives per redraw
    go.Figure(light.to_plotly_json())  # valid plotly (the builder skips validation)


def test_layout_arguments_merge_into_the_look() -> None:
    lay = layout(fast_figure(TRACES, "T", light=True, legend=LEGEND_BELOW, xaxis=dict(title=dict(text="x"))))
    assert lay["legend"]["y"] == 0 and lay["legend"]["yref"] == "container"  # under the plot
    assert lay["xaxis"]["title"]["text"] == "x" and lay["xaxis"]["gridcolor"]  # merged, not replaced
    assert layout(fast_figure(TRACES, xaxis=dict(title="x")))["xaxis"]["title"]["text"] == "x"  # str title


def test_long_titles_wrap_and_the_top_margin_makes_room() -> None:
    """Plotly does not wrap a title: one wider than a two-column chart (~370 px at 1280) is cut off."""
    long = "Bias² + variance + noise, over 200 fresh data sets of the same size"
    lines = wrap_title(long).split("<br>")
    assert len(lines) == 3 and all(len(line) <= TITLE_CHARS for line in lines)
    assert " ".join(lines) == long and wrap_title("Short title") == "Short title"
    one, three = layout(fast_figure(TRACES, "Short title")), layout(fast_figure(TRACES, long))
    assert three["title"]["text"] == wrap_title(long)
    assert three["margin"]["t"] >= one["margin"]["t"] + 2 * three["title"]["font"]["size"]
    squeezed = layout(fast_figure(TRACES, long, margin=dict(t=30)))  # a caller's margin cannot cut it off
    assert squeezed["margin"]["t"] == three["margin"]["t"]


def test_the_legend_below_reserves_its_own_room() -> None:
    """In paper coordinates a legend under the plot sits a fixed fraction below it and, at 18 px, ran
    into the x-axis title; in the container it pushes the plot up by its own height."""
    assert LEGEND_BELOW["yref"] == "container" and LEGEND_BELOW["yanchor"] == "bottom"
    assert LEGEND_BELOW["font"]["size"] >= MIN_TEXT_PX
    go.Figure(layout=dict(legend=LEGEND_BELOW))


@pytest.mark.parametrize(("ys", "length", "expected"), [
    ([0.2, 0.5], 200, {"tickformat": ".3~g"}),  # half a decade: plotly's linear ticks, labelled in full
    ([0.04, 0.5], 220, {"tickformat": ".3~g", "dtick": "D2"}),  # one decade: 1, 2, 5 × 10^k fit
    ([0.04, 0.5], 80, {"tickmode": "array"}),  # too short for 1-2-5: powers of ten
])  # fmt: skip
def test_log_ticks_fit_the_axis_length(ys: list[float], length: float, expected: dict) -> None:
    """Left to plotly, a one-decade axis 200 px tall gets every 1..9 × 10^k and the 18 px labels overlap."""
    traces = [dict(type="scatter", x=[1, 2], y=np.array(ys)), dict(type="scatter", y=[np.nan, -1.0, 0.0])]
    ticks = readable_log_ticks(traces, "yaxis", length)  # NaN, negatives, zeros: no place on a log axis
    assert {k: ticks[k] for k in expected} == expected and ("dtick" in ticks) == ("dtick" in expected)


def test_many_decades_get_every_kth_power_of_ten_written_out() -> None:
    traces = [dict(type="scatter", x=np.logspace(-7, 1, 25), y=np.ones(25))]
    ticks = readable_log_ticks(traces, "xaxis", 300)  # 8 decades on ~300 px: every second one
    shown = [t for v, t in zip(ticks["tickvals"], ticks["ticktext"]) if 1e-7 <= v <= 10]
    assert shown == ["1e-7", "1e-5", "0.001", "0.1", "10"]
    assert [power_label(k) for k in (-4, -3, 0, 3, 4)] == ["1e-4", "0.001", "1", "1000", "1e4"]
    lay = layout(fast_figure(traces, xaxis=dict(type="log")))
    assert lay["xaxis"]["ticktext"] == ticks["ticktext"]


def test_log_ticks_leave_linear_axes_explicit_ticks_and_opted_out_figures_alone() -> None:
    traces = [dict(type="scatter", x=[1.0, 1e6], y=[1.0, 2.0])]
    axes = dict(xaxis=dict(type="log", dtick="D2"), yaxis=dict(title="y"))
    lay = layout(fast_figure(traces, **axes))
    assert lay["xaxis"]["dtick"] == "D2" and "tickvals" not in lay["xaxis"]  # the caller's choice wins
    assert "dtick" not in lay["yaxis"]
    assert "tickformat" not in layout(fast_figure(traces, log_ticks=False, xaxis=dict(type="log")))["xaxis"]


def test_finite_figure_detects_nan_in_binary_and_text() -> None:
    assert finite_figure(go.Figure(data=[dict(type="scatter", x=np.arange(3.0), y=np.ones(3))]).to_json())
    assert not finite_figure(go.Figure(data=[dict(type="scatter", y=np.array([1.0, np.nan]))]).to_json())
    assert not finite_figure(go.Figure(data=[dict(type="scatter", y=[1.0, float("inf")])]).to_json())
