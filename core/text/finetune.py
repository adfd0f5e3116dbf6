"""Homework 6, transfer by fine-tuning: all-MiniLM-L6-v2 trained end to end with a linear head on the tweets.

The probe (:mod:`core.text.sentiment`) keeps the encoder frozen and learns 384 x 3 weights; here every
one of MiniLM's 22.7 M weights moves too (Devlin et al. 2019's recipe for BERT: a small learning rate,
a few epochs). The head sits on the same mean-pooled, L2-normalised sentence vector as the probe's, so
the two differ only in whether the encoder learns. Discriminative learning rates (Howard & Ruder 2018,
ULMFiT): the new head learns at the probe's rate, the pre-trained encoder at :data:`ENCODER_LR`, so a
few steps neither leave the head at its random start nor wash out what the encoder knows.

Adam without weight decay (AdamW with decay 0 is the same update); gradients clipped to norm 1; texts
cut at :data:`MAX_WORDPIECES` (99% of the tweets are shorter); mini-batches of tweets of similar length
(a seeded "sortish" order: shuffled, sorted within chunks of 20 batches, batch order shuffled), so
little time goes into padding.

Shipping: the fine-tuned encoder is ~90 MB per point (fp32; ~45 MB in fp16), over the gallery's 10 MB
per file, so ``python -m core.train minilm-finetune-sentiment-tweets`` ships the curve's measured points
and the linear heads (:class:`FineTunedHeads`, 384 x 3 each); the encoders are not shipped, and a point
is reproduced by training it again (on the page, through the job queue, time-bounded).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core import checkpoints
from core.jobs import Job
from core.registry import NotComparable, TrainContext, register_builder, register_checkpoint
from core.text import minilm
from core.text import sentiment as sm
from core.text.words import clean
from core.training import Callback, FitConfig, JobProgress, accuracy, fit, seed_everything
from core.training.optim import make_optimizer

ENCODER_LR = 3e-5
"""Learning rate of the pre-trained encoder (BERT's fine-tuning range is 2e-5 to 5e-5)."""
HEAD_LR = sm.DEFAULT_LR["probe"]
"""Learning rate of the new linear head: the probe's own."""
MAX_WORDPIECES = 64
BATCH = 16
"""Tweets per step (BERT fine-tuning uses 16-32; with 100 labels, 16 gives 7 steps an epoch)."""
EVAL_BATCH = 64
SORTISH_CHUNK = 20
ENCODER_NOTE = ("the fine-tuned encoder (~90 MB per point) is not shipped: the file holds the linear "
                "heads; train a point again to reproduce it")


class FineTunedMiniLM(nn.Module):
    """Token ids and attention mask (B, T) -> class logits (B, C): a trainable copy of the bundled
    all-MiniLM-L6-v2, its mean-pooled normalised sentence vector, a linear head."""

    def __init__(self, n_classes: int) -> None:
        super().__init__()
        path = minilm.model_dir()
        if path is None:
            minilm.encoder()  # raises EncoderUnavailable with what to install
        from transformers import AutoModel

        self.encoder = AutoModel.from_pretrained(str(path), local_files_only=True)  # its own copy
        self.head = nn.Linear(minilm.DIM, n_classes)

    def forward(self, input_ids: Tensor, attention_mask: Tensor) -> Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.head(minilm.pool(hidden, attention_mask))


class FineTunedHeads(nn.Module):
    """What the shipped file holds: the linear head of each fine-tuned point (``heads[str(n)]``). The
    heads need their own fine-tuned encoders, which are not shipped, so this module classifies nothing:
    :meth:`encode` says so (``core.text.classify`` calls it first)."""

    def __init__(self, n_labels: Sequence[int], default: int, n_classes: int) -> None:
        super().__init__()
        self.default = int(default)
        self.heads = nn.ModuleDict({str(int(n)): nn.Linear(minilm.DIM, n_classes) for n in n_labels})

    def encode(self, texts: Sequence[str]) -> tuple[Tensor, Tensor]:
        raise ValueError(f"minilm-finetune-sentiment-tweets cannot classify: {ENCODER_NOTE}")

    def forward(self, *args: Tensor) -> Tensor:
        raise ValueError(f"minilm-finetune-sentiment-tweets cannot classify: {ENCODER_NOTE}")


@register_builder("text-finetune-heads", task="text-classifier")
def build_heads(**config: object) -> FineTunedHeads:
    return FineTunedHeads(config["n_labels"], config["default"], len(config["classes"]))  # type: ignore[arg-type]


def wordpiece_ids(texts: Sequence[str]) -> list[list[int]]:
    """Each text's WordPiece ids with [CLS] and [SEP], cut at :data:`MAX_WORDPIECES`."""
    tok, _ = minilm.encoder()
    return tok([clean(t) for t in texts], truncation=True, max_length=MAX_WORDPIECES)["input_ids"]


def pad(ids: Sequence[Sequence[int]]) -> tuple[Tensor, Tensor]:
    """(input ids, attention mask), padded with [PAD] (id 0) to the longest."""
    width = max(len(s) for s in ids)
    out = torch.zeros(len(ids), width, dtype=torch.long)
    mask = torch.zeros(len(ids), width, dtype=torch.long)
    for i, s in enumerate(ids):
        out[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = 1
    return out, mask


class WordPieceBatches:
    """``(input_ids, attention_mask, labels)`` batches of tweets of similar length, for the fit loop.
    ``seed`` None: one fixed order by length (evaluation)."""

    def __init__(self, ids: list[list[int]], labels: Tensor, batch_size: int, seed: int | None) -> None:
        self.ids, self.labels, self.batch_size = ids, labels, batch_size
        self.gen = None if seed is None else torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return -(-len(self.ids) // self.batch_size)

    def _order(self) -> list[list[int]]:
        lengths = np.array([len(s) for s in self.ids])
        if self.gen is None:
            order = np.argsort(lengths, kind="stable")
            return [order[i : i + self.batch_size].tolist() for i in range(0, len(order), self.batch_size)]
        perm = torch.randperm(len(self.ids), generator=self.gen).numpy()
        chunk = self.batch_size * SORTISH_CHUNK
        batches = []
        for c in range(0, len(perm), chunk):
            part = perm[c : c + chunk]
            part = part[np.argsort(lengths[part], kind="stable")]
            batches += [part[i : i + self.batch_size].tolist() for i in range(0, len(part), self.batch_size)]
        shuffle = torch.randperm(len(batches), generator=self.gen).tolist()
        return [batches[i] for i in shuffle]

    def __iter__(self):  # noqa: ANN204
        for idx in self._order():
            input_ids, mask = pad([self.ids[i] for i in idx])
            yield input_ids, mask, self.labels[idx]


@torch.no_grad()
def predict(model: nn.Module, texts: Sequence[str], job: Job | None = None) -> Tensor:
    """(N, C) logits of ``texts`` in their order; a stop request of ``job`` ends it (StopIteration)."""
    model.eval()
    ids = wordpiece_ids(texts)
    batches = WordPieceBatches(ids, torch.arange(len(ids)), EVAL_BATCH, None)
    out = torch.zeros(len(ids), model.head.out_features)
    for input_ids, mask, idx in batches:
        out[idx] = model(input_ids, mask)
        if job is not None and job.should_stop():
            raise StopIteration("stopped while scoring the held-out tweets")
    return out


def run(config: sm.ClassifierConfig, job: Job | None = None, callbacks: Sequence[Callback] = (),
        n_test: int = sm.N_TEST) -> sm.ClassifierRun:  # fmt: skip
    """Fine-tune MiniLM on ``config.n_labels`` tweets (``config.lr`` for the encoder) and score it on the
    held-out tweets, as :func:`core.text.sentiment.run` does for the other models."""
    sm.validate(config)
    t0 = time.perf_counter()
    X, y, Xv, yv, train = sm.training_data(config.n_labels)
    Xt, yt, test = sm.held_out(n_test)
    seed_everything(config.seed)
    model = FineTunedMiniLM(len(train.classes))
    groups = [{"params": list(model.encoder.parameters()), "lr": config.lr},
              {"params": list(model.head.parameters()), "lr": HEAD_LR}]
    opt = make_optimizer("adam", groups, config.lr, kernel="single")
    tr = WordPieceBatches(wordpiece_ids(X), torch.from_numpy(y), BATCH, config.seed)
    va = WordPieceBatches(wordpiece_ids(Xv), torch.from_numpy(yv), EVAL_BATCH, None)
    cbs = [*callbacks, *([JobProgress(job)] if job is not None else [])]
    fit_cfg = FitConfig(epochs=config.epochs, seed=config.seed, time_budget_s=config.time_budget_s,
                        max_grad_norm=1.0)  # fmt: skip
    if job is not None:
        job.report(message=f"fine-tuning MiniLM on {len(y):,} tweets")
    result = fit(model, F.cross_entropy, opt, tr, va, fit_cfg, cbs, {"accuracy": accuracy},
                 should_stop=job.should_stop if job is not None else None)  # fmt: skip
    if job is not None:
        job.report(message=f"scoring on the {len(yt):,} held-out tweets")
    logits = predict(model, Xt, job)
    acc = math.nan if result.diverged else float((logits.argmax(1).numpy() == yt).mean())
    provenance = f"{train.provenance}; held out: {len(yt):,} tweets of the {test.provenance}"
    return sm.ClassifierRun(config, model, result, acc, len(y), time.perf_counter() - t0, provenance,
                            {"encoder_shipped": False})  # fmt: skip


# --------------------------------------------------------------------------------------------------
# The shipped curve points


NAME = "minilm-finetune-sentiment-tweets"
GRID = (100, 1_000, 3_000)
"""The default grid of the curve (:data:`core.text.sentiment_curve.GRID`)."""
EPOCHS = {100: 3, 1_000: 2, 3_000: 1}
"""Epochs per point: 21, 126 and 188 steps of 16 tweets (each point's steps grow with its labels, and the
3,000 point stays within the ~20 min a rebuild may take on two shared cores)."""


def measure(model: nn.Module, ent: checkpoints.ManifestEntry) -> dict[str, float]:
    """The points cannot be re-measured from the file: their encoders are not shipped."""
    raise NotComparable(ENCODER_NOTE)


@register_checkpoint(NAME, 6, "all-MiniLM-L6-v2 fine-tuned end to end on the sentiment tweets at 100 / "
                     "1,000 / 3,000 labels (ships the measured points and the heads)", 1800,
                     measure=measure)  # fmt: skip
def train_points(ctx: TrainContext) -> checkpoints.ManifestEntry:
    """Each point in turn; the checkpoint is written after every point, so an interrupted rebuild still
    ships the points it measured (the entry lists them)."""
    grid, n_test = ((30, 60), 100) if ctx.quick else (GRID, sm.N_TEST)
    t0 = time.perf_counter()
    n_classes = len(sm.training_data(1)[-1].classes)
    done: dict[int, tuple[sm.ClassifierRun, dict[str, Tensor]]] = {}
    entry = None
    for n in grid:
        e = 1 if ctx.quick else EPOCHS.get(n, 2)
        cfg = sm.ClassifierConfig(model="finetune", n_labels=n, lr=ENCODER_LR, epochs=e, time_budget_s=None)
        r = run(cfg, callbacks=ctx.callbacks, n_test=n_test)
        if r.fit.diverged:
            raise RuntimeError(f"{NAME} diverged at {n} labels: {r.fit.message}")
        head = {k: v.detach().clone() for k, v in r.model.head.state_dict().items()}
        done[n] = (dataclasses.replace(r, model=nn.Identity()), head)  # drop the ~90 MB encoder
        entry = _save(done, grid, n_test, n_classes, time.perf_counter() - t0, ctx)
    assert entry is not None
    return entry


def _save(done: dict[int, tuple[sm.ClassifierRun, dict[str, Tensor]]], grid: Sequence[int], n_test: int,
          n_classes: int, seconds: float, ctx: TrainContext) -> checkpoints.ManifestEntry:
    points = sorted(done)
    heads = FineTunedHeads(points, points[-1], n_classes)
    for n in points:
        heads.heads[str(n)].load_state_dict(done[n][1])
    metrics: dict[str, float | int | bool] = {f"acc_n{n}": round(done[n][0].test_accuracy, 4) for n in points}
    metrics.update({"test_accuracy": metrics[f"acc_n{points[-1]}"], "n_test": n_test,
                    "encoder_shipped": False})
    if ctx.quick:
        metrics["quick"] = True
    _, _, test = sm.held_out(n_test)
    train = sm.training_data(1)[-1]
    last = done[points[-1]][0]
    config = {"n_labels": points, "default": points[-1], "dataset": sm.DATASET,
              "classes": list(train.classes), "encoder_shipped": False,
              "training": {"grid": points, "planned_grid": list(grid), "encoder_lr": ENCODER_LR,
                           "head_lr": HEAD_LR, "epochs": {str(n): done[n][0].fit.epochs_run for n in points},
                           "batch_size": BATCH, "max_wordpieces": MAX_WORDPIECES, "seed": 0,
                           "seconds_per_point": {str(n): round(done[n][0].seconds, 1) for n in points},
                           "optimizer": "adam (AdamW, weight decay 0)", "max_grad_norm": 1.0}}
    arch = (f"all-MiniLM-L6-v2 fine-tuned end to end + linear head 384->3, at {len(points)} points; this "
            f"file holds the {len(points)} heads only: {ENCODER_NOTE}")
    return checkpoints.save_checkpoint(
        NAME, heads, lecture=6, architecture=arch, builder="text-finetune-heads", config=config,
        dataset={"name": sm.DATASET, "provenance": last.provenance, "source": train.source, "n_test": n_test,
                 "n_test_split": len(test), "test_seed": sm.TEST_SEED, "n_val": sm.N_VAL,
                 "split_seed": sm.SPLIT_SEED},
        metrics=metrics, train_seconds=seconds, directory=ctx.directory,
    )  # fmt: skip
