"""One fit loop for every supervised model of the gallery.

Callbacks follow Stable-Baselines3's convention: a hook returns ``False`` to stop training. The loop
itself adds early stopping, divergence detection (a NaN/inf loss stops the run and is reported, never
raised), a wall-clock budget and seeded shuffling. It works on in-memory tensors and indexes mini-batches
with a seeded permutation instead of a DataLoader: for the small data sets of a lecture demo the
DataLoader machinery would cost more than the model (see ``bench/bench_foundation.py``).
"""

from __future__ import annotations

import copy
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor, nn

Metric = Callable[[Tensor, Tensor], Tensor]
"""A metric maps (model output, targets) to a 0-d tensor (averaged over the batch)."""

STATUS_TEXT = {
    "completed": "finished all epochs",
    "early_stopped": "stopped early: validation loss stopped improving",
    "diverged": "diverged",
    "stopped": "stopped on request",
    "time_budget": "stopped at the time budget",
}


@dataclass(frozen=True)
class FitConfig:
    """How to run :func:`fit`."""

    epochs: int = 100
    """Maximum number of passes over the training data."""
    batch_size: int | None = None
    """Mini-batch size; ``None`` means full-batch gradient descent (one step per epoch)."""
    patience: int | None = None
    """Early stopping: stop after this many evaluations without validation-loss improvement."""
    min_delta: float = 0.0
    """Early stopping: an improvement must lower the validation loss by more than this."""
    restore_best: bool = True
    """With early stopping, put back the weights of the best validation epoch at the end."""
    time_budget_s: float | None = None
    """Stop (status ``time_budget``) once this many seconds of wall time have passed."""
    eval_every: int = 1
    """Evaluate on the validation data every this many epochs (and always on the last)."""
    seed: int = 0
    """Seed of the mini-batch shuffling (model initialisation is seeded by the caller)."""
    max_grad_norm: float | None = None
    """Clip the global gradient norm to this value; ``None`` disables clipping."""
    divergence_factor: float | None = 1e4
    """Also call it diverged when the training loss exceeds this multiple of the first epoch's loss
    (saturating activations can keep an exploded loss finite); ``None``: only NaN/inf counts."""


@dataclass(frozen=True)
class FitResult:
    """What happened in a :func:`fit` run."""

    status: str
    """One of ``completed``, ``early_stopped``, ``diverged``, ``stopped``, ``time_budget``."""
    epochs_run: int
    """Epochs that ran to the end."""
    steps: int
    """Optimizer steps taken."""
    seconds: float
    """Wall time of the run."""
    history: dict[str, list[float]] = field(default_factory=dict)
    """Per-epoch values: ``epoch``, ``train_loss``, ``train_<metric>``, and ``val_loss``/``val_<metric>``
    (validation values are NaN on epochs without evaluation)."""
    best_epoch: int | None = None
    """Epoch (1-based) with the lowest validation loss, if there was validation data."""
    message: str = ""
    """One line for the user, e.g. why the run stopped."""

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"

    def final(self, key: str) -> float:
        """The last finite value of a history column (NaN if none)."""
        for value in reversed(self.history.get(key, [])):
            if math.isfinite(value):
                return value
        return math.nan


class Callback:
    """Hooks into :func:`fit`. Return ``False`` from a hook to stop training (status ``stopped``)."""

    def on_train_begin(self, epochs: int, steps_per_epoch: int) -> None:
        """Called once before the first epoch."""

    def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
        """Called after each optimizer step (only if a callback overrides it: it costs time)."""
        return True

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        """Called after each epoch with that epoch's row of the history."""
        return True

    def on_train_end(self, result: FitResult) -> None:
        """Called once with the final result."""


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch so that the same settings give the same model and figure."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def accuracy(output: Tensor, target: Tensor) -> Tensor:
    """Fraction of correct argmax predictions (binary outputs of width 1 are thresholded at 0)."""
    if output.ndim == 1 or output.shape[-1] == 1:
        pred = (output.reshape(-1) > 0).to(target.dtype)
        return (pred == target.reshape(-1)).float().mean()
    return (output.argmax(dim=-1) == target).float().mean()


def _overrides(cb: Callback, name: str) -> bool:
    return getattr(type(cb), name) is not getattr(Callback, name)


@torch.no_grad()
def evaluate(
    model: nn.Module,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    X: Tensor,
    y: Tensor,
    metrics: dict[str, Metric] | None = None,
    batch_size: int = 4096,
) -> dict[str, float]:
    """Mean loss and metrics of ``model`` on (X, y), in eval mode, in chunks to bound memory."""
    was_training = model.training
    model.eval()
    n = len(X)
    sums: dict[str, float] = {}
    for start in range(0, n, batch_size):
        xb, yb = (X, y) if n <= batch_size else (X[start : start + batch_size], y[start : start + batch_size])
        out = model(xb)
        w = len(xb) / n
        sums["loss"] = sums.get("loss", 0.0) + float(loss_fn(out, yb)) * w
        for name, fn in (metrics or {}).items():
            sums[name] = sums.get(name, 0.0) + float(fn(out, yb)) * w
    if was_training:
        model.train()
    return sums


def fit(
    model: nn.Module,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: torch.optim.Optimizer,
    train: tuple[Tensor, Tensor],
    val: tuple[Tensor, Tensor] | None = None,
    config: FitConfig = FitConfig(),
    callbacks: Sequence[Callback] = (),
    metrics: dict[str, Metric] | None = None,
    penalty: Callable[[nn.Module], Tensor] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> FitResult:
    """Train ``model`` on ``train`` and return what happened; never raises on divergence.

    ``penalty`` adds a regulariser to the loss (e.g. L1 on the weights); ``should_stop`` is polled
    after each step (a stop request from the UI or a job queue).
    """
    X, y = train
    n = len(X)
    bs = n if config.batch_size is None else max(1, min(config.batch_size, n))
    steps_per_epoch = math.ceil(n / bs)
    metrics = metrics or {}
    gen = torch.Generator().manual_seed(config.seed)
    step_cbs = [cb for cb in callbacks if _overrides(cb, "on_step")]
    history: dict[str, list[float]] = {"epoch": [], "train_loss": []}
    for name in metrics:
        history[f"train_{name}"] = []
    if val is not None:
        history["val_loss"] = []
        for name in metrics:
            history[f"val_{name}"] = []

    best_loss, best_epoch, best_state, bad_evals = math.inf, None, None, 0
    status, message, steps, epoch = "completed", "", 0, 0
    first_loss: float | None = None
    t0 = time.perf_counter()
    deadline = None if config.time_budget_s is None else t0 + config.time_budget_s
    for cb in callbacks:
        cb.on_train_begin(config.epochs, steps_per_epoch)
    model.train()

    for epoch in range(1, config.epochs + 1):
        # Full batch: no permutation needed, and indexing would copy the data every epoch.
        order = None if bs == n else torch.randperm(n, generator=gen)
        loss_sum = torch.zeros(())
        metric_sums = {name: torch.zeros(()) for name in metrics}
        interrupted = False
        for i in range(steps_per_epoch):
            if order is None:
                xb, yb = X, y
            else:
                idx = order[i * bs : (i + 1) * bs]
                xb, yb = X[idx], y[idx]
            out = model(xb)
            loss = loss_fn(out, yb)
            total = loss if penalty is None else loss + penalty(model)
            optimizer.zero_grad(set_to_none=True)
            total.backward()
            if config.max_grad_norm is not None:
                nn.utils.clip_grad_norm_(model.parameters(), config.max_grad_norm)
            optimizer.step()
            steps += 1
            if order is None:  # full batch: the step's loss is the epoch's loss
                loss_sum = loss.detach()
                for name, fn in metrics.items():
                    metric_sums[name] = fn(out.detach(), yb)
            else:
                w = len(xb) / n
                loss_sum += loss.detach() * w
                for name, fn in metrics.items():
                    metric_sums[name] += fn(out.detach(), yb) * w
            if step_cbs and not all(cb.on_step(epoch, i + 1, steps_per_epoch) for cb in step_cbs):
                status, interrupted = "stopped", True
            elif should_stop is not None and should_stop():
                status, interrupted = "stopped", True
            elif deadline is not None and time.perf_counter() > deadline:
                status, interrupted = "time_budget", True
            if interrupted:
                break
        if interrupted and i + 1 < steps_per_epoch:
            epoch -= 1  # the partial epoch does not count and is not logged
            break

        train_loss = float(loss_sum)
        if first_loss is None:
            first_loss = train_loss
        exploded = (
            config.divergence_factor is not None
            and math.isfinite(first_loss)
            and train_loss > config.divergence_factor * max(first_loss, 1e-8)
        )
        if not math.isfinite(train_loss) or exploded:
            status = "diverged"
            grown = f" (from {first_loss:.3g})" if exploded else ""
            message = (
                f"diverged in epoch {epoch}: the training loss became {train_loss:.3g}{grown}; "
                "try a smaller learning rate"
            )
            break
        history["epoch"].append(float(epoch))
        history["train_loss"].append(train_loss)
        for name in metrics:
            history[f"train_{name}"].append(float(metric_sums[name]))
        logs = {"epoch": float(epoch), "train_loss": train_loss}
        if val is not None:
            if epoch % config.eval_every == 0 or epoch == config.epochs or interrupted:
                vals = evaluate(model, loss_fn, val[0], val[1], metrics)
            else:
                vals = {"loss": math.nan, **{name: math.nan for name in metrics}}
            history["val_loss"].append(vals["loss"])
            logs["val_loss"] = vals["loss"]
            for name in metrics:
                history[f"val_{name}"].append(vals[name])
                logs[f"val_{name}"] = vals[name]
            if math.isfinite(vals["loss"]):
                if vals["loss"] < best_loss - config.min_delta:
                    best_loss, best_epoch, bad_evals = vals["loss"], epoch, 0
                    if config.patience is not None and config.restore_best:
                        best_state = copy.deepcopy(model.state_dict())
                else:
                    bad_evals += 1
        for name in metrics:
            logs[f"train_{name}"] = history[f"train_{name}"][-1]
        if not all(cb.on_epoch_end(epoch, logs) for cb in callbacks):
            status, interrupted = "stopped", True
        if interrupted:
            break
        if config.patience is not None and bad_evals >= config.patience:
            status = "early_stopped"
            break

    if status == "early_stopped" and best_state is not None:
        model.load_state_dict(best_state)
    if not message:
        message = STATUS_TEXT[status]
        if status == "early_stopped" and best_epoch is not None:
            message += f" (best epoch {best_epoch}" + (", weights restored)" if best_state else ")")
    model.eval()
    result = FitResult(
        status=status,
        epochs_run=len(history["epoch"]),
        steps=steps,
        seconds=time.perf_counter() - t0,
        history=history,
        best_epoch=best_epoch,
        message=message,
    )
    for cb in callbacks:
        cb.on_train_end(result)
    return result
