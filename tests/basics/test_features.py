"""Polynomial features, standardisation and the seeded train/validation/test split."""

from __future__ import annotations

import numpy as np
import pytest

from core.basics import datasets, features, linear


def test_polynomial_features_are_all_monomials_up_to_the_degree() -> None:
    x = np.array([2.0, 3.0])
    np.testing.assert_array_equal(features.polynomial_features(x, 3), [[2, 4, 8], [3, 9, 27]])
    X2 = np.array([[2.0, 3.0]])
    np.testing.assert_array_equal(features.polynomial_features(X2, 2), [[2, 3, 4, 6, 9]])
    assert features.polynomial_features(np.zeros((1, 2)), 6).shape[1] == 27  # C(2 + 6, 6) - 1 monomials


def test_legendre_and_monomial_bases_give_the_same_exact_fit() -> None:
    x, y = datasets.sine_data(30, 0.2, seed=0)
    grid = np.linspace(0, 1, 50)
    preds = []
    for feats in (lambda v: features.polynomial_features(v, 5), lambda v: features.legendre_features(v, 5)):
        sc = features.Standardizer.fit(feats(x))
        w, b = linear.ridge_closed_form(sc.transform(feats(x)), y)
        preds.append(sc.transform(feats(grid)) @ w + b)
    np.testing.assert_allclose(preds[0], preds[1], atol=1e-6)


def test_standardizer_uses_training_statistics() -> None:
    X = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    sc = features.Standardizer.fit(X)
    Z = sc.transform(X)
    np.testing.assert_allclose(Z[:, 0].mean(), 0, atol=1e-12)
    np.testing.assert_allclose(Z[:, 0].std(), 1)
    np.testing.assert_array_equal(Z[:, 1], 0)  # a constant column does not divide by zero
    # New data are scaled with the training mean and std, not their own.
    np.testing.assert_allclose(sc.transform([[7.0, 5.0]]), [[(7 - 3) / np.std([1, 3, 5]), 0]])


def test_split_is_a_seeded_partition() -> None:
    X, y = np.arange(100.0), np.arange(100)
    s = datasets.train_val_test_split(X, y, (0.6, 0.2, 0.2), seed=3)
    assert (len(s.y_train), len(s.y_val), len(s.y_test)) == (60, 20, 20)
    assert sorted(np.concatenate([s.y_train, s.y_val, s.y_test]).tolist()) == list(range(100))
    again = datasets.train_val_test_split(X, y, (0.6, 0.2, 0.2), seed=3)
    np.testing.assert_array_equal(s.y_val, again.y_val)
    assert not np.array_equal(s.y_val, datasets.train_val_test_split(X, y, (0.6, 0.2, 0.2), seed=4).y_val)
    with pytest.raises(ValueError, match="empty split"):
        datasets.train_val_test_split(X[:10], y[:10], (0.6, 0.04, 0.36))
