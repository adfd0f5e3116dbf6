"""Model capacity, measured: validation error against polynomial degree and against L2 strength, and the
bias-variance decomposition over fresh data sets. Every point is an exact (closed-form) fit, so the curves
show capacity, not how far gradient descent got."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from core.basics import datasets, linear
from core.basics.experiments import PolyConfig, make_split, split_parts
from core.basics.features import Standardizer, features_1d


@dataclass(frozen=True)
class CapacitySweep:
    """Errors against polynomial degree, from the exact (closed-form) minimiser at each degree."""

    degrees: np.ndarray
    """Degrees swept."""
    errors: dict[str, np.ndarray]
    """MSE per split ('train', 'val', 'test') on the configured data set, one value per degree."""
    bias2: np.ndarray
    """Squared bias, averaged over x ~ U[0,1], of the fit over ``repeats`` fresh data sets."""
    variance: np.ndarray
    """Variance of the fit across those data sets, averaged over x."""
    noise_var: float
    """Irreducible error σ²: the expected test MSE is bias² + variance + σ²."""
    repeats: int
    """Number of fresh data sets behind bias and variance."""
    best_degree: int
    """Degree with the lowest validation error: the one model selection picks."""


@functools.lru_cache(maxsize=64)
def capacity_sweep(
    cfg: PolyConfig, degrees: tuple[int, ...] = tuple(range(1, 16)), repeats: int = 20
) -> CapacitySweep:
    """Validation error vs degree at the configured λ, and bias²/variance from ``repeats`` data sets.

    Each degree is fitted exactly (normal equations), so the curve shows capacity, not how far GD got.
    """
    top = max(degrees)
    # Column k of either basis does not depend on the degree, and neither does its standardisation:
    # compute the features once at the highest degree and slice the first d columns for degree d.
    split = make_split(cfg, cfg.seed)
    tr = features_1d(split.X_train, top, cfg.basis)
    scaler = Standardizer.fit(tr)
    F = {s: scaler.transform(features_1d(x, top, cfg.basis)) for s, x, _ in split_parts(split)}
    errors: dict[str, list[float]] = {"train": [], "val": [], "test": []}
    for d in degrees:
        w, b = linear.ridge_closed_form(F["train"][:, :d], split.y_train, cfg.l2)
        for s, _, y in split_parts(split):
            errors[s].append(linear.mse(y, F[s][:, :d] @ w + b))
    truth = datasets.sine_target(datasets.GRID)
    # Fresh data sets (same size, noise and split fractions) drawn from seeds derived from cfg.seed;
    # their training parts are stacked so that each degree is one batched solve, not `repeats` solves.
    draws = [make_split(cfg, cfg.seed * 100_003 + r + 1) for r in range(repeats)]
    x_tr = np.stack([sp.X_train for sp in draws])
    y_tr = np.stack([sp.y_train for sp in draws])
    Fr = features_1d(x_tr.ravel(), top, cfg.basis).reshape(repeats, -1, top)
    mean, scale = Fr.mean(axis=1, keepdims=True), Fr.std(axis=1, keepdims=True)
    scale = np.where(scale > 1e-12, scale, 1.0)
    Fr = (Fr - mean) / scale
    G = (features_1d(datasets.GRID, top, cfg.basis)[None] - mean) / scale  # (repeats, grid, top)
    bias2, variance = [], []
    for d in degrees:
        w, b = ridge_batched(Fr[..., :d], y_tr, cfg.l2)
        preds = np.einsum("rgd,rd->rg", G[..., :d], w) + b[:, None]
        bias2.append(float(np.mean((preds.mean(axis=0) - truth) ** 2)))
        variance.append(float(np.mean(preds.var(axis=0))))
    degs = np.asarray(degrees)
    arr = {s: np.array(v) for s, v in errors.items()}
    return CapacitySweep(degs, arr, np.array(bias2), np.array(variance), cfg.noise**2, repeats,
                         int(degs[np.argmin(arr["val"])]))  # fmt: skip


def ridge_batched(X: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`core.basics.linear.ridge_closed_form` for a stack of problems X (R, n, d), y (R, n) at once."""
    R, n, d = X.shape
    x_mean, y_mean = X.mean(axis=1, keepdims=True), y.mean(axis=1, keepdims=True)
    scale = math.sqrt(2.0 / n)
    ridge_rows = np.broadcast_to(math.sqrt(l2) * np.eye(d), (R, d, d))
    A = np.concatenate([scale * (X - x_mean), ridge_rows], axis=1)
    t = np.concatenate([scale * (y - y_mean), np.zeros((R, d))], axis=1)
    # pinv (batched SVD): the minimum-norm solution when a problem is rank-deficient, like lstsq.
    w = np.einsum("rdm,rm->rd", np.linalg.pinv(A), t)
    return w, y_mean[:, 0] - np.einsum("rd,rd->r", x_mean[:, 0], w)


@dataclass(frozen=True)
class L2Sweep:
    """Errors against L2 strength at a fixed degree (closed-form fits)."""

    l2s: np.ndarray
    """L2 strengths swept (log-spaced)."""
    errors: dict[str, np.ndarray]
    """MSE per split, one value per λ."""
    weight_norm: np.ndarray
    """‖w‖ of each fit: L2 shrinks the weights."""
    degree: int
    """Polynomial degree of every fit."""
    best_l2: float
    """λ with the lowest validation error."""


L2_GRID = tuple(float(v) for v in np.logspace(-7, 1, 25))
"""λ values of the L2 sweep: 10^-7 (no effect) to 10 (a flat line), three per decade."""


@functools.lru_cache(maxsize=64)
def l2_sweep(cfg: PolyConfig, l2s: tuple[float, ...] = L2_GRID) -> L2Sweep:
    """Validation error vs λ at degree ``cfg.degree``: overfitting at tiny λ, underfitting at large λ."""
    split = make_split(cfg, cfg.seed)
    tr = features_1d(split.X_train, cfg.degree, cfg.basis)
    scaler = Standardizer.fit(tr)
    F = {s: scaler.transform(features_1d(x, cfg.degree, cfg.basis)) for s, x, _ in split_parts(split)}
    errors: dict[str, list[float]] = {"train": [], "val": [], "test": []}
    norms = []
    for lam in l2s:
        w, b = linear.ridge_closed_form(F["train"], split.y_train, float(lam))
        norms.append(float(np.linalg.norm(w)))
        for s, _, y in split_parts(split):
            errors[s].append(linear.mse(y, F[s] @ w + b))
    arr = {s: np.array(v) for s, v in errors.items()}
    lams = np.asarray(l2s, dtype=np.float64)
    return L2Sweep(lams, arr, np.array(norms), cfg.degree, float(lams[np.argmin(arr["val"])]))


def sweep_summary(cap: CapacitySweep, reg: L2Sweep) -> dict[str, object]:
    """Both sweeps as plain JSON."""
    return {
        "degrees": cap.degrees.tolist(),
        "val_mse_by_degree": [round(float(v), 6) for v in cap.errors["val"]],
        "best_degree": cap.best_degree,
        "test_mse_at_best_degree": round(float(cap.errors["test"][int(np.argmin(cap.errors["val"]))]), 6),
        "bias2": [round(float(v), 6) for v in cap.bias2],
        "variance": [round(float(v), 6) for v in cap.variance],
        "l2s": [float(f"{v:.3g}") for v in reg.l2s],
        "val_mse_by_l2": [round(float(v), 6) for v in reg.errors["val"]],
        "best_l2": float(f"{reg.best_l2:.3g}"),
    }

