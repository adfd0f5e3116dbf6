"""What a finished search says, measured: which hyperparameter mattered, and how optimistic the winner is.

Which hyperparameter matters depends on the problem (Bergstra & Bengio 2012 make exactly that point), so
the page does not state it: :func:`importances` asks Optuna's fANOVA evaluator (Hutter, Hoos &
Leyton-Brown 2014: the share of the variance of validation accuracy that each hyperparameter explains
on its own, from a random forest fitted to the trials) on a study holding the search's finished trials.

:func:`optimism` measures the winner's curse. Each trial's validation accuracy is an estimate from a
few dozen points (standard error √(p(1-p)/n), about 5 points of accuracy at n = 80); picking the best
of many such estimates picks, among others, the luckiest one, so the winner's validation accuracy
overstates what it does on new data. The test split, never used to choose, measures by how much.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.mlp.search import Dimension, SearchResult, Trial, _finite, _quiet, _rank

if TYPE_CHECKING:
    import optuna


def _distribution(d: Dimension) -> optuna.distributions.BaseDistribution:
    from optuna.distributions import FloatDistribution, IntDistribution

    if d.integer:
        return IntDistribution(int(d.low), int(d.high), log=d.log)
    return FloatDistribution(d.low, d.high, log=d.log)


def study_of(result: SearchResult, strategies: tuple[str, ...] | None = None) -> optuna.Study:
    """An in-memory Optuna study holding the finished trials of ``strategies`` (default: all of them).

    The trials are the ones the search ran (same parameters, same validation accuracy), so any Optuna
    analysis (importance, plots) sees exactly what the page shows.
    """
    import optuna

    _quiet()
    dists = {d.name: _distribution(d) for d in result.config.space}
    study = optuna.create_study(direction="maximize", storage=optuna.storages.InMemoryStorage())
    chosen = strategies or result.config.strategies
    study.add_trials([optuna.trial.create_trial(params=dict(t.params), distributions=dists,
                                                value=_finite(t.val_accuracy))  # diverged: 0
                      for t in result.trials if t.strategy in chosen])
    return study


def importances(result: SearchResult, strategies: tuple[str, ...] | None = None) -> dict[str, float]:
    """Share of the variance of validation accuracy explained by each hyperparameter (fANOVA), summing
    to 1, largest first; empty when fewer than two trials finished or every trial scored the same.

    ``optuna.importance.get_param_importances`` with ``FanovaImportanceEvaluator`` seeded by the
    search's seed, so the same search gives the same numbers.
    """
    from optuna.importance import FanovaImportanceEvaluator, get_param_importances

    study = study_of(result, strategies)
    values = [t.value for t in study.trials]
    if len(values) < 2 or max(values) == min(values):
        return {}
    return get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=result.config.seed))


@dataclass(frozen=True)
class Optimism:
    """The chosen trial's validation accuracy against its test accuracy, and what chance alone gives."""

    trials: int
    """Finished trials the winner was chosen from (all strategies)."""
    chosen: Trial
    """The trial with the best validation accuracy over all strategies."""
    n_val: int
    """Validation points each accuracy was measured on."""
    n_test: int
    """Test points."""
    mean_gap: float
    """Validation minus test accuracy averaged over all finished trials (no selection)."""

    @property
    def gap(self) -> float:
        """The chosen trial's validation minus test accuracy."""
        return self.chosen.val_accuracy - self.chosen.test_accuracy

    @property
    def standard_error(self) -> float:
        """Standard error of one accuracy measured on the validation points, at the chosen accuracy."""
        p = self.chosen.val_accuracy
        return math.sqrt(max(p * (1 - p), 0.0) / self.n_val) if self.n_val else math.nan


def optimism(result: SearchResult, n_val: int, n_test: int) -> Optimism | None:
    """The winner's curse of this search, measured on its own trials (None before any finished)."""
    finished = [t for t in result.trials if math.isfinite(t.val_accuracy) and math.isfinite(t.test_accuracy)]
    if not finished:
        return None
    chosen = max(finished, key=_rank)  # the search's own rule: validation accuracy, then validation loss
    gaps = np.array([t.val_accuracy - t.test_accuracy for t in finished])
    return Optimism(len(finished), chosen, n_val, n_test, float(gaps.mean()))
