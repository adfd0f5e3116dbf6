"""Vanishing gradients, measured: a long-range memory task that a vanilla RNN fails and an LSTM or GRU solves.

The task: a sequence of T symbols whose first one is a *signal* (one of 4) and whose other T-1 are random
*distractors* (4 others); after the last step, say which signal came first. Chance is 25%. The only useful
information is T-1 steps back, so the gradient that teaches the model to keep it must travel back through
T-1 applications of the recurrence. In a tanh RNN it is multiplied by the recurrent Jacobian at each step
and shrinks geometrically (Bengio, Simard & Frasconi 1994; Pascanu, Mikolov & Bengio 2013); the LSTM's cell
state has an additive path gated by the forget gate, and the GRU's an interpolated one, along which it
survives (Hochreiter & Schmidhuber 1997; Cho et al. 2014).

What is measured: ||dL/dx_t||, the gradient of the loss with respect to the input at step t, averaged
over a batch, for each t: how strongly the loss can still "see" step t. Then each cell is trained on the
task (the fit loop, bounded in time) and its held-out accuracy says whether it learnt to remember.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core import checks
from core.training import (
    Callback,
    FitConfig,
    FitResult,
    accuracy,
    evaluate,
    fit,
    make_optimizer,
    seed_everything,
)

SIGNALS, DISTRACTORS = 4, 4
SYMBOLS = SIGNALS + DISTRACTORS
CELLS = ("rnn", "lstm", "gru")
CELL_LABELS = {"rnn": "vanilla RNN (tanh)", "lstm": "LSTM", "gru": "GRU"}
LENGTH = (2, 100)
"""Sequence lengths T the pages offer."""
DEFAULT_LENGTH = 40
HIDDEN = (8, 64)
DEFAULT_HIDDEN = 32
LRS = (1e-3, 3e-3, 1e-2, 3e-2)
SEED_RANGE = (0, 9_999)
N_TRAIN, N_TEST, BATCH = 1_000, 500, 50
MAX_EPOCHS = 300
TIME_BUDGET_S = 20.0
"""Training time per cell; three cells are trained one after the other."""
SOLVED = 0.99
"""Validation accuracy at which a cell counts as having solved the task (its training stops there)."""


@dataclass(frozen=True)
class MemoryConfig:
    """One comparison of the three cells on the memory task."""

    length: int = DEFAULT_LENGTH
    """T: the signal is T-1 steps before the answer."""
    hidden: int = DEFAULT_HIDDEN
    """Units of each recurrent layer."""
    lr: float = 1e-2
    """Adam learning rate."""
    seed: int = 0
    """Seeds the data, the initialisations and the batches."""
    time_budget_s: float = TIME_BUDGET_S
    """Training time per cell."""


def validate(config: MemoryConfig) -> MemoryConfig:
    """``config`` with its numbers as the pages' controls give them (5.0 becomes 5); ValueError naming the
    setting outside the pages' ranges (NaN, infinities, booleans and text never pass)."""
    config = replace(config, length=checks.whole_number(config.length, "sequence length", *LENGTH),
                     hidden=checks.whole_number(config.hidden, "hidden units", *HIDDEN),
                     seed=checks.whole_number(config.seed, "seed", *SEED_RANGE),
                     lr=checks.choice(config.lr, "learning rate", LRS),
                     time_budget_s=checks.number(config.time_budget_s, "time budget (s)", 0, 120, above=True))
    return config


def make_task(n: int, length: int, seed: int) -> tuple[Tensor, Tensor]:
    """(n, length) symbol indices and (n,) answers: the first symbol is a signal 0..3 (the answer), the
    others distractors 4..7, all uniform and seeded."""
    rng = np.random.default_rng(seed)
    x = rng.integers(SIGNALS, SYMBOLS, size=(n, length))
    y = rng.integers(0, SIGNALS, size=n)
    x[:, 0] = y
    return torch.from_numpy(x).long(), torch.from_numpy(y).long()


class MemoryNet(nn.Module):
    """One-hot symbols -> one recurrent layer -> a linear read-out of the last hidden state (4 logits)."""

    def __init__(self, cell: str, hidden: int) -> None:
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"cell must be one of {', '.join(CELLS)}")
        self.cell = cell
        self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell](SYMBOLS, hidden, batch_first=True)
        self.head = nn.Linear(hidden, SIGNALS)
        if cell == "lstm":  # forget-gate bias 1: remember by default (Gers et al. 2000; Jozefowicz 2015)
            with torch.no_grad():
                for name, b in self.rnn.named_parameters():
                    if name.startswith("bias_ih"):
                        b[hidden : 2 * hidden] = 1.0
                    elif name.startswith("bias_hh"):
                        b[hidden : 2 * hidden] = 0.0

    def forward_onehot(self, x: Tensor) -> Tensor:
        out, _ = self.rnn(x)
        return self.head(out[:, -1])

    def forward(self, tokens: Tensor) -> Tensor:
        return self.forward_onehot(F.one_hot(tokens, SYMBOLS).float())


def gradient_norms(model: MemoryNet, tokens: Tensor, targets: Tensor) -> np.ndarray:
    """(T,) mean over the batch of ||dL/dx_t||: the loss's sensitivity to the input at each step t."""
    was = model.training
    model.eval()
    x = F.one_hot(tokens, SYMBOLS).float().requires_grad_(True)
    # Summed over the batch, so each sequence's gradient is its own loss's (a mean would divide it by n).
    loss = F.cross_entropy(model.forward_onehot(x), targets, reduction="sum")
    (grad,) = torch.autograd.grad(loss, x)
    model.train(was)
    return grad.norm(dim=2).mean(0).numpy()


class Solved(Callback):
    """Ends the run once the validation accuracy reaches :data:`SOLVED`."""

    status = "early_stopped"
    message = f"solved: held-out accuracy reached {SOLVED:.0%}"

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        return not logs.get("val_accuracy", 0.0) >= SOLVED


class _Report(Callback):
    """Reports each epoch's held-out accuracy of one cell to the job as ``<cell>_val_accuracy``."""

    def __init__(self, job: object, cell: str, index: int) -> None:
        self.job, self.cell, self.index = job, cell, index

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        if self.job is not None:
            row = {f"{c}_val_accuracy": math.nan for c in CELLS}
            row[f"{self.cell}_val_accuracy"] = logs.get("val_accuracy", math.nan)
            progress = (self.index + epoch / MAX_EPOCHS) / len(CELLS)
            message = f"training the {CELL_LABELS[self.cell]}: pass {epoch}"
            self.job.report(progress, message, epoch=epoch, **row)
        return True


@dataclass(frozen=True)
class CellResult:
    cell: str
    norms_before: np.ndarray
    """(T,) gradient norms per step at initialisation."""
    norms_after: np.ndarray
    """(T,) gradient norms per step after training."""
    fit: FitResult
    test_accuracy: float
    """On :data:`N_TEST` fresh sequences."""

    @property
    def learnt(self) -> bool:
        return self.test_accuracy >= 0.9


@dataclass(frozen=True)
class MemoryRun:
    config: MemoryConfig
    cells: tuple[CellResult, ...]
    stopped: bool
    """A stop request ended the comparison (cells after it were not trained)."""


def initial_norms(config: MemoryConfig, n: int = 200) -> dict[str, np.ndarray]:
    """Gradient norms per step of each cell at its seeded initialisation (no training: instant)."""
    config = validate(config)
    x, y = make_task(n, config.length, config.seed + 2)
    out = {}
    for cell in CELLS:
        seed_everything(config.seed)
        out[cell] = gradient_norms(MemoryNet(cell, config.hidden), x, y)
    return out


def compare(config: MemoryConfig, job: object | None = None, cells: tuple[str, ...] = CELLS) -> MemoryRun:
    """Train each cell on the task in turn (same data, same seed, ``time_budget_s`` each) and measure the
    gradient norms per step before and after, and the held-out accuracy."""
    config = validate(config)
    xtr, ytr = make_task(N_TRAIN, config.length, config.seed)
    xte, yte = make_task(N_TEST, config.length, config.seed + 1)
    probe_x, probe_y = xte[:200], yte[:200]
    should_stop = getattr(job, "should_stop", None)
    results = []
    for i, cell in enumerate(cells):
        if should_stop is not None and should_stop():
            break
        seed_everything(config.seed)
        model = MemoryNet(cell, config.hidden)
        before = gradient_norms(model, probe_x, probe_y)
        opt = make_optimizer("adam", model.parameters(), config.lr)
        fit_cfg = FitConfig(epochs=MAX_EPOCHS, batch_size=BATCH, seed=config.seed,
                            time_budget_s=config.time_budget_s, max_grad_norm=5.0)
        result = fit(model, F.cross_entropy, opt, (xtr, ytr), (xte, yte), fit_cfg,
                     [Solved(), _Report(job, cell, CELLS.index(cell))], {"accuracy": accuracy},
                     should_stop=should_stop)
        acc = evaluate(model, F.cross_entropy, xte, yte, {"accuracy": accuracy})["accuracy"]
        results.append(CellResult(cell, before, gradient_norms(model, probe_x, probe_y), result, acc))
    stopped = len(results) < len(cells) or any(r.fit.status == "stopped" for r in results)
    return MemoryRun(config, tuple(results), stopped)
