"""The initialisation Gradio tab: /layer_statistics answers with what the core measures for the same net
(verdict, numbers, figures; overflow as null), /train_initialisation trains the page's short run through the
job queue (seeded: the same numbers as the core call), can be cancelled, and both refuse what the page does
not offer."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import gradio as gr
import pytest
from gradio_client import Client

from apps.gradio_tabs import lecture3_initialisation as tab
from core.cnn import initialisation as iv
from core.training import Callback
from tests.helpers import gradio_tab_client, plot_json
from tests.job_requests import cancel_when_running, recording_queue

SMALL = (3, 32, "he", "relu", False)  # depth, width, initialisation, activation, batch norm


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(tab.build, "Lecture 3") as c:
        yield c


def test_layer_statistics_are_the_core_measurement(client: Client) -> None:
    verdict, numbers, fig, hist = client.predict(20, 128, "small normal", "sigmoid", False, True,
                                                 api_name="/layer_statistics")  # fmt: skip
    config = iv.InitConfig(depth=20, width=128, init="small normal", activation="sigmoid")
    stats = iv.layer_statistics(config)
    assert verdict == iv.diagnose(stats) and verdict.startswith("Vanishing")
    assert numbers["loss_at_initialisation"] == pytest.approx(stats.loss, rel=1e-5)
    assert numbers["gradient_norm_first_over_last"] == pytest.approx(stats.vanishing_ratio, rel=1e-5)
    assert numbers["activation_std_last_over_first"] == pytest.approx(stats.signal_ratio, rel=1e-5)
    assert numbers["per_layer"]["gradient_norm"] == pytest.approx(stats.grad_norm.tolist(), rel=1e-5)
    assert len(numbers["per_layer"]["activation_std"]) == 20
    refs = [iv.label(c) for c in iv.reference_configs(config)]
    assert numbers["references"] == refs and len(refs) == 3
    names = {t["name"] for t in plot_json(fig)["data"]}
    assert names == {iv.label(config), *refs}  # the reference settings are overlaid
    assert len(plot_json(hist)["data"]) >= 1


def test_the_textbook_pairing_is_healthy_and_no_overlay_means_one_setting() -> None:
    verdict, numbers, fig, _ = tab.layer_statistics(20, 128, "he", "relu", False, False)
    assert verdict.startswith("Healthy") and numbers["references"] == []
    assert {t.name for t in fig.data} == {"he · relu · depth 20"}


def test_an_overflowing_net_gives_null_numbers_and_says_so(client: Client) -> None:
    verdict, numbers, _, _ = client.predict(iv.MAX_DEPTH, 256, "large normal", "relu", False, False,
                                            api_name="/layer_statistics")  # fmt: skip
    assert verdict.startswith("Exploding: activations or gradients overflow float32")
    assert None in numbers["per_layer"]["activation_std"]  # inf in float32: null, valid JSON


@pytest.mark.parametrize(("args", "message"), [
    ((0, 128, "xavier", "tanh", False, False), "layers\\) must be a whole number from 1 to 50, not 0"),
    ((51, 128, "xavier", "tanh", False, False), "from 1 to 50, not 51"),
    (("nan", 128, "xavier", "tanh", False, False), "Depth \\(hidden layers\\) must be a whole number"),
    ((20, 100, "xavier", "tanh", False, False), "Width must be one of 32, 64, 128, 256; got 100"),
    ((20, "inf", "xavier", "tanh", False, False), "Width must be one of 32, 64, 128, 256"),
    ((20, 128, "orthogonal", "tanh", False, False), "Initialisation must be one of zeros, small normal"),
    ((20, 128, "xavier", "gelu", False, False), "Activation must be one of sigmoid, tanh, relu; got 'gelu'"),
    ((20, 128, "xavier", "tanh", "maybe", False), "Batch normalisation must be one of False, True"),
])  # fmt: skip
def test_statistics_refuse_what_the_page_does_not_offer(client: Client, args: tuple, message: str) -> None:
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name="/layer_statistics")


def test_the_same_request_again_is_served_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[iv.InitConfig] = []
    real = iv.layer_statistics
    monkeypatch.setattr(iv, "layer_statistics", lambda c: calls.append(c) or real(c))
    tab._stats.cache_clear()
    tab._statistics.cache_clear()
    first = tab.layer_statistics(4, 64, "xavier", "tanh", True, False)
    again = tab.layer_statistics("4", 64.0, "xavier", "tanh", True, False)  # the same values, spelt otherwise
    assert len(calls) == 1 and first[1] == again[1]


class Recorder:
    """Stands in for gr.Progress when the endpoint is called as a function."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    def __call__(self, value: float, desc: str = "") -> None:
        self.calls.append((value, desc))


def _without_time(numbers: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in numbers.items() if k != "seconds"}


def test_training_matches_the_core_short_run(client: Client) -> None:
    numbers, note, fig = client.predict(*SMALL, 0.03, api_name="/train_initialisation")
    config = iv.InitConfig(*SMALL)
    run = iv.train_short(config, steps=iv.SHORT_STEPS, lr=0.03)
    assert numbers["val_accuracy"] == pytest.approx(run.val_accuracy, abs=1e-6)  # seeded: the same run
    assert numbers["steps"] == run.fit.steps == iv.SHORT_STEPS and numbers["status"] == "completed"
    assert numbers["lr"] == 0.03 and numbers["setting"] == "he · relu · depth 3"
    agrees, text = iv.check_verdict(iv.diagnose(iv.layer_statistics(config)), run)
    assert numbers["agrees_with_verdict"] == agrees and text in note
    assert f"**{run.val_accuracy:.1%}** validation accuracy after 100 steps" in note
    curves = {t["name"]: t for t in plot_json(fig)["data"]}
    assert {"train loss", "val loss", "val accuracy"} <= set(curves)
    progress = Recorder()
    *waits, (again, _, _) = tab.train_initialisation(*SMALL, "0.03", progress=progress)  # as sent
    assert waits and all(w == (gr.skip(),) * 3 for w in waits)  # "no update" while the job runs
    assert _without_time(again) == _without_time(numbers)


@pytest.mark.parametrize(("args", "message"), [
    ((*SMALL, 0.05), "Learning rate must be one of 0.001, 0.003, 0.01, 0.03, 0.1; got 0.05"),
    ((*SMALL, "nan"), "Learning rate must be one of"),
    ((99, 32, "he", "relu", False, 0.01), "Depth \\(hidden layers\\) must be a whole number from 1 to 50"),
    ((3, 32, "he", "swish", False, 0.01), "Activation must be one of sigmoid, tanh, relu"),
])  # fmt: skip
def test_training_refuses_what_the_page_does_not_offer(client: Client, args: tuple, message: str) -> None:
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name="/train_initialisation")


class Slow(Callback):
    """Makes each step last long enough for the request to be cancelled while the job runs."""

    def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
        time.sleep(0.2)
        return True


def test_a_cancelled_request_stops_its_training(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = recording_queue(monkeypatch)
    real = iv.train_short
    monkeypatch.setattr(iv, "train_short", lambda config, **kw: real(config, callbacks=[Slow()], **kw))
    request = client.submit(*SMALL, 0.01, api_name="/train_initialisation")  # 100 steps: 20 s when slowed
    job = cancel_when_running(request, jobs)  # what the tab's Stop button does, and a closed page
    assert job.status == "stopped" and job.should_stop()
    assert job.result.fit.status == "stopped" and job.result.fit.steps < iv.SHORT_STEPS
