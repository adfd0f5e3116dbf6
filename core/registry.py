"""Registry of model builders and of the shipped checkpoints that ``python -m core.train`` can rebuild.

A subject module registers the function that rebuilds a module from its manifest ``config`` with
:func:`register_builder`, and the function that trains one of its checkpoints with
:func:`register_checkpoint` (in the spirit of timm's ``@register_model``). The CLI, the tests and the
Checkpoints page discover them through :func:`builders` and :func:`specs`, which find the registering
modules by reading the sources of ``core/``: a new checkpoint is trainable, listed and re-measured by
being registered, with no hand-kept list. A name is registered once.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from torch import nn

from core.checkpoints import (
    TASKS,
    CheckpointError,
    CheckpointMissing,
    ManifestEntry,
    entry,
    load_model,
    manifest,
    rebuild_command,
    verify,
)
from core.training import Callback

CORE_DIR = Path(__file__).resolve().parent

Measure = Callable[[nn.Module, ManifestEntry], dict[str, float]]


@dataclass(frozen=True)
class TrainContext:
    """What the CLI (or a test) hands to a checkpoint's training function."""

    callbacks: Sequence[Callback] = ()
    """Fit-loop callbacks (a progress bar on the CLI, a stop flag in a job)."""
    directory: Path | None = None
    """Where to write the checkpoint and manifest; ``None`` means the pretrained folder."""
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
    fn: Callable[[TrainContext], ManifestEntry] = field(repr=False)
    """Trains, measures held-out metrics, writes the checkpoint; returns the manifest entry."""
    est_seconds: float = 60.0
    """Rough training time on 2 CPU cores (shown by ``--list``)."""
    measure: Measure | None = field(default=None, repr=False)
    """Re-measures the entry's held-out metrics from the loaded model; ``None``: the task's default."""


@dataclass(frozen=True)
class Builder:
    """A registered model builder."""

    name: str
    """What a manifest entry's ``builder`` names."""
    fn: Callable[..., nn.Module] = field(repr=False)
    """Builds the module from the entry's ``config`` as keyword arguments."""
    task: str = "classifier"
    """The task (``core.checkpoints.TASKS``) of every module it builds; entries inherit it."""


class NotComparable(Exception):
    """The held-out data at hand is not what the checkpoint was measured on (e.g. another source)."""


_SPECS: dict[str, TrainSpec] = {}
_BUILDERS: dict[str, Builder] = {}


def _same(a: Callable[..., Any], b: Callable[..., Any]) -> bool:
    # A module imported again (Streamlit reruns, importlib.reload) registers the same function anew.
    return (a.__module__, a.__qualname__) == (b.__module__, b.__qualname__)


def _where(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def register_checkpoint(
    name: str, lecture: int, description: str, est_seconds: float = 60.0, measure: Measure | None = None
) -> Callable[[Callable[[TrainContext], ManifestEntry]], Callable[[TrainContext], ManifestEntry]]:
    """Register the function that rebuilds checkpoint ``name``; ``measure`` re-measures its metrics
    (needed for tasks other than 'classifier')."""

    def deco(fn: Callable[[TrainContext], ManifestEntry]) -> Callable[[TrainContext], ManifestEntry]:
        old = _SPECS.get(name)
        if old is not None and not _same(old.fn, fn):
            raise ValueError(f"checkpoint {name!r} is registered twice: by {_where(old.fn)} and by "
                             f"{_where(fn)}")
        _SPECS[name] = TrainSpec(name, lecture, description, fn, est_seconds, measure)
        return fn

    return deco


def register_builder(
    name: str, task: str = "classifier"
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the function that rebuilds a model from its manifest ``config`` (``builder: name``).

    A manifest may only name a registered builder: a file that named an arbitrary callable could run
    any code of the package with any arguments. ``task`` is the contract of the models it builds.
    """
    if task not in TASKS:
        raise ValueError(f"builder {name!r}: unknown task {task!r}; one of {', '.join(TASKS)}")

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        old = _BUILDERS.get(name)
        if old is not None and not _same(old.fn, fn):
            raise ValueError(f"builder {name!r} is registered twice: by {_where(old.fn)} and by {_where(fn)}")
        _BUILDERS[name] = Builder(name, fn, task)
        return fn

    return deco


def _modules_with(decorator: str) -> tuple[str, ...]:
    """Modules under core/ that apply ``@decorator(...)``, sorted by path.

    A cheap text filter first, then the syntax tree of the few files that pass: a comment or docstring
    that merely mentions the decorator does not make a module "registering" (and is not imported).
    """
    found = []
    for path in sorted(CORE_DIR.rglob("*.py")):
        if path == CORE_DIR / "registry.py":
            continue
        source = path.read_text(encoding="utf-8")
        if f"{decorator}(" not in source:  # also matches ``@registry.register_checkpoint(``
            continue
        for node in ast.walk(ast.parse(source, str(path))):
            decorators = getattr(node, "decorator_list", ())
            if any(isinstance(d, ast.Call) and _called_name(d.func) == decorator for d in decorators):
                found.append(".".join(path.relative_to(CORE_DIR.parent).with_suffix("").parts))
                break
    return tuple(found)


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def builders() -> dict[str, Builder]:
    """Every registered model builder, by name (imports the modules that register one)."""
    for module in _modules_with("register_builder"):
        importlib.import_module(module)
    return dict(sorted(_BUILDERS.items()))


def builder_task(name: str) -> str:
    """The task of builder ``name``; ValueError if no module registers it."""
    known = _BUILDERS if name in _BUILDERS else builders()
    if name not in known:
        raise ValueError(f"no registered model builder {name!r}; registered: {', '.join(known) or 'none'}")
    return known[name].task


def trainable_modules() -> tuple[str, ...]:
    """The core modules that register a checkpoint, found by reading the subject packages' sources.

    Reading instead of importing every module keeps discovery cheap (the architecture gallery alone
    imports timm and torchvision); a new subject's checkpoints are found without editing a list.
    """
    return _modules_with("register_checkpoint")


def specs() -> dict[str, TrainSpec]:
    """Every registered checkpoint, by name, in lecture order."""
    for module in trainable_modules():
        importlib.import_module(module)
    return dict(sorted(_SPECS.items(), key=lambda kv: (kv[1].lecture, kv[0])))


# ---------------------------------------------------------------------------------------------------------
# Re-measuring shipped checkpoints


def measure_classifier(model: nn.Module, ent: ManifestEntry) -> dict[str, float]:
    """Accuracy and mean cross-entropy on the whole test split of ``core.data`` the entry names.

    Raises NotComparable when that split is not the one the entry was measured on (another source or
    size, e.g. full MNIST downloaded into the cache since the 5,000-image subset was used).
    """
    import torch
    import torch.nn.functional as F

    from core import data
    from core.training import accuracy, evaluate

    test = data.load(ent.dataset["name"], "test")
    measured_on = (ent.dataset.get("test_source", test.source), ent.dataset.get("n_test", len(test)))
    if (test.source, len(test)) != measured_on:
        raise NotComparable(f"the test split here ({test.provenance}) is not the one it was measured on")
    X, y = torch.from_numpy(test.X.copy()), torch.from_numpy(test.y.copy())
    vals = evaluate(model, F.cross_entropy, X, y, {"accuracy": accuracy}, batch_size=1000)
    return {"test_accuracy": vals["accuracy"], "test_loss": vals["loss"], "n_test": len(test)}


_DEFAULT_MEASURES: dict[str, Measure] = {"classifier": measure_classifier}


def remeasure(name: str, directory: Path | None = None) -> dict[str, float]:
    """Held-out metrics of the shipped checkpoint ``name``, measured again from its file."""
    ent = entry(name, directory)
    spec = specs().get(name)
    measure = spec.measure if spec is not None else None
    measure = measure or _DEFAULT_MEASURES.get(ent.task)
    if measure is None:
        raise LookupError(f"{name}: no way to re-measure a {ent.task!r} checkpoint; pass measure= to "
                          "register_checkpoint")
    return measure(load_model(name, directory), ent)


# ---------------------------------------------------------------------------------------------------------
# What the Checkpoints page shows


@dataclass(frozen=True)
class CheckpointStatus:
    """One row of the Checkpoints page: a shipped entry, a registered checkpoint, or both."""

    name: str
    """Checkpoint name."""
    state: str
    """'ok', 'missing', 'corrupted' or 'not built'."""
    problem: str
    """Why it cannot be loaded, with the rebuild command; empty when ok."""
    entry: ManifestEntry | None
    """Its manifest entry, if any."""
    spec: TrainSpec | None
    """How to rebuild it, if registered."""

    @property
    def lecture(self) -> int:
        return self.entry.lecture if self.entry is not None else self.spec.lecture if self.spec else 0


def overview(directory: Path | None = None) -> list[CheckpointStatus]:
    """Every checkpoint that is shipped or registered, checked against the manifest, in lecture order.
    Raises CheckpointCorrupt if the manifest itself cannot be read."""
    registered, entries = specs(), manifest(directory)
    rows = []
    for name in set(registered) | set(entries):
        ent, spec = entries.get(name), registered.get(name)
        state, problem = "ok", ""
        if ent is None:
            state, problem = "not built", f"{name} is registered but not built yet: `{rebuild_command(name)}`"
        else:
            try:
                verify(name, directory)
            except CheckpointError as exc:
                state, problem = ("missing" if isinstance(exc, CheckpointMissing) else "corrupted"), str(exc)
        rows.append(CheckpointStatus(name, state, problem, ent, spec))
    return sorted(rows, key=lambda r: (r.lecture, r.name))
