"""The four tabs of the lecture 1 regression page (``regression.py``), kept here so the page stays a frame.

Each tab is a ``st.fragment``: a control inside it reruns that tab alone. The page passes the sidebar's data
settings in; fragments rerun with the arguments of the last full run, which is what the sidebar last set.
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from apps.common.layout import show_source
from apps.pages.l1 import _widgets as w
from core.basics import capacity, linear
from core.basics import controls as c
from core.basics import experiments as ex
from core.basics import figures as fg


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
        degree = w.slider(c.DEGREE, "l1reg_deg")
        batch = w.selectbox(c.BATCH, "l1reg_batch", format_func=lambda b: f"{b} (SGD)" if b else "full batch")
    with c2:
        lr = w.select_slider(c.LR, "l1reg_lr")
        epochs = w.select_slider(c.EPOCHS, "l1reg_epochs")
    with c3:
        l2 = w.select_slider(c.L2, "l1reg_l2")
    if problem:
        st.warning(problem)
        return
    cfg = ex.PolyConfig(degree=degree, lr=lr, epochs=epochs, l2=l2, batch_size=batch or None, **data)
    run = ex.run_polynomial(cfg)
    if run.gd.diverged:
        st.error(f"Gradient descent {run.gd.message}. Full-batch GD is stable only for "
                 f"η < 2/λ_max = {run.lr_limit:.3g}.")  # fmt: skip
    left, right = st.columns([3, 2])
    left.plotly_chart(fg.polynomial_figure(run), key="l1reg_fig_fit")
    right.plotly_chart(fg.loss_figure(run), key="l1reg_fig_loss")
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
        ds = w.selectbox(c.DATASET, "l1reg_ds")
        npts = w.slider(c.LOGISTIC_POINTS, "l1reg_lgn")
        lnoise = w.slider(c.LOGISTIC_NOISE, "l1reg_lgnoise")
    with c2:
        ldeg = w.slider(c.LOGISTIC_DEGREE, "l1reg_lgdeg")
        llr = w.select_slider(c.LOGISTIC_LR, "l1reg_lglr")
    with c3:
        lep = w.select_slider(c.LOGISTIC_EPOCHS, "l1reg_lgepochs")
        ll2 = w.select_slider(c.L2, "l1reg_lgl2")
    st.latex(r"p_i=\sigma\big(w^\top\phi(x_i)+b\big),\qquad "
             r"J=-\frac1n\sum_i\big[y_i\log p_i+(1-y_i)\log(1-p_i)\big]"
             r"+\frac\lambda2\lVert w\rVert^2")  # fmt: skip
    st.latex(r"w\leftarrow w-\eta\Big(\frac1n\sum_i(p_i-y_i)\,\phi(x_i)+\lambda w\Big),\qquad "
             r"b\leftarrow b-\eta\,\frac1n\sum_i(p_i-y_i)")  # fmt: skip
    run = ex.run_logistic(ex.LogisticConfig(dataset=ds, n=npts, noise=lnoise, seed=seed, degree=ldeg, lr=llr,
                                            epochs=lep, l2=ll2))  # fmt: skip
    if run.gd.diverged:
        st.error(f"Gradient descent {run.gd.message}.")
    for col, s in zip(st.columns(3), ("train", "val", "test")):
        col.metric(f"{fg.SPLIT_NAMES[s]} accuracy", f"{run.accuracy[s]:.1%}")
    left, right = st.columns([3, 2])
    left.plotly_chart(fg.decision_figure(run), key="l1reg_fig_boundary")
    right.plotly_chart(fg.loss_figure(run), key="l1reg_fig_lgloss")
    st.caption(f"Data: {run.provenance}. Degree {ldeg} gives {len(run.gd.w)} features; the boundary "
               "w·φ(x) + b = 0 is a straight line in feature space, curved in the plane when the degree is "
               "above 1.")  # fmt: skip
    show_source(linear.bce_and_grad, linear.fit_logistic_gd)


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
    st.markdown(
        f"Validation picks **degree {cap.best_degree}** (validation MSE {cap.errors['val'][best]:.4f}); "
        f"its test MSE, the honest estimate, is **{cap.errors['test'][best]:.4f}**. At degree {cap_deg} "
        f"validation picks **λ = {reg.best_l2:.3g}**. Every point is an exact (closed-form) fit, so the "
        "U shape shows capacity, not optimisation."
    )
    c1, c2 = st.columns(2)
    c1.plotly_chart(fg.capacity_figure(cap), key="l1reg_fig_cap")
    c2.plotly_chart(fg.bias_variance_figure(cap), key="l1reg_fig_bv")
    st.plotly_chart(fg.l2_figure(reg), key="l1reg_fig_l2")
    st.markdown(
        f"Bias and variance are measured, not sketched: the same experiment on {cap.repeats} fresh data "
        "sets. **Bias²**: how far the average fit is from sin(2πx), large for too-simple models. "
        "**Variance**: how much the fit changes from one data set to the next, large for too-flexible ones. "
        "Expected test error = bias² + variance + σ²; no model beats the noise σ². L2 trades a little bias "
        "for much less variance."
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
        "steepest direction. GD multiplies the error there by (1 − ηλ_max) per step: it creeps for small η, "
        f"**overshoots and oscillates** for η > {cmp.limit / 2:.3g} (w1 jumps across its optimum every "
        f"step), and **diverges** for η > 2/λ_max = {cmp.limit:.3g}: the loss grows geometrically until "
        "the run is stopped."
    )
    for lr, r in zip(cmp.lrs, cmp.runs):
        (st.error if r.diverged else st.caption)(f"η = {lr:g}: {r.message}.")
    c1, c2 = st.columns(2)
    c1.plotly_chart(fg.lr_loss_figure(cmp), key="l1reg_fig_lrloss")
    c2.plotly_chart(fg.lr_weight_figure(cmp), key="l1reg_fig_lrw")
    show_source(ex.lr_comparison, linear.lr_stability_limit)
