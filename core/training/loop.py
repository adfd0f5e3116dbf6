"""One fit loop for every model family of the gallery.

What varies between families is what one step does, so the loop takes it as data:

- supervised, ``fit(model, F.cross_entropy, opt, (X, y))``: a criterion ``(output, target) -> loss``;
- a custom loss, ``fit(model, BatchLoss(vae_loss), opt, (X,))``: ``fn(model, batch)`` returns a scalar
  loss or a dict of named losses (a VAE's ``recon`` and ``kl``, each logged; ``loss``, or else their
  sum, is minimised);
- its own step, ``fit(gan, TrainStep(gan_step), (opt_g, opt_d), loader)``: ``fn(model, batch,
  optimizers)`` does the zero_grad/backward/step itself (a GAN's generator and discriminator) and
  returns its named losses.

and where the batches come from: a tuple of equal-length tensors in memory (``(X, y)``, ``(X,)``) is
minibatched with a seeded index permutation, and trained full-batch without any indexing when
``batch_size`` is None; for the small data sets of a lecture demo this beats a DataLoader, whose
machinery would cost more than the model (see ``bench/bench_foundation.py``). Anything else is an
iterable of batches, iterated once per epoch (a DataLoader of 224 px images, variable-length token
batches with their collate fn).

Stopping is one mechanism, callbacks (:mod:`core.training.callbacks`): a hook that returns ``False``
ends the run with its status; divergence, ``should_stop``, the time budget and early stopping are such
callbacks, added from the arguments and the config. The loop never raises on divergence.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from core.training.callbacks import (
    Callback,
    Divergence,
    EarlyStopping,
    LoopState,
    StopWhen,
    TimeBudget,
    overrides,
)
from core.training.steps import BatchLoss, Step, TrainStep, make_step

Metric = Callable[[Tensor, Tensor], Tensor]
"""A metric maps (model output, targets) to a 0-d tensor (averaged over the batch)."""
Batches = tuple[Tensor, ...] | Iterable[Any]
"""Training data: equal-length tensors in memory, or any iterable of batches."""

STATUS_TEXT = {
    "completed": "finished all epochs",
    "early_stopped": "stopped early: validation loss stopped improving",
    "diverged": "diverged",
    "stopped": "stopped on request",
    "time_budget": "stopped at the time budget",
    "failed_to_learn": "failed to learn: it ended no better than chance",
}


@dataclass(frozen=True)
class FitConfig:
    """How to run :func:`fit`."""

    epochs: int = 100
    """Maximum number of passes over the training data."""
    batch_size: int | None = None
    """In-memory data: mini-batch size; ``None`` means full-batch gradient descent (one step per epoch).
    Streamed batches come as the iterable makes them."""
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
    """Seed of the mini-batch shuffling of in-memory data (model initialisation is seeded by the caller)."""
    max_grad_norm: float | None = None
    """Clip the global gradient norm to this value; ``None`` disables clipping (own steps clip themselves)."""
    divergence_factor: float | None = 1e4
    """Also call it diverged when a step's loss exceeds this multiple of the first step's (saturating
    activations can keep an exploded loss finite); ``None``: only NaN/inf counts."""


@dataclass(frozen=True)
class FitResult:
    """What happened in a :func:`fit` run."""

    status: str
    """One of ``completed``, ``early_stopped``, ``diverged``, ``stopped``, ``time_budget``; a caller that
    judges the finished model may set ``failed_to_learn`` (e.g. a classifier at chance accuracy)."""
    epochs_run: int
    """Epochs that ran to the end."""
    steps: int
    """Optimizer steps taken."""
    seconds: float
    """Wall time of the run."""
    history: dict[str, list[float]] = field(default_factory=dict)
    """Per-epoch values: ``epoch``, ``train_<name>`` for each batch value (``train_loss``,
    ``train_accuracy``, ``train_kl``, ...), and ``val_<name>`` (NaN on epochs without evaluation)."""
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
    return _evaluate(model, make_step(loss_fn, metrics, None, None), _InMemory((X, y), batch_size, None))


@torch.no_grad()
def _evaluate(model: nn.Module, step: Step, batches: Iterable[Any]) -> dict[str, float]:
    """Sample-weighted means of the step's values over ``batches``, in eval mode."""
    was_training = model.training
    model.eval()
    sums = _Sums()
    for batch in batches:
        sums.add(step.evaluate(model, batch), _batch_len(batch))
    if was_training:
        model.train()
    return sums.means()


class _Sums:
    """Sample-weighted sums of named values (an epoch's mean loss with a short last batch is exact)."""

    def __init__(self) -> None:
        self.sums: dict[str, float] = {}
        self.n = 0

    def add(self, values: Mapping[str, float], n: int) -> None:
        for k, v in values.items():
            self.sums[k] = self.sums.get(k, 0.0) + v * n
        self.n += n

    def means(self) -> dict[str, float]:
        return {k: s / max(1, self.n) for k, s in self.sums.items()}


def _batch_len(batch: Any) -> int:
    """Samples in a batch: the length of its first tensor (1 when it has none)."""
    if isinstance(batch, Tensor):
        return len(batch)
    if isinstance(batch, Mapping):
        batch = list(batch.values())
    if isinstance(batch, Sequence) and batch and hasattr(batch[0], "__len__"):
        return len(batch[0])
    return 1


class _InMemory:
    """Mini-batches of equal-length tensors by a seeded index permutation; full batch without copies."""

    def __init__(self, tensors: tuple[Tensor, ...], batch_size: int | None,
                 gen: torch.Generator | None) -> None:
        self.tensors, self.n, self.gen = tensors, len(tensors[0]), gen
        if any(len(t) != self.n for t in tensors):
            raise ValueError(f"in-memory training tensors differ in length: {[len(t) for t in tensors]}")
        self.bs = self.n if batch_size is None else max(1, min(batch_size, self.n))

    def __len__(self) -> int:
        return math.ceil(self.n / self.bs)

    def __iter__(self) -> Iterator[tuple[Tensor, ...]]:
        if self.bs == self.n:  # full batch: no permutation, and indexing would copy the data every epoch
            yield self.tensors
            return
        if self.gen is None:  # evaluation: contiguous slices are views, no copy
            for i in range(0, self.n, self.bs):
                yield tuple(t[i : i + self.bs] for t in self.tensors)
            return
        order = torch.randperm(self.n, generator=self.gen)
        for i in range(0, self.n, self.bs):
            idx = order[i : i + self.bs]
            yield tuple([t[idx] for t in self.tensors])


def batches(data: Batches, batch_size: int | None, gen: torch.Generator | None) -> Iterable[Any]:
    """The batches :func:`fit` draws from ``data``: in-memory tensors are cut in the seeded order of ``gen``
    (one epoch per iteration), anything else is taken as it comes. A step-by-step view uses it to follow
    exactly the run that ``fit`` would make."""
    if isinstance(data, tuple) and data and all(isinstance(t, Tensor) for t in data):
        return _InMemory(data, batch_size, gen)
    return data


def _standard_callbacks(config: FitConfig, should_stop: Callable[[], bool] | None) -> list[Callback]:
    cbs: list[Callback] = [Divergence(config.divergence_factor)]
    if should_stop is not None:
        cbs.append(StopWhen(should_stop))
    if config.time_budget_s is not None:
        cbs.append(TimeBudget(config.time_budget_s))
    return cbs


def fit(
    model: nn.Module,
    loss_fn: Callable[[Tensor, Tensor], Tensor] | BatchLoss | TrainStep,
    optimizer: torch.optim.Optimizer | Sequence[torch.optim.Optimizer],
    train: Batches,
    val: Batches | None = None,
    config: FitConfig = FitConfig(),
    callbacks: Sequence[Callback] = (),
    metrics: dict[str, Metric] | None = None,
    penalty: Callable[[nn.Module], Tensor] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> FitResult:
    """Train ``model`` on ``train`` and return what happened; never raises on divergence.

    ``loss_fn`` is a criterion, a :class:`BatchLoss` or a :class:`TrainStep` (see the module's doc);
    ``metrics`` are computed on supervised outputs; ``penalty`` adds a regulariser to the loss (e.g. L1
    on the weights); ``should_stop`` is polled after each step (a stop request from the UI or a job
    queue). ``val`` takes the same forms as ``train`` and is scored every ``config.eval_every`` epochs.
    """
    optimizers = (optimizer,) if isinstance(optimizer, torch.optim.Optimizer) else tuple(optimizer)
    step = make_step(loss_fn, metrics, penalty, config.max_grad_norm)
    if val is not None and not step.can_evaluate:
        raise ValueError("validation data needs TrainStep(..., evaluate=fn): an own step cannot score it")
    gen = torch.Generator().manual_seed(config.seed)
    train_batches = batches(train, config.batch_size, gen)
    val_batches = None if val is None else batches(val, 4096, None)
    steps_per_epoch = len(train_batches) if hasattr(train_batches, "__len__") else 0
    cbs = _standard_callbacks(config, should_stop) + list(callbacks)
    if config.patience is not None and val is not None:
        cbs.append(EarlyStopping(config.patience, config.min_delta, config.restore_best))
    state = LoopState(model, optimizers, config.epochs, steps_per_epoch)
    for cb in cbs:
        cb.state = state
    run = _Run(state, step, [cb for cb in cbs if overrides(cb, "on_step")], cbs)
    t0 = time.perf_counter()
    for cb in cbs:
        cb.on_train_begin(config.epochs, steps_per_epoch)
    model.train()
    stopper: Callback | None = None
    for epoch in range(1, config.epochs + 1):
        state.epoch = epoch
        means, stopper, whole = run.epoch(train_batches)
        if stopper is not None and not whole:
            break  # the partial epoch does not count and is not logged
        last = epoch == config.epochs or stopper is not None
        vals = None
        if val_batches is not None and (epoch % config.eval_every == 0 or last):
            vals = _evaluate(model, step, val_batches)
        run.log(epoch, means, vals, val_batches is not None)
        ended = [cb for cb in cbs if not cb.on_epoch_end(epoch, run.logs)]
        stopper = stopper or (ended[0] if ended else None)
        if stopper is not None:
            break
    model.eval()
    status = "completed" if stopper is None else stopper.status
    result = FitResult(
        status=status,
        epochs_run=len(run.history["epoch"]),
        steps=state.global_step,
        seconds=time.perf_counter() - t0,
        history=run.history,
        best_epoch=run.best_epoch(),
        message=(stopper.message if stopper is not None else "") or STATUS_TEXT[status],
    )
    for cb in cbs:
        cb.on_train_end(result)
    return result


class _Run:
    """The state of one :func:`fit` call that outlives an epoch: the history and the callbacks."""

    def __init__(self, state: LoopState, step: Step, step_cbs: list[Callback], cbs: list[Callback]) -> None:
        self.state, self.step, self.step_cbs, self.cbs = state, step, step_cbs, cbs
        self.history: dict[str, list[float]] = {"epoch": []}
        self.logs: dict[str, float] = {}

    def epoch(self, batches: Iterable[Any]) -> tuple[dict[str, float], Callback | None, bool]:
        """One pass: (sample-weighted means of the batch values, the callback that ended the run or
        None, whether the pass reached its end)."""
        state, step, sums = self.state, self.step, _Sums()
        model, optimizers = state.model, state.optimizers
        i = 0
        for i, batch in enumerate(batches, 1):
            values = step(model, batch, optimizers)
            n = _batch_len(batch)
            sums.add(values, n)
            state.step, state.batch, state.batch_size = i, values, n
            state.global_step += 1
            stopped = None
            for cb in self.step_cbs:  # every hook runs (a recorder keeps the last row), the first one wins
                if not cb.on_step(state.epoch, i, state.steps_per_epoch) and stopped is None:
                    stopped = cb
            if stopped is not None:
                return sums.means(), stopped, i == state.steps_per_epoch and stopped.status != "diverged"
        if not state.steps_per_epoch:  # streamed batches of unknown length: now we know it
            state.steps_per_epoch = i
        return sums.means(), None, True

    def log(self, epoch: int, means: dict[str, float], vals: dict[str, float] | None, has_val: bool) -> None:
        row = {"epoch": float(epoch), **{f"train_{k}": v for k, v in means.items()}}
        if has_val:
            keys = vals.keys() if vals is not None else [k[4:] for k in self.history if k.startswith("val_")]
            row.update({f"val_{k}": (vals or {}).get(k, math.nan) for k in keys or ["loss"]})
        n = len(self.history["epoch"])  # a value that first appears late reads NaN for the epochs before
        for k, v in row.items():
            self.history.setdefault(k, [math.nan] * n).append(v)
        self.logs = row

    def best_epoch(self) -> int | None:
        losses = self.history.get("val_loss", [])
        finite = [(v, i) for i, v in enumerate(losses) if math.isfinite(v)]
        return int(self.history["epoch"][min(finite)[1]]) if finite else None
