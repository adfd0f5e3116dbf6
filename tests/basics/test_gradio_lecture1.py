"""The lecture 1 Gradio tab over HTTP: each api_name endpoint answers with figures and the numbers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gradio_client import Client

from apps.gradio_tabs import lecture1
from core import schedule
from tests.helpers import gradio_tab_client, plot_json

ENDPOINTS = ("/fit_polynomial", "/fit_logistic", "/capacity_sweep", "/learning_rates")
DEFAULTS = (3, "legendre", 0.1, 500, 0.0, 0, 40, 0.25, 0, 60, 20)
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
    assert {"gradient descent", "closed form", "train", "validation", "test"} <= set(names)
    assert [t["name"] for t in plot_json(loss)["data"]][:2] == ["train loss", "val loss"]
    assert nums["status"] == "completed" and nums["points"] == {"train": 24, "val": 8, "test": 8}
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
    assert plot_json(bv)["layout"]["barmode"] == "stack"


def test_learning_rates_classify_each_run(client: Client) -> None:
    *_, nums = client.predict(0.01, 0.9, 1.1, 1, 100, 40, 0.25, 0, api_name="/learning_rates")
    assert nums["lr_stability_limit"] == pytest.approx(1.0)
    assert [r["verdict"] for r in nums["runs"]][:2] == ["converging", "oscillates"]
    assert nums["runs"][2]["status"] == "diverged"


def test_the_gallery_app_mounts_this_tab() -> None:
    from apps.gradio_app import tab_modules

    assert tab_modules(schedule.lecture(1)) == ["lecture1"]
