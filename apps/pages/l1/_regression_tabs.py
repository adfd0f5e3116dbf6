"""The model tabs of the lecture 1 regression page (``regression.py``): linear and logistic regression.

Each tab is a ``st.fragment``: a control inside it reruns that tab alone. The page passes the sidebar's data
settings in; fragments rerun with the arguments of the last full run, which is what the sidebar last set.
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from apps.common.layout import show_source
from apps.pages.l1 import _widgets as w
from core.basics import controls as c
from core.basics import experiments as ex
from core.basics import figures as fg
from core.basics import linear


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
    if run.gd.diverged and batch:
        # Measured: batch 1 diverges from η = 0.3 on the default problem, where 2/λ_max = 0.84.
        st.error(f"Gradient descent {run.gd.message}. A mini-batch step follows that batch's own "
                 f"curvature, which can exceed the full batch's: SGD can diverge below 2/λ_max = "
                 f"{run.lr_limit:.3g}.")  # fmt: skip
    elif run.gd.diverged:
        st.error(f"Gradient descent {run.gd.message}. Full-batch GD is stable only for "
                 f"η < 2/λ_max = {run.lr_limit:.3g}.")  # fmt: skip
    left, right = st.columns(2)
    left.plotly_chart(fg.polynomial_figure(run), key="l1reg_fig_fit")
    right.plotly_chart(fg.loss_figure(run), key="l1reg_fig_loss")
    right.markdown("**Mean squared error**\n\n" + error_table(run.errors))
    sizes = "/".join(str(len(y)) for y in (run.split.y_train, run.split.y_val, run.split.y_test))
    st.caption(f"{sizes} points train/val/test · stability limit 2/λ_max = {run.lr_limit:.3g} · "
               f"GD {run.gd.message}.")  # fmt: skip
    st.markdown(
        "Raise the degree: training error keeps falling while validation error turns up — **overfitting**, "
        "the fit follows the noise. L2 adds λw to every gradient, i.e. multiplies w by (1 − ηλ) each step "
        "(*weight decay*): it shrinks most the weight combinations the training data pin down least, the "
        "ones a wiggly fit uses to follow the noise. Both bases span the same polynomials (same closed form "
        "at λ = 0), but monomials x, x², … are nearly collinear: their loss surface is a narrow valley where "
        "GD crawls. Switch the basis and compare GD with the closed form."
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
    left, right = st.columns(2)
    left.plotly_chart(fg.decision_figure(run), key="l1reg_fig_boundary")
    right.plotly_chart(fg.loss_figure(run), key="l1reg_fig_lgloss")
    st.caption(f"Data: {run.provenance}. Degree {ldeg} gives {len(run.gd.w)} features; the boundary "
               "w·φ(x) + b = 0 is flat (a hyperplane) in feature space, curved in the plane when the degree "
               "is above 1.")  # fmt: skip
    show_source(linear.bce_and_grad, linear.fit_logistic_gd)
