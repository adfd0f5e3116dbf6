"""Training services shared by every subject: the fit loop, its callbacks and the optimiser table."""

from core.training.fit import (
    STATUS_TEXT,
    Callback,
    FitConfig,
    FitResult,
    accuracy,
    evaluate,
    fit,
    make_optimizer,
    seed_everything,
)

__all__ = ["STATUS_TEXT", "Callback", "FitConfig", "FitResult", "accuracy", "evaluate", "fit",
           "make_optimizer", "seed_everything"]
