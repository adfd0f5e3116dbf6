"""Model capacity, measured: validation error against polynomial degree and against L2 strength, and the
bias-variance decomposition of the expected test error over fresh data sets. Every point is an exact
(closed-form) fit, so the curves show capacity, not how far gradient descent got."""

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
    """Errors against polynomial degree, from the exact (closed-form) minimiser at each degree, and the
    bias-variance decomposition of the expected test error (see :func:`bias_variance`)."""

    degrees: np.ndarray
    """Degrees swept."""
    errors: dict[str, np.ndarray]
    """MSE per split ('train', 'val', 'test') on the configured data set, one value per degree."""
    bias2: np.ndarray
    """Squared bias, averaged over x ~ U[0,1]: how far the average fit is from sin(2πx)."""
    variance: np.ndarray
    """Variance of the fit from one training set to the next, averaged over x."""
    noise_var: float
    """Irreducible error σ²: no model's expected test MSE is below it."""
    expected_test: np.ndarray
    """bias² + variance + σ²: the expected test MSE of each degree."""
    measured_test: np.ndarray
    """Test MSE on fresh noisy points, averaged over fits to ``repeats`` noisy training sets: the
    quantity the decomposition predicts, measured."""
    repeats: int
    """Number of fresh training sets behind bias², variance and the measured test MSE."""
    best_degree: int
    """Degree with the lowest validation error: the one model selection picks."""
    val_points: int
    """Size of the validation split the pick is made on."""

    @property
    def val_noise(self) -> float:
        """Standard error of one validation MSE at the noise floor, σ²·√(2/n_val): the MSE of n_val
        Gaussian residuals is σ²·χ²(n_val)/n_val, whose standard deviation is σ²·√(2/n_val)."""
        return self.noise_var * math.sqrt(2.0 / self.val_points)


X_MEASURE = (np.arange(200) + 0.5) / 200
"""Where bias² and variance are averaged over x ~ U[0, 1]: midpoints, whose mean is the integral to
O(1/200²). The plotting grid includes both ends, and weighting them fully overstates the error of a
degree-1 fit, largest at the edges, by ~2%."""
REPEATS = 200
"""Fresh training sets behind bias² and variance. The variance of a high-degree fit is heavy-tailed (a
training set with a gap at an edge makes it explode there): at the default problem its estimate at degree
15 still moves by a factor ~3 between seeds with 200, and by orders of magnitude with 20."""


@functools.lru_cache(maxsize=64)
def capacity_sweep(
    cfg: PolyConfig, degrees: tuple[int, ...] = tuple(range(1, 16)), repeats: int = REPEATS
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
    bias2, variance, measured = bias_variance(cfg, degrees, repeats)
    degs, noise_var = np.asarray(degrees), cfg.noise**2
    arr = {s: np.array(v) for s, v in errors.items()}
    return CapacitySweep(degs, arr, bias2, variance, noise_var, bias2 + variance + noise_var, measured,
                         repeats, int(degs[np.argmin(arr["val"])]), len(split.y_val))  # fmt: skip


def bias_variance(
    cfg: PolyConfig, degrees: tuple[int, ...], repeats: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(bias², variance, measured test MSE) per degree over ``repeats`` fresh training sets.

    A ridge fit is linear in its targets: f̂(x) = s(x)·y, with s(x) set by the training inputs alone. So
    for each fresh set of inputs X_r, the fit to the noise-free targets, m_r(x) = s_r(x)·f(X_r), and the
    noise's share of the variance, σ²‖s_r(x)‖², are exact, and only the inputs are sampled:

        bias²    = mean_x[(mean_r m_r − f)² − Var_r(m)/R]      (the mean of R fits carries Var/R)
        variance = mean_x[σ² mean_r ‖s_r‖² + Var_r(m)]

    Averaging R fits to noisy targets instead puts variance/R into the squared bias of their mean: with
    R = 20 that "bias²" grew with degree (0.25 at degree 8, 1.35e7 at degree 15 on 40 points), the
    opposite of the truth. The measured test MSE fits the same inputs to noisy targets and scores them
    on fresh noisy points; it is what bias² + variance + σ² predicts.
    """
    if repeats < 2:
        raise ValueError(f"bias and variance need at least 2 fresh data sets, got {repeats}")
    top = max(degrees)
    truth = datasets.sine_target(X_MEASURE)
    rng = np.random.default_rng([cfg.seed, 1])  # the noise of the measured fits; never a data seed
    # Fresh data sets (same size, noise and split fractions) from seeds derived from cfg.seed; only their
    # training inputs are used, stacked so that each degree is one batched solve over all repeats.
    x = np.stack([make_split(cfg, cfg.seed * 100_003 + r + 1).X_train for r in range(repeats)])
    n = x.shape[1]
    f = datasets.sine_target(x)
    y = f + cfg.noise * rng.standard_normal(f.shape)
    Fr = features_1d(x.ravel(), top, cfg.basis).reshape(repeats, n, top)
    mean, scale = Fr.mean(axis=1, keepdims=True), Fr.std(axis=1, keepdims=True)
    scale = np.where(scale > 1e-12, scale, 1.0)
    Fr = (Fr - mean) / scale
    G = (features_1d(X_MEASURE, top, cfg.basis)[None] - mean) / scale  # (repeats, grid, top)
    bias2, variance, measured = [], [], []
    for d in degrees:
        P, x_mean = ridge_operator(Fr[..., :d], cfg.l2)
        Gc = G[..., :d] - x_mean[:, None, :]  # prediction at g: Gc·(P y) + mean(y)
        m = Gc @ (P @ f[..., None]) + f.mean(axis=1)[:, None, None]
        noise_share = np.einsum("rgd,rde,rge->rg", Gc, P @ P.transpose(0, 2, 1), Gc) + 1.0 / n
        design_var = m[..., 0].var(axis=0, ddof=1)
        bias2.append(float(np.mean((m[..., 0].mean(axis=0) - truth) ** 2 - design_var / repeats)))
        variance.append(float(np.mean(cfg.noise**2 * noise_share.mean(axis=0) + design_var)))
        pred = Gc @ (P @ y[..., None]) + y.mean(axis=1)[:, None, None]
        y_test = truth + cfg.noise * rng.standard_normal(pred.shape[:2])
        measured.append(float(np.mean((pred[..., 0] - y_test) ** 2)))
    return np.array(bias2), np.array(variance), np.array(measured)


def ridge_operator(X: np.ndarray, l2: float) -> tuple[np.ndarray, np.ndarray]:
    """For a stack of problems X (R, n, d): P (R, d, n) with w = P y for any targets y, and the feature
    means x̄ (R, d); the bias is b = mean(y) − x̄·w (the ridge normal equations of
    :func:`core.basics.linear.ridge_closed_form`)."""
    R, n, d = X.shape
    x_mean = X.mean(axis=1)
    Xc_t = (2.0 / n) * (X - x_mean[:, None]).transpose(0, 2, 1)  # centred: P annihilates constants
    gram = Xc_t @ (X - x_mean[:, None]) + l2 * np.eye(d)
    evals, V = np.linalg.eigh(gram)
    if np.all(evals[:, 0] > WELL_CONDITIONED * evals[:, -1]):
        # Normal equations through the d×d Gram matrix: ~10x faster than an SVD of each (n+d)×d system,
        # and accurate to ~cond·1e-16 < 1e-8 here (Legendre features; small degrees).
        return (V / evals[:, None, :]) @ (V.transpose(0, 2, 1) @ Xc_t), x_mean
    scale = math.sqrt(2.0 / n)
    ridge_rows = np.broadcast_to(math.sqrt(l2) * np.eye(d), (R, d, d))
    A = np.concatenate([scale * (X - x_mean[:, None]), ridge_rows], axis=1)
    # pinv (batched SVD): the minimum-norm solution when a problem is rank-deficient, like lstsq
    # (monomials at high degree, or fewer points than features).
    return scale * np.linalg.pinv(A)[..., :n], x_mean


WELL_CONDITIONED = 1e-8
"""Smallest eigenvalue ratio of the Gram matrix for which :func:`ridge_operator` solves the normal
equations directly; below it (nearly collinear monomials, rank-deficient sets) it takes the SVD."""


def ridge_batched(X: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`core.basics.linear.ridge_closed_form` for a stack of problems X (R, n, d), y (R, n) at once."""
    P, x_mean = ridge_operator(X, l2)
    w = np.einsum("rdn,rn->rd", P, y)
    return w, y.mean(axis=1) - np.einsum("rd,rd->r", x_mean, w)


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
        "repeats": cap.repeats,
        "noise_var": round(cap.noise_var, 6),
        "bias2": [float(f"{v:.4g}") for v in cap.bias2],
        "variance": [float(f"{v:.4g}") for v in cap.variance],
        "expected_test_mse": [float(f"{v:.4g}") for v in cap.expected_test],
        "measured_test_mse": [float(f"{v:.4g}") for v in cap.measured_test],
        "l2s": [float(f"{v:.3g}") for v in reg.l2s],
        "val_mse_by_l2": [round(float(v), 6) for v in reg.errors["val"]],
        "best_l2": float(f"{reg.best_l2:.3g}"),
    }

