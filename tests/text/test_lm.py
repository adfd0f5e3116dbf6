"""Character models: odd input, the public API's contract, determinism, causality, and the shipped
checkpoints' held-out numbers re-measured from their files."""

from __future__ import annotations

import math

import pytest
import torch

from core import text as api
from core.registry import remeasure
from core.text import lm

NAME = "char-lstm-shakespeare"


@pytest.mark.parametrize("prefix", ["", "😀😀😀", "x" * 20_000, "ab\x00\x07\x1bcd", "Привет, мир", "日本語",
                                    "Café\tnaïve\r\n"])
def test_odd_prefixes_get_a_distribution_and_a_continuation(prefix: str) -> None:
    probs = api.next_token_probs(NAME, prefix)
    assert set(probs) == set(lm.ALPHABET)
    assert math.isclose(sum(probs.values()), 1.0, abs_tol=1e-9) and min(probs.values()) >= 0
    out = api.generate(NAME, prefix, 50, seed=1)
    assert len(out) == 50 and set(out) <= set(lm.ALPHABET)


def test_cleaning_says_what_it_left_out() -> None:
    c = lm.clean("Café 😀\x00")
    assert c.text == "Cafe " and c.dropped == 2 and "left out" in c.note()
    long = lm.clean("a" * 20_000)
    assert len(long.text) == lm.MAX_PREFIX_CHARS and long.truncated == 20_000 - lm.MAX_PREFIX_CHARS
    assert lm.clean("plain").note() == ""


def test_same_seed_same_text_other_seed_other_text() -> None:
    a = api.generate(NAME, "KING.\n", 200, temperature=1.0, seed=3)
    assert a == api.generate(NAME, "KING.\n", 200, temperature=1.0, seed=3)
    assert a != api.generate(NAME, "KING.\n", 200, temperature=1.0, seed=4)


def test_top_k_1_is_greedy_and_low_temperature_follows_the_mode() -> None:
    probs = api.next_token_probs(NAME, "To be, or not to b")
    best = max(probs, key=probs.get)
    assert best == "e"  # the model learnt the line
    assert api.generate(NAME, "To be, or not to b", 1, top_k=1, seed=0) == best
    assert api.generate(NAME, "To be, or not to b", 1, temperature=0.1, seed=5) == best


def test_filtered_probs_keeps_k_characters_and_sums_to_one() -> None:
    p = lm.filtered_probs(torch.randn(len(lm.ALPHABET)), 0.7, 5)
    assert int((p > 0).sum()) == 5 and math.isclose(float(p.sum()), 1.0, rel_tol=1e-9)


@pytest.mark.parametrize(("kw", "message"), [
    ({"length": 0}, "length"), ({"length": 10**6}, "length"), ({"temperature": float("nan")}, "temperature"),
    ({"temperature": float("inf")}, "temperature"), ({"temperature": 0.0}, "temperature"),
    ({"top_k": 0}, "top-k"), ({"top_k": 2.5}, "top-k"), ({"seed": -1}, "seed"), ({"length": "10"}, "length"),
])
def test_settings_outside_the_ranges_are_refused(kw: dict, message: str) -> None:
    args = {"length": 10, "temperature": 1.0, "top_k": None, "seed": 0, **kw}
    with pytest.raises(ValueError, match=message):
        api.generate(NAME, "a", **args)


def test_unknown_model_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown language model"):
        api.next_token_probs("gpt-2", "a")


@pytest.mark.parametrize("name", api.LANGUAGE_MODELS)
def test_outputs_are_causal(name: str) -> None:
    model = api.shipped(name)
    x = torch.randint(0, len(lm.ALPHABET), (2, 30))
    y = x.clone()
    y[:, 20:] = torch.randint(0, len(lm.ALPHABET), (2, 10))
    with torch.no_grad():
        a, b = model(x), model(y)
    assert a.shape == (2, 30, len(lm.ALPHABET))
    assert torch.equal(a[:, :20], b[:, :20]) and not torch.equal(a[:, 20:], b[:, 20:])


@pytest.mark.parametrize("name", api.RECURRENT_MODELS)  # the GPT's: tests/text/test_gpt.py
def test_shipped_held_out_numbers_are_what_the_file_gives(name: str) -> None:
    from core import checkpoints

    ent = checkpoints.entry(name)
    got = remeasure(name)
    assert got["n_test_chars"] == ent.metrics["n_test_chars"] == 98_440
    assert got["test_bpc"] == pytest.approx(ent.metrics["test_bpc"], abs=2e-3)
    # Better than the count baselines measured on the same held-out play.
    assert got["test_bpc"] < ent.metrics["bigram_bpc"] < ent.metrics["unigram_bpc"]


def test_the_lstm_beats_the_vanilla_rnn_held_out() -> None:
    from core import checkpoints

    bpc = {n: checkpoints.entry(n).metrics["test_bpc"] for n in api.RECURRENT_MODELS}
    assert bpc["char-lstm-shakespeare"] < bpc["char-rnn-shakespeare"]


def test_a_training_smoke_run_writes_a_loadable_checkpoint(tmp_path) -> None:
    from core.checkpoints import load_model
    from core.registry import TrainContext, specs

    ent = specs()[NAME].fn(TrainContext(directory=tmp_path, quick=True))
    assert ent.task == "language-model" and ent.metrics["quick"] == 1
    assert math.isfinite(ent.metrics["test_bpc"])
    model = load_model(NAME, tmp_path)
    assert lm.sample(model, "a", 5, seed=0) == lm.sample(model, "a", 5, seed=0)
