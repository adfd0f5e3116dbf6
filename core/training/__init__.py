"""Training services shared by every subject: the fit loop, its callbacks and the optimiser table."""

from core.training.callbacks import (
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
from core.training.fit import STATUS_TEXT, FitConfig, FitResult, accuracy, evaluate, fit, seed_everything
from core.training.optim import HYPER_DEFAULTS, LABELS, OPTIMIZERS, USES, make_optimizer
from core.training.steps import BatchLoss, TrainStep

__all__ = ["STATUS_TEXT", "BatchLoss", "Callback", "Divergence", "EarlyStopping", "FitConfig", "FitResult",
           "JobLike", "JobProgress", "LRSchedule", "LiveRecorder", "LoopState", "StopWhen", "TimeBudget",
           "TqdmProgress", "TrainStep", "accuracy", "cosine", "evaluate", "fit", "make_optimizer",
           "seed_everything", "step_decay", "warmup_cosine", "HYPER_DEFAULTS", "LABELS", "OPTIMIZERS", "USES"]
