"""Linear and logistic regression with hand-written gradient descent (lecture 1 homework, numpy only).

Both models minimise the regularised empirical risk

    J(w, b) = (1/n) Σ_i ℓ(w·x_i + b, y_i) + (λ/2)‖w‖²

with ℓ the squared error (linear) or the binary cross-entropy (logistic). The bias is not penalised:
shifting every target by a constant should shift the fit, not cost anything. Gradients are written out
by hand (no autodiff); ``tests/test_linear.py`` checks them against finite differences and the
converged solutions against the ridge normal equations and scikit-learn.

Everything here is float64 numpy: the data sets are tiny, so precision is free and per-call numpy
overhead, not arithmetic, is what costs time.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

EXPLODE_FACTOR = 1e6
"""A run counts as diverged once its objective exceeds this multiple of the initial objective."""

# --------------------------------------------------------------------------------------------------
# Losses and their hand-written gradients
# --------------------------------------------------------------------------------------------------


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z) without overflow warnings for large |z|."""
    return np.exp(-np.logaddexp(0.0, -z))


def mse_and_grad(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error of predictions z, and its derivative in z: (2/n)(z - y)."""
    r = z - y
    return float(r @ r) / y.shape[0], (2.0 / y.shape[0]) * r


def bce_and_grad(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean binary cross-entropy of logits z, and its derivative in z: (σ(z) - y)/n.

    Per point ℓ = -[y log σ(z) + (1-y) log(1-σ(z))] = log(1 + e^z) - y·z; logaddexp keeps it exact
    where the naive formula overflows.
    """
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    return loss, (sigmoid(z) - y) / y.shape[0]


LOSSES: dict[str, Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]] = {
    "linear": mse_and_grad,
    "logistic": bce_and_grad,
}
DZ: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "linear": lambda z, y: (2.0 / y.shape[0]) * (z - y),
    "logistic": lambda z, y: (sigmoid(z) - y) / y.shape[0],
}
"""The derivatives alone (the second half of LOSSES): SGD steps need no loss value."""


def loss_and_grad(
    kind: str, X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, l2: float = 0.0
) -> tuple[float, np.ndarray, float]:
    """The objective J(w, b) = mean loss + (l2/2)‖w‖² and its gradient (dJ/dw, dJ/db).

    Chain rule through z = Xw + b: dJ/dw = Xᵀ(dL/dz) + l2·w, dJ/db = Σ dL/dz (bias not penalised).
    """
    data, dz = LOSSES[kind](X @ w + b, y)
    return data + 0.5 * l2 * float(w @ w), X.T @ dz + l2 * w, float(dz.sum())


# --------------------------------------------------------------------------------------------------
# Gradient descent
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GDResult:
    """The outcome of a gradient-descent run."""

    kind: str
    """'linear' or 'logistic'."""
    w: np.ndarray
    """Weights, shape (d,): the last parameters whose loss was finite."""
    b: float
    """Bias (intercept)."""
    history: dict[str, list[float]]
    """Per epoch (1-based): ``epoch``, ``train_loss`` (data loss, no penalty), ``objective`` (with the
    L2 penalty, what GD minimises) and, with validation data, ``val_loss``."""
    status: str
    """'completed' or 'diverged'."""
    message: str
    """One line for the user: how the run ended."""
    epochs_run: int
    """Epochs whose loss was recorded (fewer than asked when the run diverged)."""
    initial_loss: float
    """Data loss at the starting point w = 0, b = 0."""
    path: np.ndarray | None = field(default=None, repr=False)
    """With ``record_path``: parameters [w..., b] at the start and after each epoch, (epochs_run+1, d+1)."""

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Xw + b: the prediction of the linear model, the logit of the logistic one."""
        return np.asarray(X, dtype=np.float64) @ self.w + self.b

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Regression outputs (linear) or class labels 0/1 (logistic)."""
        z = self.decision_function(X)
        return z if self.kind == "linear" else (z > 0).astype(np.int64)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """P(y = 1 | x) of the logistic model."""
        if self.kind != "logistic":
            raise ValueError("predict_proba needs a logistic model")
        return sigmoid(self.decision_function(X))


def _as_xy(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    y = np.asarray(y, dtype=np.float64).ravel()
    if X.ndim != 2 or X.shape[0] != y.shape[0] or X.shape[0] == 0:
        raise ValueError(f"X must be (n, d) and y (n,) with n > 0; got {X.shape} and {y.shape}")
    return X, y


def _gradient_descent(
    kind: str,
    X: np.ndarray,
    y: np.ndarray,
    lr: float,
    epochs: int,
    l2: float,
    X_val: np.ndarray | None,
    y_val: np.ndarray | None,
    batch_size: int | None,
    seed: int,
    record_path: bool,
) -> GDResult:
    X, y = _as_xy(X, y)
    if not (lr > 0 and epochs >= 1 and l2 >= 0):
        raise ValueError(f"need lr > 0, epochs >= 1, l2 >= 0; got lr={lr}, epochs={epochs}, l2={l2}")
    loss_fn = LOSSES[kind]
    n, d = X.shape
    # theta = [w..., b] and A = [X 1]: one matrix product gives Xw + b, and A.T @ dz both gradients.
    A = np.hstack([X, np.ones((n, 1))])
    has_val = X_val is not None and y_val is not None
    if has_val:
        X_val, y_val = _as_xy(X_val, y_val)
        # Train and validation rows in one matrix: a single product per epoch serves both losses.
        A_all = np.vstack([A, np.hstack([X_val, np.ones((len(y_val), 1))])])
    else:
        A_all = A
    decay = np.append(np.full(d, l2), 0.0)  # gradient of (l2/2)‖w‖²: l2·w, and nothing for the bias
    mini = batch_size is not None and 0 < batch_size < n
    rng = np.random.default_rng(seed)
    theta = np.zeros(d + 1)
    history: dict[str, list[float]] = {"epoch": [], "train_loss": [], "objective": []}
    if has_val:
        history["val_loss"] = []
    path = [theta] if record_path else None
    status, message = "completed", f"finished {epochs} epochs"
    with np.errstate(all="ignore"):  # overflow is detected below and reported, not warned about
        initial, dz = loss_fn(A @ theta, y)
        grad = A.T @ dz
        ceiling = EXPLODE_FACTOR * max(initial, 1e-12)
        for epoch in range(1, epochs + 1):
            previous = theta
            if mini:
                # SGD: a fresh seeded permutation per epoch, one step per mini-batch. Shuffling the rows
                # once per epoch makes each batch a slice (a view), not a gathered copy.
                order = rng.permutation(n)
                A_ep, y_ep = A[order], y[order]
                for start in range(0, n, batch_size):
                    Ab, yb = A_ep[start : start + batch_size], y_ep[start : start + batch_size]
                    step = Ab.T @ DZ[kind](Ab @ theta, yb)
                    theta = theta - lr * (step + decay * theta if l2 else step)
            else:
                theta = theta - lr * grad  # the update rule: θ ← θ - η ∇J(θ)
            z = A_all @ theta
            data, dz = loss_fn(z[:n], y)  # loss after this epoch's step; dz gives the next gradient
            grad = A.T @ dz + decay * theta if l2 else A.T @ dz
            objective = data + 0.5 * l2 * float(theta[:d] @ theta[:d]) if l2 else data
            if not math.isfinite(objective):
                theta = previous
                status = "diverged"
                message = f"diverged at epoch {epoch}: the loss overflowed (learning rate {lr:g} too large)"
                break
            history["epoch"].append(float(epoch))
            history["train_loss"].append(data)
            history["objective"].append(objective)
            if has_val:
                history["val_loss"].append(loss_fn(z[n:], y_val)[0])
            if path is not None:
                path.append(theta)
            if objective > ceiling:
                status = "diverged"
                message = (
                    f"diverged at epoch {epoch}: the objective grew from {initial:.3g} to {objective:.3g} "
                    f"(over {EXPLODE_FACTOR:.0e}× its start; learning rate {lr:g} is too large)"
                )
                break
    return GDResult(
        kind=kind,
        w=theta[:d].copy(),
        b=float(theta[d]),
        history=history,
        status=status,
        message=message,
        epochs_run=len(history["epoch"]),
        initial_loss=float(initial),
        path=np.array(path) if path is not None else None,
    )


def fit_linear_gd(
    X: np.ndarray,
    y: np.ndarray,
    lr: float,
    epochs: int,
    l2: float = 0.0,
    *,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    record_path: bool = False,
) -> GDResult:
    """Least squares by gradient descent on MSE + (l2/2)‖w‖², starting from w = 0, b = 0.

    ``batch_size=None`` is full-batch GD (one step per epoch); a batch size below n switches to
    mini-batch SGD with a seeded shuffle per epoch. Divergence stops the run and is reported in the
    result's ``status``/``message``; it never raises.
    """
    return _gradient_descent("linear", X, y, lr, epochs, l2, X_val, y_val,
                             batch_size, seed, record_path)  # fmt: skip


def fit_logistic_gd(
    X: np.ndarray,
    y: np.ndarray,
    lr: float,
    epochs: int,
    l2: float = 0.0,
    *,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    record_path: bool = False,
) -> GDResult:
    """Binary logistic regression (labels 0/1) by gradient descent on BCE + (l2/2)‖w‖²."""
    y_arr = np.asarray(y).ravel()
    if not np.all((y_arr == 0) | (y_arr == 1)):
        raise ValueError("logistic regression needs labels 0 and 1")
    return _gradient_descent("logistic", X, y, lr, epochs, l2, X_val, y_val,
                             batch_size, seed, record_path)  # fmt: skip


# --------------------------------------------------------------------------------------------------
# Closed form and step-size limit
# --------------------------------------------------------------------------------------------------


def ridge_closed_form(X: np.ndarray, y: np.ndarray, l2: float = 0.0) -> tuple[np.ndarray, float]:
    """The exact minimiser of MSE + (l2/2)‖w‖² (unpenalised bias): the ridge normal equations.

    Centring removes the bias: b = ȳ - x̄·w, and w solves ((2/n) XcᵀXc + l2·I) w = (2/n) Xcᵀyc. We
    solve it as a stacked least-squares problem (SVD) so that l2 = 0 with more features than points
    still works: it then returns the minimum-norm w. For centred (e.g. standardised) features that is
    exactly where GD started at w = 0, b = 0 ends up: GD never leaves the row space of the data.
    """
    X, y = _as_xy(X, y)
    n, d = X.shape
    x_mean, y_mean = X.mean(axis=0), y.mean()
    scale = math.sqrt(2.0 / n)
    A = np.vstack([scale * (X - x_mean), math.sqrt(l2) * np.eye(d)])
    t = np.concatenate([scale * (y - y_mean), np.zeros(d)])
    w = np.linalg.lstsq(A, t, rcond=None)[0]
    return w, float(y_mean - x_mean @ w)


def lr_stability_limit(X: np.ndarray, l2: float = 0.0, kind: str = "linear") -> float:
    """Largest learning rate for which full-batch GD cannot diverge: 2 / λ_max(Hessian).

    For least squares the Hessian of J in (w, b) is constant, (2/n)[X 1]ᵀ[X 1] + l2·diag(1,..,1,0), and
    GD converges iff lr < 2/λ_max; above 1/λ_max it overshoots and oscillates. For the logistic loss
    σ' ≤ 1/4 bounds the Hessian by (1/4n)[X 1]ᵀ[X 1] + l2·I, so the limit is a safe lower bound.
    """
    X = np.asarray(X, dtype=np.float64)
    X = X[:, None] if X.ndim == 1 else X
    n, d = X.shape
    A = np.hstack([X, np.ones((n, 1))])
    factor = 2.0 if kind == "linear" else 0.25
    H = factor / n * (A.T @ A)
    H[np.arange(d), np.arange(d)] += l2
    return float(2.0 / np.linalg.eigvalsh(H)[-1])


# --------------------------------------------------------------------------------------------------
# Features, splits, data
# --------------------------------------------------------------------------------------------------


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
    uncorrelated and the loss surface is round instead of a narrow valley: GD converges in hundreds of
    epochs where monomials need millions (condition number ~10^3 instead of ~10^13 at degree 9).
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    if degree < 1:
        raise ValueError(f"degree must be >= 1, got {degree}")
    lo, hi = domain
    return np.polynomial.legendre.legvander(2.0 * (x - lo) / (hi - lo) - 1.0, degree)[:, 1:]


def feature_names(n_inputs: int, degree: int) -> list[str]:
    """Names of :func:`polynomial_features` columns, e.g. ['x', 'x^2'] or ['x1', 'x2', 'x1*x2', ...]."""
    names = ["x"] if n_inputs == 1 else [f"x{i + 1}" for i in range(n_inputs)]
    out: list[str] = []
    for k in range(1, degree + 1):
        for combo in itertools.combinations_with_replacement(range(n_inputs), k):
            counts = {i: combo.count(i) for i in sorted(set(combo))}
            out.append("*".join(names[i] + (f"^{c}" if c > 1 else "") for i, c in counts.items()))
    return out


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


def sine_target(x: np.ndarray) -> np.ndarray:
    """The true function of the 1D regression demo: sin(2πx) on [0, 1] (Bishop, PRML §1.1)."""
    return np.sin(2.0 * np.pi * np.asarray(x, dtype=np.float64))


def sine_data(n: int, noise: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n points x ~ U[0, 1] with targets sin(2πx) + N(0, noise²), seeded."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, size=n)
    return x, sine_target(x) + noise * rng.standard_normal(n)


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean squared error."""
    d = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return float(np.mean(d * d))


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of correct labels."""
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))
