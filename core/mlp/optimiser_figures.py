"""Figures of the optimiser race (lecture 2): the paths on the surface's contours, the loss per step, and
momentum's convergence-rate map over (η, μ) on the bowl with each eigendirection's decay (Goh 2017)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.mlp.momentum_rates import bowl_rate, eigen_paths, optimum, rate, rate_map
from core.mlp.optimisers import Race
from core.mlp.surfaces import SURFACES, contour_grid
from core.training.optim import LABELS, OPTIMIZERS
from core.viz.style import PALETTE, fast_figure

COLORS: dict[str, str] = dict(zip(OPTIMIZERS, PALETTE[:4]))


def _inside(path: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    x0, x1, y0, y1 = box
    return np.flatnonzero((path[:, 0] >= x0) & (path[:, 0] <= x1) & (path[:, 1] >= y0) & (path[:, 1] <= y1))


def race_figure(r: Race, height: int = 520) -> go.Figure:
    """Contour plot of the surface with every run's path; a diverged path ends in a cross."""
    surf = SURFACES[r.surface]
    xs, ys, z = contour_grid(r.surface, r.params.get("condition"))
    lo, hi = float(z.min()), float(z.max())
    mx, my = zip(*surf.minima)
    traces: list[dict[str, Any]] = [
        dict(type="contour", x=xs, y=ys, z=z, showscale=False, hoverinfo="skip",
             contours=dict(start=lo, end=hi, size=(hi - lo) / 24),
             colorscale=[[0, "#fdfdfd"], [1, "#c9d3dd"]], line=dict(width=0.6, color="#9aa5b1")),
        dict(type="scatter", x=list(mx), y=list(my), mode="markers", name="minimum",
             marker=dict(symbol="star", size=16, color="black")),
        dict(type="scatter", x=[r.start[0]], y=[r.start[1]], mode="markers", name="start",
             marker=dict(symbol="circle-open", size=14, color="black", line=dict(width=3))),
    ]
    for k, run in r.runs.items():
        name = LABELS[k] + (f" (diverged at step {run.diverged_at})" if run.diverged_at is not None else "")
        traces.append(dict(type="scatter", x=run.path[:, 0], y=run.path[:, 1], mode="lines+markers",
                           name=name, line=dict(color=COLORS[k], width=2.5), marker=dict(size=4),
                           legendgroup=k))
        if run.diverged_at is not None:
            # Mark the last point still in view: the path's real end is usually far outside it.
            inside = _inside(run.path, surf.box)
            end = run.path[inside[-1] if inside.size else 0]
            traces.append(dict(type="scatter", x=[end[0]], y=[end[1]], mode="markers+text", showlegend=False,
                               text=[f"diverged (step {run.diverged_at})"], textposition="top right",
                               legendgroup=k, marker=dict(symbol="x", size=16, color=COLORS[k]),
                               textfont=dict(color=COLORS[k])))
    x0, x1, y0, y1 = surf.box
    return fast_figure(traces, surf.title, height,
                       xaxis=dict(range=[x0, x1], title=dict(text="x"), constrain="domain"),
                       yaxis=dict(range=[y0, y1], title=dict(text="y"), scaleanchor="x", constrain="domain"),
                       legend=dict(y=-0.16, yanchor="top", x=0.0, xanchor="left"))


def loss_figure(r: Race, height: int = 360) -> go.Figure:
    """f - fmin against the step on a log axis (diverged runs end early, with a cross)."""
    fmin = SURFACES[r.surface].fmin
    traces: list[dict[str, Any]] = []
    for k, run in r.runs.items():
        gap = np.maximum(run.losses - fmin, 1e-16)  # exactly at the minimum: keep the log axis finite
        traces.append(dict(type="scatter", x=np.arange(len(gap)), y=gap, mode="lines", name=LABELS[k],
                           line=dict(color=COLORS[k], width=2.5)))
        if run.diverged_at is not None:
            traces.append(dict(type="scatter", x=[len(gap) - 1], y=[float(gap[-1])], mode="markers",
                               showlegend=False, marker=dict(symbol="x", size=14, color=COLORS[k])))
    return fast_figure(traces, "Loss − minimum", height,
                       xaxis=dict(title=dict(text="step"), range=[0, r.steps]),
                       yaxis=dict(type="log", title=dict(text="f − f*")),
                       legend=dict(y=-0.3, yanchor="top", x=0.0, xanchor="left"))


def rate_map_figure(condition: float, lr: float, momentum: float, height: int = 460) -> go.Figure:
    """Goh's (2017) map: the bowl's convergence rate ρ over (η, μ), the setting and the optimum marked.

    Diverging settings (ρ ≥ 1) are left blank on grey; darker is faster.
    """
    m = rate_map(condition)
    best = optimum(condition)
    here = float(bowl_rate(lr, momentum, condition))
    z = np.where(m.rates < 1.0, m.rates, np.nan)
    traces: list[dict[str, Any]] = [
        dict(type="heatmap", x=m.lrs, y=m.momenta, z=z, zmin=max(0.0, best.rate - 0.05), zmax=1.0,
             colorscale="Viridis", colorbar=dict(title=dict(text="ρ")), hoverongaps=False,
             hovertemplate="η = %{x:.3g}, μ = %{y:.2f}: ρ = %{z:.4f}<extra></extra>"),
        dict(type="scatter", x=[best.lr], y=[best.momentum], mode="markers+text", name="optimum",
             text=[f"optimum ρ* = {best.rate:.3f}"], textposition="top right", textfont=dict(color="white"),
             marker=dict(symbol="star", size=18, color="white", line=dict(width=1.5, color="black"))),
        dict(type="scatter", x=[lr], y=[momentum], mode="markers+text", name="your setting",
             text=[f"ρ = {here:.3f}" if here < 1 else "diverges"], textposition="bottom right",
             textfont=dict(color="white" if here < 1 else "black"),
             marker=dict(symbol="circle-open", size=16, color="#D62728", line=dict(width=3))),
    ]
    return fast_figure(traces, f"Convergence rate of momentum on the bowl (κ = {condition:g})", height,
                       showlegend=False, plot_bgcolor="#bdbdbd",
                       xaxis=dict(type="log", title=dict(text="learning rate η"),
                                  range=[math.log10(m.lrs[0]), math.log10(m.lrs[-1])]),
                       yaxis=dict(title=dict(text="momentum μ"), range=[0, float(m.momenta[-1])]))


def eigen_figure(lr: float, momentum: float, condition: float, start: tuple[float, float], steps: int,
                 height: int = 360) -> go.Figure:
    """|coordinate| per eigendirection against the step (log axis), each with its predicted ρ^t envelope."""
    traces: list[dict[str, Any]] = []
    for i, (name, xs) in enumerate(eigen_paths(lr, momentum, condition, start, steps).items()):
        lam = 1.0 if i == 0 else condition
        r = float(rate(lr, momentum, lam))
        t = np.arange(len(xs))
        ok = np.isfinite(xs)
        traces.append(dict(type="scatter", x=t[ok], y=np.maximum(np.abs(xs[ok]), 1e-300), mode="lines",
                           name=name, line=dict(color=PALETTE[i], width=2.5)))
        if abs(xs[0]) > 0:
            envelope = abs(xs[0]) * r ** t.astype(np.float64)
            traces.append(dict(type="scatter", x=t, y=np.maximum(envelope, 1e-300), mode="lines",
                               name=f"ρ^t for λ = {lam:g} (ρ = {r:.3f})",
                               line=dict(color=PALETTE[i], width=1.5, dash="dash")))
    return fast_figure(traces, "Each eigendirection on its own (momentum racer)", height,
                       xaxis=dict(title=dict(text="step"), range=[0, steps]),
                       yaxis=dict(type="log", title=dict(text="|coordinate|")),
                       legend=dict(y=-0.3, yanchor="top", x=0.0, xanchor="left"))
