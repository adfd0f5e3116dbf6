"""The 1D regression data of lecture 1 (noisy samples of sin(2πx)) and the train/validation/test split."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GRID = np.linspace(0.0, 1.0, 200)
"""x values where 1D fits are drawn (bias and variance are averaged over midpoints instead:
:data:`core.basics.capacity.X_MEASURE`)."""


def sine_target(x: np.ndarray) -> np.ndarray:
    """The true function of the 1D regression demo: sin(2πx) on [0, 1] (Bishop, PRML §1.1)."""
    return np.sin(2.0 * np.pi * np.asarray(x, dtype=np.float64))


def sine_data(n: int, noise: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n points x ~ U[0, 1] with targets sin(2πx) + N(0, noise²), seeded."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, size=n)
    return x, sine_target(x) + noise * rng.standard_normal(n)


@dataclass(frozen=True)
class Split:
    """Train/validation/test partition of one data set."""

    X_train: np.ndarray
    """Training inputs: what the loss is minimised on."""
    y_train: np.ndarray
    """Training targets."""
    X_val: np.ndarray
    """Validation inputs: for choosing hyperparameters (degree, L2, learning rate)."""
    y_val: np.ndarray
    """Validation targets."""
    X_test: np.ndarray
    """Test inputs: touched once, to report the error of the chosen model."""
    y_test: np.ndarray
    """Test targets."""


def train_val_test_split(
    X: np.ndarray, y: np.ndarray, fractions: tuple[float, float, float] = (0.6, 0.2, 0.2), seed: int = 0
) -> Split:
    """A seeded random partition; fractions are normalised, and each split gets at least one point."""
    X, y = np.asarray(X), np.asarray(y)
    f = np.asarray(fractions, dtype=np.float64)
    if f.shape != (3,) or np.any(f < 0) or f.sum() <= 0:
        raise ValueError(f"need three non-negative fractions, got {fractions}")
    n = len(y)
    f = f / f.sum()
    n_train, n_val = int(round(f[0] * n)), int(round(f[1] * n))
    if n_train < 1 or n_val < 1 or n - n_train - n_val < 1:
        raise ValueError(
            f"{n} points split {f[0]:.0%}/{f[1]:.0%}/{f[2]:.0%} leave an empty split "
            f"({n_train}/{n_val}/{n - n_train - n_val}); use more points or larger fractions"
        )
    idx = np.random.default_rng(seed).permutation(n)
    tr, va, te = idx[:n_train], idx[n_train : n_train + n_val], idx[n_train + n_val :]
    return Split(X[tr], y[tr], X[va], y[va], X[te], y[te])
