"""Training services shared by every subject: the fit loop, its callbacks and the optimiser table."""

from core.training.fit import (
    STATUS_TEXT,
    Callback,
    FitConfig,
    FitResult,
    accuracy,
    evaluate,
    fit,
    seed_everything,
)
from core.training.optim import HYPER_DEFAULTS, LABELS, OPTIMIZERS, USES, make_optimizer

__all__ = ["STATUS_TEXT", "Callback", "FitConfig", "FitResult", "accuracy", "evaluate", "fit",
           "make_optimizer", "seed_everything", "HYPER_DEFAULTS", "LABELS", "OPTIMIZERS", "USES"]
