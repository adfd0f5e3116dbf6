"""Lecture 2's search tab: ``/search_hyperparameters`` runs the page's grid / random / TPE comparison through
the job queue, gives the core's numbers (seeded: the same twice), refuses what the page's widgets cannot
send, and a cancelled request stops its search."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import gradio as gr
import pytest
from gradio_client import Client

from apps.gradio_tabs import lecture2_search as tab
from core.mlp import search as hpo
from core.mlp import search_controls as sc
from tests.helpers import gradio_tab_client, plot_json
from tests.job_requests import cancel_when_running, recording_queue

SMALL = ("moons", 200, 0.3, 2, 50, 0)
"""The smallest search: data set, points, noise, trials per strategy, epochs, seed."""


class Recorder:
    """A stand-in for gr.Progress that keeps what it was told."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, Any]] = []

    def __call__(self, value: Any = None, desc: Any = None, **_: Any) -> None:
        self.calls.append((value, desc))


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(tab.build, "Lecture 2") as cl:
        yield cl


def _without_time(numbers: dict[str, Any]) -> dict[str, Any]:
    rows = [{k: v for k, v in row.items() if k != "seconds"} for row in numbers["table"]]
    return {**{k: v for k, v in numbers.items() if k not in ("seconds", "table")}, "table": rows}


def test_a_search_over_http_gives_the_core_numbers(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = recording_queue(monkeypatch)
    best, scatter, importance, numbers = client.predict(*SMALL, api_name="/search_hyperparameters")
    assert [j.name for j in jobs] == ["gradio-search"] and jobs[0].status == "done"  # through the queue
    core = hpo.run_search(sc.search_data("moons", 200, 0.3), sc.search_config(2, 50, 0))
    assert numbers["trials"] == len(core.trials) == 6 and not numbers["stopped"]
    assert numbers["grid_shape"] == list(core.grid) == [2, 1, 1, 1]
    accuracies = [t.val_accuracy for t in core.trials]
    assert [t["val accuracy"] for t in numbers["table"]] == pytest.approx(accuracies)
    for row, expected in zip(numbers["summary"], core.summary(), strict=True):
        assert row["best val accuracy"] == pytest.approx(expected["best val accuracy"])
        assert row["its test accuracy"] == pytest.approx(expected["its test accuracy"])
    assert numbers["summary"][0]["distinct dropout"] == 1 < numbers["summary"][1]["distinct dropout"]
    assert numbers["winner"]["n_val"] == 40
    assert sum(numbers["importance"].values()) == pytest.approx(1, abs=1e-3)
    names = [t["name"] for t in plot_json(best)["data"]]
    assert any("grid" in n for n in names) and any("random" in n for n in names)
    assert plot_json(scatter)["data"] and plot_json(importance)["data"]


def test_the_same_request_gives_the_same_search() -> None:
    *waits, first = tab.search_hyperparameters(*SMALL, progress=Recorder())
    assert waits and all(w == (gr.skip(),) * 4 for w in waits)  # "no update" while the job runs
    *_, again = tab.search_hyperparameters(*SMALL, progress=Recorder())
    assert _without_time(first[3]) == _without_time(again[3])
    assert first[3]["data"].startswith("moons: 200 generated points")


@pytest.mark.parametrize(("index", "value", "match"), [
    (0, "iris", "Data set must be one of moons, circles, spirals, xor, blobs"),
    (1, 250, "Points must be one of 200, 300, 400, 600, 1000"),
    (2, 1.5, "Noise must be a number from 0 to 1"),
    (2, math.nan, "Noise must be a number from 0 to 1"),
    (3, 1, "Budget \\(trials per strategy\\) must be a whole number from 2 to 64"),
    (3, 65, "from 2 to 64"),
    (3, math.inf, "from 2 to 64"),
    (4, 60, "Epochs per trial \\(max\\) must be one of 50, 100, 200, 300, 500"),
    (5, 10_000, "Seed must be a whole number from 0 to 9999"),
    (5, -1, "Seed must be a whole number from 0 to 9999"),
])  # fmt: skip
def test_every_input_is_checked_before_anything_is_queued(index: int, value: object, match: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = recording_queue(monkeypatch)
    args = list(SMALL)
    args[index] = value
    with pytest.raises(gr.Error, match=match):
        next(tab.search_hyperparameters(*args, progress=Recorder()))
    assert not jobs


def test_a_cancelled_request_stops_its_search(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    jobs = recording_queue(monkeypatch)
    # The largest search: 3 × 64 trials of up to 500 epochs on 1000 points, minutes of training.
    request = client.submit("spirals", 1000, 0.3, 64, 500, 0, api_name="/search_hyperparameters")
    job = cancel_when_running(request, jobs)  # what the tab's Stop button does, and a closed page
    assert job.status == "stopped" and job.should_stop()
    assert job.result.stopped and len(job.result.trials) < 3 * 64
