"""The 2D GAN Gradio tab over HTTP: /train_gan2d trains through the job queue and answers with the page's
end-of-run figures (generated points over the data and D's map, both losses) and numbers, the same as the
core run for the same settings; /gan2d_data draws the page's data figure; values the page does not offer
are refused with the range; a cancelled request stops its training."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr
import numpy as np
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from apps import catalog
from apps.gradio_tabs import lecture5_gan2d as tab
from core.generative import gan2d as gan
from tests.helpers import gradio_tab_client, plot_json
from tests.job_requests import cancel_when_running, recording_queue

SMALL = ("ring", 500, 1e-3, 1e-3, 1, 3)
"""data, generator updates, learning rates of G and D, D updates per G update, seed: the smallest run."""


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(tab.build, "2D GAN") as c:
        yield c


def _traces(figure: Any) -> dict[str, dict[str, Any]]:
    return {t.get("name", t["type"]): t for t in plot_json(figure)["data"]}


def test_train_gan2d_gives_the_page_s_result_and_the_core_s_numbers(client: Client) -> None:
    figure, curves, numbers, note = client.predict(*SMALL, api_name="/train_gan2d")
    # The page's core call with the same settings: seeded, so the same generator, point for point.
    run = gan.train_gan(gan.GANConfig(steps=500, seed=3))
    assert (numbers["modes_covered"], numbers["modes"]) == run.modes
    assert numbers["status"] == "completed" and numbers["generator_updates"] == 500 == run.fit.steps
    assert numbers["passes"] == gan.PASSES and numbers["config"]["time_budget_s"] == gan.TIME_BUDGET_S
    traces = _traces(figure)
    assert np.allclose(traces["generated"]["x"], run.final.fake[:, 0], atol=1e-5)
    assert np.allclose(traces["generated"]["y"], run.final.fake[:, 1], atol=1e-5)
    assert np.allclose(traces["data"]["x"], run.real[:, 0]) and len(traces["data"]["x"]) == 1000
    assert np.allclose(traces["D(x)"]["z"], run.final.d_map.round(3), atol=2e-3)
    assert plot_json(figure)["layout"]["title"]["text"] == "After 500 generator updates"
    losses = _traces(curves)
    assert {"train d loss", "train g loss"} <= set(losses) and len(losses["train d loss"]["y"]) > 10
    # The curves are running means between rows the recorder logs on a clock: the last one's span varies.
    assert 0.0 < numbers["final_d_loss"] < 3.0 and numbers["final_d_loss"] == pytest.approx(
        losses["train d loss"]["y"][-1], abs=1e-4)
    assert f"**{run.modes[0]} of 8 modes covered**" in note and "500 G updates of 256 points; seed 3" in note


def test_gan2d_data_draws_the_page_s_data(client: Client) -> None:
    figure = client.predict("grid", 7, api_name="/gan2d_data")
    traces = plot_json(figure)["data"]
    assert [t["name"] for t in traces] == ["data"]  # no generator yet, no map
    assert np.allclose(traces[0]["x"], gan.sample_target("grid", 1000, 8)[:, 0])


@pytest.mark.parametrize(("i", "value", "message"), [
    (0, "spiral", "data must be one of ring, grid, two; got 'spiral'"),
    (1, 600, "generator updates must be one of 500, 1000, 2000, 3000, 5000; got 600"),
    (1, "nan", "generator updates must be one of 500, 1000"),
    (2, 0.5, "generator learning rate must be one of 0.0001, 0.0003, 0.001, 0.003, 0.01; got 0.5"),
    (3, "inf", "discriminator learning rate must be one of 0.0001, 0.0003, 0.001, 0.003, 0.01"),
    (4, 0, "discriminator updates per generator update must be a whole number from 1 to 5, not 0"),
    (4, 6, "discriminator updates per generator update must be a whole number from 1 to 5, not 6"),
    (4, "nan", "discriminator updates per generator update must be a whole number from 1 to 5"),
    (5, -1, "seed must be a whole number from 0 to 9999, not -1"),
    (5, 10_000, "seed must be a whole number from 0 to 9999, not 10000"),
    (5, 2.5, "seed must be a whole number from 0 to 9999"),
])  # fmt: skip
def test_train_gan2d_refuses_what_the_page_does_not_offer(client: Client, i: int, value: Any,
                                                          message: str) -> None:  # fmt: skip
    args = list(SMALL)
    args[i] = value
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name="/train_gan2d")


@pytest.mark.parametrize(("args", "message"), [
    (("moons", 0), "data must be one of ring, grid, two"), (("ring", "inf"), "seed must be a whole number"),
    (("ring", 99_999), "seed must be a whole number from 0 to 9999"),
])  # fmt: skip
def test_gan2d_data_refuses_what_the_page_does_not_offer(client: Client, args: tuple, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name="/gan2d_data")


def test_values_arrive_as_sent_and_are_checked_the_same_way() -> None:
    class Progress:
        def __init__(self) -> None:
            self.calls: list[str] = []

        def __call__(self, value: float, desc: str = "") -> None:
            self.calls.append(desc)

    with pytest.raises(gr.Error, match="generator learning rate must be one of"):
        next(tab.train_gan2d("ring", 500, float("nan"), 1e-3, 1, 0))
    progress = Progress()
    *waits, (_, _, numbers, _) = tab.train_gan2d("two", "500", "0.001", 0.001, 2.0, "4", progress=progress)
    assert waits and all(w == (gr.skip(),) * 4 for w in waits)  # "no update" while the job runs
    sent = {"target": "two", "steps": 500, "d_steps": 2, "seed": 4, "lr_g": 1e-3, "lr_d": 1e-3}
    assert {k: numbers["config"][k] for k in sent} == sent
    assert numbers["modes"] == 2 and progress.calls


def test_the_tab_is_the_page_s_demo() -> None:
    assert catalog.demo("l5-gan2d").gradio == "lecture5_gan2d"


def test_a_cancelled_request_stops_its_training(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = recording_queue(monkeypatch)
    # 5,000 generator updates with 5 discriminator updates each: it would run into its 120 s budget.
    request = client.submit("grid", 5_000, 1e-3, 1e-3, 5, 0, api_name="/train_gan2d")
    job = cancel_when_running(request, jobs)  # what the tab's Stop button does, and a closed page
    assert job.status == "stopped" and job.should_stop()
    assert job.result.fit.status == "stopped"  # not "time_budget": the stop ended it
