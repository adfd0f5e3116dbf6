"""Training the homework CNN (lecture 3) through the gallery's one fit loop, with a fine-grained live history.

:func:`train_cnn` trains a :class:`~core.cnn.convnet.ConvNet` with :func:`core.training.fit` and its
:class:`~core.training.LiveRecorder` (20 points per epoch, so that a single-epoch page run still draws a
curve; a validation point every few seconds; filter snapshots for the live view); it then predicts the test
split. A run whose test accuracy stays at chance is reported as failed to learn, not as a success.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core import training
from core.cnn.config import CNNConfig, validate
from core.cnn.convnet import ConvNet, as_tensor
from core.cnn.diagnostics import Diagnostics, DiagnosticsRecorder
from core.cnn.inspection import first_layer_filters
from core.jobs import Job
from core.training import (
    Callback,
    FitConfig,
    FitResult,
    LiveRecorder,
    LRSchedule,
    TrainedRun,
    accuracy,
    cosine,
    evaluate,
    fit,
    seed_everything,
)


@dataclass(frozen=True)
class CNNRun(TrainedRun[CNNConfig, ConvNet]):
    """A finished :func:`train_cnn` run: the model, what happened, and its test-set predictions; its
    ``fit`` history is the fine-grained one (fractional ``epoch`` column), its ``held_out`` the
    :func:`held_out_scores` of the predictions."""

    classes: tuple[str, ...]
    """Class names."""
    test_X: np.ndarray = field(repr=False)
    """Test images (N, 1, H, W)."""
    test_y: np.ndarray = field(repr=False)
    """Test labels."""
    test_probs: np.ndarray = field(repr=False)
    """Softmax outputs on the test images (N, 10)."""
    images_per_s: float = 0.0
    """Training throughput of the run (images / second of fit time)."""
    diagnostics: Diagnostics | None = field(default=None, repr=False)
    """CS231n diagnostics recorded during the run: update/weight ratios and weight histograms."""

    @property
    def test_accuracy(self) -> float:
        return held_out_scores(self.test_probs, self.test_y)["test_accuracy"]

    @property
    def test_pred(self) -> np.ndarray:
        return self.test_probs.argmax(1)


def held_out_scores(probs: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Accuracy and mean cross-entropy (nats) of the class probabilities ``probs`` against labels ``y``."""
    if not len(y):
        return {"test_accuracy": math.nan, "test_loss": math.nan, "n_test": 0}
    loss = -np.log(np.clip(probs[np.arange(len(y)), y], 1e-12, 1)).mean()
    return {"test_accuracy": float((probs.argmax(1) == y).mean()), "test_loss": float(loss), "n_test": len(y)}


LIVE_VAL_IMAGES = 500
"""Validation images scored for a point of the live curve (each epoch's last point scores all of them)."""
LIVE_VAL_EVERY_S = 2.0
"""Wall time between two live validation points. Scoring 500 images 5x per epoch (fixed fractions) cost
~25% of a 10,000-image epoch's CPU time (bench/bench_cnn.py: the page ran at 0.71x the bare loop); every
2 s a 10-30 s page run still gets a validation point every few pixels of the chart."""
LIVE_VAL_SHARE = 0.03
"""...and at most this share of the wall time: on a loaded server an epoch takes longer, and a fixed 2 s
would score more often per image trained."""
EVAL_BATCH = 128
"""Batch of every evaluation here: scoring 1,000 images of the default CNN in one batch took 256 ms, in
batches of 128 66 ms (the activations of 1,000 images, ~100 MB, do not stay in the CPU's caches)."""
SNAPSHOT_EVERY_S = 5.0
"""Wall time between two live filter snapshots: the filters change slowly, a few pictures a run suffice."""


class _LiveValidation:
    """``validate`` of the page's :class:`LiveRecorder`: the loss and accuracy on the first
    ``LIVE_VAL_IMAGES`` validation images when ``every_s`` seconds have passed (and the last scoring took
    at most ``share`` of the time since), on all of them at each epoch's last point, NaN in between (the
    chart skips NaN points)."""

    def __init__(
        self, model: nn.Module, val: tuple[Tensor, Tensor], every_s: float = LIVE_VAL_EVERY_S,
        share: float = LIVE_VAL_SHARE,
    ) -> None:  # fmt: skip
        self.model, self.val, self.every_s, self.share = model, val, every_s, share
        self.recorder: LiveRecorder | None = None
        self._next = -math.inf

    def __call__(self) -> dict[str, float]:
        state = self.recorder.state if self.recorder is not None else None
        epoch_end = state is not None and state.step == state.steps_per_epoch
        start = time.perf_counter()
        if not epoch_end and start < self._next:
            return {"loss": math.nan, "accuracy": math.nan}
        X, y = self.val if epoch_end else (self.val[0][:LIVE_VAL_IMAGES], self.val[1][:LIVE_VAL_IMAGES])
        vals = evaluate(self.model, F.cross_entropy, X, y, {"accuracy": accuracy}, batch_size=EVAL_BATCH)
        end = time.perf_counter()
        self._next = end + max(self.every_s, (end - start) / self.share)
        return vals


def _split(config: CNNConfig, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded, disjoint validation and training indices into a train split of ``n`` images."""
    order = np.random.default_rng(config.seed).permutation(n)
    n_val = min(config.val_size, n // 5)  # never starve training to fill the validation set
    return order[n_val : n_val + config.train_size], order[:n_val]


@torch.no_grad()
def predict_proba(model: nn.Module, X: np.ndarray | Tensor, batch_size: int = EVAL_BATCH) -> np.ndarray:
    """Softmax outputs (N, classes) of ``model`` in eval mode, in batches."""
    model.eval()
    Xt = X if isinstance(X, Tensor) else as_tensor(X)
    outs = [F.softmax(model(Xt[i : i + batch_size]), dim=1) for i in range(0, len(Xt), batch_size)]
    return torch.cat(outs).numpy() if outs else np.zeros((0, 10), np.float32)


CHANCE_MARGIN = 0.05
"""A finished run whose test accuracy is within this of chance (the largest class share) did not learn."""


def _judge_learning(result: FitResult, probs: np.ndarray, y: np.ndarray, n_classes: int) -> FitResult:
    """Turn a 'finished' run that predicts no better than chance into status ``failed_to_learn``.

    An exploding loss can stay finite (the fit loop then sees no NaN), and a too-large step can park every
    ReLU at zero: either way the run ends 'completed' with the accuracy of guessing. A user must not read
    that as success, so the status and the message say what happened and what to change."""
    if result.status not in ("completed", "early_stopped") or len(y) < 50:
        return result  # stopped, timed out or diverged runs already say so; too few images to judge
    chance = float(np.bincount(y, minlength=n_classes).max() / len(y))
    acc = float((probs.argmax(1) == y).mean())
    if acc > chance + CHANCE_MARGIN:
        return result
    loss = result.final("train_loss")
    why = (
        f"failed to learn: test accuracy {acc:.1%} is chance level ({chance:.0%} by always guessing one "
        f"class); the training loss ended at {loss:.3g} (ln {n_classes} = {math.log(n_classes):.2f} is a "
        "uniform guess). The steps were probably too large: lower the learning rate or turn batch norm on"
    )
    return replace(result, status="failed_to_learn", message=why)


def train_cnn(
    config: CNNConfig,
    job: Job | None = None,
    callbacks: Sequence[Callback] = (),
    *,
    max_images: int | None = None,
    test_limit: int | None = None,
) -> CNNRun:
    """Train a :class:`ConvNet` on the configured data set and predict the test split.

    ``job`` (from the page's training panel) receives live rows, filter snapshots and stop requests;
    ``max_images`` caps epochs x training images (the page's bound); ``test_limit`` predicts only the
    first test images (smoke tests)."""
    from core import data

    validate(config, max_images)
    train_ds, test_ds = data.load(config.dataset, "train"), data.load(config.dataset, "test")
    tr_idx, va_idx = _split(config, len(train_ds))
    Xtr, ytr = as_tensor(train_ds.X[tr_idx]), torch.from_numpy(train_ds.y[tr_idx])
    val = (as_tensor(train_ds.X[va_idx]), torch.from_numpy(train_ds.y[va_idx])) if len(va_idx) else None

    seed_everything(config.seed)
    model = ConvNet(config)
    optimizer = training.make_optimizer(config.optimizer, model.parameters(), config.lr, config.weight_decay)
    validation = None if val is None else _LiveValidation(model, val)
    recorder = LiveRecorder(
        job,
        points_per_epoch=20,
        validate=validation,
        val_every=1,  # every row asks; _LiveValidation decides by wall time
        snapshot=lambda: first_layer_filters(model),
        snapshot_key="filters",
        snapshot_s=SNAPSHOT_EVERY_S,
    )
    if validation is not None:
        validation.recorder = recorder
    diagnostics = DiagnosticsRecorder(model)
    cbs: list[Callback] = [recorder, diagnostics, *callbacks]
    if config.lr_schedule == "cosine":
        cbs.insert(0, LRSchedule(cosine))
    fit_cfg = FitConfig(
        epochs=config.epochs,
        batch_size=config.batch_size,
        time_budget_s=config.time_budget_s,
        seed=config.seed,
    )
    # No validation data for fit itself: the recorder scores it at each epoch's end (the same numbers,
    # once instead of twice).
    result = fit(
        model,
        F.cross_entropy,
        optimizer,
        (Xtr, ytr),
        None,
        fit_cfg,
        cbs,
        metrics={"accuracy": accuracy},
        should_stop=job.should_stop if job is not None else None,
    )
    full_steps = result.epochs_run * math.ceil(len(Xtr) / min(config.batch_size, len(Xtr)))
    seen = result.epochs_run * len(Xtr) + max(0, result.steps - full_steps) * config.batch_size
    images_per_s = seen / max(result.seconds, 1e-9)
    n_test = len(test_ds) if test_limit is None else min(test_limit, len(test_ds))
    probs = (
        predict_proba(model, test_ds.X[:n_test])
        if not result.diverged
        else np.full((n_test, 10), 0.1, np.float32)
    )
    fine = replace(result, history=recorder.history if recorder.history["epoch"] else result.history)
    test_y = np.asarray(test_ds.y[:n_test])
    fine = _judge_learning(fine, probs, test_y, len(train_ds.classes))
    return CNNRun(
        config=config,
        model=model.eval(),
        fit=fine,
        held_out=None if result.diverged else held_out_scores(probs, test_y),
        n_train=len(Xtr),
        n_val=0 if val is None else len(val[0]),
        provenance=train_ds.provenance,
        test_provenance=test_ds.provenance,
        sources=(train_ds.source, test_ds.source),
        classes=train_ds.classes,
        test_X=np.asarray(test_ds.X[:n_test]),
        test_y=test_y,
        test_probs=probs,
        images_per_s=float(min(images_per_s, 1e9)),
        diagnostics=diagnostics.data,
    )


RATE_BATCHES = 3
"""Timed training steps (after one warm-up step) behind :func:`measure_images_per_s`."""


def measure_images_per_s(config: CNNConfig, batches: int = RATE_BATCHES) -> float:
    """Images per second of training steps of this network, measured here and now.

    A fixed constant (once '2,000 images/s') was 2-3x off on a shared two-core machine (25 s measured
    against 5 s promised), so the page times ``batches`` real optimiser steps on random images of the
    configured batch size after one warm-up step (the first step allocates buffers and is slower).
    Cached per architecture, optimiser and batch size: the rate does not depend on the data."""
    key = replace(config, dataset="fashion-mnist", lr=1e-3, seed=0, epochs=1, train_size=config.batch_size)
    return _measure(key, int(batches))


@functools.lru_cache(maxsize=32)
def _measure(config: CNNConfig, batches: int) -> float:
    validate(config)
    torch.manual_seed(0)
    model = ConvNet(config).train()
    opt = training.make_optimizer(config.optimizer, model.parameters(), 1e-3, 0.0)
    n = config.image_size
    x = torch.rand(config.batch_size, 1, n, n)
    y = torch.randint(0, 10, (config.batch_size,))
    elapsed = 0.0
    for i in range(batches + 1):
        start = time.perf_counter()
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        if i:  # step 0 is the warm-up
            elapsed += time.perf_counter() - start
    return batches * config.batch_size / max(elapsed, 1e-9)
