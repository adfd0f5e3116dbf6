"""Features for the lecture 1 models: polynomial expansions and z-scoring fitted on the training split."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np


def polynomial_features(X: np.ndarray, degree: int) -> np.ndarray:
    """All monomials of the inputs of total degree 1..degree (no constant: the bias is separate).

    1D input x gives [x, x², ..., x^degree]; 2D input gives x1, x2, x1², x1·x2, x2², ... .
    """
    X = np.asarray(X, dtype=np.float64)
    X = X[:, None] if X.ndim == 1 else X
    if degree < 1:
        raise ValueError(f"degree must be >= 1, got {degree}")
    cols = [
        np.prod(X[:, list(combo)], axis=1)
        for k in range(1, degree + 1)
        for combo in itertools.combinations_with_replacement(range(X.shape[1]), k)
    ]
    return np.stack(cols, axis=1)


def legendre_features(x: np.ndarray, degree: int, domain: tuple[float, float] = (0.0, 1.0)) -> np.ndarray:
    """[P1(t), ..., P_degree(t)] of 1D inputs, t = x mapped from ``domain`` onto [-1, 1].

    They span exactly the same polynomials as [x, ..., x^degree] (same model, same closed-form fit
    without L2), but Legendre polynomials are orthogonal on [-1, 1], so the columns are nearly
    uncorrelated and the loss surface is round instead of a narrow valley: at degree 9 the Hessian's
    condition number is 4-30 on the page's data instead of ~10^13: GD at η = 0.1 reaches the closed-form
    fit within 100 epochs, where on monomials its training MSE is still 2.5x the optimum after 300.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    if degree < 1:
        raise ValueError(f"degree must be >= 1, got {degree}")
    lo, hi = domain
    return np.polynomial.legendre.legvander(2.0 * (x - lo) / (hi - lo) - 1.0, degree)[:, 1:]


@dataclass(frozen=True)
class Standardizer:
    """Per-feature z-scoring, fitted on the training split only (no peeking at validation/test)."""

    mean: np.ndarray
    """Per-feature mean of the training data."""
    scale: np.ndarray
    """Per-feature standard deviation (1 for constant features, which would divide by zero)."""

    @classmethod
    def fit(cls, X: np.ndarray) -> Standardizer:
        X = np.asarray(X, dtype=np.float64)
        std = X.std(axis=0)
        return cls(mean=X.mean(axis=0), scale=np.where(std > 1e-12, std, 1.0))

    def transform(self, X: np.ndarray) -> np.ndarray:
        return (np.asarray(X, dtype=np.float64) - self.mean) / self.scale


def features_1d(x: np.ndarray, degree: int, basis: str) -> np.ndarray:
    """Polynomial features of 1D inputs in the chosen basis (both span the same polynomials)."""
    if basis == "legendre":
        return legendre_features(x, degree, domain=(0.0, 1.0))
    if basis == "monomial":
        return polynomial_features(x, degree)
    raise ValueError(f"basis must be 'legendre' or 'monomial', not {basis!r}")
