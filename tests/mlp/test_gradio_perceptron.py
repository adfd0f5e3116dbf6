"""Lecture 2's perceptron tab: ``/perceptron_run`` and ``/perceptron_steps`` give the core run's numbers and
figures, over HTTP and called directly, and refuse what the page's widgets cannot send."""

from __future__ import annotations

import math
from collections.abc import Iterator

import gradio as gr
import pytest
from gradio_client import Client

from apps.gradio_tabs import lecture2_perceptron as tab
from core.mlp import perceptron as pc
from tests.helpers import gradio_tab_client, plot_json

SETTINGS = ("separable", 1.0, 20, False, 0)
"""The page's defaults: data set, η, max epochs, random initial weights, seed."""


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(tab.build, "Lecture 2") as cl:
        yield cl


def test_only_the_two_endpoints_are_published(client: Client) -> None:
    named = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert {"/perceptron_run", "/perceptron_steps"} <= set(named)
    assert not any("move" in name or "target" in name for name in named)  # the buttons only move the slider


def test_a_run_over_http_resets_the_slider_and_reports_the_core_run(client: Client) -> None:
    step, fig, mistakes, nums = client.predict(*SETTINGS, api_name="/perceptron_run")
    r = pc.run(pc.PerceptronConfig())
    assert step["value"] == 0 and step["maximum"] == nums["n_updates"] == r.n_updates > 0
    assert nums["converged"]
    assert nums["verdict"] == r.verdict() and "Novikoff" in nums["verdict"]
    assert nums["novikoff_bound"] == pytest.approx(r.bound) and nums["n_updates"] <= r.bound
    assert nums["mistakes_per_epoch"] == list(r.mistakes) and nums["mistakes_per_epoch"][-1] == 0
    assert plot_json(fig)["layout"]["title"]["text"].startswith(f"Step 0/{r.n_updates}")
    assert plot_json(mistakes)["data"][0]["y"] == list(r.mistakes)


def test_a_step_writes_out_the_update_the_core_made(client: Client) -> None:
    fig, _, nums = client.predict(*SETTINGS, 3, api_name="/perceptron_steps")
    u = pc.run(pc.PerceptronConfig()).updates[2]
    assert nums["update"]["point"] == u.index and nums["update"]["epoch"] == u.epoch
    assert nums["update"]["w_after"] == pytest.approx(list(u.w_after))
    assert nums["w"] == nums["update"]["w_after"]
    assert nums["update"]["score"] <= 0  # the point was misclassified
    assert f"Step 3/{nums['n_updates']}" in plot_json(fig)["layout"]["title"]["text"]
    *_, last = tab.perceptron_steps(*SETTINGS, nums["n_updates"])
    assert last["misclassified_now"] == 0


def test_xor_cycles_and_the_learning_rate_only_rescales_from_zero() -> None:
    *_, xor = tab.perceptron_steps("xor", 1.0, 20, False, 0, 4)
    assert not xor["separable"] and xor["cycle"] is not None and xor["margin"] is None
    assert "Cycle" in xor["verdict"] and xor["misclassified_now"] > 0
    *_, small = tab.perceptron_steps("separable", 0.1, 20, False, 0, 5)
    *_, big = tab.perceptron_steps("separable", 1.0, 20, False, 0, 5)
    assert small["update"]["point"] == big["update"]["point"]
    assert small["w"] == pytest.approx([v / 10 for v in big["w"]], abs=1e-5)
    *_, rand = tab.perceptron_steps("separable", 1.0, 20, True, 0, 0)
    assert rand["w"] != [0.0, 0.0] and rand["novikoff_bound"] is None


def test_the_step_buttons_stay_within_the_run() -> None:
    n = pc.run(pc.PerceptronConfig()).n_updates
    assert tab._move("next")(*SETTINGS, n) == n and tab._move("previous")(*SETTINGS, 0) == 0
    assert tab._move("next")(*SETTINGS, 2) == 3 and tab._move("last")(*SETTINGS, 2) == n
    assert tab._move("first")(*SETTINGS, 5) == 0


@pytest.mark.parametrize(("index", "value", "match"), [
    (0, "spiral", "Data set must be one of separable, and, or, xor, xor-clusters"),
    (1, 0.2, "Learning rate η must be one of 0.01, 0.1, 0.5, 1"),
    (1, math.nan, "Learning rate η must be one of"),
    (2, 51, "Max epochs must be a whole number from 1 to 50"),
    (2, 0, "Max epochs must be a whole number from 1 to 50"),
    (2, math.inf, "from 1 to 50"),
    (3, "yes", "Start from random weights must be true or false"),
    (4, 10_000, "Seed must be a whole number from 0 to 9999"),
    (4, -1, "Seed must be a whole number from 0 to 9999"),
    (4, math.nan, "from 0 to 9999"),
])  # fmt: skip
def test_every_setting_is_checked_against_the_page_range(index: int, value: object, match: str) -> None:
    args = list(SETTINGS)
    args[index] = value
    with pytest.raises(gr.Error, match=match):
        tab.perceptron_run(*args)
    with pytest.raises(gr.Error, match=match):
        tab.perceptron_steps(*args, 0)


def test_the_update_number_is_checked_against_the_run() -> None:
    n = pc.run(pc.PerceptronConfig()).n_updates
    for bad in (n + 1, -1, 1.5, math.nan):
        with pytest.raises(gr.Error, match=f"Update must be a whole number from 0 to {n}"):
            tab.perceptron_steps(*SETTINGS, bad)
