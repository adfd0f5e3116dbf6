"""Lecture 2's backprop tab: ``/backprop_step`` gives the core's forward pass, hand and autograd gradients and
SGD step, over HTTP and called directly, and refuses what the page's widgets cannot send."""

from __future__ import annotations

import math
from collections.abc import Iterator

import gradio as gr
import pytest
from gradio_client import Client

from apps.gradio_tabs import lecture2_backprop as tab
from core.mlp import backprop as bp
from tests.helpers import gradio_tab_client, plot_json

DEFAULTS = (1.0, -0.5, 1.0, 0, "sigmoid", "mse", 0.5, "w12")
"""The page's defaults: x₁, x₂, t, seed, activation, loss, η, followed parameter."""


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(tab.build, "Lecture 2") as cl:
        yield cl


def test_the_step_over_http_matches_the_core(client: Client) -> None:
    assert "/backprop_step" in client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    fig, text, table, nums = client.predict(*DEFAULTS, api_name="/backprop_step")
    s = bp.step_through(bp.BackpropConfig())
    assert nums["loss_before"] == pytest.approx(s.forward.loss) and nums["loss_after"] < nums["loss_before"]
    assert nums["gradient"] == pytest.approx(s.backward.grads["w12"])
    assert nums["gradients"] == pytest.approx(dict(s.autograd), abs=1e-12)
    assert nums["max_abs_diff_hand_vs_autograd"] < 1e-10
    assert nums["predicted_change"] == pytest.approx(-0.5 * sum(g * g for g in s.backward.grads.values()))
    assert r"\frac{\partial L}{\partial w_{12}}" in text and "**Forward**" in text
    assert len(table["data"]) == len(bp.PARAMS) and "∂L/∂θ autograd" in table["headers"]
    assert plot_json(fig)["data"]


def test_every_activation_and_loss_agrees_with_autograd() -> None:
    for act in bp.ACTIVATIONS:
        for loss in bp.LOSSES:
            _, text, table, nums = tab.backprop_step(1.5, -2.0, 0.3, 7, act, loss, 2.0, "v1")
            assert nums["max_abs_diff_hand_vs_autograd"] < 1e-10
            assert table["|difference|"].max() < 1e-10 and r"\partial v_1}" in text
    _, bce, _, _ = tab.backprop_step(*DEFAULTS[:5], "bce", *DEFAULTS[6:])
    assert "the sigmoid's slope cancels" in bce


def test_a_large_step_overshoots_and_the_same_request_gives_the_same_numbers() -> None:
    *_, small = tab.backprop_step(1.0, -0.5, 0.5, 3, "tanh", "mse", 0.01, "c")
    *_, large = tab.backprop_step(1.0, -0.5, 0.5, 3, "tanh", "mse", 50.0, "c")
    assert small["loss_change"] == pytest.approx(small["predicted_change"], rel=0.05)
    assert large["loss_change"] > 0  # past the target: the loss goes up
    assert tab.backprop_step(1.0, -0.5, 0.5, 3, "tanh", "mse", 50.0, "c")[3] == large


@pytest.mark.parametrize(("index", "value", "match"), [
    (0, 2.5, "Input x₁ must be a number from -2 to 2"),
    (1, math.nan, "Input x₂ must be a number from -2 to 2"),
    (2, 1.2, "Target t must be a number from 0 to 1"),
    (2, -math.inf, "Target t must be a number from 0 to 1"),
    (3, 10_000, "Weight initialisation seed must be a whole number from 0 to 9999"),
    (3, 0.5, "from 0 to 9999"),
    (4, "gelu", "Hidden activation must be one of sigmoid, tanh, relu"),
    (5, "hinge", "Loss must be one of mse, bce"),
    (6, 0.3, "Learning rate η must be one of 0.01, 0.05"),
    (7, "w33", "Follow the gradient of must be one of w11, w12"),
])  # fmt: skip
def test_every_input_is_checked_against_the_page_range(index: int, value: object, match: str) -> None:
    args = list(DEFAULTS)
    args[index] = value
    with pytest.raises(gr.Error, match=match):
        tab.backprop_step(*args)
