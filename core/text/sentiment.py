"""Homework 6: sentiment of tweets (negative / neutral / positive) with an LSTM from scratch and with a linear
probe on frozen MiniLM sentence vectors, trained on a chosen number of labelled tweets.

The LSTM (Hochreiter & Schmidhuber 1997) reads word ids (:mod:`core.text.words`) and classifies from its
last hidden state (both directions' when bidirectional); everything, the word vectors included, is
learnt from the labelled tweets. The probe is one linear layer on all-MiniLM-L6-v2's 384-d sentence
vector (:mod:`core.text.minilm`, Reimers & Gurevych 2019): what the encoder learnt from a billion
sentence pairs is transferred, and only 384 x 3 + 3 weights are learnt from the labels.

Data (:mod:`core.data.text`): the training pool is the train split less :data:`N_VAL` tweets kept for
validation; ``n_labels`` tweets are drawn from it stratified and nested (the 100 are among the 1,000).
Every run is scored on the same :data:`N_TEST` tweets of the held-out test split (stratified, seeded).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.jobs import Job
from core.registry import register_builder
from core.text import minilm
from core.text.words import TokenBatches, Vocab, build_vocab
from core.training import Callback, FitConfig, FitResult, JobProgress, accuracy, fit, seed_everything
from core.training.optim import make_optimizer

DATASET = "sentiment-tweets"
MODELS = {"lstm": "LSTM from scratch", "probe": "linear probe on frozen MiniLM",
          "finetune": "MiniLM fine-tuned"}
N_TEST, TEST_SEED = 1_000, 1997
N_VAL, SPLIT_SEED = 500, 2019
N_LABELS = (30, 30_000, 1_000)
"""Labelled training tweets (min, max, default); at most the pool (~30,000)."""
EMBED = (16, 256, 64)
HIDDEN = (16, 256, 64)
LAYERS = (1, 3, 1)
DROPOUT = (0.0, 0.7, 0.3)
EPOCHS = (1, 50, 8)
N_CHOICES = (30, 100, 300, 1_000, 3_000, 10_000, 30_000)
"""The labelled-tweet counts the page and the Gradio tab offer (within N_LABELS)."""
LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2)
DEFAULT_LR = {"lstm": 3e-3, "probe": 1e-2, "finetune": 3e-5}
"""Adam's learning rate per model (fine-tuning: the encoder's; its new head learns at the probe's)."""
VOCAB_SIZE = 8_000
TIME_BUDGET_S = 120.0
"""Wall-time bound of a live run's training (the MiniLM vectors of new tweets come on top)."""


@dataclass(frozen=True)
class ClassifierConfig:
    """One training run of either model on ``n_labels`` labelled tweets."""

    model: str = "lstm"
    """'lstm' (from scratch), 'probe' (linear on frozen MiniLM vectors) or 'finetune' (MiniLM trained end
    to end with a linear head, :mod:`core.text.finetune`)."""
    n_labels: int = N_LABELS[2]
    """Labelled training tweets, drawn stratified from the training pool."""
    embed: int = EMBED[2]
    """LSTM: size of the learnt word vectors."""
    hidden: int = HIDDEN[2]
    """LSTM: units per direction and layer."""
    layers: int = LAYERS[2]
    """LSTM: stacked layers."""
    bidirectional: bool = True
    """LSTM: also read the tweet right to left and join both final states."""
    dropout: float = DROPOUT[2]
    """Dropout on the word vectors, between layers and before the output layer."""
    lr: float = DEFAULT_LR["lstm"]
    """Adam learning rate."""
    epochs: int = EPOCHS[2]
    """Passes over the labelled tweets."""
    batch_size: int = 64
    """Tweets per step."""
    seed: int = 0
    """Seeds the initialisation and the batch order (the tweets drawn are fixed by ``SPLIT_SEED``)."""
    time_budget_s: float | None = TIME_BUDGET_S
    """Stop training after this many seconds (None: no bound)."""


def validate(c: ClassifierConfig) -> None:
    """ValueError naming the first setting outside the pages' ranges."""
    def within(name: str, v: object, lo: float, hi: float, whole: bool = True) -> None:
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and lo <= v <= hi
        if not ok or (whole and not isinstance(v, int)):
            raise ValueError(f"{name} must be {'a whole number ' if whole else ''}from {lo:g} to {hi:g}")

    if c.model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}")
    within("labelled tweets", c.n_labels, *N_LABELS[:2])
    within("embedding size", c.embed, *EMBED[:2])
    within("hidden size", c.hidden, *HIDDEN[:2])
    within("layers", c.layers, *LAYERS[:2])
    within("dropout", c.dropout, *DROPOUT[:2], whole=False)
    within("epochs", c.epochs, *EPOCHS[:2])
    if c.lr not in LEARNING_RATES:
        raise ValueError(f"learning rate must be one of {', '.join(f'{x:g}' for x in LEARNING_RATES)}")


class LSTMClassifier(nn.Module):
    """Word ids (B, T) and lengths (B,) -> class logits (B, C). The vocabulary travels in the weights."""

    def __init__(self, vocab_bytes: int, vocab_size: int, embed: int, hidden: int, layers: int,
                 bidirectional: bool, dropout: float, n_classes: int) -> None:  # fmt: skip
        super().__init__()
        self.register_buffer("vocab", torch.zeros(vocab_bytes, dtype=torch.uint8))
        self.embedding = nn.Embedding(vocab_size, embed, padding_idx=0)  # <pad> is the zero vector
        self.drop = nn.Dropout(dropout)
        self.lstm = nn.LSTM(embed, hidden, layers, batch_first=True, bidirectional=bidirectional,
                            dropout=dropout if layers > 1 else 0.0)  # fmt: skip
        self.head = nn.Linear(hidden * (2 if bidirectional else 1), n_classes)
        self._vocab: Vocab | None = None

    def words(self) -> Vocab:
        if self._vocab is None:
            self._vocab = Vocab.from_bytes(self.vocab)
        return self._vocab

    def forward(self, tokens: Tensor, lengths: Tensor) -> Tensor:
        x = self.drop(self.embedding(tokens))
        # Packing makes each direction stop at the tweet's own last word, not at the padding.
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm(packed)
        last = torch.cat([h[-2], h[-1]], 1) if self.lstm.bidirectional else h[-1]
        return self.head(self.drop(last))

    def encode(self, texts: Sequence[str]) -> tuple[Tensor, Tensor]:
        from core.text.words import collate

        return collate([self.words().encode(t) for t in texts])


class ProbeBank(nn.Module):
    """Linear heads on the frozen MiniLM sentence vector, one per number of labels; ``forward`` takes
    (B, 384) vectors and answers with the ``default`` head. MiniLM itself is not in these weights."""

    def __init__(self, n_labels: Sequence[int], default: int, n_classes: int) -> None:
        super().__init__()
        self.default = int(default)
        self.heads = nn.ModuleDict({str(int(n)): nn.Linear(minilm.DIM, n_classes) for n in n_labels})

    def forward(self, x: Tensor, n_labels: int | None = None) -> Tensor:
        return self.heads[str(n_labels or self.default)](x)


@register_builder("text-lstm", task="text-classifier")
def build_lstm(**config: object) -> LSTMClassifier:
    keys = ("vocab_bytes", "vocab_size", "embed", "hidden", "layers", "bidirectional", "dropout")
    return LSTMClassifier(*(config[k] for k in keys), n_classes=len(config["classes"]))  # type: ignore[arg-type,misc]


@register_builder("text-probe", task="text-classifier")
def build_probe(**config: object) -> ProbeBank:
    return ProbeBank(config["n_labels"], config["default"], len(config["classes"]))  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# Data


def _stratified_order(y: np.ndarray, seed: int) -> np.ndarray:
    """An order of indices in which every prefix keeps the classes' shares (round-robin by share)."""
    rng = np.random.default_rng(seed)
    keys = np.empty(len(y))
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        keys[rng.permutation(idx)] = (np.arange(len(idx)) + rng.random()) / len(idx)
    return np.argsort(keys, kind="stable")


def held_out(n_test: int = N_TEST) -> tuple[list[str], np.ndarray, object]:
    """The fixed stratified held-out tweets every run is scored on: (texts, labels, test split)."""
    from core.data import load

    test = load(DATASET, "test")
    idx = np.sort(_stratified_order(np.asarray(test.y), TEST_SEED)[:n_test])
    return [test.X[i] for i in idx], np.asarray(test.y)[idx], test


def training_data(n_labels: int) -> tuple[list[str], np.ndarray, list[str], np.ndarray, object]:
    """(train texts, labels, validation texts, labels, train split): ``n_labels`` tweets from the pool."""
    from core.data import load

    train = load(DATASET, "train")
    order = _stratified_order(np.asarray(train.y), SPLIT_SEED)
    val, pool = order[:N_VAL], order[N_VAL:]
    pick = pool[: min(n_labels, len(pool))]
    y = np.asarray(train.y)
    return [train.X[i] for i in pick], y[pick], [train.X[i] for i in val], y[val], train


# --------------------------------------------------------------------------------------------------
# Training


@dataclass(frozen=True)
class ClassifierRun:
    config: ClassifierConfig
    model: nn.Module
    fit: FitResult
    test_accuracy: float
    """On the :data:`N_TEST` held-out tweets (NaN if the run diverged)."""
    n_train: int
    seconds: float
    provenance: str
    extra: dict = field(default_factory=dict)


def _progress(job: Job | None, what: str):  # noqa: ANN202
    def report(done: int, todo: int) -> bool:
        if job is not None:
            job.report(message=f"MiniLM vectors of the {what}: {done:,} of {todo:,} new tweets")
            return not job.should_stop()
        return True

    return report


def run(config: ClassifierConfig, job: Job | None = None, callbacks: Sequence[Callback] = (),
        n_test: int = N_TEST) -> ClassifierRun:  # fmt: skip
    """Train one model on ``config.n_labels`` tweets and score it on the held-out tweets."""
    validate(config)
    if config.model == "finetune":
        from core.text import finetune

        return finetune.run(config, job, callbacks, n_test)
    t0 = time.perf_counter()
    X, y, Xv, yv, train = training_data(config.n_labels)
    Xt, yt, test = held_out(n_test)
    classes = tuple(train.classes)
    seed_everything(config.seed)
    cbs = [*callbacks, *([JobProgress(job)] if job is not None else [])]
    fit_cfg = FitConfig(epochs=config.epochs, seed=config.seed, time_budget_s=config.time_budget_s,
                        max_grad_norm=5.0, batch_size=config.batch_size)  # fmt: skip
    metrics = {"accuracy": accuracy}
    stop = job.should_stop if job is not None else None
    extra: dict = {}
    if config.model == "lstm":
        vocab = Vocab(build_vocab(X, VOCAB_SIZE))
        model: nn.Module = LSTMClassifier(len(vocab.to_bytes()), len(vocab), config.embed, config.hidden,
                                          config.layers, config.bidirectional, config.dropout, len(classes))
        model.vocab.copy_(vocab.to_bytes())
        enc = [vocab.encode(t) for t in X]
        tr = TokenBatches(enc, torch.from_numpy(y), config.batch_size, config.seed)
        va = TokenBatches([vocab.encode(t) for t in Xv], torch.from_numpy(yv), 500, None)
        opt = make_optimizer("adam", model.parameters(), config.lr, kernel="single")
        result = fit(model, F.cross_entropy, opt, tr, va, fit_cfg, cbs, metrics, should_stop=stop)
        extra["vocab_size"] = len(vocab)
        extra["unk_share"] = float(np.mean([i == 1 for s in enc for i in s]))
        te = TokenBatches([vocab.encode(t) for t in Xt], torch.from_numpy(yt), 500, None)
        logits = _logits(model, te)
    else:
        E = torch.from_numpy(minilm.embed(X, _progress(job, "training tweets")))
        Ev = torch.from_numpy(minilm.embed(Xv, _progress(job, "validation tweets")))
        Et = torch.from_numpy(minilm.embed(Xt, _progress(job, "held-out tweets")))
        model = ProbeBank([config.n_labels], config.n_labels, len(classes))
        head = model.heads[str(config.n_labels)]
        opt = make_optimizer("adam", head.parameters(), config.lr, kernel="single")
        result = fit(head, F.cross_entropy, opt, (E, torch.from_numpy(y)), (Ev, torch.from_numpy(yv)),
                     fit_cfg, cbs, metrics, should_stop=stop)  # fmt: skip
        with torch.no_grad():
            logits = head(Et)
    model.eval()
    acc = math.nan if result.diverged else float((logits.argmax(1).numpy() == yt).mean())
    provenance = f"{train.provenance}; held out: {len(yt):,} tweets of the {test.provenance}"
    return ClassifierRun(config, model, result, acc, len(y), time.perf_counter() - t0, provenance, extra)


@torch.no_grad()
def _logits(model: nn.Module, batches: TokenBatches) -> Tensor:
    model.eval()
    return torch.cat([model(tokens, lengths) for tokens, lengths, _ in batches])
