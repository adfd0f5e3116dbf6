"""The small character GPT: causal attention, the KV cache equal to a full re-read, the public API on it,
sentence features, the windowed held-out measure, a smoke training, and the shipped numbers re-measured."""

from __future__ import annotations

import math

import pytest
import torch

from core import text as api
from core.text import gpt, lm
from core.text.lm_training import windowed_bits_per_char

NAME = "gpt-shakespeare"
V = len(lm.ALPHABET)


def _tiny(context: int = 16) -> gpt.CharGPT:
    torch.manual_seed(0)
    return gpt.CharGPT(layers=2, d_model=32, heads=2, context=context).eval()


def test_changing_a_later_character_leaves_earlier_logits_alone() -> None:
    model = api.shipped(NAME)
    x = lm.encode("Full fathom five thy father lies").unsqueeze(0)
    for t in (0, 10, 31):
        y = x.clone()
        y[0, t] = (y[0, t] + 7) % V
        with torch.no_grad():
            a, b = model(x), model(y)
        assert torch.equal(a[:, :t], b[:, :t])  # positions before t cannot see it
        assert not torch.allclose(a[:, t:], b[:, t:])  # position t and later do


def test_the_kv_cache_gives_what_a_full_re_read_gives() -> None:
    model = _tiny()
    x = torch.randint(0, V, (1, 16), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        full = model(x)
        logits, state = model.step(x[:, :5])
        rows = [logits]
        for i in range(5, 16):
            logits, state = model.step(x[:, i : i + 1], state)
            rows.append(logits)
        torch.testing.assert_close(torch.cat(rows, 1), full, atol=1e-5, rtol=1e-5)
        # Past the window, the last half of it is re-read: the same as reading those characters alone.
        logits, state = model.step(torch.tensor([[3]]), state)
        assert state[0].shape[1] == 8
        torch.testing.assert_close(logits, model(torch.cat([x[:, 9:], torch.tensor([[3]])], 1))[:, -1:])


def test_a_window_longer_than_the_context_is_refused_by_the_forward_pass() -> None:
    with pytest.raises(ValueError, match="at most 16 characters"):
        _tiny()(torch.zeros(1, 17, dtype=torch.long))


@pytest.mark.parametrize("prefix", ["", "😀😀", "x" * 20_000, "a\x00\x1b[31mb", "Café\tnaïve\r\n"])
def test_public_api_on_the_gpt_with_odd_prefixes(prefix: str) -> None:
    probs = api.next_token_probs(NAME, prefix)
    assert set(probs) == set(lm.ALPHABET) and min(probs.values()) >= 0
    assert math.isclose(sum(probs.values()), 1.0, abs_tol=1e-9)
    out = api.generate(NAME, prefix, 40, seed=2)
    assert len(out) == 40 and set(out) <= set(lm.ALPHABET)


def test_same_seed_same_text_and_greedy_follows_the_mode() -> None:
    a = api.generate(NAME, "PROSPERO.\n", 300, temperature=1.0, seed=3)  # past the 128-character window
    assert a == api.generate(NAME, "PROSPERO.\n", 300, temperature=1.0, seed=3)
    assert a != api.generate(NAME, "PROSPERO.\n", 300, temperature=1.0, seed=4)
    probs = api.next_token_probs(NAME, "To be, or not to b")
    assert api.generate(NAME, "To be, or not to b", 1, top_k=1) == max(probs, key=probs.get)


def test_the_windowed_measure_counts_every_character_once() -> None:
    class Uniform(torch.nn.Module):
        context = 10

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.zeros(*x.shape, V)

    for n in (5, 11, 37, 200):  # shorter than, just over and many windows
        ids = torch.randint(0, V, (n,))
        assert windowed_bits_per_char(Uniform(), ids) == pytest.approx(math.log2(V))


def test_sentence_features_are_mean_hidden_states_unchanged_by_padding() -> None:
    model = _tiny()
    texts = ["Hi", "a longer text than the window of sixteen", "", "😀"]
    f = gpt.sentence_features(model, texts)
    assert f.shape == (4, 32) and torch.isfinite(f).all()
    alone = gpt.sentence_features(model, ["Hi"])
    torch.testing.assert_close(f[0], alone[0], atol=1e-5, rtol=1e-5)
    with torch.no_grad():
        want = model.hidden(lm.encode("a longer text th").unsqueeze(0))[0].mean(0)  # clipped to 16
    torch.testing.assert_close(f[1], want, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(f[2], f[3])  # nothing readable: both read a line break
    assert gpt.sentence_features(model, []).shape == (0, 32)
    with pytest.raises(ValueError, match="list of strings"):
        gpt.sentence_features(model, "not a list")  # type: ignore[arg-type]


def test_attention_rows_are_causal_distributions() -> None:
    prefix = "Where the bee sucks, there suck I"
    text, w = gpt.attention_map(api.shipped(NAME), prefix, chars=20)
    assert text == prefix[-20:]
    assert w.shape == (4, 20, 20)
    torch.testing.assert_close(w.sum(-1), torch.ones(4, 20))
    assert float(w.triu(1).abs().max()) == 0.0


def test_shipped_held_out_numbers_are_what_the_file_gives() -> None:
    from core import checkpoints
    from core.registry import remeasure

    ent = checkpoints.entry(NAME)
    assert ent.task == "language-model"
    assert ent.params == sum(p.numel() for p in api.shipped(NAME).parameters())
    got = remeasure(NAME)  # the whole of The Tempest, 98,440 characters
    assert got["n_test_chars"] == ent.metrics["n_test_chars"] == 98_440
    assert got["test_bpc"] == pytest.approx(ent.metrics["test_bpc"], abs=2e-3)
    assert got["test_bpc"] < ent.metrics["bigram_bpc"] < ent.metrics["unigram_bpc"]


def test_a_training_smoke_run_writes_a_loadable_checkpoint(tmp_path) -> None:
    from core.checkpoints import load_model
    from core.registry import TrainContext, specs

    ent = specs()[NAME].fn(TrainContext(directory=tmp_path, quick=True))
    assert ent.task == "language-model" and ent.metrics["quick"] == 1 and ent.builder == "char-gpt"
    assert math.isfinite(ent.metrics["test_bpc"])
    model = load_model(NAME, tmp_path)
    assert isinstance(model, gpt.CharGPT)
    assert lm.sample(model, "a", 5, seed=0) == lm.sample(model, "a", 5, seed=0)
