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

CORE_DIR = Path(__file__).resolve().parent


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
        old = _SPECS.get(name)
        if old is not None and (old.fn.__module__, old.fn.__qualname__) != (fn.__module__, fn.__qualname__):
            raise ValueError(
                f"checkpoint {name!r} is registered twice: by {old.fn.__module__}.{old.fn.__qualname__} "
                f"and by {fn.__module__}.{fn.__qualname__}"
            )
        _SPECS[name] = TrainSpec(name, lecture, description, fn, est_seconds)
        return fn

    return deco


_BUILDERS: dict[str, Callable[..., Any]] = {}


def register_builder(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the function that rebuilds a model from its manifest ``config`` (``builder: name``).

    A manifest may only name a registered builder: a file that named an arbitrary callable could run
    any code of the package with any arguments. A name is registered once.
    """

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        old = _BUILDERS.get(name)
        if old is not None and (old.__module__, old.__qualname__) != (fn.__module__, fn.__qualname__):
            raise ValueError(f"builder {name!r} is registered twice: by {old.__module__}.{old.__qualname__} "
                             f"and by {fn.__module__}.{fn.__qualname__}")
        _BUILDERS[name] = fn
        return fn

    return deco


def builders() -> dict[str, Callable[..., Any]]:
    """Every registered model builder, by name (imports the modules that register one)."""
    for module in _modules_with("@register_builder("):
        importlib.import_module(module)
    return dict(_BUILDERS)


def _modules_with(marker: str) -> tuple[str, ...]:
    found = []
    for path in sorted(CORE_DIR.rglob("*.py")):
        if path.name == "registry.py" or marker not in path.read_text(encoding="utf-8"):
            continue
        found.append(".".join(path.relative_to(CORE_DIR.parent).with_suffix("").parts))
    return tuple(found)


def trainable_modules() -> tuple[str, ...]:
    """The core modules that register a checkpoint, found by reading the subject packages' sources.

    Reading instead of importing every module keeps discovery cheap (the architecture gallery alone
    imports timm and torchvision); a new subject's checkpoints are found without editing a list.
    """
    return _modules_with("@register_checkpoint(")


def specs() -> dict[str, TrainSpec]:
    """Every registered checkpoint, by name, in lecture order."""
    for module in trainable_modules():
        importlib.import_module(module)
    return dict(sorted(_SPECS.items(), key=lambda kv: (kv[1].lecture, kv[0])))
