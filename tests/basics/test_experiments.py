"""The experiments behind the regression page: polynomial fits, capacity and L2 sweeps, learning rates,
logistic regression; and the figures that draw them."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from core.basics import capacity, datasets, experiments, linear
from core.basics import figures as fg
from core.basics.features import features_1d
from tests.viz.figure_checks import finite_figure, small_text


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
    assert e(high, "train") < e(low, "train") and e(high, "val") > 2.5 * e(low, "val")
    assert e(tamed, "val") < e(high, "val") / 2
    assert np.linalg.norm(tamed.closed_w) < 0.95 * np.linalg.norm(high.closed_w)  # L2 shrinks the weights


def test_capacity_sweep_is_a_u_curve_with_measured_bias_and_variance() -> None:
    sweep = capacity.capacity_sweep(experiments.PolyConfig())
    val = sweep.errors["val"]
    assert 1 < sweep.best_degree < 15 and sweep.val_points == 20  # 100 points, 60/20/20
    assert val.min() < val[0] / 3 and val.min() < val[-1] / 3  # underfit ... best ... overfit
    assert np.all(np.diff(sweep.errors["train"]) <= 1e-9)  # nested models: training error never rises
    assert sweep.bias2[0] > 10 * sweep.bias2[sweep.best_degree - 1]
    assert sweep.variance[-1] > 100 * sweep.variance[0]


def test_bias_falls_with_degree_as_the_textbook_says() -> None:
    """The mean of R noisy fits carries variance/R in its squared bias: with 20 data sets that "bias²"
    rose to 0.25 at degree 8 and 1.35e7 at degree 15, the opposite of the picture the tab teaches."""
    sweep = capacity.capacity_sweep(experiments.PolyConfig())
    noise_level = 0.02 * sweep.noise_var  # far below anything the chart can show
    for k in range(1, len(sweep.degrees)):
        assert sweep.bias2[k] <= sweep.bias2[:k].min() + noise_level, sweep.bias2
    assert abs(sweep.bias2[-1]) < 0.01 * sweep.noise_var < sweep.bias2[0]  # flexible enough: no bias left
    # The U is variance's doing: it keeps rising from the best degree on.
    assert np.all(np.diff(sweep.variance[sweep.best_degree - 1 :]) > 0)


def test_bias_plus_variance_plus_noise_is_the_expected_test_error_measured() -> None:
    """bias² + variance + σ² against the test MSE of ridge fits to 400 other noisy data sets, scored on
    fresh noisy points (brute force, no shared draws). Up to degree 6: from 7 on, the test MSE is
    heavy-tailed (a data set with a gap at an edge makes a high-degree fit explode there), and a mean
    over 400 data sets is usually well below the expectation."""
    cfg = experiments.PolyConfig()
    sweep = capacity.capacity_sweep(cfg)
    rng = np.random.default_rng(12345)
    draws = [experiments.make_split(cfg, 777_000 + r) for r in range(400)]
    x, y = np.stack([d.X_train for d in draws]), np.stack([d.y_train for d in draws])
    x_test = rng.uniform(0.0, 1.0, (400, 200))
    y_test = datasets.sine_target(x_test) + cfg.noise * rng.standard_normal(x_test.shape)
    for d in range(1, 7):
        F, G = features_1d(x.ravel(), d, cfg.basis), features_1d(x_test.ravel(), d, cfg.basis)
        F, G = F.reshape(400, -1, d), G.reshape(400, -1, d)
        mean, scale = F.mean(axis=1, keepdims=True), F.std(axis=1, keepdims=True)
        w, b = capacity.ridge_batched((F - mean) / scale, y, cfg.l2)
        pred = np.einsum("rgd,rd->rg", (G - mean) / scale, w) + b[:, None]
        measured = float(np.mean((pred - y_test) ** 2))
        assert sweep.expected_test[d - 1] == pytest.approx(measured, rel=0.05), d
        assert sweep.measured_test[d - 1] == pytest.approx(measured, rel=0.08), d  # the diamonds too
    assert sweep.expected_test.min() > sweep.noise_var  # no model beats the noise in expectation


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
    assert sweep.errors["val"].min() < sweep.errors["val"][0] / 2.5


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


@pytest.mark.parametrize("degree", [1, 3, 5, 9])
def test_the_steepest_direction_shows_the_two_thresholds_at_every_degree(degree: int) -> None:
    """Along the top Hessian eigenvector the error is multiplied by exactly 1 − ηλ_max per step: no sign
    change below η = 1/λ_max, a sign change every step above it, growth above 2/λ_max. The figure
    plots that error; w1, which it plotted before, need not flip at all (at degree 9 it never does)."""
    cfg = experiments.PolyConfig(degree=degree, epochs=60)
    lam = 2.0 / experiments.lr_comparison(cfg, (0.01,)).limit
    cmp = experiments.lr_comparison(cfg, (0.5 / lam, 1.5 / lam, 2.2 / lam))
    creep, flip, grow = (cmp.steepest_error(i)[:25] for i in range(3))
    np.testing.assert_allclose(creep[1:] / creep[:-1], 0.5, rtol=1e-6)
    np.testing.assert_allclose(flip[1:] / flip[:-1], -0.5, rtol=1e-6)
    np.testing.assert_allclose(grow[1:] / grow[:-1], -1.2, rtol=1e-6)
    assert creep[0] > 0.01  # the start is off the optimum along u: there is something to see
    drawn = fg.lr_steepest_figure(cmp).data
    for trace, expected, shown in zip(drawn, (creep, flip, grow), (25, 25, 6)):
        n = min(len(trace.y), len(expected))  # a growing run is drawn until it leaves the frame
        assert n >= shown and np.allclose(trace.y[:n], expected[:n])
    if degree == 9:
        w1 = cmp.runs[1].path[:25, 0] - cmp.optimum[0]
        assert np.all(np.sign(w1) == np.sign(w1[0]))


def test_just_above_the_limit_is_called_diverging_even_before_it_is_stopped() -> None:
    cfg = experiments.PolyConfig(degree=3, epochs=30)
    limit = experiments.lr_comparison(cfg, (0.01,)).limit
    cmp = experiments.lr_comparison(cfg, (limit * 1.01,))
    assert not cmp.runs[0].diverged  # ×1.01 per step: far from the 1e6 stop in 30 epochs
    assert experiments.lr_summary(cmp)["runs"][0]["verdict"] == "diverging"


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
        fg.bias_variance_figure(cap), fg.l2_figure(reg), fg.lr_loss_figure(cmp), fg.lr_steepest_figure(cmp),
        fg.decision_figure(log), fg.loss_figure(log),
    ]  # fmt: skip


def test_figures_pass_plotly_validation_and_hold_no_nan() -> None:
    for fig in _figures():
        spec = fig.to_plotly_json()
        go.Figure(spec)  # built with _validate=False for speed: validate here instead
        assert finite_figure(fig.to_json())


def test_figures_are_readable_on_a_projector() -> None:
    """Every label of every lecture 1 figure at 18 px or more (ticks were 13.5 px, log minor ticks 10)."""
    from core.basics import information as it

    p, q = it.normalise([9, 1, 0, 1]), it.normalise([0, 3, 3, 3])
    figs = _figures() + [it.distributions_figure(p, q), it.kl_terms_figure(p, q, "bits")]
    for fig in figs:
        assert small_text(fig) == [], fig.layout.title.text


def test_noise_floor_is_drawn_where_validation_is_compared_with_it() -> None:
    cap = capacity.capacity_sweep(experiments.PolyConfig())
    for fig in (fg.capacity_figure(cap), fg.bias_variance_figure(cap)):
        noise = next(t for t in fig.data if t.name == "σ²")
        assert np.allclose(noise.y, 0.0625)
    bv = {t.name: t for t in fg.bias_variance_figure(cap).data}
    assert np.allclose(bv["expected"].y, cap.bias2 + cap.variance + cap.noise_var)


def test_diverged_run_is_shown_as_diverged() -> None:
    run = experiments.run_polynomial(experiments.PolyConfig(degree=15, lr=3.0))
    names = [t.name for t in fg.polynomial_figure(run).data]
    assert run.gd.diverged and "GD" not in names and "closed form" in names
    assert "diverged" in fg.loss_figure(run).layout.title.text
    summary = experiments.polynomial_summary(run)
    assert summary["status"] == "diverged" and summary["mse"]["gradient descent"]["val"] is None
