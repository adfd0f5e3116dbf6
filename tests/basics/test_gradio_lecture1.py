"""The lecture 1 Gradio tab over HTTP: each api_name endpoint answers with figures and the numbers."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr
import pytest
from gradio_client import Client

from apps.gradio_tabs import lecture1
from core import schedule
from core.basics import controls as c
from tests.helpers import gradio_tab_client, plot_json

ENDPOINTS = ("/fit_polynomial", "/fit_logistic", "/capacity_sweep", "/learning_rates")
DEFAULTS = (3, "legendre", 0.1, 500, 0.0, 0, 100, 0.25, 0, 60, 20)
"""fit_polynomial's inputs at the page defaults: degree, basis, η, epochs, λ, batch, data, split."""


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(lecture1.build, "Lecture 1") as c:
        yield c


def test_every_endpoint_is_published(client: Client) -> None:
    named = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert set(ENDPOINTS) <= set(named)


def test_fit_polynomial_returns_fit_losses_and_errors(client: Client) -> None:
    fit, loss, nums = client.predict(*DEFAULTS, api_name="/fit_polynomial")
    names = [t.get("name") for t in plot_json(fit)["data"]]
    assert {"GD", "closed form", "train", "validation", "test"} <= set(names)
    assert [t["name"] for t in plot_json(loss)["data"]][:2] == ["train", "validation"]
    assert nums["status"] == "completed" and nums["points"] == {"train": 60, "val": 20, "test": 20}
    gd, cf = nums["mse"]["gradient descent"], nums["mse"]["closed form"]
    assert gd["val"] == pytest.approx(cf["val"], rel=1e-3)


def test_fit_polynomial_overfits_at_degree_15_and_reports_divergence(client: Client) -> None:
    data = (40, 0.25, 0, 60, 20)  # points, noise, seed, train %, validation %
    *_, high = client.predict(15, "legendre", 0.2, 2000, 0.0, 0, *data, api_name="/fit_polynomial")
    assert high["mse"]["closed form"]["val"] > 10 * high["mse"]["closed form"]["train"]
    *_, bad = client.predict(15, "legendre", 3.0, 500, 0.0, 0, *data, api_name="/fit_polynomial")
    assert bad["status"] == "diverged" and "diverged at epoch" in bad["message"]
    assert bad["mse"]["gradient descent"]["val"] is None


def test_impossible_split_is_a_clear_error(client: Client) -> None:
    with pytest.raises(Exception, match="Cannot split the data"):
        client.predict(3, "legendre", 0.1, 100, 0.0, 0, 10, 0.25, 0, 60, 5, api_name="/fit_polynomial")


def test_fit_logistic_reports_accuracy_per_split(client: Client) -> None:
    fig, _, nums = client.predict("circles", 300, 0.1, 0, 2, 1.0, 300, 0.0, api_name="/fit_logistic")
    assert nums["accuracy"]["test"] > 0.95 and set(nums["accuracy"]) == {"train", "val", "test"}
    assert "circles" in nums["data"] and nums["features"] == 5
    assert plot_json(fig)["data"][0]["type"] == "contour"


def test_capacity_sweep_finds_the_bottom_of_the_u(client: Client) -> None:
    cap, bv, l2, nums = client.predict(0.0, 15, "legendre", 40, 0.25, 0, 60, 20, api_name="/capacity_sweep")
    val = nums["val_mse_by_degree"]
    assert nums["best_degree"] == 3 and min(val) < val[0] / 3 and min(val) < val[-1] / 3
    assert nums["l2s"][0] < nums["best_l2"] < nums["l2s"][-1]
    assert [t["name"] for t in plot_json(bv)["data"]] == ["bias²", "variance", "expected", "measured", "σ²"]
    assert nums["repeats"] == 200 and nums["noise_var"] == 0.0625
    expected = [b + v + 0.0625 for b, v in zip(nums["bias2"], nums["variance"])]
    assert nums["expected_test_mse"] == pytest.approx(expected, rel=1e-3)


def test_learning_rates_classify_each_run(client: Client) -> None:
    *_, nums = client.predict(0.01, 0.9, 1.1, 1, 100, 40, 0.25, 0, api_name="/learning_rates")
    assert nums["lr_stability_limit"] == pytest.approx(1.0)
    assert [r["verdict"] for r in nums["runs"]][:2] == ["converging", "oscillates"]
    assert nums["runs"][2]["status"] == "diverged"


def test_the_gallery_app_mounts_this_tab() -> None:
    from apps.gradio_app import tab_modules

    assert tab_modules(schedule.lecture(1)) == ["lecture1", "lecture1_information"]


# ------------------------------------------------------------------------------------------ input checks

POLY_DEFAULTS = dict(degree=3, basis="legendre", lr=0.1, epochs=500, l2=0.0, batch=0, n=100, noise=0.25,
                     seed=0, train_pct=60, val_pct=20)  # fmt: skip
LOGISTIC_DEFAULTS = dict(dataset="moons", n=300, noise=0.2, seed=0, degree=1, lr=1.0, epochs=300, l2=0.0)
ENDPOINT_CONTROLS: list[tuple[Callable[..., Any], dict[str, Any], dict[str, c.Range | c.Choice]]] = [
    (lecture1.fit_polynomial, POLY_DEFAULTS,
     dict(degree=c.DEGREE, basis=c.BASIS, lr=c.LR, epochs=c.EPOCHS, l2=c.L2, batch=c.BATCH, n=c.POINTS,
          noise=c.NOISE, seed=c.SEED, train_pct=c.TRAIN_PCT, val_pct=c.VAL_PCT)),
    (lecture1.fit_logistic, LOGISTIC_DEFAULTS,
     dict(dataset=c.DATASET, n=c.LOGISTIC_POINTS, noise=c.LOGISTIC_NOISE, seed=c.SEED,
          degree=c.LOGISTIC_DEGREE, lr=c.LOGISTIC_LR, epochs=c.LOGISTIC_EPOCHS, l2=c.L2)),
    (lecture1.capacity_sweep,
     dict(l2=0.0, degree_for_l2=15, basis="legendre", n=100, noise=0.25, seed=0, train_pct=60, val_pct=20),
     dict(l2=c.CAPACITY_L2, degree_for_l2=c.CAPACITY_DEGREE, basis=c.BASIS, n=c.POINTS, noise=c.NOISE,
          seed=c.SEED, train_pct=c.TRAIN_PCT, val_pct=c.VAL_PCT)),
    (lecture1.learning_rates, dict(lr_small=0.01, lr_good=0.3, lr_large=1.1, degree=1, epochs=100, n=100,
                                   noise=0.25, seed=0),
     dict(lr_small=c.LR_SMALL, lr_good=c.LR_GOOD, lr_large=c.LR_LARGE, degree=c.LR_DEGREE, epochs=c.LR_EPOCHS,
          n=c.POINTS, noise=c.NOISE, seed=c.SEED)),
]  # fmt: skip
CASES = [(fn, defaults, name, control) for fn, defaults, controls in ENDPOINT_CONTROLS
         for name, control in controls.items()]  # fmt: skip
CASE_IDS = [f"{fn.__name__}-{name}" for fn, _, name, _ in CASES]


def refusal(fn: Callable[..., Any], defaults: dict[str, Any], **changed: Any) -> str:
    """The message of the gr.Error an endpoint raises for the defaults with ``changed`` arguments."""
    with pytest.raises(gr.Error) as info:
        fn(**(defaults | changed))
    message = str(info.value.message)
    assert "object at 0x" not in message and "<" not in message and "Traceback" not in message
    return message


def bad_values(control: c.Range | c.Choice) -> list[Any]:
    if isinstance(control, c.Range):
        return [math.nan, math.inf, -math.inf, control.lo - 1, control.hi + 1, "abc", None, [1, 2]]
    return [math.nan, "no such option", None, {"a": 1}, 12345.5]


@pytest.mark.parametrize(("fn", "defaults", "name", "control"), CASES, ids=CASE_IDS)
def test_every_argument_outside_its_page_control_is_refused_by_name(
    fn: Callable[..., Any], defaults: dict[str, Any], name: str, control: c.Range | c.Choice
) -> None:
    for bad in bad_values(control):
        message = refusal(fn, defaults, **{name: bad})
        assert message.startswith(control.label), message
        if isinstance(control, c.Range):
            assert f"from {control.lo:g} to {control.hi:g}" in message or "whole number" in message


@pytest.mark.parametrize(("fn", "defaults", "name", "control"), CASES, ids=CASE_IDS)
def test_the_ends_of_each_page_control_are_accepted(
    fn: Callable[..., Any], defaults: dict[str, Any], name: str, control: c.Range | c.Choice
) -> None:
    ranged = isinstance(control, c.Range)
    ends = (control.lo, control.hi) if ranged else (control.options[0], control.options[-1])
    for value in ends:
        if name in ("train_pct", "val_pct") and value == control.hi:
            continue  # the largest share with the other's default leaves no test set (checked below)
        if name == "n" and value == control.lo and fn is not lecture1.fit_logistic:
            value = 20  # 10 points cannot be split 60/20/20 with a point in each (checked below)
        *_, numbers = fn(**(defaults | {name: value}))
        assert isinstance(numbers, dict) and numbers


def test_numeric_choices_sent_as_numbers_are_accepted() -> None:
    *_, a = lecture1.fit_polynomial(**POLY_DEFAULTS)
    *_, b = lecture1.fit_polynomial(**(POLY_DEFAULTS | dict(epochs=500.0, l2=0, batch=0.0)))
    assert a == b
    *_, one = lecture1.fit_logistic(**(LOGISTIC_DEFAULTS | dict(lr=1, epochs=300.0, l2=0)))
    assert one["status"] == "completed"


def test_whole_number_controls_refuse_fractions() -> None:
    assert "whole number" in refusal(lecture1.fit_polynomial, POLY_DEFAULTS, degree=2.5)
    assert "whole number" in refusal(lecture1.fit_polynomial, POLY_DEFAULTS, seed=0.5)


def test_shares_leaving_no_test_set_are_refused_like_the_page_warns() -> None:
    message = refusal(lecture1.fit_polynomial, POLY_DEFAULTS, train_pct=80, val_pct=40)
    assert "leave under 10% for the test set" in message


def test_out_of_range_over_http_names_the_control_not_gradio_internals(client: Client) -> None:
    args = list(DEFAULTS)
    args[0] = 100  # degree
    with pytest.raises(Exception, match="Polynomial degree must be a whole number from 1 to 15, not 100"):
        client.predict(*args, api_name="/fit_polynomial")
    args[0], args[2] = 3, "fast"  # learning rate
    with pytest.raises(Exception, match="Learning rate η must be one of 0.001, 0.003"):
        client.predict(*args, api_name="/fit_polynomial")
