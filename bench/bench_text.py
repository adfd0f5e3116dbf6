"""Lecture 6: generation, next-character odds and the fit loop on the character models, each as a ratio to
a bare PyTorch reference measured in the same run.

Run: ``.venv/bin/python -m bench.bench_text [--steps 30] [--repeats 3]`` (Markdown tables).
Targets: 200 generated characters under 2 s and within 1.1x of a bare sampling loop on the same model;
the fit loop training the char-LSTM within 1.05x of a bare loop (rows interleaved, best of ``--repeats``).
"""

from __future__ import annotations

import argparse

import torch

from bench.common import best_of, table
from core import text as api
from core.text import lm
from core.text.lm_training import Windows, next_char_loss
from core.training import FitConfig, fit, make_optimizer

NAME = "char-lstm-shakespeare"


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


def bare_training(ids: torch.Tensor, steps: int) -> None:
    torch.manual_seed(0)
    model = lm.CharRNN("lstm", hidden=128)
    opt = make_optimizer("adam", model.parameters(), 3e-3)
    for x, y in Windows(ids, 100, 32, steps, 0):
        loss = next_char_loss(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()


def loop_training(ids: torch.Tensor, steps: int) -> None:
    torch.manual_seed(0)
    model = lm.CharRNN("lstm", hidden=128)
    opt = make_optimizer("adam", model.parameters(), 3e-3)
    batches = Windows(ids, 100, 32, steps, 0)
    fit(model, next_char_loss, opt, batches, config=FitConfig(epochs=1, max_grad_norm=1.0))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    model = api.shipped(NAME)
    gen_t = best_of(lambda: api.generate(NAME, "KING.\n", 200, 1.0, None, 0), args.repeats)
    bare_gen = best_of(lambda: bare_sampling(model), args.repeats)
    odds_t = best_of(lambda: api.next_token_probs(NAME, "To be, or not to be, that is the"), args.repeats)
    ids = torch.randint(0, len(lm.ALPHABET), (200_000,), generator=torch.Generator().manual_seed(0))
    bare, loop = [], []
    for _ in range(args.repeats):  # interleaved: both see the same machine load
        bare.append(best_of(lambda: bare_training(ids, args.steps), 1))
        loop.append(best_of(lambda: loop_training(ids, args.steps), 1))
    print(table(["measure", "seconds", "reference (bare)", "ratio"], [
        ("200 generated characters", f"{gen_t:.3f}", f"{bare_gen:.3f}", f"{gen_t / bare_gen:.2f}x"),
        ("next-character odds, 32-char prefix", f"{odds_t:.4f}", "", ""),
        (f"fit loop, {args.steps} char-LSTM steps", f"{min(loop):.3f}", f"{min(bare):.3f}",
         f"{min(loop) / min(bare):.2f}x"),
    ]))


if __name__ == "__main__":
    main()
