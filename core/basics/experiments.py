"""Lecture 1 experiments: each a pure function of a frozen (hashable) config, returning a frozen result with
every number the page shows (the figures in :mod:`core.basics.figures` only draw them).

Experiments are memoised with ``functools.lru_cache`` on the config: a rerun that moves one slider
recomputes only what that slider changes, and the lookup costs microseconds (``st.cache_data`` would
re-hash and re-pickle the results on every rerun). Treat the returned results as read-only: they are shared
between callers.

- :func:`run_polynomial`: 1D polynomial regression by GD, next to the closed-form (ridge) solution.
- :func:`lr_comparison`: the same problem under several learning rates (slow / good / diverging).
- :func:`run_logistic`: logistic regression on a 2D toy set, with optional polynomial features.

The capacity and L2 sweeps are in :mod:`core.basics.capacity`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from core import metrics
from core.basics import datasets, linear
from core.basics.features import Standardizer, features_1d, polynomial_features


@dataclass(frozen=True)
class PolyConfig:
    """A 1D polynomial-regression experiment on noisy samples of sin(2πx)."""

    n: int = 100
    """Number of data points, before splitting (60/20/20 by default: with 40, a validation MSE on 8
    points varied so much that picking the smallest of 15 landed below σ²)."""
    noise: float = 0.25
    """Standard deviation of the Gaussian noise on the targets."""
    seed: int = 0
    """Seed of the data and of the split."""
    degree: int = 3
    """Polynomial degree (number of features, the bias aside)."""
    basis: str = "legendre"
    """'legendre' (well conditioned, GD converges) or 'monomial' (x, x², ...: the textbook basis)."""
    lr: float = 0.1
    """Gradient-descent learning rate η."""
    epochs: int = 500
    """Number of gradient-descent epochs."""
    l2: float = 0.0
    """L2 strength λ in MSE + (λ/2)‖w‖²."""
    train_frac: float = 0.6
    """Fraction of the points used for training."""
    val_frac: float = 0.2
    """Fraction used for validation; the rest is the test set."""
    batch_size: int | None = None
    """Mini-batch size for SGD; None is full-batch gradient descent."""


@dataclass(frozen=True)
class PolyRun:
    """Everything :func:`run_polynomial` computed."""

    config: PolyConfig
    """The experiment."""
    split: datasets.Split
    """Raw x / y of the three splits."""
    scaler: Standardizer
    """Feature standardisation, fitted on the training split."""
    gd: linear.GDResult
    """The gradient-descent run."""
    closed_w: np.ndarray
    """Exact minimiser of the same objective (ridge normal equations): weights."""
    closed_b: float
    """... and bias."""
    errors: dict[str, dict[str, float]]
    """MSE per solver ('gradient descent', 'closed form') and split ('train', 'val', 'test')."""
    lr_limit: float
    """2/λ_max of the loss Hessian: full-batch GD diverges above this learning rate."""

    def features(self, x: np.ndarray) -> np.ndarray:
        """Standardised polynomial features of raw inputs x."""
        return self.scaler.transform(features_1d(x, self.config.degree, self.config.basis))


def split_problem(cfg: PolyConfig) -> str | None:
    """Why the configured split cannot be made (a split would be empty), or None when it can."""
    try:
        make_split(cfg, cfg.seed)
    except ValueError as exc:
        return f"Cannot split the data: {exc}."
    return None


def make_split(cfg: PolyConfig, seed: int) -> datasets.Split:
    """The configured data set drawn with ``seed`` and split by the configured fractions."""
    x, y = datasets.sine_data(cfg.n, cfg.noise, seed)
    test_frac = 1.0 - cfg.train_frac - cfg.val_frac
    return datasets.train_val_test_split(x, y, (cfg.train_frac, cfg.val_frac, test_frac), seed=seed)


def split_parts(split: datasets.Split) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, x, y) of the train, validation and test parts, in that order."""
    return [("train", split.X_train, split.y_train), ("val", split.X_val, split.y_val),
            ("test", split.X_test, split.y_test)]  # fmt: skip


@functools.lru_cache(maxsize=64)
def run_polynomial(cfg: PolyConfig) -> PolyRun:
    """Split the data, expand and standardise features, fit by GD and in closed form, measure errors.

    Raises ValueError when the fractions leave a split empty (the page names the problem).
    """
    split = make_split(cfg, cfg.seed)
    tr = features_1d(split.X_train, cfg.degree, cfg.basis)
    scaler = Standardizer.fit(tr)  # fitted on train only: validation/test stay unseen
    F = {s: scaler.transform(features_1d(x, cfg.degree, cfg.basis)) for s, x, _ in split_parts(split)}
    gd = linear.fit_linear_gd(
        F["train"], split.y_train, cfg.lr, cfg.epochs, cfg.l2,
        X_val=F["val"], y_val=split.y_val, batch_size=cfg.batch_size, seed=cfg.seed,
    )  # fmt: skip
    w, b = linear.ridge_closed_form(F["train"], split.y_train, cfg.l2)
    errors = {
        "gradient descent": {s: (math.nan if gd.diverged else linear.mse(y, gd.predict(F[s])))
                             for s, _, y in split_parts(split)},  # fmt: skip
        "closed form": {s: linear.mse(y, F[s] @ w + b) for s, _, y in split_parts(split)},
    }
    return PolyRun(cfg, split, scaler, gd, w, b, errors, linear.lr_stability_limit(F["train"], cfg.l2))


def polynomial_summary(run: PolyRun) -> dict[str, object]:
    """The run's numbers as plain JSON (Gradio API, tests)."""
    return {
        "status": run.gd.status,
        "message": run.gd.message,
        "epochs_run": run.gd.epochs_run,
        "lr_stability_limit": round(run.lr_limit, 6),
        "mse": {k: {s: _json_float(v) for s, v in d.items()} for k, d in run.errors.items()},
        "points": {s: len(y) for s, _, y in split_parts(run.split)},
        "gd_weights": [round(float(v), 6) for v in run.gd.w] + [round(run.gd.b, 6)],
        "closed_form_weights": [round(float(v), 6) for v in run.closed_w] + [round(run.closed_b, 6)],
    }


def _json_float(v: float) -> float | None:
    return round(float(v), 6) if math.isfinite(v) else None


@dataclass(frozen=True)
class LRComparison:
    """Full-batch GD on one problem under several learning rates."""

    lrs: tuple[float, ...]
    """The learning rates, in the order given."""
    runs: tuple[linear.GDResult, ...]
    """One run per learning rate, with the parameter path recorded."""
    limit: float
    """2/λ_max: GD diverges above it (and oscillates above half of it)."""
    optimum: np.ndarray = field(repr=False)
    """The exact minimiser [w..., b] (closed form)."""
    direction: np.ndarray = field(repr=False)
    """Unit vector u of the loss's steepest direction (top Hessian eigenvector), oriented toward the start
    θ = 0: the error u·(θ − θ*) is multiplied by exactly (1 − ηλ_max) per step."""
    optimum_loss: float = 0.0
    """Training MSE at the minimiser."""

    def steepest_error(self, index: int) -> np.ndarray:
        """u·(θ_t − θ*) per epoch of run ``index`` (its recorded path), starting at epoch 0."""
        path = self.runs[index].path
        return (path - self.optimum) @ self.direction if path is not None else np.zeros(1)

    def factor(self, lr: float) -> float:
        """1 − ηλ_max: what one full-batch step multiplies the error along the steepest direction by."""
        return 1.0 - lr * 2.0 / self.limit


@functools.lru_cache(maxsize=64)
def lr_comparison(cfg: PolyConfig, lrs: tuple[float, ...]) -> LRComparison:
    """Fit the configured polynomial with each learning rate; diverging runs stop and say so."""
    split = make_split(cfg, cfg.seed)
    tr = features_1d(split.X_train, cfg.degree, cfg.basis)
    F = Standardizer.fit(tr).transform(tr)
    runs = tuple(
        linear.fit_linear_gd(F, split.y_train, float(lr), cfg.epochs, cfg.l2, record_path=True) for lr in lrs
    )
    w, b = linear.ridge_closed_form(F, split.y_train, cfg.l2)
    optimum = np.append(w, b)
    curvature, u = linear.steepest_direction(linear.hessian(F, cfg.l2), -optimum)  # the start θ = 0
    return LRComparison(tuple(float(v) for v in lrs), runs, 2.0 / curvature, optimum, u,
                        linear.mse(split.y_train, F @ w + b))  # fmt: skip


def verdict(run: linear.GDResult, lr: float, limit: float) -> str:
    """How a full-batch run on a quadratic behaves at learning rate lr, given 2/λ_max = ``limit``:
    decided by the factor 1 − ηλ_max, not only by whether the run was stopped (just above the limit the
    loss grows too slowly to be stopped within a few hundred epochs, but it grows)."""
    if run.diverged:
        return f"diverged (epoch {run.epochs_run})"
    if lr > limit * (1 + 1e-9):
        return "diverging"
    if lr >= limit * (1 - 1e-9):
        return "oscillates forever"  # factor −1: the error flips sign at constant size
    if lr > limit / 2:
        return "oscillates"
    return "converging"


def lr_summary(cmp: LRComparison) -> dict[str, object]:
    """Per learning rate: verdict, epochs run, final loss; as plain JSON."""
    return {
        "lr_stability_limit": round(cmp.limit, 6),
        "min_train_mse": round(cmp.optimum_loss, 6),
        "runs": [
            {
                "lr": lr,
                "status": run.status,
                "verdict": verdict(run, lr, cmp.limit),
                "epochs_run": run.epochs_run,
                "final_train_mse": _json_float((run.history["train_loss"] or [run.initial_loss])[-1]),
                "message": run.message,
            }
            for lr, run in zip(cmp.lrs, cmp.runs)
        ],
    }


@dataclass(frozen=True)
class LogisticConfig:
    """Binary logistic regression on a 2D toy set from ``core.data``."""

    dataset: str = "moons"
    """Toy set name: moons, circles, spirals, xor or blobs (2 classes)."""
    n: int = 300
    """Number of points before the 60/20/20 split."""
    noise: float = 0.2
    """Noise of the toy generator."""
    seed: int = 0
    """Seed of the data."""
    degree: int = 1
    """Polynomial feature degree: 1 is a straight decision boundary."""
    lr: float = 1.0
    """Gradient-descent learning rate."""
    epochs: int = 300
    """Gradient-descent epochs."""
    l2: float = 0.0
    """L2 strength λ in BCE + (λ/2)‖w‖²."""


@dataclass(frozen=True)
class LogisticRun:
    """Everything :func:`run_logistic` computed."""

    config: LogisticConfig
    """The experiment."""
    data: dict[str, tuple[np.ndarray, np.ndarray]]
    """(X, y) per split, as served by core.data."""
    provenance: str
    """Where the data came from (core.data's provenance string)."""
    gd: linear.GDResult
    """The gradient-descent run."""
    accuracy: dict[str, float]
    """Accuracy per split."""
    loss: dict[str, float]
    """Mean cross-entropy per split."""
    grid: tuple[np.ndarray, np.ndarray, np.ndarray]
    """(xs, ys, P(class 1)) on a grid covering the data: the probability map."""


def _features_2d(X: np.ndarray, degree: int) -> np.ndarray:
    return polynomial_features(X, degree) if degree > 1 else np.asarray(X, dtype=np.float64)


@functools.lru_cache(maxsize=64)
def run_logistic(cfg: LogisticConfig, resolution: int = 80) -> LogisticRun:
    """Load the three splits, expand + standardise features, fit by GD, evaluate, map probabilities."""
    from core import data  # imported here: the 1D demos must not wait for the data module

    sets = {
        s: data.load(cfg.dataset, s, n=cfg.n, noise=cfg.noise, seed=cfg.seed, classes=2)
        for s in ("train", "val", "test")
    }
    raw = {s: (ds.X.astype(np.float64), ds.y) for s, ds in sets.items()}
    scaler = Standardizer.fit(_features_2d(raw["train"][0], cfg.degree))
    F = {s: scaler.transform(_features_2d(X, cfg.degree)) for s, (X, _) in raw.items()}
    gd = linear.fit_logistic_gd(F["train"], raw["train"][1], cfg.lr, cfg.epochs, cfg.l2,
                                X_val=F["val"], y_val=raw["val"][1], seed=cfg.seed)  # fmt: skip
    acc = {s: metrics.accuracy(raw[s][1], gd.predict(F[s])) for s in raw}
    loss = {s: linear.bce_and_grad(gd.decision_function(F[s]), raw[s][1].astype(np.float64))[0] for s in raw}
    allX = np.concatenate([X for X, _ in raw.values()])
    lo, hi = allX.min(axis=0) - 0.5, allX.max(axis=0) + 0.5
    xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    grid_points = np.column_stack([gx.ravel(), gy.ravel()])
    with np.errstate(all="ignore"):
        P = gd.predict_proba(scaler.transform(_features_2d(grid_points, cfg.degree)))
    return LogisticRun(cfg, raw, sets["train"].provenance, gd, acc, loss, (xs, ys, P.reshape(gx.shape)))


def logistic_summary(run: LogisticRun) -> dict[str, object]:
    """Accuracy and loss per split, status and provenance, as plain JSON."""
    return {
        "status": run.gd.status,
        "message": run.gd.message,
        "epochs_run": run.gd.epochs_run,
        "accuracy": {s: round(v, 4) for s, v in run.accuracy.items()},
        "cross_entropy": {s: _json_float(v) for s, v in run.loss.items()},
        "features": len(run.gd.w),
        "data": run.provenance,
    }

