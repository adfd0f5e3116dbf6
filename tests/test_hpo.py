"""core.mlp.search: grid and random search on the same budget, deterministic, through the fit loop and a Job."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.jobs import JobQueue
from core.mlp import playground as mlp
from core.mlp import search as hpo

TINY = hpo.SearchConfig(budget=4, base=mlp.MLPConfig(hidden=(16,), epochs=15))


@pytest.fixture(scope="module")
def data() -> mlp.MLPData:
    return mlp.toy_data("moons", n=100, noise=0.3)


@pytest.fixture(scope="module")
def result(data: mlp.MLPData) -> hpo.SearchResult:
    return hpo.run_search(data, TINY)


@pytest.mark.parametrize("budget, shape", [(1, (1, 1, 1, 1)), (3, (3, 1, 1, 1)), (16, (2, 2, 2, 2)),
                                           (20, (2, 2, 2, 2)), (24, (3, 2, 2, 2)), (81, (3, 3, 3, 3))])
def test_grid_is_the_largest_full_grid_within_the_budget(budget: int, shape: tuple[int, ...]) -> None:
    assert hpo.grid_shape(budget, 4) == shape
    points = hpo.grid_points(hpo.SPACE, budget)
    assert len(points) == math.prod(shape) <= budget
    assert len({tuple(p.values()) for p in points}) == len(points)


def test_grid_values_span_each_range_on_its_scale() -> None:
    lr, l2, dropout, patience = hpo.SPACE
    assert lr.grid(3) == pytest.approx([1e-3, math.sqrt(1e-3 * 0.3), 0.3])  # log scale: geometric middle
    assert dropout.grid(3) == pytest.approx([0.0, 0.3, 0.6])
    assert all(isinstance(v, int) for v in patience.grid(4)) and patience.grid(1) == [22]


def test_random_points_are_seeded_in_range_and_log_uniform() -> None:
    a, b = hpo.random_points(hpo.SPACE, 400, seed=3), hpo.random_points(hpo.SPACE, 400, seed=3)
    assert a == b and a != hpo.random_points(hpo.SPACE, 400, seed=4)
    for d in hpo.SPACE:
        values = [p[d.name] for p in a]
        assert d.low <= min(values) and max(values) <= d.high
    lrs = np.array([p["lr"] for p in a])
    # log-uniform: half the draws fall below the geometric mean of the range
    assert abs(np.median(np.log10(lrs)) - np.log10(math.sqrt(1e-3 * 0.3))) < 0.25
    assert all(isinstance(p["patience"], int) for p in a)


def test_search_runs_both_strategies_on_the_same_budget(result: hpo.SearchResult) -> None:
    assert result.planned == {"grid": 4, "random": 4} and result.grid == (2, 2, 1, 1)
    assert [t.strategy for t in result.trials] == ["grid", "random"] * 4  # interleaved: curves grow together
    for s in hpo.STRATEGIES:
        trials = result.of(s)
        assert [t.index for t in trials] == [1, 2, 3, 4]
        assert result.best(s).val_accuracy == max(t.val_accuracy for t in trials)
        curve = result.best_so_far(s)
        assert curve == sorted(curve) and curve[-1] == result.best(s).val_accuracy
        expected = result.expected_best(s)
        assert expected[0] == pytest.approx(np.mean([t.val_accuracy for t in trials]))
        assert expected[-1] == pytest.approx(curve[-1]) and expected == sorted(expected)


def test_random_search_tries_more_distinct_values(result: hpo.SearchResult) -> None:
    """The Bergstra-Bengio point: 4 grid trials see 2 learning rates, 4 random trials see 4."""
    assert result.distinct("grid")["lr"] == 2 and result.distinct("random")["lr"] == 4
    rows = {r["strategy"]: r for r in result.summary()}
    assert rows["random"]["distinct dropout"] == 4 and rows["grid"]["distinct dropout"] == 1
    table = result.table()
    assert len(table) == 8 and {"lr", "l2", "dropout", "patience", "val accuracy"} <= set(table[0])


def test_search_is_deterministic(result: hpo.SearchResult, data: mlp.MLPData) -> None:
    again = hpo.run_search(data, TINY)
    assert [t.val_loss for t in again.trials] == [t.val_loss for t in result.trials]


def test_search_in_a_job_reports_progress_and_best_so_far(data: mlp.MLPData) -> None:
    job = JobQueue().submit(lambda j: hpo.run_search(data, TINY, job=j))
    assert job.wait(60) and job.status == "done" and job.progress == 1.0
    hist = job.history()
    assert hist["grid_best"] == job.result.best_so_far("grid")
    assert hist["random_best"] == job.result.best_so_far("random")


def test_stop_ends_the_search_and_keeps_finished_trials(data: mlp.MLPData) -> None:
    cfg = hpo.SearchConfig(budget=64, base=mlp.MLPConfig(hidden=(16,), epochs=15))
    job = JobQueue().submit(lambda j: hpo.run_search(data, cfg, job=j))
    for _ in range(400):
        if job.history().get("random_best"):
            break
        job.wait(0.02)
    job.stop()
    assert job.wait(60) and job.status == "stopped"
    res = job.result
    assert res.stopped and 2 <= len(res.trials) < 128


def test_a_zero_budget_is_refused(data: mlp.MLPData) -> None:
    with pytest.raises(ValueError, match="at least one trial"):
        hpo.run_search(data, hpo.SearchConfig(budget=0))
