"""core.mlp.momentum_rates: the heavy-ball convergence map against its closed form and against torch.optim."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.mlp import momentum_rates as mr
from core.mlp import optimisers as ov


@pytest.mark.parametrize("kappa", [2.0, 10.0, 50.0, 200.0])
def test_the_optimum_is_the_closed_form_and_the_best_point_of_the_map(kappa: float) -> None:
    best = mr.optimum(kappa)
    s = math.sqrt(kappa)
    assert best.lr == pytest.approx((2 / (s + 1)) ** 2)
    assert best.momentum == pytest.approx(((s - 1) / (s + 1)) ** 2)
    assert best.rate == pytest.approx((s - 1) / (s + 1))
    assert best.gd_rate == pytest.approx((kappa - 1) / (kappa + 1))
    assert float(mr.bowl_rate(best.lr, best.momentum, kappa)) == pytest.approx(best.rate, rel=1e-6)
    # Nothing on a fine grid around it does better (up to the grid's resolution).
    lrs = np.geomspace(best.lr / 3, best.lr * 1.2, 301)
    mus = np.linspace(0.0, 0.99, 301)
    grid = mr.bowl_rate(lrs[None, :], mus[:, None], kappa)
    assert grid.min() >= best.rate - 1e-3
    full = mr.rate_map(kappa)
    assert full.rates.min() >= best.rate - 1e-6 and full.rates.shape == (100, 160)


def test_without_momentum_the_rate_is_gradient_descents() -> None:
    for eta in (0.001, 0.01, 0.03, 0.039, 0.05):
        assert float(mr.bowl_rate(eta, 0.0, 50.0)) == pytest.approx(max(abs(1 - eta), abs(1 - 50 * eta)))


def test_stability_limit_is_two_one_plus_mu_over_kappa() -> None:
    for mu in (0.0, 0.5, 0.9):
        limit = 2 * (1 + mu) / 50
        assert float(mr.bowl_rate(limit * 0.99, mu, 50.0)) < 1 < float(mr.bowl_rate(limit * 1.01, mu, 50.0))


def test_complex_roots_decay_at_root_mu() -> None:
    # At the race's defaults (η = 0.03, μ = 0.9) both directions oscillate: rate √μ.
    assert float(mr.rate(0.03, 0.9, 50.0)) == pytest.approx(math.sqrt(0.9))
    assert float(mr.rate(0.03, 0.9, 1.0)) == pytest.approx(math.sqrt(0.9))


def test_eigen_paths_are_the_races_momentum_path_coordinate_by_coordinate() -> None:
    path = ov.trajectory("bowl", "momentum", 0.03, 80, (-2.5, 1.5), momentum=0.7, condition=50.0)
    paths = mr.eigen_paths(0.03, 0.7, 50.0, (-2.5, 1.5), 80)
    xs, ys = paths.values()
    np.testing.assert_allclose(xs, path[:, 0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ys, path[:, 1], rtol=1e-9, atol=1e-12)
    # and each shrinks at the predicted rate, up to a polynomial factor
    r = float(mr.rate(0.03, 0.7, 50.0))
    assert abs(ys[80]) <= 80 * r**80 * 1.5


def test_bad_condition_is_refused() -> None:
    with pytest.raises(ValueError, match="condition number"):
        mr.optimum(math.nan)
