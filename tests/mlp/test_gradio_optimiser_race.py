"""The optimiser race as a Gradio tab: its API endpoints answer a real client over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from gradio_client import Client

from core.mlp import optimisers as ov
from tests.helpers import gradio_tab_client, plot_json


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    from apps.gradio_tabs import lecture2_optim

    with gradio_tab_client(lecture2_optim.build) as c:
        yield c


RACE = dict(surface="bowl", lr=0.01, lr_adaptive=0.1, steps=60, start_x=-2.5, start_y=1.5, momentum=0.9,
            alpha=0.99, beta1=0.9, beta2=0.999, condition=50,
            optimizers=["sgd", "momentum", "rmsprop", "adam"])


def test_endpoints_are_listed(client: Client) -> None:
    named = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/optimizer_race", "/trajectory", "/optimizer_surface"} <= set(named)


def test_optimizer_race_returns_figures_and_final_losses(client: Client) -> None:
    paths, losses, summary = client.predict(*RACE.values(), api_name="/optimizer_race")
    names = [tr.get("name") for tr in plot_json(paths)["data"]]
    assert {"SGD", "Momentum", "RMSProp", "Adam"} <= set(names)
    assert plot_json(losses)["layout"]["yaxis"]["type"] == "log"
    assert set(summary["final_losses"]) == set(ov.OPTIMIZERS) and summary["diverged"] == []
    local = ov.race("bowl", {"sgd": 0.01, "momentum": 0.01, "rmsprop": 0.1, "adam": 0.1}, 60, condition=50)
    assert summary["final_losses"]["adam"] == pytest.approx(local.runs["adam"].final_loss)


def test_diverging_lr_is_reported_not_raised(client: Client) -> None:
    args = {**RACE, "lr": 0.5, "optimizers": ["sgd", "adam"]}
    paths, _, summary = client.predict(*args.values(), api_name="/optimizer_race")
    assert summary["diverged"] == ["sgd"]
    assert summary["final_losses"]["sgd"].startswith("diverged at step")
    assert any("diverged" in (tr.get("name") or "") for tr in plot_json(paths)["data"])


def test_trajectory_endpoint_matches_core(client: Client) -> None:
    out = client.predict("rosenbrock", "momentum", 0.001, 40, -1.2, 1.0, 0.9, 0.99, 0.9, 0.999,
                         api_name="/trajectory")
    expected = ov.trajectory("rosenbrock", "momentum", 0.001, 40, (-1.2, 1.0), momentum=0.9)
    assert out["diverged_at"] is None
    np.testing.assert_allclose(out["path"], expected, rtol=1e-12)
    bad = client.predict("bowl", "sgd", 2.0, 50, -2.5, 1.5, 0.9, 0.99, 0.9, 0.999, api_name="/trajectory")
    assert bad["diverged_at"] is not None and len(bad["path"]) == bad["diverged_at"]


def test_switching_surface_loads_its_suggestions(client: Client) -> None:
    out = client.predict("rosenbrock", 0.9, 0.99, 0.9, 0.999, 50, ["adam"], api_name="/optimizer_surface")
    s = ov.SURFACES["rosenbrock"]
    assert out[:5] == (s.lr, s.lr_adaptive, s.steps, s.start[0], s.start[1])
    assert list(out[7]["final_losses"]) == ["adam"]
