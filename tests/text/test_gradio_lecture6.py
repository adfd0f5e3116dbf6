"""Lecture 6 Gradio endpoints through a real client: same results as the core, ranges enforced, odd input."""

from __future__ import annotations

import pytest
from gradio_client.exceptions import AppError

from apps.gradio_tabs import lecture6, lecture6_memory
from core import text as api
from tests.helpers import gradio_tab_client, plot_json
from tests.job_requests import cancel_when_running, recording_queue


@pytest.fixture(scope="module")
def client():
    with gradio_tab_client(lecture6.build) as c:
        yield c


@pytest.fixture(scope="module")
def memory_client():
    with gradio_tab_client(lecture6_memory.build) as c:
        yield c


def test_generate_text_matches_the_core(client) -> None:
    got = client.predict("char-lstm-shakespeare", "KING.\n", 80, 0.9, 10, 4, api_name="/generate_text")
    assert got == api.generate("char-lstm-shakespeare", "KING.\n", 80, 0.9, 10, 4)


def test_generate_text_with_the_gpt(client) -> None:
    got = client.predict("gpt-shakespeare", "PROSPERO.\n", 200, 0.8, 20, 1, api_name="/generate_text")
    assert got == api.generate("gpt-shakespeare", "PROSPERO.\n", 200, 0.8, 20, 1) and len(got) == 200
    fig = plot_json(client.predict("gpt-shakespeare", "To be, or not to b", api_name="/next_token"))
    assert fig["data"][0]["x"][0] == "e"
    with pytest.raises(AppError, match="model must be one of char-lstm"):
        client.predict("gpt-shakespeare", "text", 8, api_name="/unfold")


@pytest.mark.parametrize("prefix", ["", "😀😀", "x" * 19_000, "a\x00\x1b[31mb", "日本語のテキスト"])
def test_odd_prefixes_get_an_answer(client, prefix: str) -> None:
    out = client.predict("char-rnn-shakespeare", prefix, 20, 1.0, 96, 0, api_name="/generate_text")
    assert len(out) == 20
    fig = plot_json(client.predict("char-rnn-shakespeare", prefix, api_name="/next_token"))
    assert len(fig["data"][0]["y"]) == 15


@pytest.mark.parametrize(("args", "message"), [
    (("char-lstm-shakespeare", "a", 10**6, 1.0, 96, 0), "length"),
    (("char-lstm-shakespeare", "a", 10, "nan", 96, 0), "temperature"),
    (("char-lstm-shakespeare", "a", 10, 1.0, 0, 0), "top-k"),
    (("gpt2", "a", 10, 1.0, 96, 0), "model"),
    (("char-lstm-shakespeare", "a" * 20_001, 10, 1.0, 96, 0), "at most 20,000"),
])
def test_out_of_range_requests_get_a_clear_message(client, args: tuple, message: str) -> None:
    with pytest.raises(AppError, match=message) as err:
        client.predict(*args, api_name="/generate_text")
    assert "object at 0x" not in str(err.value)


def test_unfold_returns_gates_for_the_lstm_only(client) -> None:
    hidden, gates = client.predict("char-lstm-shakespeare", "Where the bee sucks", 12, api_name="/unfold")
    assert len(plot_json(hidden)["data"][0]["y"]) == 12 and len(plot_json(gates)["data"]) == 3
    hidden, gates = client.predict("char-rnn-shakespeare", "Where the bee sucks", 12, api_name="/unfold")
    assert gates is None or not plot_json(gates)


def test_gradient_norms_endpoint_enforces_the_page_ranges(memory_client) -> None:
    fig = plot_json(memory_client.predict(30, 16, 0, api_name="/gradient_norms"))
    assert [len(t["y"]) for t in fig["data"]] == [30, 30, 30]
    with pytest.raises(AppError, match="sequence length"):
        memory_client.predict(100_000, 16, 0, api_name="/gradient_norms")
    with pytest.raises(AppError, match="hidden units"):
        memory_client.predict(30, "nan", 0, api_name="/gradient_norms")


def test_train_memory_trains_as_one_job_of_the_queue(memory_client, monkeypatch) -> None:
    jobs = recording_queue(monkeypatch)
    acc, after = memory_client.predict(2, 8, 3e-2, 0, api_name="/train_memory")  # T = 2: learnt at once
    assert [j.name for j in jobs] == ["gradio-memory"] and jobs[0].status == "done"
    run = jobs[0].result
    assert run.config.time_budget_s == lecture6_memory.TIME_BUDGET_S and not run.stopped
    bars = plot_json(acc)["data"][0]
    assert bars["x"] == ["vanilla RNN (tanh)", "LSTM", "GRU"]
    assert bars["y"] == pytest.approx([c.test_accuracy for c in run.cells])
    assert all(len(t["y"]) == 2 for t in plot_json(after)["data"])  # a norm per step, T = 2
    assert jobs[0].history()["rnn_val_accuracy"]  # each pass reached the job, hence the progress bar
    with pytest.raises(AppError, match="learning rate"):
        memory_client.predict(2, 8, 0.5, 0, api_name="/train_memory")
    assert len(jobs) == 1  # refused before anything was queued


def test_a_cancelled_memory_request_stops_its_training(memory_client, monkeypatch) -> None:
    jobs = recording_queue(monkeypatch)
    # T = 100 at the smallest learning rate: each cell would run into its time budget.
    request = memory_client.submit(100, 64, 1e-3, 0, api_name="/train_memory")
    job = cancel_when_running(request, jobs)  # what the tab's Stop button does, and a closed page
    assert job.status == "stopped" and job.should_stop() and job.result.stopped
    assert len(job.result.cells) < 3 or job.result.cells[-1].fit.status == "stopped"
