"""Lecture 6: generation, next-character odds and the fit loop on the character models, each as a ratio to
a bare PyTorch reference measured in the same run.

Run: ``.venv/bin/python -m bench.bench_text [--steps 30] [--repeats 3]`` (Markdown tables).
Targets: 200 generated characters under 2 s and within 1.1x of a bare sampling loop on the same model
(the char-LSTM, and the small GPT with its KV cache against a bare loop re-reading the window each step);
the fit loop training the char-LSTM and the GPT within 1.05x of a bare loop (rows interleaved, best of
``--repeats``);
classifying a sentence under 100 ms with each shipped sentiment model (and with its attributions, shown
beside it); the fit loop on variable-length tweet batches within 1.05x of a bare loop over the same batches.
"""

from __future__ import annotations

import argparse
from typing import Any

import torch

from bench.common import best_of, table
from core import text as api
from core.text import gpt, lm
from core.text.lm_training import Windows, next_char_loss
from core.training import FitConfig, fit, make_optimizer

NAME = "char-lstm-shakespeare"
GPT = "gpt-shakespeare"


def bare_sampling(model: lm.CharRNN, n: int = 200) -> str:
    """The textbook loop: feed a character, softmax, multinomial, repeat (no top-k, no checks)."""
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        logits, state = model.step(lm.encode("KING.\n").unsqueeze(0))
        out = []
        for _ in range(n):
            nxt = int(torch.multinomial(torch.softmax(logits[0, -1], -1), 1, generator=gen))
            out.append(nxt)
            logits, state = model.step(torch.tensor([[nxt]]), state)
    return lm.decode(out)


def bare_gpt_sampling(model: gpt.CharGPT, n: int = 200) -> str:
    """The textbook transformer loop: re-read the last ``context`` characters for every new one."""
    gen = torch.Generator().manual_seed(0)
    ids = lm.encode("KING.\n").tolist()
    with torch.no_grad():
        for _ in range(n):
            logits = model(torch.tensor([ids[-model.context :]]))[0, -1]
            ids.append(int(torch.multinomial(torch.softmax(logits, -1), 1, generator=gen)))
    return lm.decode(ids[-n:])


def _model(kind: str) -> torch.nn.Module:
    torch.manual_seed(0)
    return lm.CharRNN("lstm", hidden=128) if kind == "lstm" else gpt.CharGPT()


def _window(kind: str) -> tuple[int, int]:
    return (100, 32) if kind == "lstm" else (128, 16)  # (characters, batch) of the shipped recipes


def bare_training(ids: torch.Tensor, steps: int, kind: str = "lstm") -> None:
    model = _model(kind)
    opt = make_optimizer("adam", model.parameters(), 3e-3)
    for x, y in Windows(ids, *_window(kind), steps, 0):
        loss = next_char_loss(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()


def loop_training(ids: torch.Tensor, steps: int, kind: str = "lstm") -> None:
    model = _model(kind)
    opt = make_optimizer("adam", model.parameters(), 3e-3)
    batches = Windows(ids, *_window(kind), steps, 0)
    fit(model, next_char_loss, opt, batches, config=FitConfig(epochs=1, max_grad_norm=1.0))


def _tweet_batches(steps: int) -> tuple[Any, Any]:
    from core.text import sentiment as sm
    from core.text.words import TokenBatches, Vocab, build_vocab

    X, y, *_ = sm.training_data(64 * steps)
    vocab = Vocab(build_vocab(X, sm.VOCAB_SIZE))
    return vocab, TokenBatches([vocab.encode(t) for t in X], torch.from_numpy(y), 64, 0)


def _tweet_model(vocab: Any) -> Any:
    from core.text import sentiment as sm

    torch.manual_seed(0)
    return sm.LSTMClassifier(len(vocab.to_bytes()), len(vocab), 64, 64, 1, True, 0.3, 3)


def bare_tweets(vocab: Any, batches: Any) -> None:
    model = _tweet_model(vocab)
    opt = torch.optim.Adam(model.parameters(), 3e-3)
    for tokens, lengths, target in batches:
        loss = torch.nn.functional.cross_entropy(model(tokens, lengths), target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()


def loop_tweets(vocab: Any, batches: Any) -> None:
    model = _tweet_model(vocab)
    opt = torch.optim.Adam(model.parameters(), 3e-3)
    fit(model, torch.nn.functional.cross_entropy, opt, batches, config=FitConfig(epochs=1, max_grad_norm=5.0))


def classify_rows(steps: int, repeats: int) -> list[tuple[str, str, str, str]]:
    from core.text import explain

    sentence = "I can't believe how good this new phone is!"
    rows = []
    for name in api.TEXT_CLASSIFIERS:
        api.classify(name, [sentence + " warm-up"])
        fresh = iter(range(10**6))  # a new text on every call: the MiniLM cache must not answer
        t = best_of(lambda: api.classify(name, [f"{sentence} {next(fresh)}"]), repeats)
        e = best_of(lambda: explain.explain(name, sentence), repeats)
        rows.append((f"classify a sentence, {name}", f"{t:.4f}", "", ""))
        rows.append((f"  with Integrated Gradients ({explain.IG_STEPS} steps)", f"{e:.3f}", "", ""))
    vocab, batches = _tweet_batches(steps)
    bare, loop = [], []
    for _ in range(repeats):
        bare.append(best_of(lambda: bare_tweets(vocab, batches), 1))
        loop.append(best_of(lambda: loop_tweets(vocab, batches), 1))
    rows.append((f"fit loop, {steps} tweet-LSTM steps (padded batches)", f"{min(loop):.3f}",
                 f"{min(bare):.3f}", f"{min(loop) / min(bare):.2f}x"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    model = api.shipped(NAME)
    gen_t = best_of(lambda: api.generate(NAME, "KING.\n", 200, 1.0, None, 0), args.repeats)
    bare_gen = best_of(lambda: bare_sampling(model), args.repeats)
    odds_t = best_of(lambda: api.next_token_probs(NAME, "To be, or not to be, that is the"), args.repeats)
    small_gpt = api.shipped(GPT)
    gpt_t = best_of(lambda: api.generate(GPT, "KING.\n", 200, 1.0, None, 0), args.repeats)
    bare_gpt = best_of(lambda: bare_gpt_sampling(small_gpt), args.repeats)
    gpt_odds = best_of(lambda: api.next_token_probs(GPT, "To be, or not to be, that is the"), args.repeats)
    ids = torch.randint(0, len(lm.ALPHABET), (200_000,), generator=torch.Generator().manual_seed(0))
    fits = []
    for kind, label in (("lstm", "char-LSTM"), ("gpt", "small-GPT")):
        bare, loop = [], []
        for _ in range(args.repeats):  # interleaved: both see the same machine load
            bare.append(best_of(lambda: bare_training(ids, args.steps, kind), 1))
            loop.append(best_of(lambda: loop_training(ids, args.steps, kind), 1))
        fits.append((f"fit loop, {args.steps} {label} steps", f"{min(loop):.3f}", f"{min(bare):.3f}",
                     f"{min(loop) / min(bare):.2f}x"))
    print(table(["measure", "seconds", "reference (bare)", "ratio"], [
        ("200 generated characters, LSTM", f"{gen_t:.3f}", f"{bare_gen:.3f}", f"{gen_t / bare_gen:.2f}x"),
        ("200 generated characters, GPT (KV cache vs re-read)", f"{gpt_t:.3f}", f"{bare_gpt:.3f}",
         f"{gpt_t / bare_gpt:.2f}x"),
        ("next-character odds, 32-char prefix, LSTM", f"{odds_t:.4f}", "", ""),
        ("next-character odds, 32-char prefix, GPT", f"{gpt_odds:.4f}", "", ""),
        *fits,
        *classify_rows(args.steps, args.repeats),
    ]))


if __name__ == "__main__":
    main()
