"""The four tabs of the lecture 1 regression page (``l1_regression.py``), kept here so the page stays a frame.

Each tab is a ``st.fragment``: a control inside it reruns that tab alone. The page passes the sidebar's data
settings in; fragments rerun with the arguments of the last full run, which is what the sidebar last set.
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from apps.common import state as ui
from apps.common.layout import show_source
from core.basics import linear
from core.basics import regression as rv

LRS, L2S, EPOCHS = rv.LEARNING_RATES, rv.L2_STRENGTHS, rv.EPOCH_CHOICES


def error_table(rows: dict[str, dict[str, float]]) -> str:
    """A Markdown table of MSE per solver and split (NaN, from a diverged run, reads 'diverged')."""
    lines = ["| | train | validation | test |", "|---|---|---|---|"]
    for name, errs in rows.items():
        cells = [f"{errs[s]:.4f}" if math.isfinite(errs[s]) else "diverged" for s in ("train", "val", "test")]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


@st.fragment
def linear_tab(data: dict[str, Any], problem: str | None) -> None:
    """Polynomial regression by GD next to the closed form: fit, losses, errors per split."""
    st.latex(r"J(w,b)=\frac1n\sum_{i=1}^n\big(\underbrace{w^\top\phi(x_i)+b}_{\hat y_i}-y_i\big)^2"
             r"+\frac\lambda2\lVert w\rVert^2")  # fmt: skip
    st.latex(r"w\leftarrow w-\eta\Big(\frac2n\sum_i(\hat y_i-y_i)\,\phi(x_i)+\lambda w\Big),\qquad "
             r"b\leftarrow b-\eta\,\frac2n\sum_i(\hat y_i-y_i)")  # fmt: skip
    c1, c2, c3 = st.columns(3)
    with c1:
        degree = ui.slider("Polynomial degree", "l1reg_deg", 1, 15, 3)
        batch = ui.selectbox("Batch size", "l1reg_batch", rv.BATCH_CHOICES, 0,
                             format_func=lambda b: f"{b} (SGD)" if b else "full batch")  # fmt: skip
    with c2:
        lr = ui.select_slider("Learning rate η", "l1reg_lr", LRS, 0.1)
        epochs = ui.select_slider("Epochs", "l1reg_epochs", EPOCHS, 500)
    with c3:
        l2 = ui.select_slider("L2 strength λ", "l1reg_l2", L2S, 0.0)
    if problem:
        st.warning(problem)
        return
    cfg = rv.PolyConfig(degree=degree, lr=lr, epochs=epochs, l2=l2, batch_size=batch or None, **data)
    run = rv.run_polynomial(cfg)
    if run.gd.diverged:
        st.error(f"Gradient descent {run.gd.message}. Full-batch GD is stable only for "
                 f"η < 2/λ_max = {run.lr_limit:.3g}.")  # fmt: skip
    left, right = st.columns([3, 2])
    left.plotly_chart(rv.polynomial_figure(run), key="l1reg_fig_fit")
    right.plotly_chart(rv.loss_figure(run), key="l1reg_fig_loss")
    right.markdown("**Mean squared error**\n\n" + error_table(run.errors))
    sizes = "/".join(str(len(y)) for y in (run.split.y_train, run.split.y_val, run.split.y_test))
    st.caption(f"{sizes} points train/val/test · stability limit 2/λ_max = {run.lr_limit:.3g} · "
               f"GD {run.gd.message}.")  # fmt: skip
    st.markdown(
        "Raise the degree: training error keeps falling while validation error turns up — **overfitting**, "
        "the fit follows the noise. L2 adds λw to every gradient, i.e. multiplies w by (1 − ηλ) each step "
        "(*weight decay*): the large, cancelling weights a wiggly curve needs become expensive. Both bases "
        "span the same polynomials (same closed form at λ = 0), but monomials x, x², … are nearly collinear: "
        "their loss surface is a narrow valley where GD crawls. Switch the basis and compare GD with the "
        "closed form."
    )
    show_source(linear.mse_and_grad, linear._gradient_descent, linear.ridge_closed_form)


@st.fragment
def logistic_tab(seed: int) -> None:
    """Logistic regression on a 2D toy set: probability map, decision boundary, accuracy per split."""
    c1, c2, c3 = st.columns(3)
    with c1:
        ds = ui.selectbox("Data set", "l1reg_ds", rv.TOY_SETS, "moons")
        npts = ui.slider("Points", "l1reg_lgn", 50, 1000, 300, 50)
        lnoise = ui.slider("Noise", "l1reg_lgnoise", 0.0, 1.0, 0.2, 0.05)
    with c2:
        ldeg = ui.slider("Feature degree", "l1reg_lgdeg", 1, 6, 1)
        llr = ui.select_slider("Learning rate η", "l1reg_lglr", LRS, 1.0)
    with c3:
        lep = ui.select_slider("Epochs", "l1reg_lgepochs", EPOCHS, 300)
        ll2 = ui.select_slider("L2 strength λ", "l1reg_lgl2", L2S, 0.0)
    st.latex(r"p_i=\sigma\big(w^\top\phi(x_i)+b\big),\qquad "
             r"J=-\frac1n\sum_i\big[y_i\log p_i+(1-y_i)\log(1-p_i)\big]"
             r"+\frac\lambda2\lVert w\rVert^2")  # fmt: skip
    st.latex(r"w\leftarrow w-\eta\Big(\frac1n\sum_i(p_i-y_i)\,\phi(x_i)+\lambda w\Big),\qquad "
             r"b\leftarrow b-\eta\,\frac1n\sum_i(p_i-y_i)")  # fmt: skip
    run = rv.run_logistic(rv.LogisticConfig(dataset=ds, n=npts, noise=lnoise, seed=seed, degree=ldeg, lr=llr,
                                            epochs=lep, l2=ll2))  # fmt: skip
    if run.gd.diverged:
        st.error(f"Gradient descent {run.gd.message}.")
    for col, s in zip(st.columns(3), ("train", "val", "test")):
        col.metric(f"{rv.SPLIT_NAMES[s]} accuracy", f"{run.accuracy[s]:.1%}")
    left, right = st.columns([3, 2])
    left.plotly_chart(rv.decision_figure(run), key="l1reg_fig_boundary")
    right.plotly_chart(rv.loss_figure(run), key="l1reg_fig_lgloss")
    st.caption(f"Data: {run.provenance}. Degree {ldeg} gives {len(run.gd.w)} features; the boundary "
               "w·φ(x) + b = 0 is a straight line in feature space, curved in the plane when the degree is "
               "above 1.")  # fmt: skip
    show_source(linear.bce_and_grad, linear.fit_logistic_gd)


@st.fragment
def capacity_tab(data: dict[str, Any], problem: str | None) -> None:
    """Validation error against degree and λ (the U-curves), with measured bias² and variance."""
    c1, c2 = st.columns(2)
    with c1:
        cap_l2 = ui.select_slider("λ for the degree sweep", "l1reg_capl2", L2S, 0.0)
    with c2:
        cap_deg = ui.slider("Degree for the λ sweep", "l1reg_capdeg", 1, 15, 15)
    if problem:
        st.warning(problem)
        return
    cap = rv.capacity_sweep(rv.PolyConfig(l2=cap_l2, **data))
    reg = rv.l2_sweep(rv.PolyConfig(degree=cap_deg, **data))
    best = list(cap.degrees).index(cap.best_degree)
    st.markdown(
        f"Validation picks **degree {cap.best_degree}** (validation MSE {cap.errors['val'][best]:.4f}); "
        f"its test MSE, the honest estimate, is **{cap.errors['test'][best]:.4f}**. At degree {cap_deg} "
        f"validation picks **λ = {reg.best_l2:.3g}**. Every point is an exact (closed-form) fit, so the "
        "U shape shows capacity, not optimisation."
    )
    c1, c2 = st.columns(2)
    c1.plotly_chart(rv.capacity_figure(cap), key="l1reg_fig_cap")
    c2.plotly_chart(rv.bias_variance_figure(cap), key="l1reg_fig_bv")
    st.plotly_chart(rv.l2_figure(reg), key="l1reg_fig_l2")
    st.markdown(
        f"Bias and variance are measured, not sketched: the same experiment on {cap.repeats} fresh data "
        "sets. **Bias²**: how far the average fit is from sin(2πx), large for too-simple models. "
        "**Variance**: how much the fit changes from one data set to the next, large for too-flexible ones. "
        "Expected test error = bias² + variance + σ²; no model beats the noise σ². L2 trades a little bias "
        "for much less variance."
    )
    show_source(rv.capacity_sweep, rv.ridge_batched)


@st.fragment
def lr_tab(data: dict[str, Any], problem: str | None) -> None:
    """The same fit under three learning rates: creeping, converging, oscillating or diverging."""
    cols = st.columns(3)
    lrs = []
    for col, (name, default) in zip(cols, (("small", 0.01), ("good", 0.3), ("large", 1.1))):
        with col:
            lrs.append(ui.select_slider(f"η ({name})", f"l1reg_lr{len(lrs) + 1}", LRS, default))
    with cols[0]:
        rdeg = ui.slider("Degree", "l1reg_lrdeg", 1, 9, 1)
    with cols[1]:
        rep = ui.select_slider("Epochs", "l1reg_lrepochs", EPOCHS, 100)
    if problem:
        st.warning(problem)
        return
    cmp = rv.lr_comparison(rv.PolyConfig(degree=rdeg, epochs=rep, **data), tuple(lrs))
    st.markdown(
        f"Least squares has a quadratic loss: a bowl with curvature λ_max = {2 / cmp.limit:.3g} along its "
        "steepest direction. GD multiplies the error there by (1 − ηλ_max) per step: it creeps for small η, "
        f"**overshoots and oscillates** for η > {cmp.limit / 2:.3g} (w1 jumps across its optimum every "
        f"step), and **diverges** for η > 2/λ_max = {cmp.limit:.3g}: the loss grows geometrically until "
        "the run is stopped."
    )
    for lr, r in zip(cmp.lrs, cmp.runs):
        (st.error if r.diverged else st.caption)(f"η = {lr:g}: {r.message}.")
    c1, c2 = st.columns(2)
    c1.plotly_chart(rv.lr_loss_figure(cmp), key="l1reg_fig_lrloss")
    c2.plotly_chart(rv.lr_weight_figure(cmp), key="l1reg_fig_lrw")
    show_source(rv.lr_comparison, linear.lr_stability_limit)
