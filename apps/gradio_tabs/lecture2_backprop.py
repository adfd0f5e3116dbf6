"""Gradio tab of lecture 2's backprop step-through: one example forward and backward through a 2-2-1 network.

Endpoint ``/backprop_step`` (x₁, x₂, target t, weight seed, hidden activation, loss, learning rate η, the
parameter to follow) -> the network with every value and gradient (``core.mlp.backprop.network_figure``,
the followed parameter's backward path in red), the forward pass and the chain rule for that parameter with
the numbers plugged in (``forward_latex``, ``chain_rule_latex``), every gradient by hand and by autograd
with the value after one SGD step (``gradient_table``), and the numbers (loss before and after the step,
the first-order prediction −η‖∇L‖², the largest |hand − autograd|). One core call, as on the Streamlit page
``l2-backprop``: ``core.mlp.backprop.step_through``. The ranges and choices are the page's
(``core.mlp.backprop``: INPUT_RANGE, TARGET_RANGE, SEED_RANGE, ACTIVATIONS, LOSSES, LEARNING_RATES, PARAMS).
"""

from __future__ import annotations

import functools
from typing import Any

import gradio as gr
import pandas as pd
import plotly.graph_objects as go

from apps.gradio_tabs import inputs
from core.mlp import backprop as bp

OWN_TABS = True
"""build() opens its own tabs (the front end adds none around it)."""

DEFAULT = bp.BackpropConfig()
FOLLOWED = "w12"
"""The parameter whose gradient is written out at first (the page's default)."""
Result = tuple[go.Figure, str, pd.DataFrame, dict[str, Any]]


@functools.lru_cache(maxsize=32)
def _step(cfg: bp.BackpropConfig) -> bp.StepThrough:
    return bp.step_through(cfg)


def _text(s: bp.StepThrough, param: str) -> str:
    """The forward pass and the chain rule for ``param``, as the page writes them (KaTeX)."""
    parts = ["**Forward**", f"$${bp.forward_latex(s)}$$", f"**Backward: ∂L/∂{bp.UNICODE[param]}**",
             f"$${bp.chain_rule_latex(s, param)}$$"]  # fmt: skip
    if s.config.loss == "bce":
        parts.append("With BCE the first two factors multiply to ŷ − t: the sigmoid's slope cancels, so a "
                     "confidently wrong output still gets a large gradient.")
    elif s.config.activation == "relu" and min(s.forward.z) <= 0:
        parts.append("A hidden unit with z ≤ 0 passes no gradient through ReLU: its incoming weights get 0.")
    return "\n\n".join(parts)


def backprop_step(x1: Any, x2: Any, target: Any, seed: Any, activation: Any, loss: Any, lr: Any,
                  param: Any) -> Result:  # fmt: skip
    """Forward, backward by hand, the autograd check and one SGD step for one example."""
    cfg = bp.BackpropConfig(
        x1=inputs.number("Input x₁", x1, *bp.INPUT_RANGE, integer=False),
        x2=inputs.number("Input x₂", x2, *bp.INPUT_RANGE, integer=False),
        target=inputs.number("Target t", target, *bp.TARGET_RANGE, integer=False),
        seed=inputs.number("Weight initialisation seed", seed, *bp.SEED_RANGE),
        activation=inputs.choice("Hidden activation", activation, bp.ACTIVATIONS),
        loss=inputs.choice("Loss", loss, bp.LOSSES),
        lr=inputs.choice("Learning rate η", lr, bp.LEARNING_RATES),
    )
    p = inputs.choice("Follow the gradient of", param, bp.PARAMS)
    s = _step(cfg)
    numbers = {
        "yhat": s.forward.yhat, "loss_before": s.forward.loss, "loss_after": s.forward_after.loss,
        "loss_change": s.forward_after.loss - s.forward.loss, "predicted_change": s.predicted_change,
        "max_abs_diff_hand_vs_autograd": s.max_abs_diff, "gradient": s.backward.grads[p],
        "params": dict(s.params), "gradients": dict(s.backward.grads),
        "params_after": dict(s.params_after),
    }  # fmt: skip
    return bp.network_figure(s, p), _text(s, p), pd.DataFrame(bp.gradient_table(s)), numbers


def build() -> None:
    """Lay out the backprop step-through inside the current Blocks/Tab."""
    with gr.Tab("Backprop step-through"):
        gr.Markdown(
            "A network with two inputs, two hidden units and one sigmoid output: z = Wx + b, h = act(z), "
            "o = v·h + c, ŷ = σ(o). The **forward pass** computes every value once; the **backward pass** "
            "reuses them, multiplying local derivatives from the loss back to each weight (the chain rule), "
            "checked against torch autograd; then one SGD step θ ← θ − η ∂L/∂θ."
        )
        with gr.Row():
            x1 = inputs.CheckedSlider(*bp.INPUT_RANGE, value=DEFAULT.x1, step=0.1, label="Input x₁")
            x2 = inputs.CheckedSlider(*bp.INPUT_RANGE, value=DEFAULT.x2, step=0.1, label="Input x₂")
            target = inputs.CheckedSlider(*bp.TARGET_RANGE, value=DEFAULT.target, step=0.05, label="Target t")
            seed = inputs.CheckedNumber(DEFAULT.seed, minimum=bp.SEED_RANGE[0], maximum=bp.SEED_RANGE[1],
                                        precision=0, label="Weight initialisation seed")  # fmt: skip
        with gr.Row():
            act = inputs.CheckedRadio(list(bp.ACTIVATIONS), value=DEFAULT.activation,
                                      label="Hidden activation")
            loss = inputs.CheckedRadio([(bp.LOSS_NAMES[k], k) for k in bp.LOSSES], value=DEFAULT.loss,
                                       label="Loss")  # fmt: skip
            lr = inputs.CheckedDropdown(list(bp.LEARNING_RATES), value=DEFAULT.lr,
                                        label="Learning rate η (one SGD step)")  # fmt: skip
            param = inputs.CheckedDropdown([(bp.UNICODE[k], k) for k in bp.PARAMS], value=FOLLOWED,
                                           label="Follow the gradient of")  # fmt: skip
        first = backprop_step(DEFAULT.x1, DEFAULT.x2, DEFAULT.target, DEFAULT.seed, DEFAULT.activation,
                              DEFAULT.loss, DEFAULT.lr, FOLLOWED)  # fmt: skip
        with gr.Row():
            fig = gr.Plot(first[0], label="The network: values and gradients")
            text = gr.Markdown(first[1], latex_delimiters=[{"left": "$$", "right": "$$", "display": True}])
        table = gr.Dataframe(first[2], label="Every gradient, by hand and by autograd", interactive=False)
        numbers = gr.JSON(first[3], label="One SGD step")
        controls = [x1, x2, target, seed, act, loss, lr, param]
        triggers = [seed.submit, seed.blur, *(c.release if isinstance(c, gr.Slider) else c.change
                                              for c in controls if c is not seed)]  # fmt: skip
        gr.on(triggers, backprop_step, controls, [fig, text, table, numbers], api_name="backprop_step")
