"""The controls of lecture 1's demos: range, step and default of every slider, the options of every choice.

One source of truth: the Streamlit pages build their widgets from these, and the Gradio endpoints check
their arguments against the same objects, so an API call can ask for nothing a slider could not reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Number = int | float


@dataclass(frozen=True)
class Range:
    """A numeric slider (or number box): the values it can take and the one it starts at."""

    label: str
    """What the control is called on the page (and in error messages)."""
    lo: Number
    """Smallest value."""
    hi: Number
    """Largest value."""
    default: Number
    """Value on first visit."""
    step: Number | None = None
    """Slider step; None means 1 for whole-number controls."""

    @property
    def integer(self) -> bool:
        """Whole numbers only: every bound, the default and the step are ints."""
        return all(isinstance(v, int) for v in (self.lo, self.hi, self.default, self.step or 1))


@dataclass(frozen=True)
class Choice:
    """A select box, select slider or radio: a fixed list of options."""

    label: str
    """What the control is called on the page (and in error messages)."""
    options: tuple[Any, ...]
    """The values offered, in order."""
    default: Any
    """Value on first visit (one of ``options``)."""


# Choices both front ends offer (log-spaced: a learning rate or λ matters by its order of magnitude).
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0, 1.1, 1.5, 2.0, 3.0)
L2_STRENGTHS = (0.0, 1e-5, 1e-4, 1e-3, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
EPOCH_CHOICES = (10, 30, 100, 300, 500, 1000, 2000)
BATCH_CHOICES = (0, 1, 4, 8, 16)
"""Mini-batch sizes; 0 stands for full batch."""
TOY_SETS = ("moons", "circles", "xor", "spirals", "blobs")

# The 1D regression data (the page's sidebar; every 1D tab uses it).
POINTS = Range("Number of points", 10, 500, 100)
NOISE = Range("Noise σ", 0.0, 1.0, 0.25, 0.05)
SEED = Range("Data seed", 0, 9999, 0)
TRAIN_PCT = Range("Training share (%)", 20, 80, 60, 5)
VAL_PCT = Range("Validation share (%)", 5, 40, 20, 5)
MIN_TEST_PCT = 10
"""Training + validation shares may leave no less than this to test on."""
BASIS = Choice("Feature basis", ("legendre", "monomial"), "legendre")

# Linear regression tab.
DEGREE = Range("Polynomial degree", 1, 15, 3)
BATCH = Choice("Batch size", BATCH_CHOICES, 0)
LR = Choice("Learning rate η", LEARNING_RATES, 0.1)
EPOCHS = Choice("Epochs", EPOCH_CHOICES, 500)
L2 = Choice("L2 strength λ", L2_STRENGTHS, 0.0)

# Logistic regression tab (its own 2D data).
DATASET = Choice("Data set", TOY_SETS, "moons")
LOGISTIC_POINTS = Range("Points", 50, 1000, 300, 50)
LOGISTIC_NOISE = Range("Noise", 0.0, 1.0, 0.2, 0.05)
LOGISTIC_DEGREE = Range("Feature degree", 1, 6, 1)
LOGISTIC_LR = Choice("Learning rate η", LEARNING_RATES, 1.0)
LOGISTIC_EPOCHS = Choice("Epochs", EPOCH_CHOICES, 300)

# Capacity tab.
CAPACITY_L2 = Choice("λ for the degree sweep", L2_STRENGTHS, 0.0)
CAPACITY_DEGREE = Range("Degree for the λ sweep", 1, 15, 15)

# Learning-rate tab: three rates side by side.
LR_SMALL = Choice("η (small)", LEARNING_RATES, 0.01)
LR_GOOD = Choice("η (good)", LEARNING_RATES, 0.3)
LR_LARGE = Choice("η (large)", LEARNING_RATES, 1.1)
LR_DEGREE = Range("Degree", 1, 9, 1)
LR_EPOCHS = Choice("Epochs", EPOCH_CHOICES, 100)

# Information theory page.
OUTCOMES = Range("Number of outcomes", 2, 6, 4)
WEIGHT = Range("Weight", 0, 10, 1)
UNIT = Choice("Unit", ("bits", "nats"), "bits")
P_WEIGHTS = (9, 1, 1, 1, 1, 1)
"""Default weights of p, one per outcome: peaked, most of the mass on outcome 1."""
Q_WEIGHTS = (1, 3, 3, 3, 3, 3)
"""Default weights of q: it expects outcome 1 least, so the two KL directions differ clearly."""
