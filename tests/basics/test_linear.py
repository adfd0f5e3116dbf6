"""Lecture 1's numpy models: hand-written gradients, GD against the closed form and scikit-learn,
divergence."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge

from core.basics import linear


def _data(n: int = 60, d: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d) + 0.7 + 0.3 * rng.standard_normal(n)
    return X, y


def _labels(X: np.ndarray, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    logits = X @ np.array([1.5, -2.0, 0.5, 1.0][: X.shape[1]]) - 0.3
    return (rng.uniform(size=len(X)) < 1 / (1 + np.exp(-logits))).astype(np.int64)


# ---------------------------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("kind", ["linear", "logistic"])
def test_hand_written_gradient_matches_finite_differences(kind: str) -> None:
    X, y = _data(30, 4, seed=1)
    if kind == "logistic":
        y = _labels(X).astype(np.float64)
    rng = np.random.default_rng(2)
    w, b, l2 = rng.standard_normal(4), 0.3, 0.05
    _, gw, gb = linear.loss_and_grad(kind, X, y, w, b, l2)
    J = lambda w_, b_: linear.loss_and_grad(kind, X, y, w_, b_, l2)[0]  # noqa: E731
    eps = 1e-6  # central differences: error O(eps²)
    num_w = np.array([(J(w + eps * e, b) - J(w - eps * e, b)) / (2 * eps) for e in np.eye(4)])
    num_b = (J(w, b + eps) - J(w, b - eps)) / (2 * eps)
    np.testing.assert_allclose(gw, num_w, rtol=1e-6, atol=1e-8)
    assert gb == pytest.approx(num_b, rel=1e-6, abs=1e-8)


def test_logistic_loss_is_finite_for_huge_logits() -> None:
    z = np.array([-800.0, 800.0, 0.0])
    loss, dz = linear.bce_and_grad(z, np.array([1.0, 0.0, 1.0]))
    assert math.isfinite(loss) and np.all(np.isfinite(dz))
    assert loss == pytest.approx((800 + 800 + math.log(2)) / 3)


# ---------------------------------------------------------------------------------------------- GD vs exact


@pytest.mark.parametrize("l2", [0.0, 0.1])
def test_linear_gd_converges_to_ridge_normal_equations_and_sklearn(l2: float) -> None:
    X, y = _data()
    res = linear.fit_linear_gd(X, y, lr=0.2, epochs=2000, l2=l2)
    w, b = linear.ridge_closed_form(X, y, l2)
    np.testing.assert_allclose(res.w, w, atol=1e-8)
    assert res.b == pytest.approx(b, abs=1e-8)
    # Ours: MSE + (λ/2)‖w‖²; sklearn's Ridge: ‖y - Xw - b‖² + α‖w‖², the same objective times n at α = nλ/2.
    ref = Ridge(alpha=len(y) * l2 / 2).fit(X, y) if l2 else LinearRegression().fit(X, y)
    np.testing.assert_allclose(w, ref.coef_, atol=1e-8)
    assert b == pytest.approx(ref.intercept_, abs=1e-8)
    assert res.status == "completed" and res.epochs_run == 2000
    assert res.history["train_loss"][-1] <= res.history["train_loss"][0]


def test_logistic_gd_matches_sklearn() -> None:
    X, _ = _data(200, 3, seed=3)
    y = _labels(X, seed=4)
    l2 = 0.01
    res = linear.fit_logistic_gd(X, y, lr=1.0, epochs=3000, l2=l2)
    # sklearn minimises C·Σ BCE + ½‖w‖² (intercept unpenalised): ours divided by nλ, so C = 1/(nλ).
    ref = LogisticRegression(C=1 / (len(y) * l2), tol=1e-10, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(res.w, ref.coef_[0], atol=1e-5)
    assert res.b == pytest.approx(ref.intercept_[0], abs=1e-5)
    np.testing.assert_array_equal(res.predict(X), ref.predict(X))
    np.testing.assert_allclose(res.predict_proba(X), ref.predict_proba(X)[:, 1], atol=1e-5)


def test_bias_is_not_penalised() -> None:
    X, y = _data()
    a = linear.fit_linear_gd(X, y, lr=0.05, epochs=1000, l2=5.0)
    b = linear.fit_linear_gd(X, y + 100.0, lr=0.05, epochs=1000, l2=5.0)
    # Shifting every target shifts the intercept one for one and costs nothing: only w is penalised.
    np.testing.assert_allclose(a.w, b.w, atol=1e-8)
    assert b.b - a.b == pytest.approx(100.0, abs=1e-6)
    assert np.linalg.norm(a.w) < 0.5 * np.linalg.norm(linear.ridge_closed_form(X, y)[0])


def test_gd_from_zero_finds_the_minimum_norm_interpolant() -> None:
    X, y = _data(n=5, d=12, seed=5)  # more features than points: infinitely many exact fits
    X = X - X.mean(axis=0)  # centred, as standardised features are: then b = mean(y) is forced
    res = linear.fit_linear_gd(X, y, lr=0.05, epochs=5000)
    w, b = linear.ridge_closed_form(X, y)
    assert res.history["train_loss"][-1] < 1e-10
    np.testing.assert_allclose(res.w, w, atol=1e-5)


def test_history_has_validation_loss_only_when_given() -> None:
    X, y = _data()
    res = linear.fit_linear_gd(X[:40], y[:40], 0.1, 25, X_val=X[40:], y_val=y[40:])
    assert len(res.history["train_loss"]) == len(res.history["val_loss"]) == 25
    assert res.history["epoch"] == [float(e) for e in range(1, 26)]
    assert "val_loss" not in linear.fit_linear_gd(X, y, 0.1, 5).history


def test_minibatch_sgd_is_seeded_and_gets_close() -> None:
    X, y = _data()
    a = linear.fit_linear_gd(X, y, 0.02, 200, batch_size=8, seed=1)
    b = linear.fit_linear_gd(X, y, 0.02, 200, batch_size=8, seed=1)
    c = linear.fit_linear_gd(X, y, 0.02, 200, batch_size=8, seed=2)
    np.testing.assert_array_equal(a.w, b.w)
    assert not np.array_equal(a.w, c.w)
    w, _ = linear.ridge_closed_form(X, y)
    assert np.abs(a.w - w).max() < 0.05  # SGD noise keeps it near, not at, the optimum


# ---------------------------------------------------------------------------------------------- divergence


def test_learning_rate_limit_separates_convergence_from_divergence() -> None:
    X, y = _data()
    limit = linear.lr_stability_limit(X)
    ok = linear.fit_linear_gd(X, y, 0.95 * limit, 3000)
    bad = linear.fit_linear_gd(X, y, 1.05 * limit, 3000)
    assert ok.status == "completed"
    assert bad.diverged and "diverged at epoch" in bad.message
    assert bad.epochs_run < 3000
    assert all(math.isfinite(v) for v in bad.history["train_loss"])
    assert bad.history["objective"][-1] > 1e6 * bad.initial_loss  # stopped at the explosion, history kept


def test_overflow_is_reported_not_raised() -> None:
    X, y = _data()
    res = linear.fit_linear_gd(X * 1e150, y, lr=1e10, epochs=50)
    assert res.diverged and res.epochs_run <= 1
    assert np.all(np.isfinite(res.w)) and math.isfinite(res.b)


def test_bad_arguments_raise_clear_errors() -> None:
    X, y = _data()
    with pytest.raises(ValueError, match="lr > 0"):
        linear.fit_linear_gd(X, y, lr=0.0, epochs=10)
    with pytest.raises(ValueError, match="labels 0 and 1"):
        linear.fit_logistic_gd(X, y, lr=0.1, epochs=10)
    with pytest.raises(ValueError, match="shape|X must be"):
        linear.fit_linear_gd(X, y[:-1], lr=0.1, epochs=10)
