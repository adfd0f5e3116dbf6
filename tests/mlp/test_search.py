"""core.mlp.search: grid, random and TPE search on the same budget, on Optuna, shared by worker processes."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from core.jobs import JobQueue
from core.mlp import config as cf
from core.mlp import datasets as ds
from core.mlp import search as hpo
from tests.helpers import ROOT

TINY = hpo.SearchConfig(budget=4, base=cf.MLPConfig(hidden=(16,), epochs=15))


@pytest.fixture(scope="module")
def data() -> ds.MLPData:
    return ds.toy_data("moons", n=100, noise=0.3)


@pytest.fixture(scope="module")
def result(data: ds.MLPData) -> hpo.SearchResult:
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


def draws(seed: int, n: int = 200) -> list[dict[str, float | int]]:
    """``n`` parameter sets as the random strategy's sampler draws them."""
    study = hpo.open_study("random", hpo.SearchConfig(budget=n, seed=seed))
    out = []
    for _ in range(n):
        trial = study.ask()
        out.append({d.name: d.suggest(trial) for d in hpo.SPACE})
    return out


def test_random_draws_are_seeded_in_range_and_log_uniform() -> None:
    a = draws(3)
    assert a == draws(3) and a != draws(4)
    for d in hpo.SPACE:
        values = [p[d.name] for p in a]
        assert d.low <= min(values) and max(values) <= d.high
    lrs = np.array([p["lr"] for p in a])
    # log-uniform: half the draws fall below the geometric mean of the range
    assert abs(np.median(np.log10(lrs)) - np.log10(math.sqrt(1e-3 * 0.3))) < 0.25
    assert all(isinstance(p["patience"], int) for p in a)


def test_search_runs_both_strategies_on_the_same_budget(result: hpo.SearchResult) -> None:
    assert result.planned == {"grid": 4, "random": 4, "tpe": 4} and result.grid == (2, 2, 1, 1)
    assert [t.strategy for t in result.trials] == ["grid", "random", "tpe"] * 4  # curves grow together
    grid = {tuple(t.params.values()) for t in result.of("grid")}
    assert grid == {tuple(p.values()) for p in hpo.grid_points(hpo.SPACE, 4)}  # the grid, each point once
    for s in hpo.STRATEGIES:
        trials = result.of(s)
        assert [t.index for t in trials] == [1, 2, 3, 4]
        assert result.best(s).val_accuracy == max(t.val_accuracy for t in trials)
        curve = result.best_so_far(s)
        assert curve == sorted(curve) and curve[-1] == result.best(s).val_accuracy
        if s not in hpo.ORDER_FREE:
            continue
        expected = result.expected_best(s)
        assert expected[0] == pytest.approx(np.mean([t.val_accuracy for t in trials]))
        assert expected[-1] == pytest.approx(curve[-1]) and expected == sorted(expected)


def test_random_search_tries_more_distinct_values(result: hpo.SearchResult) -> None:
    """The Bergstra-Bengio point: 4 grid trials see 2 learning rates, 4 random trials see 4."""
    assert result.distinct("grid")["lr"] == 2 and result.distinct("random")["lr"] == 4
    rows = {r["strategy"]: r for r in result.summary()}
    assert rows["random"]["distinct dropout"] == 4 and rows["grid"]["distinct dropout"] == 1
    table = result.table()
    assert len(table) == 12 and {"lr", "l2", "dropout", "patience", "val accuracy"} <= set(table[0])


def test_search_is_deterministic(result: hpo.SearchResult, data: ds.MLPData) -> None:
    again = hpo.run_search(data, TINY)
    assert [t.val_loss for t in again.trials] == [t.val_loss for t in result.trials]


def test_search_in_a_job_reports_progress_and_best_so_far(data: ds.MLPData) -> None:
    job = JobQueue().submit(lambda j: hpo.run_search(data, TINY, job=j))
    assert job.wait(60) and job.status == "done" and job.progress == 1.0
    hist = job.history()
    assert hist["grid_best"] == job.result.best_so_far("grid")
    assert hist["random_best"] == job.result.best_so_far("random")
    assert hist["tpe_best"] == job.result.best_so_far("tpe")


def test_stop_ends_the_search_and_keeps_finished_trials(data: ds.MLPData) -> None:
    cfg = hpo.SearchConfig(budget=64, base=cf.MLPConfig(hidden=(16,), epochs=15))
    job = JobQueue().submit(lambda j: hpo.run_search(data, cfg, job=j))
    for _ in range(400):
        if job.history().get("random_best"):
            break
        job.wait(0.02)
    job.stop()
    assert job.wait(60) and job.status == "stopped"
    res = job.result
    assert res.stopped and 2 <= len(res.trials) < 3 * 64
    assert all(t.status != "stopped" for t in res.trials)  # a trial cut short is not a result


def test_the_time_budget_ends_the_search_as_stop_does(data: ds.MLPData) -> None:
    """The largest search the page offers would run for minutes: the bound ends it, keeping the finished
    trials and dropping the one it cut short, with no job and nobody pressing Stop."""
    cfg = hpo.SearchConfig(budget=64, base=cf.MLPConfig(hidden=(16,), epochs=15), time_budget_s=1.0)
    res = hpo.run_search(data, cfg)
    assert res.stopped and len(res.trials) < 3 * 64
    assert all(t.status != "stopped" for t in res.trials)
    assert hpo.run_search(data, replace(cfg, budget=2, time_budget_s=None)).stopped is False


def test_a_zero_budget_is_refused(data: ds.MLPData) -> None:
    with pytest.raises(ValueError, match="at least one trial"):
        hpo.run_search(data, hpo.SearchConfig(budget=0))


WORKER = """
import sys
from core.mlp import datasets, search
from core.mlp.config import MLPConfig
cfg = search.SearchConfig(budget=6, base=MLPConfig(hidden=(8,), epochs=5))
print(search.run_worker(datasets.toy_data("moons", n=100), cfg, sys.argv[1], "random", 3, name="shared"))
"""


def test_two_worker_processes_share_one_study_and_lose_no_trial(tmp_path: Path) -> None:
    storage = f"journal:///{tmp_path}/search.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, storage], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [w.communicate(timeout=240) for w in workers]
    assert all(w.returncode == 0 for w in workers), [o[1][-2000:] for o in outs]
    assert [int(o[0].split()[-1]) for o in outs] == [3, 3]  # each added its three trials
    result = hpo.load_result(ds.toy_data("moons", n=100), SHARED, storage, name="shared")
    trials = result.of("random")
    assert len(trials) == 6 and [t.index for t in trials] == list(range(1, 7))
    assert len({t.worker for t in trials}) == 2 and all(0 <= t.val_accuracy <= 1 for t in trials)
    assert len({t.params["lr"] for t in trials}) == 6  # the workers drew different points


def test_a_database_url_keeps_a_study_for_the_next_worker(tmp_path: Path, data: ds.MLPData) -> None:
    storage = f"sqlite:///{tmp_path}/search.db"
    assert hpo.run_worker(data, SHARED, storage, "grid", 2, name="db") == 2
    # This process has now run all six points of the 3 x 2 x 1 x 1 grid: 4 more, then the grid is done.
    assert hpo.run_worker(data, SHARED, storage, "grid", 9, name="db") == 6
    grid = hpo.load_result(data, replace(SHARED, strategies=("grid",)), storage, name="db").of("grid")
    assert sorted(tuple(t.params.values()) for t in grid) == sorted(
        tuple(p.values()) for p in hpo.grid_points(hpo.SPACE, 6))


SHARED = hpo.SearchConfig(budget=6, base=cf.MLPConfig(hidden=(8,), epochs=5), strategies=("random",))


def test_importance_is_optunas_fanova_on_the_finished_trials(result: hpo.SearchResult) -> None:
    from optuna.importance import FanovaImportanceEvaluator, get_param_importances

    from core.mlp import search_importance as si

    imp = si.importances(result)
    assert set(imp) == {d.name for d in hpo.SPACE} and sum(imp.values()) == pytest.approx(1.0)
    assert list(imp.values()) == sorted(imp.values(), reverse=True)  # largest first
    study = si.study_of(result)
    assert len(study.trials) == len(result.trials)
    assert sorted(t.value for t in study.trials) == sorted(t.val_accuracy for t in result.trials)
    direct = get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=result.config.seed))
    assert imp == pytest.approx(direct) and imp == si.importances(result)  # seeded: the same numbers again


def test_optimism_compares_the_chosen_trials_validation_and_test_accuracy(
        result: hpo.SearchResult, data: ds.MLPData) -> None:
    from core.mlp import search_importance as si

    o = si.optimism(result, len(data.y_val), len(data.y_test))
    assert o is not None and o.trials == len(result.trials) and o.n_val == len(data.y_val) == 20
    assert o.chosen.val_accuracy == max(t.val_accuracy for t in result.trials)
    assert o.gap == pytest.approx(o.chosen.val_accuracy - o.chosen.test_accuracy)
    gaps = [t.val_accuracy - t.test_accuracy for t in result.trials]
    assert o.mean_gap == pytest.approx(np.mean(gaps))
    p = o.chosen.val_accuracy
    assert o.standard_error == pytest.approx(math.sqrt(p * (1 - p) / 20))
