"""Lecture 1's information-theory tab: ``/information_measures`` and ``/swap_distributions`` give the core's
numbers and figures, over HTTP and called directly, and refuse what the page's sliders cannot send."""

from __future__ import annotations

import math
from collections.abc import Iterator

import gradio as gr
import pytest
from gradio_client import Client

from apps.gradio_tabs import lecture1_information as tab
from core.basics import controls as c
from core.basics import information as it
from tests.helpers import gradio_tab_client, plot_json

DEFAULTS = (c.OUTCOMES.default, c.UNIT.default, *c.P_WEIGHTS, *c.Q_WEIGHTS)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(tab.build, "Lecture 1") as cl:
        yield cl


def test_the_endpoints_answer_over_http_with_the_core_numbers(client: Client) -> None:
    named = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert {"/information_measures", "/swap_distributions"} <= set(named)
    dist, kl, nums = client.predict(*DEFAULTS, api_name="/information_measures")
    p, q = it.normalise(c.P_WEIGHTS[:4]), it.normalise(c.Q_WEIGHTS[:4])
    expected = it.summary(p, q, "bits")
    for key, value in expected.items():
        assert nums[key] == pytest.approx(value, abs=1e-6)
    assert nums["p"] == pytest.approx(list(p), abs=1e-6) and len(nums["q"]) == 4
    assert nums["KL(p||q)"] != pytest.approx(nums["KL(q||p)"])  # not a distance
    assert [t["name"] for t in plot_json(dist)["data"]] == ["p", "q"]
    assert "bits" in plot_json(kl)["layout"]["title"]["text"]


def test_only_the_first_k_weights_count_and_units_convert() -> None:
    *_, nats = tab.information_measures(2, "nats", 1, 1, 7, 7, 7, 7, 1, 3, 0, 0, 0, 0)
    assert nats["p"] == [0.5, 0.5] and nats["q"] == [0.25, 0.75]
    assert nats["H(p)"] == nats["max entropy log K"] == pytest.approx(math.log(2))
    *_, bits = tab.information_measures(2, "bits", 1, 1, 7, 7, 7, 7, 1, 3, 0, 0, 0, 0)
    assert bits["H(p)"] == pytest.approx(1.0)
    assert bits["KL(p||q)"] == pytest.approx(nats["KL(p||q)"] / math.log(2), rel=1e-5)


def test_a_zero_in_q_makes_one_direction_infinite() -> None:
    *_, nums = tab.information_measures(3, "bits", 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0)
    assert nums["KL(p||q)"] == "∞" and nums["H(p,q)"] == "∞"
    assert nums["KL(q||p)"] == pytest.approx(it.kl_divergence([0.5, 0.5, 0], [1 / 3] * 3, "bits"), abs=1e-6)
    assert nums["KL(p||q) - KL(q||p)"] == "undefined (∞)"
    *_, zero = tab.information_measures(3, "bits", 0, 0, 0, 5, 5, 5, 1, 1, 1, 0, 0, 0)
    assert zero["p"] == pytest.approx([1 / 3] * 3, abs=1e-6) and "p" in zero["note"]


def test_swap_exchanges_the_weights_and_the_kl_directions(client: Client) -> None:
    *weights, _, _, swapped = client.predict(*DEFAULTS, api_name="/swap_distributions")
    assert tuple(weights) == (*c.Q_WEIGHTS, *c.P_WEIGHTS)
    *_, before = tab.information_measures(*DEFAULTS)
    assert swapped["KL(p||q)"] == pytest.approx(before["KL(q||p)"])
    assert swapped["H(p)"] == pytest.approx(before["H(q)"])


@pytest.mark.parametrize(("index", "value", "match"), [
    (0, 7, "Number of outcomes must be a whole number from 2 to 6"),
    (0, math.nan, "Number of outcomes must be a whole number from 2 to 6"),
    (0, 2.5, "from 2 to 6"),
    (1, "dits", "Unit must be one of bits, nats"),
    (2, 11, "p weight 1 must be a whole number from 0 to 10"),
    (9, -1, "q weight 2 must be a whole number from 0 to 10"),
    (13, math.inf, "q weight 6 must be a whole number from 0 to 10"),
    (7, "x", "p weight 6 must be a .*number from 0 to 10"),
])  # fmt: skip
def test_every_input_is_checked_against_the_page_range(index: int, value: object, match: str) -> None:
    args = list(DEFAULTS)
    args[index] = value
    for endpoint in (tab.information_measures, tab.swap_distributions):
        with pytest.raises(gr.Error, match=match):
            endpoint(*args)


def test_a_missing_weight_is_refused() -> None:
    with pytest.raises(gr.Error, match="need 6 p weights and 6 q weights"):
        tab.information_measures(4, "bits", 1, 2, 3)
