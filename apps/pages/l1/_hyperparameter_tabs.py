"""The hyperparameter tabs of the lecture 1 regression page (``regression.py``): capacity (degree and λ)
and the learning rate. Fragments, like the model tabs in ``_regression_tabs.py``."""

from __future__ import annotations

from typing import Any

import streamlit as st

from apps.common.layout import show_source
from apps.pages.l1 import _widgets as w
from core.basics import capacity, linear
from core.basics import controls as c
from core.basics import experiments as ex
from core.basics import figures as fg


@st.fragment
def capacity_tab(data: dict[str, Any], problem: str | None) -> None:
    """Validation error against degree and λ (the U-curves), with measured bias² and variance."""
    c1, c2 = st.columns(2)
    with c1:
        cap_l2 = w.select_slider(c.CAPACITY_L2, "l1reg_capl2")
    with c2:
        cap_deg = w.slider(c.CAPACITY_DEGREE, "l1reg_capdeg")
    if problem:
        st.warning(problem)
        return
    cap = capacity.capacity_sweep(ex.PolyConfig(l2=cap_l2, **data))
    reg = capacity.l2_sweep(ex.PolyConfig(degree=cap_deg, **data))
    best = list(cap.degrees).index(cap.best_degree)
    val, sigma2 = cap.errors["val"][best], cap.noise_var
    st.markdown(
        f"Validation picks **degree {cap.best_degree}** (validation MSE {val:.4f}); its test MSE, the honest "
        f"estimate, is **{cap.errors['test'][best]:.4f}**. At degree {cap_deg} validation picks "
        f"**λ = {reg.best_l2:.3g}**. Every point is an exact (closed-form) fit, so the U shape shows "
        "capacity, not optimisation."
    )
    c1, c2 = st.columns(2)
    c1.plotly_chart(fg.capacity_figure(cap), key="l1reg_fig_cap")
    c2.plotly_chart(fg.bias_variance_figure(cap), key="l1reg_fig_bv")
    below = f": here {val:.4f} < σ²" if val < sigma2 else ""
    st.markdown(
        f"**Can validation beat the noise?** No model's *expected* test MSE is below σ² = {sigma2:.4f} "
        f"(dotted). But a validation MSE on {cap.val_points} points is a noisy number (standard error about "
        f"σ²·√(2/{cap.val_points}) = {cap.val_noise:.4f} at the noise floor), and model selection keeps the "
        f"smallest of {len(cap.degrees)}: the winner's validation MSE is biased low, *selection optimism*"
        f"{below}. The test set, looked at once, is not."
    )
    st.plotly_chart(fg.l2_figure(reg), key="l1reg_fig_l2")
    st.markdown(
        f"Bias and variance are measured, not sketched, over {cap.repeats} fresh training sets of the same "
        "size. **Bias²**: how far the average fit is from sin(2πx), large for too-simple models. "
        "**Variance**: how much the fit changes from one training set to the next, large for too-flexible "
        "ones. Expected test MSE = bias² + variance + σ²; the diamonds are the test MSE of those fits "
        "measured on fresh points. Each fit is linear in its targets, so the noise's share of the variance "
        "is computed exactly and bias² comes from fits to the noise-free curve: the mean of R noisy fits "
        "would carry variance/R into the bias², which would then grow with the degree. Raise λ: L2 trades "
        "a little bias for much less variance."
    )
    show_source(capacity.capacity_sweep, capacity.ridge_batched)


@st.fragment
def lr_tab(data: dict[str, Any], problem: str | None) -> None:
    """The same fit under three learning rates: creeping, converging, oscillating or diverging."""
    cols = st.columns(3)
    lrs = []
    for i, (col, control) in enumerate(zip(cols, (c.LR_SMALL, c.LR_GOOD, c.LR_LARGE)), start=1):
        with col:
            lrs.append(w.select_slider(control, f"l1reg_lr{i}"))
    with cols[0]:
        rdeg = w.slider(c.LR_DEGREE, "l1reg_lrdeg")
    with cols[1]:
        rep = w.select_slider(c.LR_EPOCHS, "l1reg_lrepochs")
    if problem:
        st.warning(problem)
        return
    cmp = ex.lr_comparison(ex.PolyConfig(degree=rdeg, epochs=rep, **data), tuple(lrs))
    st.markdown(
        f"Least squares has a quadratic loss: a bowl with curvature λ_max = {2 / cmp.limit:.3g} along its "
        "steepest direction u (the top eigenvector of the Hessian). GD multiplies the error along u by "
        "exactly (1 − ηλ_max) per step, at every degree: it creeps for small η, **overshoots and "
        f"oscillates** for η > 1/λ_max = {cmp.limit / 2:.3g} (the error along u, right, changes sign every "
        f"step), and **diverges** for η > 2/λ_max = {cmp.limit:.3g}: the loss grows geometrically (a run is "
        f"stopped at {linear.EXPLODE_FACTOR:.0e} times its start). Above degree 1, u mixes every weight, so "
        "no single weight need show this."
    )
    for lr, r in zip(cmp.lrs, cmp.runs):
        state = r.message if r.diverged else f"{ex.verdict(r, lr, cmp.limit)} ({r.message})"
        (st.error if r.diverged else st.caption)(
            f"η = {lr:g}: {state}; the error along u is multiplied by {cmp.factor(lr):.3g} per step.")
    c1, c2 = st.columns(2)
    c1.plotly_chart(fg.lr_loss_figure(cmp), key="l1reg_fig_lrloss")
    c2.plotly_chart(fg.lr_steepest_figure(cmp), key="l1reg_fig_lrw")
    show_source(ex.lr_comparison, linear.lr_stability_limit)
