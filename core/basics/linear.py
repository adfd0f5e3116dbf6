"""Linear and logistic regression with hand-written gradient descent (lecture 1 homework, numpy only).

Both models minimise the regularised empirical risk

    J(w, b) = (1/n) Σ_i ℓ(w·x_i + b, y_i) + (λ/2)‖w‖²

with ℓ the squared error (linear) or the binary cross-entropy (logistic). The bias is not penalised:
shifting every target by a constant should shift the fit, not cost anything. Gradients are written out
by hand (no autodiff); ``tests/basics/test_linear.py`` checks them against finite differences and the
converged solutions against the ridge normal equations and scikit-learn.

Everything here is float64 numpy: the data sets are tiny, so precision is free and per-call numpy
overhead, not arithmetic, is what costs time.
"""

from __future__ import annotations

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
    return 2.0 / float(np.linalg.eigvalsh(hessian(X, l2, kind))[-1])


def hessian(X: np.ndarray, l2: float = 0.0, kind: str = "linear") -> np.ndarray:
    """The Hessian of J in θ = (w, b) (its bound σ' ≤ 1/4 for the logistic loss), (d+1, d+1)."""
    X = np.asarray(X, dtype=np.float64)
    X = X[:, None] if X.ndim == 1 else X
    n, d = X.shape
    A = np.hstack([X, np.ones((n, 1))])
    factor = 2.0 if kind == "linear" else 0.25
    H = factor / n * (A.T @ A)
    H[np.arange(d), np.arange(d)] += l2
    return H


def steepest_direction(H: np.ndarray, toward: np.ndarray) -> tuple[float, np.ndarray]:
    """λ_max of a symmetric H and a unit vector u of its top eigenspace, the one closest to ``toward``.

    Along u, a GD step on a quadratic multiplies the error u·(θ − θ*) by exactly (1 − ηλ_max): it creeps
    for η ≪ 1/λ_max, flips sign every step above 1/λ_max and grows above 2/λ_max, at every degree. (One
    weight shows this only when it happens to lie along u, e.g. degree 1, where H = 2I.) The top
    eigenspace can have several dimensions (H = 2I at degree 1): u is then the projection of ``toward``
    onto it, so the error there is all along u; u·toward ≥ 0 fixes the sign.
    """
    evals, V = np.linalg.eigh(H)
    top = V[:, evals >= evals[-1] * (1.0 - 1e-9)]
    u = top @ (top.T @ toward)
    norm = float(np.linalg.norm(u))
    u = u / norm if norm > 1e-12 * max(float(np.linalg.norm(toward)), 1e-300) else V[:, -1]
    return float(evals[-1]), u if float(u @ toward) >= 0 else -u


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean squared error."""
    d = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return float(np.mean(d * d))

