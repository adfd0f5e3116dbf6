"""The search demo's controls and the problem and search they pick (lecture 2, homework 2).

One definition for both front ends: the Streamlit page builds its widgets from these ranges and calls
:func:`search_data` and :func:`search_config`; the Gradio endpoint checks its arguments against the same
ranges and makes the same two calls, so an API request can ask for nothing a widget could not reach.
"""

from __future__ import annotations

from core.mlp import datasets as ds
from core.mlp import search as hpo
from core.mlp.config import MLPConfig

DATASETS: tuple[str, ...] = ds.TOY_SETS
"""Data sets offered."""
DEFAULT_DATASET = "spirals"
SIZES: tuple[int, ...] = (200, 300, 400, 600, 1000)
"""Points offered (60% train, 20% validation, 20% test)."""
DEFAULT_SIZE = 400
NOISE_RANGE: tuple[float, float] = (0.0, 1.0)
NOISE_STEP = 0.05
DEFAULT_NOISE = 0.3
BUDGET_RANGE: tuple[int, int] = (2, 64)
"""Trials per strategy: with three strategies a search runs at most 192 trainings."""
DEFAULT_BUDGET = 16
EPOCHS: tuple[int, ...] = (50, 100, 200, 300, 500)
"""Epochs per trial (the most; early stopping may end a trial sooner)."""
DEFAULT_EPOCHS = 200
SEED_RANGE: tuple[int, int] = (0, 9999)
DATA_SEED = 0
"""The data are drawn with one fixed seed: the search seed varies the samplers and the model, not the task."""


def search_data(name: str, n: int, noise: float) -> ds.MLPData:
    """The toy problem searched on: three classes for the multi-class sets, two for the others."""
    return ds.toy_data(name, n=n, noise=noise, seed=DATA_SEED, classes=3 if name in ds.MULTICLASS_SETS else 2)


def search_config(budget: int, epochs: int, seed: int) -> hpo.SearchConfig:
    """The comparison the page runs: every strategy with ``budget`` trials of at most ``epochs`` epochs."""
    return hpo.SearchConfig(budget=budget, seed=seed, base=MLPConfig(epochs=epochs))
