"""Training the homework CNN (lecture 3) through the gallery's one fit loop, with a fine-grained live history.

:func:`train_cnn` trains a :class:`~core.cnn.convnet.ConvNet` with :func:`core.training.fit` and records a
few dozen points per epoch, so that a single-epoch page run still draws a curve; it then predicts the test
split. A run whose test accuracy stays at chance is reported as failed to learn, not as a success.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core import training
from core.cnn.config import CNNConfig, validate
from core.cnn.convnet import ConvNet, as_tensor
from core.cnn.inspection import first_layer_filters
from core.jobs import Job
from core.training import Callback, FitConfig, FitResult, accuracy, evaluate, fit, seed_everything


@dataclass(frozen=True)
class CNNRun:
    """A finished :func:`train_cnn` run: the model, what happened, and its test-set predictions."""

    config: CNNConfig
    """The settings of the run."""
    model: ConvNet
    """The trained model, in eval mode."""
    fit: FitResult
    """The fit loop's result; its ``history`` is the fine-grained one (fractional ``epoch`` column)."""
    n_train: int
    """Training images actually used."""
    n_val: int
    """Validation images (from the train split)."""
    provenance: str
    """Where the training images came from."""
    test_provenance: str
    """Where the test images came from."""
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
    sources: tuple[str, str] = ("", "")
    """Short ids of the sources that served the train and the test split ('system', 'package', ...)."""

    @property
    def test_accuracy(self) -> float:
        return float((self.test_probs.argmax(1) == self.test_y).mean()) if len(self.test_y) else math.nan

    @property
    def test_pred(self) -> np.ndarray:
        return self.test_probs.argmax(1)


class _LiveRecorder(Callback):
    """Fine-grained curves, progress, stop requests and sparse filter snapshots for a job.

    The fit loop logs once per epoch, and a page run is often a single epoch: so the loss function is
    wrapped to remember each training batch's loss and accuracy, and every ``1/points_per_epoch`` of an
    epoch one row (fractional epoch, running train loss/accuracy, and now and then the loss and accuracy
    on a validation subset) is appended to the job's history. Own rows instead of ``job.callback()``:
    mixing both would put two x-grids into one history.
    """

    def __init__(
        self,
        job: Job | None,
        val: tuple[Tensor, Tensor] | None,
        points_per_epoch: int = 20,
        val_every: int = 4,
        snapshot_s: float = 3.0,
    ) -> None:
        self.job, self.val = job, val
        self.points_per_epoch, self.val_every, self.snapshot_s = points_per_epoch, val_every, snapshot_s
        self.model: nn.Module | None = None
        self.history: dict[str, list[float]] = {
            k: [] for k in ("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy")
        }
        self._loss_sum = self._acc_sum = 0.0
        self._count = self._rows = 0
        self._epochs, self._every, self._last_snapshot = 1, 1, 0.0

    def loss(self, out: Tensor, target: Tensor) -> Tensor:
        loss = F.cross_entropy(out, target)
        if torch.is_grad_enabled():  # a training step (evaluate() runs under no_grad)
            self._loss_sum += float(loss.detach())
            self._acc_sum += float(accuracy(out.detach(), target))
            self._count += 1
        return loss

    def on_train_begin(self, epochs: int, steps_per_epoch: int) -> None:
        self._epochs = epochs
        self._every = max(1, round(steps_per_epoch / self.points_per_epoch))

    def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
        if step % self._every == 0 or step == steps_per_epoch:
            self._row(epoch - 1 + step / steps_per_epoch)
        return self.job is None or not self.job.should_stop()

    def _row(self, x: float) -> None:
        row = {
            "epoch": x,
            "train_loss": self._loss_sum / max(1, self._count),
            "train_accuracy": self._acc_sum / max(1, self._count),
            "val_loss": math.nan,
            "val_accuracy": math.nan,
        }
        self._loss_sum = self._acc_sum = 0.0
        self._count = 0
        if (
            self.val is not None
            and self.model is not None
            and (self._rows % self.val_every == 0 or x >= self._epochs)
        ):
            vals = evaluate(self.model, F.cross_entropy, *self.val, {"accuracy": accuracy})
            row["val_loss"], row["val_accuracy"] = vals["loss"], vals["accuracy"]
        self._rows += 1
        for k, v in row.items():
            self.history[k].append(v)
        if self.job is not None:
            shown = ", ".join(
                f"{k.replace('_', ' ')} {v:.3f}" for k, v in row.items() if k != "epoch" and math.isfinite(v)
            )
            self.job.report(
                progress=x / self._epochs, message=f"epoch {x:.2f}/{self._epochs}: {shown}", **row
            )
            now = time.perf_counter()
            # Snapshots are copies handed across threads: a few per minute are enough for a live view.
            if self.model is not None and now - self._last_snapshot > self.snapshot_s:
                self._last_snapshot = now
                self.job.publish("filters", first_layer_filters(self.model))


class _CosineLR(Callback):
    """Per-step cosine decay of the learning rate to 0 (SGDR without restarts; Loshchilov & Hutter 2017)."""

    def __init__(self, optimizer: torch.optim.Optimizer) -> None:
        self.optimizer = optimizer
        self.base = [g["lr"] for g in optimizer.param_groups]
        self.total = 1

    def on_train_begin(self, epochs: int, steps_per_epoch: int) -> None:
        self.total = max(1, epochs * steps_per_epoch)

    def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
        t = min(1.0, ((epoch - 1) * steps_per_epoch + step) / self.total)
        for g, lr in zip(self.optimizer.param_groups, self.base):
            g["lr"] = 0.5 * lr * (1 + math.cos(math.pi * t))
        return True


def _split(config: CNNConfig, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded, disjoint validation and training indices into a train split of ``n`` images."""
    order = np.random.default_rng(config.seed).permutation(n)
    n_val = min(config.val_size, n // 5)  # never starve training to fill the validation set
    return order[n_val : n_val + config.train_size], order[:n_val]


@torch.no_grad()
def predict_proba(model: nn.Module, X: np.ndarray | Tensor, batch_size: int = 1000) -> np.ndarray:
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
    # The live curve scores a 500-image slice 5 times per epoch (~10% of an epoch's compute at 10,000
    # images); the fit loop scores all of the validation images at each epoch's end.
    recorder = _LiveRecorder(job, None if val is None else (val[0][:500], val[1][:500]))
    recorder.model = model
    cbs: list[Callback] = [recorder, *callbacks]
    if config.lr_schedule == "cosine":
        cbs.insert(0, _CosineLR(optimizer))
    fit_cfg = FitConfig(
        epochs=config.epochs,
        batch_size=config.batch_size,
        time_budget_s=config.time_budget_s,
        seed=config.seed,
        eval_every=1,
    )
    result = fit(
        model,
        recorder.loss,
        optimizer,
        (Xtr, ytr),
        val,
        fit_cfg,
        cbs,
        {"accuracy": accuracy},
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
    fine = _judge_learning(fine, probs, np.asarray(test_ds.y[:n_test]), len(train_ds.classes))
    return CNNRun(
        config=config,
        model=model.eval(),
        fit=fine,
        n_train=len(Xtr),
        n_val=0 if val is None else len(val[0]),
        provenance=train_ds.provenance,
        test_provenance=test_ds.provenance,
        classes=train_ds.classes,
        test_X=np.asarray(test_ds.X[:n_test]),
        test_y=np.asarray(test_ds.y[:n_test]),
        test_probs=probs,
        images_per_s=float(min(images_per_s, 1e9)),
        sources=(train_ds.source, test_ds.source),
    )
