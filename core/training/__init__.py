"""Training services shared by every subject: the fit loop, its callbacks, the optimiser table and the
record of a finished run.

Names are resolved on first use (PEP 562): a page that only needs the optimiser table (names, labels,
hyperparameters) does not pay for importing torch, about 1 s of a first render on two cores
(bench/bench_lecture2_viz.py --first-render).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    **dict.fromkeys(("Callback", "Divergence", "EarlyStopping", "JobLike", "JobProgress", "LiveRecorder",
                     "LoopState", "LRSchedule", "StopWhen", "TimeBudget", "TqdmProgress", "cosine",
                     "step_decay", "warmup_cosine"), "core.training.callbacks"),
    **dict.fromkeys(("STATUS_TEXT", "FitConfig", "FitResult", "accuracy", "evaluate", "fit",
                     "seed_everything"), "core.training.loop"),
    **dict.fromkeys(("HYPER_DEFAULTS", "LABELS", "OPTIMIZERS", "USES", "make_optimizer"),
                    "core.training.optim"),
    **dict.fromkeys(("BatchLoss", "TrainStep"), "core.training.steps"),
    "TrainedRun": "core.training.run",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'core.training' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # static checkers and editors see the real names
    from core.training.callbacks import (  # noqa: F401
        Callback,
        Divergence,
        EarlyStopping,
        JobLike,
        JobProgress,
        LiveRecorder,
        LoopState,
        LRSchedule,
        StopWhen,
        TimeBudget,
        TqdmProgress,
        cosine,
        step_decay,
        warmup_cosine,
    )
    from core.training.loop import (  # noqa: F401
        STATUS_TEXT,
        FitConfig,
        FitResult,
        accuracy,
        evaluate,
        fit,
        seed_everything,
    )
    from core.training.optim import HYPER_DEFAULTS, LABELS, OPTIMIZERS, USES, make_optimizer  # noqa: F401
    from core.training.run import TrainedRun  # noqa: F401
    from core.training.steps import BatchLoss, TrainStep  # noqa: F401
