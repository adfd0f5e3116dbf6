"""The policy-gradient Gradio tab over HTTP: /measure_policy_gradient answers with the page's episode figure,
variance bars and table, computed by the page's core calls (the same numbers for the same settings), through
the job queue; values the page does not offer are refused with the range; a cancelled request ends."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import gradio as gr
import numpy as np
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from gradio_client.utils import Status

from apps import catalog
from apps.gradio_tabs import lecture7_pg as tab
from core.rl import internals
from tests.helpers import gradio_tab_client, plot_json

SMALL = ("untrained", 0.9, 4, 1, 5)
"""policy, γ, batches, episodes per batch, seed: the quickest measurement."""


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with gradio_tab_client(tab.build, "Policy gradient") as c:
        yield c


def _title(figure: dict[str, Any]) -> str:
    return figure["layout"]["title"]["text"].replace("<br>", " ")  # the builder wraps long titles


def _table(value: dict[str, Any]) -> list[dict[str, Any]]:
    return [dict(zip(value["headers"], row, strict=True)) for row in value["data"]]


def test_measure_gives_the_page_s_figures_and_the_core_s_numbers(client: Client) -> None:
    episode, bars, table, numbers = client.predict(*SMALL, api_name="/measure_policy_gradient")
    net = internals.policy("untrained")  # the page's core calls with the same settings
    parts = internals.breakdown(net, 0.9, 5)
    var = internals.gradient_variance(net, 0.9, 4, 1, 5)
    steps = len(parts["rewards"])
    assert numbers["episode"] == {"steps": steps, "return": float(parts["rewards"].sum()),
                                  "G_0": round(float(parts["returns_to_go"][0]), 4),
                                  "V_s0": round(float(parts["baseline"][0]), 4)}  # fmt: skip
    assert numbers["variance"] == pytest.approx({k: v.total for k, v in var.items()}, rel=1e-5)
    assert numbers["mean_gradient_norm"] == pytest.approx({k: v.mean_norm for k, v in var.items()}, rel=1e-5)
    fig = plot_json(episode)
    assert _title(fig) == f"One sampled episode ({steps} steps, γ = 0.9)"
    lines = {t["name"]: t["y"] for t in fig["data"]}
    assert np.allclose(lines["advantage G_t − V(s_t)"], parts["advantage"], atol=1e-5)
    assert np.allclose(lines["return-to-go G_t"], parts["returns_to_go"], atol=1e-5)
    bar = plot_json(bars)
    assert _title(bar) == "Variance over 4 batches of 1 episode(s)"
    assert bar["data"][0]["x"] == list(internals.ESTIMATORS.values())
    rows = _table(table)
    expected = internals.variance_table(var)
    assert [r["estimator"] for r in rows] == [r["estimator"] for r in expected]
    assert rows[0]["variance / no baseline"] == 1.0
    for got, want in zip(rows, expected, strict=True):
        assert got["variance"] == pytest.approx(round(want["variance"], 3), abs=2e-3)
        ratio = want["variance / no baseline"]
        assert got["variance / no baseline"] == pytest.approx(round(ratio, 3), abs=2e-3)


def test_the_shipped_agent_s_learned_baseline_shrinks_the_variance(client: Client) -> None:
    _, _, _, numbers = client.predict("vpg-CartPole-v1", 0.99, 4, 1, 0, api_name="/measure_policy_gradient")
    assert numbers["episode"]["steps"] == 500  # the trained agent balances to the limit
    assert numbers["variance"]["value"] < numbers["variance"]["none"] / 4


@pytest.mark.parametrize(("i", "value", "message"), [
    (0, "random", "policy must be one of vpg-CartPole-v1, untrained; got 'random'"),
    (1, 0.97, "discount γ must be one of 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9999; got 0.97"),
    (1, "nan", "discount γ must be one of 0.8"),
    (2, 3, "independent batches must be a whole number from 4 to 30, not 3"),
    (2, 31, "independent batches must be a whole number from 4 to 30, not 31"),
    (2, "inf", "independent batches must be a whole number from 4 to 30"),
    (3, 0, "episodes per batch must be a whole number from 1 to 8, not 0"),
    (3, 9, "episodes per batch must be a whole number from 1 to 8, not 9"),
    (3, 1.5, "episodes per batch must be a whole number from 1 to 8"),
    (4, -1, "seed must be a whole number from 0 to 10000, not -1"),
    (4, 10_001, "seed must be a whole number from 0 to 10000, not 10001"),
    (4, "nan", "seed must be a whole number from 0 to 10000"),
])  # fmt: skip
def test_values_the_page_does_not_offer_are_refused(client: Client, i: int, value: Any, message: str) -> None:
    args = list(SMALL)
    args[i] = value
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name="/measure_policy_gradient")


def test_the_same_request_again_is_answered_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple] = []
    real = internals.gradient_variance
    monkeypatch.setattr(internals, "gradient_variance", lambda *a, **k: calls.append(a[1:]) or real(*a, **k))
    tab._cache.clear()
    quiet = lambda *a, **k: None  # noqa: E731
    *waits, first = tab.measure_policy_gradient("untrained", "0.9", 4.0, "1", 6, progress=quiet)  # as sent
    assert waits and all(w == (gr.skip(),) * 4 for w in waits)  # "no update" while the job runs
    *_, again = tab.measure_policy_gradient("untrained", 0.9, 4, 1, 6, progress=quiet)
    assert calls == [(0.9, 4, 1, 6)] and again[3] == first[3]


def test_the_tab_is_the_page_s_demo() -> None:
    assert catalog.demo("l7-pg").gradio == "lecture7_pg"


def test_a_cancelled_request_ends_its_job(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.jobs import JobQueue

    queue, jobs = JobQueue(), []
    submit = queue.submit
    monkeypatch.setattr(queue, "submit", lambda fn, name: jobs.append(submit(fn, name)) or jobs[-1])
    monkeypatch.setattr("apps.gradio_tabs.jobs.default_queue", lambda: queue)
    # The largest measurement on the trained agent: 240 episodes of 500 steps (tens of seconds here).
    request = client.submit("vpg-CartPole-v1", 0.999, 30, 8, 9, api_name="/measure_policy_gradient")
    for _ in range(600):  # until its job runs and the client has heard of it (its id comes with the progress)
        if jobs and jobs[0].status == "running" and request.status().code == Status.PROGRESS:
            break
        time.sleep(0.1)
    request.cancel()  # what the tab's Stop button does, and a closed page
    assert jobs[0].wait(60) and jobs[0].should_stop() and jobs[0].status == "stopped"
    assert 2 / 30 <= jobs[0].progress < 1  # the sampling ended early: at least 2 of the 30 batches, not all
    assert ("vpg-CartPole-v1", 0.999, 30, 8, 9) not in tab._cache  # a cut-short measurement is not kept


class StopAfter:
    """A job stand-in that asks to stop once ``n`` batches were reported."""

    def __init__(self, n: int) -> None:
        self.n, self.messages = n, []

    def report(self, progress: float | None = None, message: str | None = None, **metrics: float) -> None:
        self.messages.append(message)

    def publish(self, key: str, value: Any) -> None:
        pass

    def should_stop(self) -> bool:
        return len(self.messages) >= self.n


@pytest.mark.parametrize(("n", "sampled"), [(0, 2), (5, 5)])
def test_a_stop_ends_the_sampling_at_the_next_batch(n: int, sampled: int) -> None:
    job = StopAfter(n)
    var = internals.gradient_variance(internals.policy("untrained"), 0.9, 10, 1, 2, job=job)
    # Two batches at least: the fewest a variance needs.
    assert job.messages == [f"sampled {k} of 10 batches" for k in range(1, sampled + 1)]
    assert all(np.isfinite(v.total) and v.total > 0 for v in var.values())
