"""Registry of the shipped checkpoints that ``python -m core.train`` can rebuild.

A topic module registers the function that trains one of its checkpoints with
:func:`register_checkpoint` (in the spirit of timm's ``@register_model``); the CLI, the tests and the
Checkpoints page discover them through :func:`specs`, so a new checkpoint is trainable and tested by
being registered.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.training import Callback

# Modules that define checkpoints. Imported lazily: a missing optional module only hides its entries.
TRAINABLE_MODULES: tuple[str, ...] = (
    "core.mlp",
    "core.cnn_models",
)


@dataclass(frozen=True)
class TrainContext:
    """What the CLI (or a test) hands to a checkpoint's training function."""

    callbacks: Sequence[Callback] = ()
    """Fit-loop callbacks (a progress bar on the CLI, a stop flag in a job)."""
    directory: Path | None = None
    """Where to write the checkpoint and manifest; ``None`` means ``pretrained/``."""
    quick: bool = False
    """Train for a few steps only (smoke tests); the result is not meant to be shipped."""


@dataclass(frozen=True)
class TrainSpec:
    """One rebuildable checkpoint."""

    name: str
    """Checkpoint name, also the manifest key and ``python -m core.train NAME``."""
    lecture: int
    """Lecture whose pages use it."""
    description: str
    """One line: model and data."""
    fn: Callable[[TrainContext], dict[str, Any]] = field(repr=False)
    """Trains, measures held-out metrics, writes the checkpoint; returns the manifest entry."""
    est_seconds: float = 60.0
    """Rough training time on 2 CPU cores (shown by ``--list``)."""


_SPECS: dict[str, TrainSpec] = {}


def register_checkpoint(
    name: str, lecture: int, description: str, est_seconds: float = 60.0
) -> Callable[[Callable[[TrainContext], dict[str, Any]]], Callable[[TrainContext], dict[str, Any]]]:
    def deco(fn: Callable[[TrainContext], dict[str, Any]]) -> Callable[[TrainContext], dict[str, Any]]:
        _SPECS[name] = TrainSpec(name, lecture, description, fn, est_seconds)
        return fn

    return deco


def specs() -> dict[str, TrainSpec]:
    """Every registered checkpoint, by name, in lecture order."""
    for module in TRAINABLE_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:  # a real missing dependency inside the module: surface it
                raise
    return dict(sorted(_SPECS.items(), key=lambda kv: (kv[1].lecture, kv[0])))
