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

LOOK = dict(light=True, log_ticks=True, legend=LEGEND_BELOW, margin=dict(t=40))
"""How every lecture 1 figure is drawn: white, readable log ticks, the legend under the plot."""
SPLIT_STYLE = {  # colour and marker per split, the same in every figure of the lecture
    "train": (PALETTE[0], "circle"),
    "val": (PALETTE[1], "square"),
    "test": (PALETTE[2], "diamond"),
}
SPLIT_NAMES = {"train": "train", "val": "validation", "test": "test"}


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
    traces = [line(GRID, sine_target(GRID), "true sin(2πx)", "#999999", 2, "dot")]
    if not run.gd.diverged:
        traces.append(line(GRID, run.gd.predict(G), "gradient descent", PALETTE[3]))
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
    traces = [line(np.asarray(h["epoch"]), np.asarray(h[k]), k.replace("_", " "), PALETTE[i])
              for i, k in enumerate(("train_loss", "val_loss")) if h.get(k)]  # fmt: skip
    if isinstance(run, PolyRun) and h["epoch"]:
        for i, s in enumerate(("train", "val")):
            e = run.errors["closed form"][s]
            name = f"closed form: {SPLIT_NAMES[s]}"
            traces.append(line([1, h["epoch"][-1]], [e, e], name, PALETTE[i], 1.5, "dot"))
    title = "Loss per epoch" + (" — diverged" if run.gd.diverged else "")
    ytitle = "MSE" if isinstance(run, PolyRun) else "cross-entropy"
    yaxis = dict(title=ytitle, type="log" if log_y else "linear")
    return fast_figure(traces, title, 340, xaxis=dict(title="epoch"), yaxis=yaxis, **LOOK)


def _split_lines(x: np.ndarray, errors: dict[str, np.ndarray]) -> list[dict]:
    return [
        dict(line(x, errors[s], SPLIT_NAMES[s], c), mode="lines+markers", marker=dict(symbol=sym, size=8))
        for s, (c, sym) in SPLIT_STYLE.items()
    ]


def _star(x: float, y: float) -> dict:
    return points([x], [y], "lowest validation", PALETTE[3], "star", 20)


def capacity_figure(sweep: CapacitySweep) -> go.Figure:
    """Train/validation/test MSE against degree (log scale), the chosen degree starred."""
    best = _star(sweep.best_degree, float(sweep.errors["val"].min()))
    traces = _split_lines(sweep.degrees, sweep.errors) + [best]
    return fast_figure(traces, "Error vs model capacity", 380, xaxis=dict(title="polynomial degree", dtick=1),
                       yaxis=dict(title="MSE", type="log"), **LOOK)


def bias_variance_figure(sweep: CapacitySweep) -> go.Figure:
    """Bias², variance and σ² stacked: their sum is the expected test error of each degree."""
    parts = (("bias²", sweep.bias2, PALETTE[0]), ("variance", sweep.variance, PALETTE[1]),
             ("noise σ²", np.full(len(sweep.degrees), sweep.noise_var), "#BBBBBB"))  # fmt: skip
    traces = [dict(type="bar", x=sweep.degrees, y=v, name=name, marker=dict(color=c)) for name, v, c in parts]
    # Bias and variance explode at high degree and would flatten the informative bars: the axis stops at
    # the underfitting model's error (or twice the best), and taller bars run off the top.
    total = sweep.bias2 + sweep.variance + sweep.noise_var
    top = float(max(total[0], 2.0 * total.min()))
    return fast_figure(traces, f"Bias² + variance + noise, over {sweep.repeats} fresh data sets", 380,
                       xaxis=dict(title="polynomial degree", dtick=1),
                       yaxis=dict(title="expected MSE", range=[0, 1.15 * top]), barmode="stack", **LOOK)


def l2_figure(sweep: L2Sweep) -> go.Figure:
    """Train/validation/test MSE against λ (log-log), the chosen λ starred."""
    best = _star(sweep.best_l2, float(sweep.errors["val"].min()))
    traces = _split_lines(sweep.l2s, sweep.errors) + [best]
    return fast_figure(traces, f"Error vs L2 strength at degree {sweep.degree}", 380,
                       xaxis=dict(title="λ (L2 strength)", type="log"), yaxis=dict(title="MSE", type="log"),
                       **LOOK)


def lr_loss_figure(cmp: LRComparison) -> go.Figure:
    """Training loss per epoch for each learning rate (log scale); a diverged run ends in a ✕."""
    traces = []
    for i, (lr, run) in enumerate(zip(cmp.lrs, cmp.runs)):
        colour, h = PALETTE[i % len(PALETTE)], run.history
        traces.append(line(np.arange(run.epochs_run + 1.0), np.array([run.initial_loss] + h["train_loss"]),
                           f"η = {lr:g}: {verdict(run, lr, cmp.limit)}", colour))  # fmt: skip
        if run.diverged:
            last = (h["train_loss"] or [run.initial_loss])[-1]
            cross = points([float(run.epochs_run)], [last], "diverged", colour, "x", 16,
                           showlegend=False, hovertext=run.message, hoverinfo="text")  # fmt: skip
            traces.append(cross)
    n_epochs = max(max(r.epochs_run for r in cmp.runs), 1)
    traces.append(line([0, n_epochs], [cmp.optimum_loss] * 2, "minimum (closed form)", "#999999", 2, "dot"))
    yaxis = dict(title="MSE", type="log")
    return fast_figure(traces, "Training loss", 360, xaxis=dict(title="epoch"), yaxis=yaxis, **LOOK)


def lr_weight_figure(cmp: LRComparison, index: int = 0) -> go.Figure:
    """One weight against epochs: small η creeps, η past limit/2 overshoots and flips sign each step."""
    target = float(cmp.optimum[index])
    traces, spans = [], [target]
    paths = [r.path[:, index] if r.path is not None else np.zeros(1) for r in cmp.runs]
    for ys, run in zip(paths, cmp.runs):
        if not run.diverged:
            spans += [float(ys.min()), float(ys.max())]
    lo, hi = min(spans), max(spans)
    pad = 0.25 * (hi - lo) + 0.1 * abs(target) + 1e-3
    for i, (lr, run, ys) in enumerate(zip(cmp.lrs, cmp.runs, paths)):
        if run.diverged:
            # The frame fits the runs that converge; a diverging run is drawn until it leaves the frame
            # (one point beyond the edge), instead of zig-zagging across the whole plot every epoch.
            out = np.flatnonzero((ys < lo - pad) | (ys > hi + pad))
            ys = ys[: out[0] + 1] if out.size else ys
        trace = line(np.arange(len(ys)), ys, f"η = {lr:g}", PALETTE[i % len(PALETTE)], 2)
        traces.append(dict(trace, mode="lines+markers" if len(ys) <= 60 else "lines", marker=dict(size=5)))
    n_epochs = max(max(r.epochs_run for r in cmp.runs), 1)
    traces.append(line([0, n_epochs], [target, target], "optimal value", "#999999", 2, "dot"))
    return fast_figure(traces, f"Weight w{index + 1} per epoch", 360, xaxis=dict(title="epoch"),
                       yaxis=dict(title=f"w{index + 1}", range=[lo - pad, hi + pad]), **LOOK)


def decision_figure(run: LogisticRun) -> go.Figure:
    """Probability map P(class 1 | x), the decision boundary P = 0.5, and the points of each split."""
    xs, ys, P = run.grid
    traces: list[dict] = [
        dict(type="contour", x=xs, y=ys, z=P, zmin=0, zmax=1, colorscale="RdBu", reversescale=True,
             opacity=0.4, contours=dict(start=0, end=1, size=0.1), line=dict(width=0), hoverinfo="skip",
             colorbar=dict(title=dict(text="P(1)"), thickness=12)),
        dict(type="contour", x=xs, y=ys, z=P, showscale=False, hoverinfo="skip", name="boundary P = 0.5",
             contours=dict(start=0.5, end=0.5, size=1, coloring="lines"), line=dict(width=3),
             colorscale=[[0, "black"], [1, "black"]]),
    ]  # fmt: skip
    for s, (X, y) in run.data.items():
        for k, colour in ((0, PALETTE[3]), (1, PALETTE[0])):
            name = f"{SPLIT_NAMES[s]}, class {k}"
            traces.append(points(X[y == k, 0], X[y == k, 1], name, colour, SPLIT_STYLE[s][1], 7))
    title = f"{run.config.dataset}: degree {run.config.degree}, λ = {run.config.l2:g}"
    return fast_figure(traces, title, 480,
                       xaxis=dict(title="x1", range=[float(xs[0]), float(xs[-1])]),
                       yaxis=dict(title="x2", range=[float(ys[0]), float(ys[-1])], scaleanchor="x"), **LOOK)

