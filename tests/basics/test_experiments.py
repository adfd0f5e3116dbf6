"""The experiments behind the regression page: polynomial fits, capacity and L2 sweeps, learning rates,
logistic regression; and the figures that draw them."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from core.basics import capacity, experiments, linear
from core.basics import figures as fg
from tests.viz.figure_checks import finite_figure


def test_polynomial_run_gd_reaches_closed_form_with_legendre_but_not_monomials() -> None:
    leg = experiments.run_polynomial(experiments.PolyConfig(degree=5, basis="legendre", lr=0.3, epochs=1000))
    mono = experiments.run_polynomial(experiments.PolyConfig(degree=5, basis="monomial", lr=0.1, epochs=1000))
    for s in ("train", "val", "test"):
        assert leg.errors["gradient descent"][s] == pytest.approx(leg.errors["closed form"][s], rel=1e-3)
    # Same model class: identical exact fits; but GD on nearly collinear monomials is still far away.
    assert mono.errors["closed form"]["train"] == pytest.approx(leg.errors["closed form"]["train"], rel=1e-6)
    assert mono.errors["gradient descent"]["train"] > 1.2 * mono.errors["closed form"]["train"]


def test_overfitting_appears_with_degree_and_l2_tames_it() -> None:
    low = experiments.run_polynomial(experiments.PolyConfig(degree=3))
    high = experiments.run_polynomial(experiments.PolyConfig(degree=15, epochs=2000, lr=0.2))
    tamed = experiments.run_polynomial(experiments.PolyConfig(degree=15, epochs=2000, lr=0.2, l2=0.1))
    e = lambda r, s: r.errors["closed form"][s]  # noqa: E731
    assert e(high, "train") < e(low, "train") and e(high, "val") > 5 * e(low, "val")
    assert e(tamed, "val") < e(high, "val") / 3
    assert np.linalg.norm(tamed.closed_w) < 0.7 * np.linalg.norm(high.closed_w)  # L2 shrinks the weights


def test_capacity_sweep_is_a_u_curve_with_measured_bias_and_variance() -> None:
    sweep = capacity.capacity_sweep(experiments.PolyConfig())
    val = sweep.errors["val"]
    assert 1 < sweep.best_degree < 15
    assert val.min() < val[0] / 3 and val.min() < val[-1] / 3  # underfit ... best ... overfit
    assert np.all(np.diff(sweep.errors["train"]) <= 1e-9)  # nested models: training error never rises
    assert sweep.bias2[0] > 10 * sweep.bias2[sweep.best_degree - 1]
    assert sweep.variance[-1] > 100 * sweep.variance[0]


def test_batched_ridge_matches_the_reference_solver() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((3, 8, 10)), rng.standard_normal((3, 8))  # underdetermined too
    for l2 in (0.0, 0.3):
        w, b = capacity.ridge_batched(X, y, l2)
        for r in range(3):
            w_ref, b_ref = linear.ridge_closed_form(X[r], y[r], l2)
            np.testing.assert_allclose(w[r], w_ref, atol=1e-8)
            assert b[r] == pytest.approx(b_ref, abs=1e-8)


def test_l2_sweep_shrinks_weights_and_picks_an_interior_strength() -> None:
    sweep = capacity.l2_sweep(experiments.PolyConfig(degree=15))
    assert np.all(np.diff(sweep.weight_norm) < 0)
    assert sweep.l2s[0] < sweep.best_l2 < sweep.l2s[-1]
    assert sweep.errors["val"].min() < sweep.errors["val"][0] / 3


def test_learning_rates_creep_oscillate_and_diverge() -> None:
    cmp = experiments.lr_comparison(experiments.PolyConfig(degree=1, epochs=100), (0.01, 0.9, 1.1))
    slow, osc, bad = cmp.runs
    assert cmp.limit == pytest.approx(1.0)  # one standardised feature + bias: Hessian 2·I
    assert slow.status == osc.status == "completed" and bad.diverged
    assert slow.history["train_loss"][-1] > cmp.optimum_loss * 1.001  # still creeping after 100 epochs
    dev = osc.path[:20, 0] - cmp.optimum[0]
    assert np.all(np.sign(dev[1:]) == -np.sign(dev[:-1]))  # overshoots: the error flips sign every step
    verdicts = [r["verdict"] for r in experiments.lr_summary(cmp)["runs"]]
    assert verdicts[0] == "converging" and verdicts[1] == "oscillates" and verdicts[2].startswith("diverged")


def test_logistic_needs_polynomial_features_for_circles() -> None:
    moons = experiments.run_logistic(experiments.LogisticConfig("moons"))
    flat = experiments.run_logistic(experiments.LogisticConfig("circles", noise=0.1, degree=1))
    curved = experiments.run_logistic(experiments.LogisticConfig("circles", noise=0.1, degree=2))
    assert moons.accuracy["test"] > 0.8
    assert flat.accuracy["test"] < 0.7 < 0.95 < curved.accuracy["test"]
    assert "circles" in curved.provenance and curved.grid[2].shape == (80, 80)


def _figures() -> list[go.Figure]:
    # Degree 15 at η = 3 diverges: the figures must still draw.
    poly = experiments.run_polynomial(experiments.PolyConfig(degree=15, lr=3.0))
    cap = capacity.capacity_sweep(experiments.PolyConfig())
    cmp = experiments.lr_comparison(experiments.PolyConfig(degree=1, epochs=60), (0.01, 0.9, 3.0))
    log = experiments.run_logistic(experiments.LogisticConfig("xor", degree=2))
    reg = capacity.l2_sweep(experiments.PolyConfig(degree=9))
    return [
        fg.polynomial_figure(poly), fg.loss_figure(poly), fg.capacity_figure(cap),
        fg.bias_variance_figure(cap), fg.l2_figure(reg), fg.lr_loss_figure(cmp), fg.lr_weight_figure(cmp),
        fg.decision_figure(log), fg.loss_figure(log),
    ]  # fmt: skip


def test_figures_pass_plotly_validation_and_hold_no_nan() -> None:
    for fig in _figures():
        spec = fig.to_plotly_json()
        go.Figure(spec)  # built with _validate=False for speed: validate here instead
        assert finite_figure(fig.to_json())


def test_diverged_run_is_shown_as_diverged() -> None:
    run = experiments.run_polynomial(experiments.PolyConfig(degree=15, lr=3.0))
    names = [t.name for t in fg.polynomial_figure(run).data]
    assert run.gd.diverged and "gradient descent" not in names and "closed form" in names
    assert "diverged" in fg.loss_figure(run).layout.title.text
    summary = experiments.polynomial_summary(run)
    assert summary["status"] == "diverged" and summary["mse"]["gradient descent"]["val"] is None
