"""Callbacks of the fit loop: the one place where a run is watched, stopped, scheduled or recorded.

Convention (Stable-Baselines3's): a hook returns ``False`` to end the run. The run then ends with the
status of the callback that asked (its :attr:`Callback.status`, ``"stopped"`` unless it says otherwise)
and its :attr:`Callback.message`; so a Stop button, ``should_stop``, a time budget, early stopping and
divergence are one mechanism. Before ``on_train_begin`` the loop sets :attr:`Callback.state`, a
:class:`LoopState` with the model, the optimisers and this step's named losses and metrics.

What the loop adds by itself: :class:`Divergence` (always), :class:`StopWhen` (``should_stop``),
:class:`TimeBudget` (``FitConfig.time_budget_s``) and :class:`EarlyStopping` (``FitConfig.patience``).
Pages add :class:`JobProgress` (``job.callback()``) or :class:`LiveRecorder`; the CLI adds
:class:`TqdmProgress`; :class:`LRSchedule` steps any ``torch.optim.lr_scheduler`` once per step.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import torch
from torch import nn

if TYPE_CHECKING:
    from core.training.loop import FitResult


@dataclass
class LoopState:
    """What the fit loop shares with its callbacks (mutable: the loop updates it as it runs)."""

    model: nn.Module
    """The model being trained."""
    optimizers: tuple[torch.optim.Optimizer, ...]
    """Its optimiser(s): one, or several for a custom step (a GAN's generator and discriminator)."""
    epochs: int
    """Maximum number of epochs of the run."""
    steps_per_epoch: int
    """Optimizer steps per epoch; 0 while unknown (streamed batches without ``len``, first epoch)."""
    epoch: int = 0
    """Current epoch, 1-based."""
    step: int = 0
    """Current step within the epoch, 1-based."""
    global_step: int = 0
    """Steps taken since the start of the run."""
    batch: dict[str, float] = field(default_factory=dict)
    """This step's named losses and metrics (``loss``, ``accuracy``, ``kl``, ...) as floats."""
    batch_size: int = 0
    """Number of samples in this step's batch."""


class Callback:
    """Hooks into :func:`core.training.fit`. Return ``False`` from a hook to end the run."""

    status: str = "stopped"
    """The run's status when this callback ends it."""
    message: str = ""
    """Why it ended the run (one line for the user); empty: the status's standard text."""
    state: LoopState | None = None
    """Set by the loop before ``on_train_begin``."""

    def on_train_begin(self, epochs: int, steps_per_epoch: int) -> None:
        """Called once before the first epoch (``steps_per_epoch`` 0 when not known in advance)."""

    def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
        """Called after each optimizer step (only if a callback overrides it: it costs time)."""
        return True

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        """Called after each epoch with that epoch's row of the history."""
        return True

    def on_train_end(self, result: FitResult) -> None:
        """Called once with the final result."""


def overrides(cb: Callback, name: str) -> bool:
    """Whether ``cb`` has its own ``name`` hook (the loop skips per-step calls to the base class's)."""
    return getattr(type(cb), name) is not getattr(Callback, name)


class JobLike(Protocol):
    """What a callback needs of a :class:`core.jobs.Job` (a test may pass a recorder instead)."""

    def report(self, progress: float | None = None, message: str | None = None, **metrics: float) -> None: ...

    def publish(self, key: str, value: Any) -> None: ...

    def should_stop(self) -> bool: ...


# -- ending a run ----------------------------------------------------------------------------------
class StopWhen(Callback):
    """Ends the run (status ``stopped``) once ``flag()`` is true; polled after every step."""

    message = "stopped on request"

    def __init__(self, flag: Callable[[], bool]) -> None:
        self.flag = flag

    def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
        return not self.flag()


class TimeBudget(Callback):
    """Ends the run (status ``time_budget``) after ``seconds`` of wall time, checked after every step."""

    status = "time_budget"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._deadline = math.inf

    def on_train_begin(self, epochs: int, steps_per_epoch: int) -> None:
        self._deadline = time.perf_counter() + self.seconds

    def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
        return time.perf_counter() <= self._deadline


class Divergence(Callback):
    """Ends the run (status ``diverged``) when the training loss is NaN/inf or explodes.

    Checked on every step's loss, so a loss that turns NaN in the middle of a long epoch stops the run
    at once instead of training on garbage to the epoch's end. ``factor``: also diverged when a step's
    loss exceeds this multiple of the first step's (saturating activations can keep an exploded loss
    finite); ``None``: only NaN/inf counts. The watched value is the batch's ``loss`` (an own step that
    has none, e.g. a GAN's, is watched on the sum of its values: one NaN makes it NaN).
    """

    status = "diverged"

    def __init__(self, factor: float | None = 1e4) -> None:
        self.factor = factor
        self._first: float | None = None

    def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
        assert self.state is not None
        batch = self.state.batch
        loss = batch["loss"] if "loss" in batch else sum(batch.values(), 0.0)
        if self._first is None and math.isfinite(loss):
            self._first = max(abs(loss), 1e-8)
        exploded = self.factor is not None and self._first is not None and loss > self.factor * self._first
        if math.isfinite(loss) and not exploded:
            return True
        grown = f" (from {self._first:.3g})" if exploded else ""
        self.message = (
            f"diverged in epoch {epoch}, step {step}: the training loss became {loss:.3g}{grown}; "
            "try a smaller learning rate"
        )
        return False


class EarlyStopping(Callback):
    """Ends the run (status ``early_stopped``) after ``patience`` evaluations without a validation-loss
    improvement of more than ``min_delta``; with ``restore_best`` puts the best weights back."""

    status = "early_stopped"

    def __init__(self, patience: int, min_delta: float = 0.0, restore_best: bool = True) -> None:
        self.patience, self.min_delta, self.restore_best = patience, min_delta, restore_best
        self.best_loss, self.best_epoch, self._bad = math.inf, 0, 0
        self._best_state: dict[str, Any] | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        loss = logs.get("val_loss", math.nan)
        if not math.isfinite(loss):  # an epoch without evaluation
            return True
        if loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self._bad = loss, epoch, 0
            if self.restore_best and self.state is not None:
                self._best_state = copy.deepcopy(self.state.model.state_dict())
            return True
        self._bad += 1
        if self._bad < self.patience:
            return True
        restored = self._best_state is not None and self.state is not None
        if restored:
            self.state.model.load_state_dict(self._best_state)
        self.message = (
            f"stopped early: validation loss stopped improving (best epoch {self.best_epoch}"
            + (", weights restored)" if restored else ")")
        )
        return False


def _shown(row: dict[str, float], fmt: str) -> str:
    """``train loss 0.31, val accuracy 0.9``: a row's finite values for a status line."""
    return ", ".join(f"{k.replace('_', ' ')} {fmt.format(v)}" for k, v in row.items()
                     if k != "epoch" and math.isfinite(v))


# -- progress --------------------------------------------------------------------------------------
class JobProgress(Callback):
    """Reports each epoch's row and a progress fraction to a job (``Job.callback()``); ends the run when
    the job is asked to stop. ``epochs`` defaults to the loop's own count."""

    def __init__(self, job: JobLike, epochs: int | None = None) -> None:
        self.job, self.epochs, self._fixed = job, epochs or 1, epochs is not None
        self.message = "stopped on request"

    def on_train_begin(self, epochs: int, steps_per_epoch: int) -> None:
        if not self._fixed:
            self.epochs = epochs

    def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
        if steps_per_epoch > 1 and step % max(1, steps_per_epoch // 20) == 0:
            frac = (epoch - 1 + step / steps_per_epoch) / self.epochs
            where = f"epoch {epoch}/{self.epochs}, step {step}/{steps_per_epoch}"
            self.job.report(progress=frac, message=where)
        return not self.job.should_stop()

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        shown = _shown(logs, "{:.4g}")
        self.job.report(progress=epoch / self.epochs, message=f"epoch {epoch}/{self.epochs}: {shown}", **logs)
        return not self.job.should_stop()


class TqdmProgress(Callback):
    """A terminal progress bar over optimizer steps, with the latest epoch's values in its postfix."""

    def __init__(self, desc: str) -> None:
        self.desc = desc
        self.bar: Any = None

    def on_train_begin(self, epochs: int, steps_per_epoch: int) -> None:
        from tqdm import tqdm

        total = epochs * steps_per_epoch or None  # streamed batches of unknown length: a counter
        self.bar = tqdm(total=total, desc=self.desc, unit="step", dynamic_ncols=True)

    def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
        self.bar.update(1)
        return True

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        self.bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items() if k != "epoch"})
        return True

    def on_train_end(self, result: FitResult) -> None:
        if self.bar is not None:
            self.bar.close()


class LiveRecorder(Callback):
    """A fine-grained history for a live chart: ``points_per_epoch`` rows per epoch, each published to
    ``job`` (if any) and kept in :attr:`history`. Rows fall on fixed steps, never on the clock: the same
    seed then gives the same curve (a wall-time gate made the 2D GAN's final losses differ run to run).

    A row holds the fractional ``epoch``, the running mean of each batch value since the last row
    (``train_loss``, ``train_accuracy``, ``train_kl``, ...), and every ``val_every``-th row (and the
    last) the values of ``validate()`` as ``val_<name>`` (NaN in between): validation is the costly
    part, so the caller passes a small subset. ``snapshot()`` (e.g. the first layer's filters) is
    published as ``snapshot_key`` at most every ``snapshot_s`` seconds: artefacts are copies handed
    across threads, a few per minute are enough for a live view. Ends the run when the job is asked to
    stop. Own rows, not ``JobProgress``'s: mixing both would put two x-grids into one history.
    """

    message = "stopped on request"

    def __init__(
        self,
        job: JobLike | None,
        *,
        points_per_epoch: int = 20,
        validate: Callable[[], dict[str, float]] | None = None,
        val_every: int = 4,
        snapshot: Callable[[], Any] | None = None,
        snapshot_key: str = "snapshot",
        snapshot_s: float = 3.0,
    ) -> None:
        self.job, self.validate, self.snapshot, self.snapshot_key = job, validate, snapshot, snapshot_key
        self.points_per_epoch = points_per_epoch
        self.val_every, self.snapshot_s = val_every, snapshot_s
        self.history: dict[str, list[float]] = {"epoch": []}
        self._sums: dict[str, float] = {}
        self._count = self._rows = 0
        self._epochs, self._every = 1, 1
        self._last_row = self._last_snapshot = -math.inf
        self._val_keys: tuple[str, ...] = ()

    def on_train_begin(self, epochs: int, steps_per_epoch: int) -> None:
        self._epochs = epochs
        self._every = max(1, round(steps_per_epoch / self.points_per_epoch)) if steps_per_epoch else 1

    def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
        assert self.state is not None
        for k, v in self.state.batch.items():
            self._sums[k] = self._sums.get(k, 0.0) + v
        self._count += 1
        last = step == steps_per_epoch
        if step % self._every == 0 or last:
            frac = step / steps_per_epoch if steps_per_epoch else 0.0
            self._row(epoch - 1 + frac)
        return self.job is None or not self.job.should_stop()

    def _row(self, x: float) -> None:
        self._last_row = time.perf_counter()
        row = {"epoch": x, **{f"train_{k}": s / max(1, self._count) for k, s in self._sums.items()}}
        self._sums, self._count = {}, 0
        if self.validate is not None and (self._rows % self.val_every == 0 or x >= self._epochs):
            vals = self.validate()
            self._val_keys = tuple(f"val_{k}" for k in vals)
            row.update({f"val_{k}": v for k, v in vals.items()})
        else:
            row.update(dict.fromkeys(self._val_keys, math.nan))
        self._rows += 1
        for k, v in row.items():
            self.history.setdefault(k, []).append(float(v))
        if self.job is None:
            return
        shown = _shown(row, "{:.3f}")
        self.job.report(progress=x / self._epochs, message=f"epoch {x:.2f}/{self._epochs}: {shown}", **row)
        if self.snapshot is not None and self._last_row - self._last_snapshot > self.snapshot_s:
            self._last_snapshot = self._last_row
            self.job.publish(self.snapshot_key, self.snapshot())


# -- learning-rate schedules -----------------------------------------------------------------------
Scheduler = torch.optim.lr_scheduler.LRScheduler
MakeScheduler = Callable[[torch.optim.Optimizer, int], Scheduler]
"""(optimizer, total steps of the run) -> its scheduler."""


class LRSchedule(Callback):
    """Steps a ``torch.optim.lr_scheduler`` after every optimizer step.

    ``make(optimizer, total_steps)`` builds the scheduler once the run's length is known; see
    :func:`cosine`, :func:`warmup_cosine` and :func:`step_decay`. Several optimisers get one each.
    """

    def __init__(self, make: MakeScheduler) -> None:
        self.make = make
        self.schedulers: list[Scheduler] = []

    def on_train_begin(self, epochs: int, steps_per_epoch: int) -> None:
        assert self.state is not None
        total = max(1, epochs * max(1, steps_per_epoch))
        self.schedulers = [self.make(opt, total) for opt in self.state.optimizers]

    def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
        for s in self.schedulers:
            s.step()
        return True


def cosine(optimizer: torch.optim.Optimizer, total_steps: int) -> Scheduler:
    """Cosine decay to 0 over the run (SGDR without restarts; Loshchilov & Hutter 2017)."""
    return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)


def warmup_cosine(warmup_steps: int) -> MakeScheduler:
    """Linear warm-up over ``warmup_steps``, then cosine decay (Goyal et al. 2017; transformer recipes)."""

    def make(optimizer: torch.optim.Optimizer, total_steps: int) -> Scheduler:
        w = max(1, min(warmup_steps, total_steps - 1))
        return torch.optim.lr_scheduler.SequentialLR(
            optimizer,
            [torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=1.0 / w, total_iters=w),
             torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, total_steps - w))],
            milestones=[w],
        )

    return make


def step_decay(every_steps: int, gamma: float = 0.1) -> MakeScheduler:
    """Multiply the learning rate by ``gamma`` every ``every_steps`` steps (He et al. 2016, ResNet)."""
    return lambda optimizer, total_steps: torch.optim.lr_scheduler.StepLR(optimizer, every_steps, gamma)
