"""Lecture 1: entropy, cross-entropy and the asymmetric KL divergence of two discrete distributions."""

from __future__ import annotations

import math

import streamlit as st

from apps.common.layout import page_header, show_source
from apps.pages.l1 import _widgets as w
from core.basics import controls as c
from core.basics import information as it

FORMULAS = "\n".join((
    r"\begin{aligned}",
    r"H(p) &= -\sum_i p_i \log p_i \\",
    r"H(p,q) &= -\sum_i p_i \log q_i \\",
    r"\mathrm{KL}(p\,\|\,q) &= \sum_i p_i \log\frac{p_i}{q_i} = H(p,q) - H(p) \ \ge 0",
    r"\end{aligned}",
))


def fmt(v: float) -> str:
    return f"{v:.3f}" if math.isfinite(v) else "∞"


def swap(k: int) -> None:
    """Exchange p and q (a button callback: widget state may only change before the widgets render)."""
    for i in range(1, k + 1):
        ss = st.session_state
        ss[f"l1inf_p{i}"], ss[f"l1inf_q{i}"] = ss[f"l1inf_q{i}"], ss[f"l1inf_p{i}"]


page_header("l1-information")
# One definition a line, aligned at "=": on one line the three ran past the right edge at 1280-1400 px.
st.latex(FORMULAS)
c1, c2 = st.columns(2)
with c1:
    k = w.slider(c.OUTCOMES, "l1inf_k")
with c2:
    unit = w.segmented(c.UNIT, "l1inf_unit")
left, right = st.columns(2)
with left:
    st.markdown("**p** (the data, what actually happens): weights")
    pw = [w.slider(c.WEIGHT, f"l1inf_p{i}", f"p weight {i}", c.P_WEIGHTS[i - 1]) for i in range(1, k + 1)]
with right:
    st.markdown("**q** (the model, what we expect): weights")
    qw = [w.slider(c.WEIGHT, f"l1inf_q{i}", f"q weight {i}", c.Q_WEIGHTS[i - 1]) for i in range(1, k + 1)]
st.button("Swap p and q", key="l1inf_swap", on_click=swap, args=(k,))
if sum(pw) == 0 or sum(qw) == 0:
    st.warning("All weights of a distribution are zero; it is taken as uniform.")
p, q = it.normalise(pw), it.normalise(qw)
s = it.summary(p, q, unit)

cols = st.columns(6)
for col, key in zip(cols, ("H(p)", "H(q)", "H(p,q)", "H(q,p)", "KL(p||q)", "KL(q||p)")):
    col.metric(f"{key.replace('||', '‖')} [{unit}]", fmt(s[key]))
as_text = lambda d: ", ".join(f"{v:.3f}" for v in d)  # noqa: E731
st.caption(f"p = {as_text(p)} · q = {as_text(q)} · maximum entropy for {k} outcomes: "
           f"log {k} = {s['max entropy log K']:.3f} {unit}")  # fmt: skip
f1, f2 = st.columns(2)
f1.plotly_chart(it.distributions_figure(p, q), key="l1inf_fig_dist")
f2.plotly_chart(it.kl_terms_figure(p, q, unit), key="l1inf_fig_kl")

gap = s["KL(p||q)"] - s["KL(q||p)"]
gap_text = fmt(gap) if math.isfinite(gap) else "undefined (∞)"
st.markdown(
    f"**Entropy** is the average surprise $-\\log p_i$: H(p) = {fmt(s['H(p)'])} {unit}, between 0 (one "
    f"certain outcome) and log {k} (uniform). **Cross-entropy** is the surprise when outcomes come from p "
    f"but we code or predict with q: H(p,q) = {fmt(s['H(p,q)'])} = H(p) + KL(p‖q) = {fmt(s['H(p)'])} + "
    f"{fmt(s['KL(p||q)'])}. **KL is not a distance**: KL(p‖q) − KL(q‖p) = {gap_text} {unit} here. "
    "KL(p‖q) pays wherever p has mass that q lacks (an outcome with q = 0 that p allows costs ∞); "
    "KL(q‖p) pays where q puts mass that p does not have. Set a q weight to 0, then swap."
)
st.info(
    "Training a classifier with the cross-entropy loss minimises H(data, model) = H(data) + KL(data‖model); "
    "H(data) does not depend on the model, so this is minimising KL(data‖model): maximum likelihood."
)
show_source(it.entropy, it.cross_entropy, it.kl_divergence, it.kl_terms)
