"""Lecture 2: one example forward and backward through a 2-2-1 network, the chain rule by hand vs autograd."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from core.mlp import backprop as bp

page_header("l2-backprop")
st.markdown(
    "A network with two inputs, two hidden units and one sigmoid output: $z = Wx + b$, "
    "$h = \\mathrm{act}(z)$, $o = v\\cdot h + c$, $\\hat y = \\sigma(o)$. The **forward pass** "
    "computes every "
    "value once; the **backward pass** reuses them, multiplying local derivatives from the loss "
    "back to each weight: the chain rule."
)
with st.sidebar:
    x1 = ui.slider("Input x₁", "l2bp_x1", *bp.INPUT_RANGE, 1.0, 0.1)
    x2 = ui.slider("Input x₂", "l2bp_x2", *bp.INPUT_RANGE, -0.5, 0.1)
    target = ui.slider("Target t", "l2bp_t", *bp.TARGET_RANGE, 1.0, 0.05)
    seed = ui.number_input("Weight initialisation seed", "l2bp_seed", *bp.SEED_RANGE, 0)
    act = ui.segmented("Hidden activation", "l2bp_act", bp.ACTIVATIONS, "sigmoid")
    loss = ui.segmented("Loss", "l2bp_loss", bp.LOSSES, "mse", format_func=bp.LOSS_NAMES.get)
    lr = ui.select_slider("Learning rate η (one SGD step)", "l2bp_lr", bp.LEARNING_RATES, 0.5)
    param = ui.selectbox("Follow the gradient of", "l2bp_param", bp.PARAMS, "w12", format_func=bp.UNICODE.get)

s = bp.step_through(bp.BackpropConfig(x1, x2, target, seed, act, loss, lr))
st.plotly_chart(bp.network_figure(s, param), key="l2bp_fig")
st.subheader("Forward")
st.latex(bp.forward_latex(s))
st.subheader(f"Backward: ∂L/∂{bp.UNICODE[param]}")
st.latex(bp.chain_rule_latex(s, param))
if loss == "bce":
    st.caption("With BCE the first two factors multiply to ŷ − t: the sigmoid's slope cancels, so a "
               "confidently wrong output still gets a large gradient (with MSE it would nearly vanish). "
               "The loss is computed from the logit o as log(1 + eᵒ) − t·o, the same number without "
               "log 0 once ŷ rounds to 1.")
elif act == "relu" and min(s.forward.z) <= 0:
    st.caption("A hidden unit with z ≤ 0 passes no gradient through ReLU: its incoming weights get 0.")

st.subheader("Every gradient, by hand and by autograd")
ok = s.max_abs_diff < 1e-10
(st.success if ok else st.error)(
    f"Autograd check: the largest |hand − autograd| over all 9 parameters is {s.max_abs_diff:.2e}"
    + (" — the hand-written chain rule is exact." if ok else " — they disagree!")
)
st.dataframe(bp.gradient_table(s), hide_index=True,
             column_config={"|difference|": st.column_config.NumberColumn(format="scientific")})

st.subheader("One SGD step")
c1, c2, c3 = st.columns(3)
c1.metric("Loss before", f"{s.forward.loss:.5f}")
change = s.forward_after.loss - s.forward.loss
c2.metric("Loss after θ ← θ − η ∂L/∂θ", f"{s.forward_after.loss:.5f}", f"{change:+.5f}",
          delta_color="inverse")
c3.metric("First-order prediction −η‖∇L‖²", f"{s.predicted_change:+.5f}")
st.markdown(
    "For a small η the change of the loss is close to $-\\eta\\lVert\\nabla L\\rVert^2$: the gradient is the "
    "direction of steepest ascent, so stepping against it lowers L. Raise η and the prediction breaks down "
    "(the loss is not linear); with a target inside (0, 1), say t = 0.5, a large enough step overshoots it "
    "and the loss goes *up*."
)
if change > 0:
    st.warning(f"With η = {lr:g} this step increased the loss: the learning rate is too large here.")
show_source(bp.forward, bp.backward, bp.autograd_gradients)
