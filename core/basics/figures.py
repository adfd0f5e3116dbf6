"""Plotly figures of lecture 1's regression demos, shared by the Streamlit page and the Gradio tab.

They only draw the numbers an experiment computed (:mod:`core.basics.experiments`,
:mod:`core.basics.capacity`), with the gallery's one builder, :func:`core.viz.style.fast_figure`, in its
light look: a slider move redraws two or three of these, and the template-free look saves ~3 ms each.
Arrays go in as numpy arrays, never lists: plotly deep-copies lists element by element when the figure is
serialised.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.basics.capacity import CapacitySweep, L2Sweep
from core.basics.datasets import GRID, sine_target
from core.basics.experiments import LogisticRun, LRComparison, PolyRun, split_parts, verdict
from core.viz.style import LEGEND_BELOW, PALETTE, fast_figure

LOOK = dict(light=True, legend=LEGEND_BELOW)
"""How every lecture 1 figure is drawn: white, projector-sized type (the kit's), the legend under the plot."""
SPLIT_STYLE = {  # colour and marker per split, the same in every figure of the lecture
    "train": (PALETTE[0], "circle"),
    "val": (PALETTE[1], "square"),
    "test": (PALETTE[2], "diamond"),
}
SPLIT_NAMES = {"train": "train", "val": "validation", "test": "test"}
SHORT_NAMES = {"train": "train", "val": "val", "test": "test"}
"""Split names in legends that pair them with more words: at 18 px, plotly gives every legend entry the
width of the longest, and two entries a row need ~12 characters at most in a two-column chart."""
DEGREE_AXIS = dict(title="polynomial degree", tick0=1, dtick=2)
"""Degrees 1, 3, ..., 15: fifteen 18 px labels do not fit a two-column chart's axis."""


def line(
    x: object, y: object, name: str, colour: str, width: float = 3, dash: str = "solid", **kw: object
) -> dict:
    """A scatter trace dict drawn as a line."""
    style = dict(color=colour, width=width, dash=dash)
    return dict(type="scatter", x=x, y=y, mode="lines", name=name, line=style, **kw)


def points(
    x: object, y: object, name: str, colour: str, symbol: str = "circle", size: int = 10, **kw: object
) -> dict:
    """A scatter trace dict drawn as markers with a white rim (readable where points overlap)."""
    marker = dict(color=colour, symbol=symbol, size=size, line=dict(width=1, color="white"))
    return dict(type="scatter", x=x, y=y, mode="markers", name=name, marker=marker, **kw)


def polynomial_figure(run: PolyRun) -> go.Figure:
    """Data points by split, the true function, the GD fit and the closed-form fit."""
    G = run.features(GRID)
    traces = [line(GRID, sine_target(GRID), "sin(2πx)", "#777777", 2, "dot")]
    if not run.gd.diverged:
        traces.append(line(GRID, run.gd.predict(G), "GD", PALETTE[3]))
    traces.append(line(GRID, G @ run.closed_w + run.closed_b, "closed form", PALETTE[4], 2, "dash"))
    traces += [points(x, y, SPLIT_NAMES[s], *SPLIT_STYLE[s]) for s, x, y in split_parts(run.split)]
    ys = np.concatenate([run.split.y_train, run.split.y_val, run.split.y_test])
    # The axis follows the data, not the fit: a wild degree-15 curve is clipped instead of flattening
    # every point into a line at the bottom of the plot.
    pad = 0.3 * float(ys.max() - ys.min()) + 0.1
    title = f"Degree {run.config.degree} polynomial, λ = {run.config.l2:g}"
    y_range = [float(ys.min()) - pad, float(ys.max()) + pad]
    return fast_figure(traces, title, 420, xaxis=dict(title="x", range=[0, 1]),
                       yaxis=dict(title="y", range=y_range), **LOOK)


def loss_figure(run: PolyRun | LogisticRun, log_y: bool = True) -> go.Figure:
    """Train and validation loss per epoch; dotted lines mark the closed-form optimum when known."""
    h = run.gd.history
    traces = [line(np.asarray(h["epoch"]), np.asarray(h[f"{s}_loss"]), SPLIT_NAMES[s], PALETTE[i])
              for i, s in enumerate(("train", "val")) if h.get(f"{s}_loss")]  # fmt: skip
    exact = isinstance(run, PolyRun) and bool(h["epoch"])
    if exact:
        for i, s in enumerate(("train", "val")):
            e = run.errors["closed form"][s]
            # Named in the title, not the legend: two more entries would take two more legend rows.
            traces.append(line([1, h["epoch"][-1]], [e, e], f"closed form: {SPLIT_NAMES[s]}", PALETTE[i], 1.5,
                               "dot", showlegend=False))  # fmt: skip
    title = "Loss per epoch" + (" — diverged" if run.gd.diverged else " (dotted: exact)" if exact else "")
    ytitle = "MSE" if isinstance(run, PolyRun) else "cross-entropy"
    yaxis = dict(title=ytitle, type="log" if log_y else "linear")
    return fast_figure(traces, title, 420, xaxis=dict(title="epoch"), yaxis=yaxis, **LOOK)


def _split_lines(x: np.ndarray, errors: dict[str, np.ndarray]) -> list[dict]:
    return [
        dict(line(x, errors[s], SPLIT_NAMES[s], c), mode="lines+markers", marker=dict(symbol=sym, size=8))
        for s, (c, sym) in SPLIT_STYLE.items()
    ]


def _star(x: float, y: float) -> dict:
    return points([x], [y], "picked", PALETTE[3], "star", 20)


def _noise_line(x: np.ndarray, noise_var: float) -> list[dict]:
    """σ² as a dotted line across ``x`` (none when σ = 0: a log axis has no place for 0)."""
    if noise_var <= 0:
        return []
    return [line([float(x[0]), float(x[-1])], [noise_var] * 2, "σ²", "#777777", 2, "dot")]


def capacity_figure(sweep: CapacitySweep) -> go.Figure:
    """Train/validation/test MSE against degree (log scale), the chosen degree starred, σ² dotted: a
    validation MSE under the line is luck (no model's expected error is below σ²)."""
    best = _star(sweep.best_degree, float(sweep.errors["val"].min()))
    traces = _split_lines(sweep.degrees, sweep.errors) + _noise_line(sweep.degrees, sweep.noise_var) + [best]
    return fast_figure(traces, "Error vs degree", 420, xaxis=DEGREE_AXIS,
                       yaxis=dict(title="MSE", type="log"), **LOOK)


def bias_variance_figure(sweep: CapacitySweep) -> go.Figure:
    """Bias², variance, their sum with σ² (the expected test MSE) and that MSE measured, against degree.

    The bias² estimate is unbiased, so where the true bias² is ~0 it can come out a hair below 0: it is
    drawn at 0.
    """
    d = sweep.degrees
    traces = [
        dict(line(d, np.maximum(sweep.bias2, 0.0), "bias²", PALETTE[0]), mode="lines+markers"),
        dict(line(d, sweep.variance, "variance", PALETTE[1]), mode="lines+markers"),
        line(d, sweep.expected_test, "expected", PALETTE[3], 4),
        points(d, sweep.measured_test, "measured", PALETTE[2], "diamond", 11),
        *_noise_line(d, sweep.noise_var),
    ]
    # Variance explodes at high degree and would flatten the informative part: the axis stops at the
    # underfitting model's error (or twice the best), and taller values run off the top.
    top = float(max(sweep.expected_test[0], 2.0 * sweep.expected_test.min()))
    return fast_figure(traces, "Bias² + variance + σ²", 420, xaxis=DEGREE_AXIS,
                       yaxis=dict(title="expected test MSE", range=[0, 1.15 * top]), **LOOK)


def l2_figure(sweep: L2Sweep) -> go.Figure:
    """Train/validation/test MSE against λ (log-log), the chosen λ starred."""
    best = _star(sweep.best_l2, float(sweep.errors["val"].min()))
    traces = _split_lines(sweep.l2s, sweep.errors) + [best]
    return fast_figure(traces, f"Error vs λ at degree {sweep.degree}", 420,
                       xaxis=dict(title="λ (L2 strength)", type="log"), yaxis=dict(title="MSE", type="log"),
                       **LOOK)


def lr_loss_figure(cmp: LRComparison) -> go.Figure:
    """Training loss per epoch for each learning rate (log scale); a diverged run ends in a ✕."""
    traces = []
    for i, (lr, run) in enumerate(zip(cmp.lrs, cmp.runs)):
        colour, h = PALETTE[i % len(PALETTE)], run.history
        traces.append(line(np.arange(run.epochs_run + 1.0), np.array([run.initial_loss] + h["train_loss"]),
                           f"η = {lr:g}", colour, hovertext=verdict(run, lr, cmp.limit)))  # fmt: skip
        if run.diverged:
            last = (h["train_loss"] or [run.initial_loss])[-1]
            cross = points([float(run.epochs_run)], [last], "diverged", colour, "x", 16,
                           showlegend=False, hovertext=run.message, hoverinfo="text")  # fmt: skip
            traces.append(cross)
    n_epochs = max(max(r.epochs_run for r in cmp.runs), 1)
    traces.append(line([0, n_epochs], [cmp.optimum_loss] * 2, "minimum", "#777777", 2, "dot"))
    yaxis = dict(title="MSE", type="log")
    return fast_figure(traces, "Training loss", 420, xaxis=dict(title="epoch"), yaxis=yaxis, **LOOK)


STEEPEST_STEPS = 30
"""Steps the steepest-direction chart shows (the loss chart shows the whole run)."""


def lr_steepest_figure(cmp: LRComparison) -> go.Figure:
    """The error along the loss's steepest direction, u·(θ − θ*), per epoch for each learning rate.

    It is multiplied by exactly 1 − ηλ_max per step, at any degree: it creeps for small η, changes sign
    every step above 1/λ_max and grows above 2/λ_max. (A single weight shows this only at degree 1.)
    """
    # The first STEEPEST_STEPS steps: over hundreds of epochs a sign flip each step is a vertical smear.
    errors = [cmp.steepest_error(i)[: STEEPEST_STEPS + 1] for i in range(len(cmp.runs))]
    # Symmetric about the optimum, so a sign flip each step shows as a zig-zag; 2.5x the starting error
    # leaves a growing run (×1.1 a step) ten steps on screen before it leaves the frame.
    top = 2.5 * abs(float(errors[0][0])) + 1e-9
    traces = []
    for i, (lr, ys) in enumerate(zip(cmp.lrs, errors)):
        # A growing run is drawn until it leaves the frame (one point beyond the edge), instead of
        # stretching the axis until the converging runs are flat lines.
        out = np.flatnonzero(np.abs(ys) > top)
        ys = ys[: out[0] + 1] if out.size else ys
        trace = line(np.arange(len(ys)), ys, f"η = {lr:g}", PALETTE[i % 8], 2)
        traces.append(dict(trace, mode="lines+markers", marker=dict(size=6)))
    n_steps = max(len(ys) for ys in errors) - 1
    traces.append(line([0, n_steps], [0.0, 0.0], "optimum", "#777777", 2, "dot"))
    return fast_figure(traces, "Along the steepest direction", 420, xaxis=dict(title="epoch"),
                       yaxis=dict(title="u·(θ − θ*)", range=[-top, top]), **LOOK)


def decision_figure(run: LogisticRun) -> go.Figure:
    """Probability map P(class 1 | x), the decision boundary P = 0.5, and the points of each split."""
    xs, ys, P = run.grid
    traces: list[dict] = [
        dict(type="contour", x=xs, y=ys, z=P, zmin=0, zmax=1, colorscale="RdBu", reversescale=True,
             opacity=0.4, contours=dict(start=0, end=1, size=0.1), line=dict(width=0), hoverinfo="skip",
             colorbar=dict(title=dict(text="P(1)", side="right"), thickness=14)),
        dict(type="contour", x=xs, y=ys, z=P, showscale=False, hoverinfo="skip", name="boundary P = 0.5",
             contours=dict(start=0.5, end=0.5, size=1, coloring="lines"), line=dict(width=3),
             colorscale=[[0, "black"], [1, "black"]]),
    ]  # fmt: skip
    for s, (X, y) in run.data.items():
        for k, colour in ((0, PALETTE[3]), (1, PALETTE[0])):
            name = f"{SHORT_NAMES[s]} {k}"
            traces.append(points(X[y == k, 0], X[y == k, 1], name, colour, SPLIT_STYLE[s][1], 7))
    title = f"{run.config.dataset}: degree {run.config.degree}, λ = {run.config.l2:g}"
    return fast_figure(traces, title, 480,
                       xaxis=dict(title="x1", range=[float(xs[0]), float(xs[-1])]),
                       yaxis=dict(title="x2", range=[float(ys[0]), float(ys[-1])], scaleanchor="x"), **LOOK)

