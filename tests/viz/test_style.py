"""The one figure builder: the gallery's look (white, 16 px type, Okabe-Ito), the light variant that
lecture 1 redraws on every slider move, and readable log-axis ticks."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from core.viz.style import LEGEND_BELOW, PALETTE, fast_figure, readable_log_ticks
from tests.viz.figure_checks import finite_figure

TRACES = [dict(type="scatter", x=np.arange(1.0, 11.0), y=np.linspace(0.01, 50.0, 10), name="a")]


def layout(fig: go.Figure) -> dict:
    return json.loads(fig.to_json())["layout"]


def test_default_look_is_plotly_white_with_large_type() -> None:
    lay = layout(fast_figure(TRACES, "Title", 300))
    assert lay["template"]["layout"]["plot_bgcolor"] == "white"
    assert lay["font"]["size"] == 16 and lay["height"] == 300 and lay["title"]["text"] == "Title"


def test_light_look_is_just_as_white_without_the_template() -> None:
    light, full = fast_figure(TRACES, "T", light=True), fast_figure(TRACES, "T")
    lay = layout(light)
    assert lay["paper_bgcolor"] == lay["plot_bgcolor"] == "white" and lay["font"]["size"] == 16
    assert lay["colorway"] == list(PALETTE)
    grid = layout(full)["template"]["layout"]["xaxis"]["gridcolor"]
    assert lay["xaxis"]["gridcolor"] == lay["yaxis"]["gridcolor"] == grid  # the same grid as plotly_white
    assert not lay["template"]  # nothing for plotly to deep-copy on every redraw
    assert len(light.to_json()) < len(full.to_json()) / 3  # what the browser receives per redraw
    go.Figure(light.to_plotly_json())  # valid plotly (the builder skips validation)


def test_layout_arguments_merge_into_the_look() -> None:
    lay = layout(fast_figure(TRACES, "T", light=True, legend=LEGEND_BELOW, xaxis=dict(title=dict(text="x"))))
    assert lay["legend"]["y"] < 0  # under the plot
    assert lay["xaxis"]["title"]["text"] == "x" and lay["xaxis"]["gridcolor"]  # merged, not replaced


@pytest.mark.parametrize(("ys", "expected"), [
    ([0.2, 0.9], {"dtick": "D1", "tickformat": ".2g"}),  # under one decade: every 1..9 × 10^k
    ([0.02, 3.0], {"dtick": "D2", "tickformat": ".2g"}),  # two decades: 1, 2, 5 × 10^k
    ([1e-7, 10.0], {"dtick": 1, "exponentformat": "power"}),  # eight decades: one tick each
])  # fmt: skip
def test_log_axis_ticks_thin_out_with_the_decades_the_data_span(ys: list[float], expected: dict) -> None:
    traces = [dict(type="scatter", x=[1, 2], y=np.array(ys)), dict(type="scatter", y=[np.nan, -1.0, 0.0])]
    assert readable_log_ticks(traces, "y") == expected  # NaN, negatives and zeros have no place on a log axis
    lay = layout(fast_figure(traces, log_ticks=True, yaxis=dict(type="log")))
    assert {k: lay["yaxis"][k] for k in expected} == expected


def test_log_ticks_leave_linear_axes_explicit_ticks_and_other_figures_alone() -> None:
    traces = [dict(type="scatter", x=[1.0, 1e6], y=[1.0, 2.0])]
    axes = dict(xaxis=dict(type="log", dtick="D2"), yaxis=dict(title="y"))
    lay = layout(fast_figure(traces, log_ticks=True, **axes))
    assert lay["xaxis"]["dtick"] == "D2"  # six decades would get one tick each; the caller's choice wins
    assert "dtick" not in lay["yaxis"]
    assert "dtick" not in layout(fast_figure(traces, xaxis=dict(type="log")))["xaxis"]  # opt-in only


def test_finite_figure_detects_nan_in_binary_and_text() -> None:
    assert finite_figure(go.Figure(data=[dict(type="scatter", x=np.arange(3.0), y=np.ones(3))]).to_json())
    assert not finite_figure(go.Figure(data=[dict(type="scatter", y=np.array([1.0, np.nan]))]).to_json())
    assert not finite_figure(go.Figure(data=[dict(type="scatter", y=[1.0, float("inf")])]).to_json())
