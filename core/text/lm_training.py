"""Training the character-level language models on Shakespeare, held-out perplexity, the shipped checkpoints.

Held-out means a whole play the models never saw (The Tempest, :mod:`core.data.text`). The metric is
the cross-entropy in bits per character (bpc) and its perplexity 2**bpc, measured over the whole play with
the recurrent state carried from one chunk to the next (as generation reads text). Two count-based
baselines put the numbers in scale: a unigram model (character frequencies) and a bigram model (the
previous character), both from the training plays with add-one smoothing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from typing import Protocol, TypeVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.checkpoints import ManifestEntry, save_checkpoint
from core.registry import NotComparable, TrainContext, register_checkpoint
from core.text.lm import ALPHABET, CharRNN, encode_corpus
from core.training import (
    Callback,
    FitConfig,
    LRSchedule,
    TrainedRun,
    cosine,
    fit,
    make_optimizer,
    seed_everything,
)

V = len(ALPHABET)


@dataclass(frozen=True)
class LMConfig:
    """One character-model training run."""

    cell: str = "lstm"
    """'rnn' (tanh), 'lstm' or 'gru'."""
    embed: int = 32
    """Size of the character embedding."""
    hidden: int = 192
    """Units of the recurrent layer."""
    layers: int = 1
    """Stacked recurrent layers."""
    seq_len: int = 100
    """Characters per training window (truncated back-propagation through time)."""
    batch_size: int = 32
    """Windows per step, drawn at seeded random offsets of the training text."""
    steps: int = 6_000
    """Optimizer steps in all."""
    lr: float = 3e-3
    """Adam learning rate (peak of a cosine decay to zero over the run)."""
    seed: int = 0
    """Seeds the initialisation and the windows."""


def model_config(config: LMConfig) -> dict:
    """The manifest ``config``: the builder's arguments, and the training settings for the record."""
    return {"cell": config.cell, "vocab": ALPHABET, "embed": config.embed, "hidden": config.hidden,
            "layers": config.layers, "training": asdict(config)}


def describe(config: LMConfig, params: int) -> str:
    kind = {"rnn": "vanilla RNN (tanh)", "lstm": "LSTM", "gru": "GRU"}[config.cell]
    return (f"char {kind}: embedding {config.embed}, {config.layers} x {config.hidden} units, "
            f"{V}-way softmax; {params:,} parameters")


class Windows:
    """Random windows of a token stream as (input, next-token target) batches, seeded, ``steps`` per pass."""

    def __init__(self, ids: Tensor, seq_len: int, batch_size: int, steps: int, seed: int) -> None:
        self.ids, self.seq_len, self.batch_size, self.steps = ids, seq_len, batch_size, steps
        self.gen = torch.Generator().manual_seed(seed)
        self.offsets = torch.arange(seq_len + 1)

    def __len__(self) -> int:
        return self.steps

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        high = len(self.ids) - self.seq_len - 1
        for _ in range(self.steps):
            start = torch.randint(0, high, (self.batch_size, 1), generator=self.gen)
            w = self.ids[start + self.offsets].long()
            yield w[:, :-1], w[:, 1:]


def next_char_loss(logits: Tensor, target: Tensor) -> Tensor:
    """Mean cross-entropy (nats) of (B, T, V) logits against (B, T) next characters."""
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1))


@torch.no_grad()
def bits_per_char(model: nn.Module, ids: Tensor, streams: int = 8, chunk: int = 256) -> float:
    """Cross-entropy of ``model`` on a token stream, in bits per character: the stream is cut into
    ``streams`` contiguous parts read side by side, each in chunks with the state carried over (a model
    with a bounded window, the GPT, is measured by :func:`windowed_bits_per_char`)."""
    ids = ids.long()
    if not isinstance(model, CharRNN):
        return windowed_bits_per_char(model, ids)
    n = (len(ids) - 1) // streams
    x = ids[: n * streams].reshape(streams, n)
    y = ids[1 : n * streams + 1].reshape(streams, n)
    total, state = 0.0, None
    for i in range(0, n, chunk):
        logits, state = model.step(x[:, i : i + chunk], state)
        target = y[:, i : i + chunk].reshape(-1)
        total += float(F.cross_entropy(logits.reshape(-1, V), target, reduction="sum"))
    return total / (n * streams) / math.log(2)


@torch.no_grad()
def windowed_bits_per_char(model: nn.Module, ids: Tensor, batch: int = 64) -> float:
    """Bits per character of a model that reads at most ``model.context`` characters (a transformer):
    windows of ``context`` characters, each starting half a window after the last; the first scores
    every position, the others only the characters no earlier window scored, so every character but
    the first ``context // 2`` is predicted from ``context // 2`` to ``context - 1`` characters before it."""
    ids = ids.long()
    n = len(ids) - 1  # targets ids[1:]
    ctx = min(int(model.context), n)
    stride = max(1, ctx // 2)
    starts = list(range(0, n - ctx + 1, stride))
    if starts[-1] != n - ctx:
        starts.append(n - ctx)
    s = torch.tensor(starts)
    # Position o of the window at s predicts target s + o + 1; count it only if the previous window
    # (which ends at its start + ctx) did not.
    prev_end = torch.cat([torch.zeros(1, dtype=torch.long), s[:-1] + ctx])
    offsets = torch.arange(ctx)
    total = 0.0
    for i in range(0, len(starts), batch):
        w = s[i : i + batch, None] + offsets
        logits = model(ids[w])
        nll = F.cross_entropy(logits.reshape(-1, V), ids[w + 1].reshape(-1), reduction="none")
        keep = (w + 1) > prev_end[i : i + batch, None]
        total += float(nll.reshape(w.shape)[keep].sum())
    return total / n / math.log(2)


def ngram_bits_per_char(train: Tensor, test: Tensor) -> dict[str, float]:
    """Held-out bits per character of add-one-smoothed unigram and bigram models counted on ``train``."""
    tr, te = train.long().numpy(), test.long().numpy()
    uni = np.bincount(tr, minlength=V) + 1.0
    uni /= uni.sum()
    big = np.bincount(tr[:-1] * V + tr[1:], minlength=V * V).reshape(V, V) + 1.0
    big /= big.sum(1, keepdims=True)
    return {"unigram_bpc": float(-np.log2(uni[te]).mean()),
            "bigram_bpc": float(-np.log2(big[te[:-1], te[1:]]).mean())}


class LMRun(TrainedRun[LMConfig, CharRNN]):
    """A finished character-model run: ``held_out`` is :func:`held_out_metrics` on The Tempest (measured
    even after a divergence), ``n_train`` and ``n_val`` count characters."""


@dataclass(frozen=True)
class Corpus:
    """The Shakespeare split as token streams, and where it came from (for the manifest)."""

    train: Tensor
    """Training plays, less the validation tail."""
    val: Tensor
    """The last 2% of the training plays: validation windows, never trained on."""
    test: Tensor
    """The held-out play."""
    provenance: str
    """Where the training plays came from."""
    test_provenance: str
    """Where the held-out play came from."""
    sources: tuple[str, str]
    """Short ids of the sources that served the two."""


def corpus(quick: bool = False) -> Corpus:
    """The training plays and The Tempest, encoded; ``quick`` keeps 2,000 validation and test characters."""
    from core.data import text as text_data

    train, test = text_data.load("shakespeare", "train"), text_data.load("shakespeare", "test")
    ids, test_ids = encode_corpus(train.text), encode_corpus(test.text)
    n_val = len(ids) // 50
    tr_ids, val_ids = ids[:-n_val], ids[-n_val:]
    if quick:
        test_ids, val_ids = test_ids[:2_000], val_ids[:2_000]
    return Corpus(tr_ids, val_ids, test_ids, train.provenance, test.provenance, (train.source, test.source))


def held_out_metrics(model: nn.Module, data: Corpus) -> dict[str, float]:
    """Held-out bpc and perplexity of ``model`` on The Tempest, beside the count baselines."""
    model.eval()
    metrics = {"test_bpc": bits_per_char(model, data.test), **ngram_bits_per_char(data.train, data.test)}
    metrics["test_perplexity"] = 2 ** metrics["test_bpc"]
    metrics["n_test_chars"] = len(data.test)
    return metrics


class WindowRecipe(Protocol):
    """The settings :func:`fit_on_corpus` reads from a character model's config."""

    batch_size: int
    steps: int
    lr: float
    seed: int


RunT = TypeVar("RunT", bound=TrainedRun)


def fit_on_corpus(run_type: type[RunT], config: WindowRecipe, model: nn.Module, data: Corpus, *, seq_len: int,
                  val_batch: int, schedule: LRSchedule, callbacks: tuple[Callback, ...] = ()) -> RunT:
    """The recipe every character model shares: Adam at ``config.lr`` with ``schedule``, gradients clipped
    at norm 1, over ``config.steps`` seeded random windows of ``seq_len`` characters of the training plays
    (``config.batch_size`` a step) in 10 passes, each scored on 4 validation batches of ``val_batch``
    windows; then the held-out measures, recorded as a ``run_type``."""
    opt = make_optimizer("adam", model.parameters(), config.lr)
    passes = 10
    train_batches = Windows(data.train, seq_len, config.batch_size, config.steps // passes, config.seed)
    val_batches = Windows(data.val, seq_len, val_batch, 4, config.seed + 1)
    fit_cfg = FitConfig(epochs=passes, seed=config.seed, max_grad_norm=1.0)
    result = fit(model, next_char_loss, opt, train_batches, val_batches, fit_cfg, [schedule, *callbacks])
    return run_type(config, model, result, held_out_metrics(model, data), len(data.train), len(data.val),
                    data.provenance, data.test_provenance, data.sources)


def train_char_model(config: LMConfig, callbacks: tuple[Callback, ...] = (), *, quick: bool = False) -> LMRun:
    """Train on the Shakespeare training plays; measure held-out bpc on The Tempest (and the baselines)."""
    data = corpus(quick)
    if quick:
        config = replace(config, steps=5, batch_size=8, seq_len=32)
    seed_everything(config.seed)
    model = CharRNN(config.cell, ALPHABET, config.embed, config.hidden, config.layers)
    return fit_on_corpus(LMRun, config, model, data, seq_len=config.seq_len, val_batch=64,
                         schedule=LRSchedule(cosine), callbacks=callbacks)


# --------------------------------------------------------------------------------------------------
# Shipped checkpoints

CHECKPOINTS: dict[str, LMConfig] = {
    "char-lstm-shakespeare": LMConfig(cell="lstm"),
    "char-rnn-shakespeare": LMConfig(cell="rnn", lr=2e-3),
}


def measure(model: nn.Module, ent: ManifestEntry) -> dict[str, float]:
    """Held-out bits per character and perplexity of a shipped model, re-measured from its file."""
    from core.data import text as text_data

    test = text_data.load("shakespeare", "test")
    ids = encode_corpus(test.text)
    if len(ids) != ent.dataset.get("n_test_chars"):
        raise NotComparable(f"the held-out text here ({test.provenance}) is not the one it was measured on")
    bpc = bits_per_char(model, ids)
    return {"test_bpc": bpc, "test_perplexity": 2**bpc, "n_test_chars": len(ids)}


def _train_checkpoint(name: str, ctx: TrainContext) -> ManifestEntry:
    config = CHECKPOINTS[name]
    t0 = time.perf_counter()
    run = train_char_model(config, tuple(ctx.callbacks), quick=ctx.quick)
    if run.fit.diverged:
        raise RuntimeError(f"{name} diverged: {run.fit.message}")
    params = sum(p.numel() for p in run.model.parameters())
    metrics = {k: round(v, 4) if isinstance(v, float) else v for k, v in (run.held_out or {}).items()}
    return save_checkpoint(
        name, run.model, lecture=6, architecture=describe(config, params), builder="char-rnn",
        config=model_config(config), dataset=run.dataset_entry("shakespeare", unit="_chars"),
        metrics={**metrics, **({"quick": 1} if ctx.quick else {})},
        train_seconds=time.perf_counter() - t0, directory=ctx.directory,
    )  # fmt: skip


def _register(name: str) -> None:
    cfg = CHECKPOINTS[name]
    what = f"character-level {cfg.cell.upper()} on Shakespeare (41 works; held out: The Tempest)"

    @register_checkpoint(name, 6, what, 600, measure=measure)
    def train(ctx: TrainContext) -> ManifestEntry:
        return _train_checkpoint(name, ctx)


for _name in CHECKPOINTS:
    _register(_name)
