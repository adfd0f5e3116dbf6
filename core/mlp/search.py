"""Grid search vs random search over regularisers, on the same budget (lecture 2, homework 2).

Bergstra & Bengio (2012, "Random search for hyper-parameter optimization", JMLR 13) observe that only
a few hyperparameters matter much for a given problem, and which ones is not known in advance. A grid
of ``k`` values per dimension spends ``k**d`` trials but tries only ``k`` distinct values of the
dimension that matters; random search tries a new value of *every* dimension in every trial. This
module runs both strategies on the same problem, the same model seed and the same trial budget, so the
page can show the argument measured rather than asserted: best validation accuracy so far against the
number of trials, and how many distinct values of each hyperparameter each strategy got to see.

Every trial is a full :func:`core.mlp.playground.train_mlp` run through the shared fit loop; selection looks at
validation accuracy only, and the test accuracy of each strategy's chosen trial is reported once.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from core.mlp.playground import MLPConfig, MLPData, train_mlp

if TYPE_CHECKING:
    from core.jobs import Job

STRATEGIES: tuple[str, ...] = ("grid", "random")


@dataclass(frozen=True)
class Dimension:
    """One hyperparameter of the search space (a field of :class:`core.mlp.playground.MLPConfig`)."""

    name: str
    """The MLPConfig field it sets."""
    label: str
    """Axis title for figures and tables."""
    low: float
    """Smallest value tried."""
    high: float
    """Largest value tried."""
    log: bool = False
    """Spread values evenly in log space (rates and strengths that matter by orders of magnitude)."""
    integer: bool = False
    """Round to an integer (e.g. patience in epochs)."""

    def _cast(self, u: float) -> float | int:
        """Map ``u`` in [0, 1] onto the dimension's range."""
        v = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low))) if self.log \
            else self.low + u * (self.high - self.low)
        return int(round(v)) if self.integer else float(v)

    def grid(self, k: int) -> list[float | int]:
        """``k`` evenly spread values; a single value sits in the middle of the range."""
        if k == 1:
            return [self._cast(0.5)]
        return [self._cast(i / (k - 1)) for i in range(k)]

    def sample(self, rng: np.random.Generator) -> float | int:
        """One value, uniform (or log-uniform) over the range."""
        return self._cast(float(rng.uniform()))


#: The homework's space: learning rate, L2, dropout and early-stopping patience.
SPACE: tuple[Dimension, ...] = (
    Dimension("lr", "learning rate", 1e-3, 0.3, log=True),
    Dimension("l2", "L2 strength", 1e-5, 1e-1, log=True),
    Dimension("dropout", "dropout", 0.0, 0.6),
    Dimension("patience", "patience (epochs)", 5, 100, log=True, integer=True),
)


@dataclass(frozen=True)
class SearchConfig:
    """One comparison of grid and random search."""

    budget: int = 20
    """Trials per strategy (the grid uses the largest full grid that fits; see :func:`grid_shape`)."""
    seed: int = 0
    """Seeds the random draws, the grid's run order, and (shared by all trials) model initialisation."""
    base: MLPConfig = MLPConfig(epochs=300)
    """Settings every trial shares; the search overrides the fields named in ``space``."""
    space: tuple[Dimension, ...] = SPACE
    """Hyperparameters searched."""


@dataclass(frozen=True)
class Trial:
    """One training run of a search."""

    strategy: str
    """``grid`` or ``random``."""
    index: int
    """1-based position in its strategy's run order."""
    params: dict[str, float | int]
    """The hyperparameter values it ran with."""
    val_accuracy: float
    """Validation accuracy of the final (or restored best) model: what the search selects on."""
    val_loss: float
    """Validation loss (tie-breaker)."""
    test_accuracy: float
    """Test accuracy; shown only for each strategy's chosen trial."""
    epochs: int
    """Epochs it ran before finishing, stopping early or diverging."""
    status: str
    """The fit loop's status."""
    seconds: float
    """Wall time of the trial."""


def grid_shape(budget: int, dims: int) -> tuple[int, ...]:
    """Values per dimension of the largest full grid with at most ``budget`` points (round robin)."""
    shape = [1] * dims
    grown = True
    while grown:
        grown = False
        for i in range(dims):
            if math.prod(shape) // shape[i] * (shape[i] + 1) <= budget:
                shape[i] += 1
                grown = True
    return tuple(shape)


def grid_points(space: Sequence[Dimension], budget: int, seed: int = 0) -> list[dict[str, float | int]]:
    """The grid's points, in a seeded random order (so that a stopped search has sampled everywhere)."""
    shape = grid_shape(budget, len(space))
    axes = [d.grid(k) for d, k in zip(space, shape)]
    points = [dict(zip((d.name for d in space), combo)) for combo in itertools.product(*axes)]
    order = np.random.default_rng([seed, 1]).permutation(len(points))
    return [points[i] for i in order]


def random_points(space: Sequence[Dimension], budget: int, seed: int = 0) -> list[dict[str, float | int]]:
    """``budget`` independent draws from the space."""
    rng = np.random.default_rng([seed, 2])
    return [{d.name: d.sample(rng) for d in space} for _ in range(budget)]


@dataclass(frozen=True, eq=False)
class SearchResult:
    """All trials of both strategies, and what they add up to."""

    config: SearchConfig
    """The search that ran."""
    trials: tuple[Trial, ...]
    """Every finished trial, in the order they ran (strategies interleaved)."""
    planned: dict[str, int]
    """Trials each strategy planned (the grid may plan fewer than the budget)."""
    grid: tuple[int, ...]
    """Values per dimension of the grid."""
    seconds: float
    """Wall time of the whole search."""
    stopped: bool = False
    """True when the search was stopped before every planned trial ran."""
    data: str = field(default="")
    """Provenance of the data searched on."""

    def of(self, strategy: str) -> list[Trial]:
        return [t for t in self.trials if t.strategy == strategy]

    def best(self, strategy: str) -> Trial | None:
        """The trial a strategy selects: highest validation accuracy, then lowest validation loss."""
        trials = self.of(strategy)
        return max(trials, key=_rank) if trials else None

    def best_so_far(self, strategy: str) -> list[float]:
        """Validation accuracy of the best trial after 1, 2, ... trials."""
        return [float(v) for v in np.maximum.accumulate([_finite(t.val_accuracy) for t in self.of(strategy)])]

    def expected_best(self, strategy: str) -> list[float]:
        """Best validation accuracy after k trials, averaged over every order the trials could have run in.

        One run order is luck; this is the expectation over orders (for sorted values v_1 <= ... <= v_n,
        the best of k distinct trials is v_j with probability C(j-1, k-1) / C(n, k)), computed from the
        same trials without training anything more.
        """
        v = sorted(_finite(t.val_accuracy) for t in self.of(strategy))
        n = len(v)
        return [sum(v[j - 1] * math.comb(j - 1, k - 1) for j in range(k, n + 1)) / math.comb(n, k)
                for k in range(1, n + 1)]

    def distinct(self, strategy: str) -> dict[str, int]:
        """How many different values of each hyperparameter a strategy tried."""
        return {d.name: len({t.params[d.name] for t in self.of(strategy)}) for d in self.config.space}

    def table(self) -> list[dict[str, Any]]:
        """One row per trial, for the page's table."""
        return [{"strategy": t.strategy, "trial": t.index, **t.params, "val accuracy": t.val_accuracy,
                 "val loss": t.val_loss, "epochs": t.epochs, "status": t.status,
                 "seconds": round(t.seconds, 2)}
                for t in self.trials]

    def summary(self) -> list[dict[str, Any]]:
        """Per strategy: trials run, best validation accuracy, the test accuracy of that choice."""
        rows = []
        for s in STRATEGIES:
            b = self.best(s)
            rows.append({"strategy": s, "trials": len(self.of(s)),
                         "best val accuracy": b.val_accuracy if b else math.nan,
                         "its test accuracy": b.test_accuracy if b else math.nan,
                         **{f"distinct {k}": v for k, v in self.distinct(s).items()}})
        return rows


def _finite(x: float) -> float:
    return x if math.isfinite(x) else 0.0


def _rank(t: Trial) -> tuple[float, float]:
    return (_finite(t.val_accuracy), -t.val_loss if math.isfinite(t.val_loss) else -math.inf)


def run_trial(base: MLPConfig, params: dict[str, float | int], data: MLPData, strategy: str, index: int,
              should_stop: Callable[[], bool] | None = None) -> Trial:
    """Train one configuration (all trials share ``base.seed``: only the hyperparameters differ)."""
    run = train_mlp(replace(base, **params), data, should_stop=should_stop, grid_res=2)
    m = run.metrics
    return Trial(strategy, index, dict(params), m["val_accuracy"], m["val_loss"], m["test_accuracy"],
                 run.fit.epochs_run, run.fit.status, run.fit.seconds)


def run_search(data: MLPData, config: SearchConfig = SearchConfig(), job: Job | None = None) -> SearchResult:
    """Grid and random search, interleaved trial by trial so that both curves grow together.

    With a ``job``: progress, a status line and the two best-so-far values (``grid_best``,
    ``random_best``) are reported after every pair of trials; Stop ends the search after the
    current trial and keeps what ran.
    """
    if config.budget < 1:
        raise ValueError("the budget must be at least one trial")
    plans = {"grid": grid_points(config.space, config.budget, config.seed),
             "random": random_points(config.space, config.budget, config.seed)}
    base = replace(config.base, seed=config.seed)
    total = sum(len(p) for p in plans.values())
    should_stop = job.should_stop if job is not None else None
    trials: list[Trial] = []
    best = {s: 0.0 for s in STRATEGIES}
    t0, stopped = time.perf_counter(), False
    for i in range(max(len(p) for p in plans.values())):
        row: dict[str, float] = {}
        for s in STRATEGIES:
            if i >= len(plans[s]) or stopped:
                continue
            trial = run_trial(base, plans[s][i], data, s, i + 1, should_stop)
            if trial.status == "stopped":
                stopped = True
                continue
            trials.append(trial)
            best[s] = max(best[s], _finite(trial.val_accuracy))
            row[f"{s}_best"] = best[s]
        if job is not None and row:
            job.report(progress=len(trials) / total,
                       message=f"{len(trials)}/{total} trials: best validation accuracy "
                               + ", ".join(f"{s} {best[s]:.3f}" for s in STRATEGIES), **row)
        if stopped:
            break
    return SearchResult(config, tuple(trials), {s: len(p) for s, p in plans.items()},
                        grid_shape(config.budget, len(config.space)), time.perf_counter() - t0, stopped,
                        data.provenance)
