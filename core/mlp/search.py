"""Grid search vs random search over regularisers, on the same budget (lecture 2, homework 2), on Optuna.

Bergstra & Bengio (2012, "Random search for hyper-parameter optimization", JMLR 13) observe that only
a few hyperparameters matter much for a given problem, and which ones is not known in advance. A grid
of ``k`` values per dimension spends ``k**d`` trials but tries only ``k`` distinct values of the
dimension that matters; random search tries a new value of *every* dimension in every trial. This
module runs both strategies on the same problem, the same model seed and the same trial budget, so the
page can show the argument measured rather than asserted: best validation accuracy so far against the
number of trials, and how many distinct values of each hyperparameter each strategy got to see. TPE
(Bergstra et al. 2011, Optuna's default sampler) runs as a third curve: a strategy that learns from the
trials so far.

Each strategy is an Optuna study (``GridSampler``, ``RandomSampler``, ``TPESampler``). Given a ``storage``
(an Optuna RDB URL such as ``sqlite:///search.db``, or ``journal:///path/search.log`` for a journal file),
several worker processes on one machine, or on many sharing a database, add trials to the same studies
(:func:`run_worker`); :func:`load_result` reads what they found. Every trial is a full
:func:`core.mlp.training.train_mlp` run through the shared fit loop; selection looks at validation
accuracy only, and the test accuracy of each strategy's chosen trial is reported once.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from core.mlp.config import MLPConfig
from core.mlp.datasets import MLPData
from core.mlp.training import train_mlp

if TYPE_CHECKING:
    import optuna

    from core.jobs import Job

STRATEGIES: tuple[str, ...] = ("grid", "random", "tpe")
#: Strategies whose trials are independent of their order (the order-averaged curve means something).
ORDER_FREE: tuple[str, ...] = ("grid", "random")


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
        if u <= 0.0 or u >= 1.0:  # the ends exactly: exp(log(0.3)) is 0.30000000000000004
            v = self.low if u <= 0.0 else self.high
        else:
            v = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low))) if self.log \
                else self.low + u * (self.high - self.low)
        return int(round(v)) if self.integer else float(v)

    def grid(self, k: int) -> list[float | int]:
        """``k`` evenly spread values; a single value sits in the middle of the range."""
        if k == 1:
            return [self._cast(0.5)]
        return [self._cast(i / (k - 1)) for i in range(k)]

    def suggest(self, trial: optuna.Trial) -> float | int:
        """This dimension's value in ``trial`` (uniform or log-uniform; a grid sampler picks grid values)."""
        if self.integer:
            return trial.suggest_int(self.name, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(self.name, self.low, self.high, log=self.log)


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
    """Seeds the samplers (random draws, the grid's run order, TPE) and, shared by all trials, the model."""
    strategies: tuple[str, ...] = STRATEGIES
    """Which strategies run (each its own study)."""
    base: MLPConfig = MLPConfig(epochs=300)
    """Settings every trial shares; the search overrides the fields named in ``space``."""
    space: tuple[Dimension, ...] = SPACE
    """Hyperparameters searched."""
    time_budget_s: float | None = 240.0
    """Wall-clock bound of the whole search (None: none); reached, it ends as Stop does, keeping the finished
    trials (the largest search, 3 x 64 trials of 500 epochs, would take about 15 minutes on two cores)."""


@dataclass(frozen=True)
class Trial:
    """One training run of a search."""

    strategy: str
    """``grid``, ``random`` or ``tpe``."""
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
    worker: int = 0
    """Process id of the worker that ran it (several may share a study)."""


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


def grid_points(space: Sequence[Dimension], budget: int) -> list[dict[str, float | int]]:
    """The grid's points (in the order of the axes; Optuna's grid sampler draws them in a seeded order)."""
    shape = grid_shape(budget, len(space))
    axes = [d.grid(k) for d, k in zip(space, shape)]
    return [dict(zip((d.name for d in space), combo)) for combo in itertools.product(*axes)]


@dataclass(frozen=True, eq=False)
class SearchResult:
    """All trials of every strategy, and what they add up to."""

    config: SearchConfig
    """The search that ran."""
    trials: tuple[Trial, ...]
    """Every finished trial, in the order they ran (strategies interleaved in one process)."""
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
        for s in self.config.strategies:
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


def _quiet() -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)


def open_storage(storage: str | None) -> Any:
    """An Optuna storage: in memory (None), a journal file (``journal:///path``), or an RDB URL."""
    import optuna

    if storage is None:
        return optuna.storages.InMemoryStorage()
    if storage.startswith("journal:///"):
        from optuna.storages.journal import JournalFileBackend

        return optuna.storages.JournalStorage(JournalFileBackend(storage[len("journal://"):]))
    return storage


def _sampler(strategy: str, config: SearchConfig, worker: int | None) -> optuna.samplers.BaseSampler:
    import optuna

    # Workers sharing a study must not draw the same sequence: each mixes its id into the seed.
    mixed = np.random.SeedSequence([config.seed, worker or 0]).generate_state(1)[0]
    seed = config.seed if worker is None else int(mixed)

    if strategy == "grid":
        shape = grid_shape(config.budget, len(config.space))
        return optuna.samplers.GridSampler({d.name: d.grid(k) for d, k in zip(config.space, shape)},
                                           seed=seed)
    if strategy == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if strategy == "tpe":
        # A few random trials first (Optuna's default is 10: most of a small budget).
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=max(2, config.budget // 4))
    raise ValueError(f"unknown strategy {strategy!r}; choose from {', '.join(STRATEGIES)}")


def open_study(strategy: str, config: SearchConfig, storage: Any = None, name: str = "search",
               worker: int | None = None) -> optuna.Study:
    """The study of one strategy (created, or joined when ``storage`` already holds it); ``worker``
    (one of several processes sharing it) gets its own sampler seed."""
    import optuna

    _quiet()
    return optuna.create_study(study_name=f"{name}-{strategy}", storage=storage, direction="maximize",
                               sampler=_sampler(strategy, config, worker), load_if_exists=True)


def planned(strategy: str, config: SearchConfig) -> int:
    """Trials a strategy plans: the budget, or the grid's size."""
    return math.prod(grid_shape(config.budget, len(config.space))) if strategy == "grid" else config.budget


def _objective(config: SearchConfig, data: MLPData, strategy: str,
               should_stop: Callable[[], bool] | None) -> Callable[[optuna.Trial], float]:
    import optuna

    base = replace(config.base, seed=config.seed)  # every trial starts from the same weights

    def objective(trial: optuna.Trial) -> float:
        params = {d.name: d.suggest(trial) for d in config.space}
        run = train_mlp(replace(base, **params), data, should_stop=should_stop, grid_res=2)
        if run.fit.status == "stopped":  # asked to stop mid-trial: a partial run is no result
            trial.study.stop()
            raise optuna.TrialPruned()
        m = run.metrics
        attrs = {"val_loss": m["val_loss"], "test_accuracy": m["test_accuracy"], "raw_val": m["val_accuracy"],
                 "epochs": run.fit.epochs_run, "status": run.fit.status, "seconds": run.fit.seconds,
                 "worker": os.getpid()}
        for key, value in attrs.items():
            trial.set_user_attr(key, value if not isinstance(value, float) or math.isfinite(value) else None)
        return _finite(m["val_accuracy"])  # a diverged run counts as accuracy 0, not a failed trial

    return objective


def _trials(study: optuna.Study, strategy: str) -> list[Trial]:
    import optuna

    done = [t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.COMPLETE]
    out = []
    for i, t in enumerate(sorted(done, key=lambda t: t.number), start=1):
        a = t.user_attrs
        nan = lambda v: math.nan if v is None else v  # noqa: E731
        out.append(Trial(strategy, i, dict(t.params), nan(a.get("raw_val")), nan(a.get("val_loss")),
                         nan(a.get("test_accuracy")), int(a.get("epochs", 0)), str(a.get("status", "")),
                         float(a.get("seconds", 0.0)), int(a.get("worker", 0))))
    return out


def run_worker(data: MLPData, config: SearchConfig, storage: str, strategy: str, n_trials: int,
               name: str = "search") -> int:
    """Add up to ``n_trials`` trials to one strategy's shared study; several processes may run this at once.

    The study never grows past the strategy's plan (the budget, or the grid); returns the trials added.
    """
    import optuna
    from optuna.study import MaxTrialsCallback

    study = open_study(strategy, config, open_storage(storage), name, worker=os.getpid())
    limit = MaxTrialsCallback(planned(strategy, config), states=(optuna.trial.TrialState.COMPLETE,))
    study.optimize(_objective(config, data, strategy, None), n_trials=n_trials, callbacks=[limit])
    return sum(t.worker == os.getpid() for t in _trials(study, strategy))


def load_result(data: MLPData, config: SearchConfig, storage: str, name: str = "search") -> SearchResult:
    """What the workers sharing ``storage`` found so far, as one result."""
    store = open_storage(storage)
    trials = [t for s in config.strategies for t in _trials(open_study(s, config, store, name), s)]
    return SearchResult(config, tuple(trials), {s: planned(s, config) for s in config.strategies},
                        grid_shape(config.budget, len(config.space)), sum(t.seconds for t in trials), False,
                        data.provenance)


def run_search(data: MLPData, config: SearchConfig = SearchConfig(), job: Job | None = None,
               storage: str | None = None) -> SearchResult:
    """Every strategy, interleaved trial by trial so that the curves grow together.

    With a ``job``: progress, a status line and each strategy's best so far (``grid_best``,
    ``random_best``, ``tpe_best``) are reported after every round of trials; Stop, or the time budget,
    ends the search during the current trial and keeps what finished.
    """
    if config.budget < 1:
        raise ValueError("the budget must be at least one trial")
    store = open_storage(storage)
    deadline = None if config.time_budget_s is None else time.perf_counter() + config.time_budget_s

    def should_stop() -> bool:
        late = deadline is not None and time.perf_counter() > deadline
        return late or (job is not None and job.should_stop())
    studies = {s: open_study(s, config, store) for s in config.strategies}
    plans = {s: planned(s, config) for s in config.strategies}
    objectives = {s: _objective(config, data, s, should_stop) for s in config.strategies}
    done = {s: 0 for s in config.strategies}
    trials: list[Trial] = []
    best = {s: 0.0 for s in config.strategies}
    total = sum(plans.values())
    t0, stopped = time.perf_counter(), False
    for _ in range(max(plans.values())):
        row: dict[str, float] = {}
        for s in config.strategies:
            if done[s] >= plans[s] or stopped:
                continue
            studies[s].optimize(objectives[s], n_trials=1)
            found = _trials(studies[s], s)
            if len(found) == done[s]:  # pruned: stopped on request
                stopped = True
                continue
            trial = found[-1]
            done[s] += 1
            trials.append(trial)
            best[s] = max(best[s], _finite(trial.val_accuracy))
            row[f"{s}_best"] = best[s]
        if job is not None and row:
            job.report(progress=len(trials) / total,
                       message=f"{len(trials)}/{total} trials: best validation accuracy "
                               + ", ".join(f"{s} {best[s]:.3f}" for s in config.strategies), **row)
        if stopped:
            break
    return SearchResult(config, tuple(trials), plans, grid_shape(config.budget, len(config.space)),
                        time.perf_counter() - t0, stopped, data.provenance)
