"""Entropy, cross-entropy and KL of discrete distributions, against closed forms and scipy."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pytest
from scipy import stats

from core.basics import information as it


def test_entropy_ranges_from_certain_to_uniform() -> None:
    assert it.entropy([1.0, 0.0, 0.0]) == 0.0
    assert it.entropy([0.25] * 4) == pytest.approx(math.log(4))
    assert it.entropy([0.25] * 4, "bits") == pytest.approx(2.0)
    assert it.entropy([0.5, 0.5], "bits") == pytest.approx(1.0)  # one fair coin flip is one bit


def test_agrees_with_scipy() -> None:
    rng = np.random.default_rng(0)
    for _ in range(5):
        p, q = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
        assert it.entropy(p) == pytest.approx(stats.entropy(p))
        assert it.kl_divergence(p, q) == pytest.approx(stats.entropy(p, q))
        assert it.kl_divergence(p, q, "bits") == pytest.approx(stats.entropy(p, q, base=2))


def test_cross_entropy_is_entropy_plus_kl() -> None:
    p, q = it.normalise([9, 1, 1, 1]), it.normalise([1, 3, 3, 3])
    for unit in ("nats", "bits"):
        kl = it.kl_divergence(p, q, unit)
        assert it.cross_entropy(p, q, unit) == pytest.approx(it.entropy(p, unit) + kl)
    assert it.cross_entropy(p, q) >= it.entropy(p)  # Gibbs' inequality


def test_kl_is_zero_only_for_equal_distributions_and_asymmetric() -> None:
    p, q = it.normalise([9, 1, 1, 1]), it.normalise([1, 3, 3, 3])
    assert it.kl_divergence(p, p) == 0.0
    assert it.kl_divergence(p, q) > 0 and it.kl_divergence(q, p) > 0
    assert it.kl_divergence(p, q, "bits") == pytest.approx(1.718, abs=1e-3)
    # The page's defaults: the two directions differ visibly.
    assert it.kl_divergence(q, p, "bits") == pytest.approx(1.373, abs=1e-3)


def test_missing_mass_costs_infinity_in_one_direction_only() -> None:
    p, q = [0.5, 0.5, 0.0], [0.4, 0.3, 0.3]
    assert it.kl_divergence(p, q) < math.inf  # p's zero outcome contributes 0·log 0 = 0
    assert it.kl_divergence(q, p) == math.inf  # q expects an outcome p never produces
    assert it.cross_entropy(q, p) == math.inf
    assert list(it.kl_terms(q, p))[2] == math.inf


def test_bits_are_nats_over_log_two() -> None:
    p, q = [0.7, 0.2, 0.1], [0.2, 0.2, 0.6]
    assert it.kl_divergence(p, q, "bits") == pytest.approx(it.kl_divergence(p, q) / math.log(2))
    summary = it.summary(p, q, "bits")
    assert summary["max entropy log K"] == pytest.approx(math.log2(3))
    assert summary["KL(q||p)"] == pytest.approx(it.kl_divergence(q, p, "bits"))


def test_invalid_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="probability distribution"):
        it.entropy([0.5, 0.6])
    with pytest.raises(ValueError, match="probability distribution"):
        it.entropy([1.2, -0.2])
    with pytest.raises(ValueError, match="same number of outcomes"):
        it.kl_divergence([0.5, 0.5], [1 / 3] * 3)
    with pytest.raises(ValueError, match="unit"):
        it.entropy([1.0], "decibels")
    np.testing.assert_allclose(it.normalise([0, 0, 0]), [1 / 3] * 3)  # all-zero weights: uniform
    np.testing.assert_allclose(it.normalise([2, 0, 6]), [0.25, 0, 0.75])


def test_figures_validate_and_label_infinite_terms() -> None:
    p, q = [0.5, 0.5, 0.0], [0.0, 0.5, 0.5]
    dist, terms = it.distributions_figure(p, q), it.kl_terms_figure(p, q, "bits")
    for fig in (dist, terms):
        go.Figure(fig.to_plotly_json())  # plotly validation (the builders skip it for speed)
    assert [t.name for t in dist.data] == ["p", "q"]
    assert "∞" in terms.data[0].text and "∞" in terms.data[1].text  # both directions miss mass here
    assert all(math.isfinite(v) for t in terms.data for v in t.y)
