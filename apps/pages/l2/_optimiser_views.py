"""The optimiser page's section on momentum's convergence rate over (η, μ) on the bowl (Goh 2017)."""

from __future__ import annotations

import streamlit as st

from core.mlp import momentum_rates as mr
from core.mlp.optimiser_figures import eigen_figure, rate_map_figure


def rate_section(condition: float, lr: float, momentum: float, start: tuple[float, float],
                 steps: int) -> None:
    """The rate map with the current (η, μ) marked, each eigendirection's decay, and what they say."""
    best = mr.optimum(condition)
    here = float(mr.bowl_rate(lr, momentum, condition))
    rx, ry = float(mr.rate(lr, momentum, 1.0)), float(mr.rate(lr, momentum, condition))
    st.subheader("How fast momentum can converge (Goh 2017, *Why momentum really works*)")
    left, right = st.columns([3, 2])
    left.plotly_chart(rate_map_figure(condition, lr, momentum), key="l2opt_fig_rates")
    right.plotly_chart(eigen_figure(lr, momentum, condition, start, steps), key="l2opt_fig_eigen")
    verdict = (f"the error shrinks by ρ = {here:.4f} per step (x: {rx:.4f}, y: {ry:.4f}; the slower "
               "direction sets the pace)" if here < 1 else f"ρ = {here:.3g} ≥ 1: the run diverges")
    st.markdown(
        "On the bowl each coordinate is an eigendirection (curvature 1 along x, κ along y) and evolves on "
        "its own: heavy-ball momentum is a two-term recurrence per direction, whose matrix "
        "$R = \\begin{pmatrix}1+\\mu-\\eta\\lambda & -\\mu\\\\ 1 & 0\\end{pmatrix}$ multiplies the error at "
        "every step, so the error falls like $\\rho(R)^t$, $\\rho$ its spectral radius. The map shows the "
        f"larger of the two directions' ρ for every (η, μ). At η = {lr:g}, μ = {momentum:g}: {verdict}. "
        f"The best pair is η* = (2/(√κ+1))² = {best.lr:.4g}, μ* = ((√κ−1)/(√κ+1))² = {best.momentum:.3f}, "
        f"with ρ* = (√κ−1)/(√κ+1) = {best.rate:.4f} in every direction, against plain gradient descent's "
        f"best (κ−1)/(κ+1) = {best.gd_rate:.4f}: momentum turns the condition number κ into √κ. Where the "
        "roots are complex (most of the map) ρ = √μ whatever η: too much momentum oscillates slowly."
    )
