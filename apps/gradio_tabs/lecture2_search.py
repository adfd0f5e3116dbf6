"""Gradio tab of lecture 2's hyperparameter search: grid vs random vs TPE search on Optuna, same budget.

Endpoint ``/search_hyperparameters`` (data set, points, noise, trials per strategy, epochs per trial, seed)
-> best validation accuracy so far per strategy with the order-averaged curves
(``core.mlp.figures.best_so_far_figure``), validation accuracy against each hyperparameter
(``search_scatter_figure``), each hyperparameter's fANOVA importance (``importance_figure``), and the
numbers: per strategy the trials run, the best validation accuracy and its test accuracy, the distinct
values tried; the grid's shape, the importances, the chosen trial's validation − test gap, every trial.

The search is the Streamlit page's (``l2-search``) core call, ``core.mlp.search.run_search`` on
``core.mlp.search_controls.search_data`` / ``search_config``, and runs through the job queue
(:mod:`apps.gradio_tabs.jobs`): progress with each strategy's best so far, stoppable by the Stop button,
a closed page or a cancelled API call (the event ends and the job stops after its current trial). Like the
page's, it is bounded by its trials (at most 3 × 64 trainings of at most 500 epochs). The ranges and
choices are the page's (``core.mlp.search_controls``).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import gradio as gr
import plotly.graph_objects as go

from apps.gradio_tabs import inputs
from apps.gradio_tabs.jobs import run_job, start_stop, wire
from core.mlp import search as hpo
from core.mlp import search_controls as sc
from core.mlp import search_importance as si
from core.mlp.figures import best_so_far_figure, importance_figure, search_scatter_figure

OWN_TABS = True
"""build() opens its own tabs (the front end adds none around it)."""

Outputs = tuple[go.Figure, go.Figure, go.Figure | None, dict[str, Any]]


def _clean(value: Any) -> Any:
    """JSON-safe numbers: NaN and infinities (no trial, a diverged run) become None, floats are rounded."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else None
    return value


def _outputs(res: hpo.SearchResult, n_val: int, n_test: int) -> Outputs:
    """The page's figures and numbers for a finished (or stopped) search."""
    curves = {s: res.best_so_far(s) for s in hpo.STRATEGIES}
    expected = {s: res.expected_best(s) for s in hpo.ORDER_FREE}
    labels = {d.name: d.label for d in res.config.space}
    imp = si.importances(res)
    o = si.optimism(res, n_val, n_test)
    numbers = {
        "data": res.data, "stopped": res.stopped, "trials": len(res.trials), "planned": res.planned,
        "grid_shape": list(res.grid), "seconds": res.seconds, "summary": res.summary(), "importance": imp,
        "winner": None if o is None else {
            "strategy": o.chosen.strategy, "trial": o.chosen.index, "params": o.chosen.params,
            "val_accuracy": o.chosen.val_accuracy, "test_accuracy": o.chosen.test_accuracy,
            "gap": o.gap, "mean_gap": o.mean_gap, "standard_error": o.standard_error,
            "n_val": o.n_val, "n_test": o.n_test},
        "table": res.table(),
    }  # fmt: skip
    fig_imp = importance_figure(imp, labels) if imp else None
    return best_so_far_figure(curves, expected), search_scatter_figure(res), fig_imp, _clean(numbers)


def search_hyperparameters(dataset: Any, points: Any, noise: Any, budget: Any, epochs: Any, seed: Any,
                           progress: gr.Progress = gr.Progress()  # noqa: B008
                           ) -> Generator[tuple[Any, ...], None, None]:  # fmt: skip
    """Grid, random and TPE search with the same budget on the same problem, through the job queue."""
    name = inputs.choice("Data set", dataset, sc.DATASETS)
    n = inputs.choice("Points", points, sc.SIZES)
    sigma = inputs.number("Noise", noise, *sc.NOISE_RANGE, integer=False)
    trials = inputs.number("Budget (trials per strategy)", budget, *sc.BUDGET_RANGE)
    max_epochs = inputs.choice("Epochs per trial (max)", epochs, sc.EPOCHS)
    s = inputs.number("Seed", seed, *sc.SEED_RANGE)
    data = sc.search_data(name, n, sigma)
    config = sc.search_config(trials, max_epochs, s)
    res: hpo.SearchResult = yield from run_job(lambda job: hpo.run_search(data, config, job=job),
                                               "gradio-search", progress, 4)  # fmt: skip
    yield _outputs(res, len(data.y_val), len(data.y_test))


def build() -> None:
    """Lay out the search comparison inside the current Blocks/Tab."""
    with gr.Tab("Regularisation & search"):
        gr.Markdown(
            "Grid search, random search and TPE (Optuna's samplers) with the same number of trials over "
            "learning rate, L2, dropout and early-stopping patience. Every trial trains the same 2-64-64 "
            "ReLU MLP (Adam, full batch, same initial weights) and is chosen by validation accuracy; the "
            "test accuracy of each strategy's choice is reported once. A grid with k values per axis tries "
            "only k values of the one hyperparameter that matters; random search tries a new one every "
            "trial (Bergstra & Bengio 2012)."
        )
        with gr.Row():
            dataset = inputs.CheckedDropdown(list(sc.DATASETS), value=sc.DEFAULT_DATASET, label="Data set")
            points = inputs.CheckedDropdown(list(sc.SIZES), value=sc.DEFAULT_SIZE,
                                            label="Points (60% train, 20% validation, 20% test)")  # fmt: skip
            noise = inputs.CheckedSlider(*sc.NOISE_RANGE, value=sc.DEFAULT_NOISE, step=sc.NOISE_STEP,
                                         label="Noise")  # fmt: skip
        with gr.Row():
            budget = inputs.CheckedSlider(*sc.BUDGET_RANGE, value=sc.DEFAULT_BUDGET, step=1,
                                          label="Budget (trials per strategy)")  # fmt: skip
            epochs = inputs.CheckedDropdown(list(sc.EPOCHS), value=sc.DEFAULT_EPOCHS,
                                            label="Epochs per trial (max)")  # fmt: skip
            seed = inputs.CheckedNumber(0, minimum=sc.SEED_RANGE[0], maximum=sc.SEED_RANGE[1], precision=0,
                                        label="Seed")  # fmt: skip
        start, stop = start_stop("Run grid, random and TPE search")
        with gr.Row():
            best = gr.Plot(label="Best validation accuracy so far")
            importance = gr.Plot(label="Which hyperparameter mattered (fANOVA)")
        scatter = gr.Plot(label="Validation accuracy against each hyperparameter")
        numbers = gr.JSON(label="Per strategy, the winner, every trial")
        wire(start, stop, search_hyperparameters, [dataset, points, noise, budget, epochs, seed],
             [best, scatter, importance, numbers], "search_hyperparameters")
