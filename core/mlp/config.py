"""What shapes one MLP run (lecture 2), and the controls every front end offers for it.

:class:`MLPConfig` is the run's settings. The choices and ranges below are the one source of truth for
the Streamlit sliders and the Gradio endpoints alike: a value a slider cannot produce is refused by
:func:`playground_config` with a message naming the control, so an API call can ask for no more than
the page can (a public server shares two cores).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from core.checks import choice, number, whole_number
from core.training.optim import OPTIMIZERS

ACTIVATION_NAMES: tuple[str, ...] = ("relu", "tanh", "sigmoid", "linear")
#: Input features computed from the two coordinates (TF Playground's set); the model takes those chosen.
FEATURE_NAMES: tuple[str, ...] = ("x1", "x2", "x1²", "x2²", "x1·x2", "sin x1", "sin x2")
RAW_FEATURES: tuple[str, ...] = ("x1", "x2")

# The playground's controls (Streamlit widgets and Gradio inputs are built from these).
LEARNING_RATES: tuple[float, ...] = (1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
WIDTHS: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128, 256)
BATCH_SIZES: tuple[int, ...] = (8, 16, 32, 64, 128, 256)
"""Mini-batch sizes besides full batch (``None`` in the config, ``"full"`` on the page, 0 in the API)."""
EPOCHS: tuple[int, ...] = (10, 50, 100, 200, 300, 500, 1000, 2000, 5000)
STRENGTHS: tuple[float, ...] = (0.0, 1e-5, 1e-4, 0.001, 0.003, 0.01, 0.03, 0.1)
POINTS: tuple[int, ...] = (100, 200, 300, 500, 1000, 2000, 5000)
LAYERS = (0, 6)
DROPOUT = (0.0, 0.8)
PATIENCE = (5, 200)
SEEDS = (0, 9999)
NOISE = (0.0, 1.0)
CLASSES = (2, 10)


@dataclass(frozen=True)
class MLPConfig:
    """Everything that shapes one playground run (the architecture's input and output sizes come
    from the data)."""

    hidden: tuple[int, ...] = (64, 64)
    """Width of each hidden layer; ``()`` is a linear (softmax-regression) model."""
    activation: str = "relu"
    """Hidden activation: one of :data:`ACTIVATION_NAMES`."""
    dropout: float = 0.0
    """Dropout probability after each hidden activation (training only)."""
    optimizer: str = "adam"
    """One of :data:`OPTIMIZERS`; ``momentum`` is SGD with heavy-ball momentum 0.9."""
    lr: float = 0.01
    """Learning rate."""
    batch_size: int | None = None
    """Mini-batch size; ``None`` trains full batch (one step per epoch), as TF Playground's default."""
    epochs: int = 200
    """Maximum number of epochs."""
    l1: float = 0.0
    """L1 strength: ``l1 * sum(|w|)`` added to the loss (weights only)."""
    l2: float = 0.0
    """L2 strength: the gradient of ``(l2 / 2) * ||w||^2`` (weights only), via ``weight_decay``."""
    patience: int | None = None
    """Early stopping after this many epochs without validation-loss improvement; ``None`` disables."""
    seed: int = 0
    """Seed of initialisation, dropout masks and mini-batch order."""
    time_budget_s: float | None = None
    """Stop at this many seconds of wall time (bounded runs for a public server)."""
    features: tuple[str, ...] = RAW_FEATURES
    """Input features the network sees, from :data:`FEATURE_NAMES` (the raw coordinates by default)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))  # lists from JSON
        # Canonical order: the same set of toggles is the same model, whatever order they were ticked in.
        chosen = set(self.features)
        object.__setattr__(self, "features", tuple(f for f in FEATURE_NAMES if f in chosen)
                           + tuple(sorted(f for f in chosen if f not in FEATURE_NAMES)))

    def validate(self) -> None:
        """Raise ValueError naming the first setting that cannot train."""
        if self.activation not in ACTIVATION_NAMES:
            raise ValueError(f"unknown activation {self.activation!r}; "
                             f"choose one of {', '.join(ACTIVATION_NAMES)}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
        if any(h < 1 for h in self.hidden) or len(self.hidden) > 8:
            raise ValueError("hidden layers need at least 1 unit each, and at most 8 layers")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"the learning rate must be positive, got {self.lr}")
        if self.epochs < 1:
            raise ValueError("train for at least one epoch")
        if self.l1 < 0 or self.l2 < 0:
            raise ValueError("L1 and L2 strengths cannot be negative")
        if self.batch_size is not None and self.batch_size < 1:
            raise ValueError("the batch size must be at least 1")
        if self.patience is not None and self.patience < 1:
            raise ValueError("patience must be at least 1 epoch")
        if not self.features or any(f not in FEATURE_NAMES for f in self.features):
            raise ValueError(f"choose at least one input feature from {', '.join(FEATURE_NAMES)}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able settings (``hidden`` as a list)."""
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        d["features"] = list(self.features)
        return d

    def architecture(self, in_features: int, n_classes: int) -> dict[str, Any]:
        """Keyword arguments of :func:`core.mlp.model.build_mlp` (stored in checkpoints and exports)."""
        arch = {"in_features": in_features, "hidden": list(self.hidden), "out_features": n_classes,
                "activation": self.activation, "dropout": self.dropout}
        if self.features != RAW_FEATURES:  # the raw coordinates: the same model (and file) as before
            arch["features"] = list(self.features)
        return arch

    def describe(self, n_classes: int, in_features: int = 2) -> str:
        """``2-64-64-2 relu`` style summary for tables."""
        if self.features != RAW_FEATURES:
            in_features = len(self.features)
        return "-".join(str(s) for s in (in_features, *self.hidden, n_classes)) + f" {self.activation}"



def _as_list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    raise ValueError("input features must be a list of names")


def playground_config(layers: Any, width: Any, activation: Any, optimizer: Any, lr: Any, batch: Any,
                      epochs: Any, l1: Any, l2: Any, dropout: Any, patience: Any, seed: Any,
                      time_budget_s: float | None = None, features: Any = None) -> MLPConfig:
    """The config the playground's controls describe, each checked against its control's range.

    ``batch`` 0, ``None`` or ``"full"`` is full batch; ``patience`` 0 or ``None`` turns early stopping off;
    ``features`` None means the raw coordinates.
    Raises ValueError naming the first control whose value no control could produce.
    """
    full = batch is None or str(batch) in ("full", "0", "0.0")
    stop = patience is None or str(patience) in ("0", "0.0")
    depth = whole_number(layers, "hidden layers", *LAYERS)
    config = MLPConfig(
        hidden=(choice(width, "neurons per layer", WIDTHS),) * depth,
        activation=choice(activation, "activation", ACTIVATION_NAMES),
        dropout=number(dropout, "dropout", *DROPOUT),
        optimizer=choice(optimizer, "optimiser", OPTIMIZERS),
        lr=choice(lr, "learning rate", LEARNING_RATES),
        batch_size=None if full else choice(batch, "batch size", BATCH_SIZES),
        epochs=whole_number(epochs, "epochs", 1, EPOCHS[-1]),
        l1=choice(l1, "L1 strength", STRENGTHS), l2=choice(l2, "L2 strength", STRENGTHS),
        patience=None if stop else whole_number(patience, "patience", *PATIENCE),
        seed=whole_number(seed, "seed", *SEEDS), time_budget_s=time_budget_s,
        features=RAW_FEATURES if features is None else
        tuple(choice(f, "input feature", FEATURE_NAMES) for f in _as_list(features)))
    config.validate()
    return config
