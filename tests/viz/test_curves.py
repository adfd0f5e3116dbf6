"""Loss curves: thinned for long runs, gaps instead of NaN, earlier runs faded behind the current one."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from core.viz.curves import loss_curves, thin_indices


def test_thinning_keeps_at_most_the_budget_and_always_the_last_point() -> None:
    assert thin_indices(5, 10) == [0, 1, 2, 3, 4]
    idx = thin_indices(5000, 400)
    assert len(idx) <= 401 and idx[0] == 0 and idx[-1] == 4999
    assert len(set(b - a for a, b in zip(idx[:-2], idx[1:-1]))) == 1  # evenly strided


def test_a_long_history_is_drawn_with_a_few_hundred_points_ending_at_the_last_epoch() -> None:
    n = 5000
    hist = {"epoch": [float(e) for e in range(1, n + 1)], "train_loss": [1 / e for e in range(1, n + 1)]}
    fig = loss_curves(hist, ("train_loss",), max_points=400)
    (trace,) = fig.data
    assert len(trace.x) <= 401 and trace.x[-1] == n and trace.y[-1] == 1 / n
    go.Figure(fig.to_plotly_json())


def test_non_finite_losses_become_gaps_and_missing_keys_are_skipped() -> None:
    fig = loss_curves({"train_loss": [1.0, math.nan, math.inf, 0.5]}, ("train_loss", "val_loss"), log_y=True)
    (trace,) = fig.data
    assert list(trace.y) == [1.0, None, None, 0.5] and list(trace.x) == [1, 2, 3, 4]
    assert fig.layout.yaxis.type == "log"


def test_earlier_runs_are_dotted_faded_and_labelled() -> None:
    earlier = {"run 1": {"train_loss": [2.0, 1.0]}}
    fig = loss_curves({"train_loss": [1.0, 0.5]}, ("train_loss",), extra=earlier)
    old, new = fig.data
    assert old.name == "run 1: train loss" and old.line.dash == "dot" and old.opacity < 1
    assert new.name == "train loss" and new.opacity == 1
