"""core.mlp.backprop: the hand-written chain rule equals torch autograd, for every activation and loss."""

from __future__ import annotations

import itertools

import numpy as np
import plotly.graph_objects as go
import pytest

from core.mlp import backprop as bp

CASES = list(itertools.product(bp.ACTIVATIONS, bp.LOSSES))


@pytest.mark.parametrize(("activation", "loss"), CASES)
def test_hand_gradients_equal_autograd_over_many_seeds(activation: str, loss: str) -> None:
    rng = np.random.default_rng(0)
    for seed in range(40):
        x = tuple(rng.uniform(-2, 2, 2))
        target = float(rng.choice([0.0, 1.0, rng.uniform()]))
        p = bp.init_params(seed)
        f = bp.forward(p, x, target, activation, loss)
        hand = bp.backward(p, f, activation, loss).grads
        value, auto = bp.autograd_gradients(p, x, target, activation, loss)
        assert f.loss == pytest.approx(value, rel=1e-12, abs=1e-15)
        for k in bp.PARAMS:
            assert hand[k] == pytest.approx(auto[k], rel=1e-9, abs=1e-12), (seed, k)


@pytest.mark.parametrize(("activation", "loss"), CASES)
def test_hand_gradients_equal_autograd_for_unrounded_weights(activation: str, loss: str) -> None:
    rng = np.random.default_rng(1)
    for _ in range(25):
        p = dict(zip(bp.PARAMS, rng.normal(0, 1.5, len(bp.PARAMS))))
        x, target = tuple(rng.normal(0, 1.5, 2)), float(rng.uniform())
        hand = bp.backward(p, bp.forward(p, x, target, activation, loss), activation, loss).grads
        _, auto = bp.autograd_gradients(p, x, target, activation, loss)
        np.testing.assert_allclose([hand[k] for k in bp.PARAMS], [auto[k] for k in bp.PARAMS], rtol=1e-9,
                                   atol=1e-12)


def test_hand_gradients_match_finite_differences() -> None:
    s = bp.step_through(bp.BackpropConfig(x1=0.7, x2=-1.3, target=0.3, seed=5, activation="tanh", loss="bce"))
    for k in bp.PARAMS:
        hi, lo = dict(s.params), dict(s.params)
        hi[k] += 1e-6
        lo[k] -= 1e-6
        loss_hi = bp.forward(hi, s.forward.x, 0.3, "tanh", "bce").loss
        num = (loss_hi - bp.forward(lo, s.forward.x, 0.3, "tanh", "bce").loss) / 2e-6
        assert s.backward.grads[k] == pytest.approx(num, rel=1e-5, abs=1e-9)


def test_chain_rule_factors_multiply_to_the_gradient() -> None:
    s = bp.step_through(bp.BackpropConfig(seed=3))
    b, f, p = s.backward, s.forward, s.params
    assert b.delta_o == pytest.approx(b.dL_dyhat * b.dyhat_do)
    assert b.grads["w21"] == pytest.approx(b.delta_o * p["v2"] * b.dh_dz[1] * f.x[0])
    bce = bp.step_through(bp.BackpropConfig(seed=3, loss="bce"))
    assert bce.backward.delta_o == pytest.approx(bce.forward.yhat - bce.forward.target)  # σ + BCE: ŷ - t


def test_relu_blocks_the_gradient_of_an_inactive_unit() -> None:
    p = bp.init_params(0)
    p.update(w11=-1.0, w12=0.0, b1=-0.5)  # z1 = -x1 - 0.5 < 0 for x1 = 1
    f = bp.forward(p, (1.0, 1.0), 1.0, "relu", "mse")
    g = bp.backward(p, f, "relu", "mse").grads
    assert f.h[0] == 0 and g["w11"] == g["w12"] == g["b1"] == g["v1"] == 0.0


def test_one_sgd_step_lowers_the_loss_as_predicted_for_small_lr() -> None:
    s = bp.step_through(bp.BackpropConfig(lr=0.01, seed=2))
    change = s.forward_after.loss - s.forward.loss
    assert change < 0 and change == pytest.approx(s.predicted_change, rel=0.05)
    for k in bp.PARAMS:
        assert s.params_after[k] == pytest.approx(s.params[k] - 0.01 * s.backward.grads[k])
    big = bp.step_through(bp.BackpropConfig(target=0.5, lr=20.0))
    assert big.forward_after.loss > big.forward.loss  # too large a step overshoots


def test_views_for_the_page() -> None:
    s = bp.step_through(bp.BackpropConfig())
    rows = bp.gradient_table(s)
    assert [r["parameter"] for r in rows] == [bp.UNICODE[k] for k in bp.PARAMS]
    assert max(r["|difference|"] for r in rows) == s.max_abs_diff < 1e-12
    tex = bp.chain_rule_latex(s, "w12")
    assert r"\partial w_{12}" in tex and "x_2" in tex and "v_1" in tex
    assert f"{s.backward.grads['w12']:.4g}" in tex
    assert r"\partial c}" in bp.chain_rule_latex(s, "c")
    assert r"\sigma(z_1)" in bp.forward_latex(s) and f"{s.forward.loss:.4g}" in bp.forward_latex(s)
    fig = bp.network_figure(s, "w12")
    go.Figure(fig.to_dict())  # valid plotly
    labels = " ".join(a.text for a in fig.layout.annotations)
    assert all(f"∂L/∂{bp.UNICODE[k]}" in labels for k in ("w11", "w12", "w21", "w22", "v1", "v2"))
    red = [t for t in fig.data if t.line and t.line.color == "#D62728"]
    assert len(red) == 3  # w12 itself, v1 carrying the gradient back, and the loss edge


def test_bad_settings_raise() -> None:
    with pytest.raises(ValueError, match="activation"):
        bp.step_through(bp.BackpropConfig(activation="gelu"))
    with pytest.raises(ValueError, match="target"):
        bp.step_through(bp.BackpropConfig(target=2.0))
    with pytest.raises(ValueError, match="unknown parameter"):
        bp.chain_rule_latex(bp.step_through(bp.BackpropConfig()), "w33")


def test_no_value_of_any_control_raises() -> None:
    """Every control at both ends (and t = 0.5), over 20 seeds: no crash, finite losses, autograd agrees.

    BCE with a large step used to crash with a math domain error once ŷ rounded to 1; the loss is now
    computed from the logit o (softplus form), as torch's binary_cross_entropy_with_logits does.
    """
    (x_lo, x_hi), (t_lo, t_hi), (s_lo, s_hi) = bp.INPUT_RANGE, bp.TARGET_RANGE, bp.SEED_RANGE
    lrs = (bp.LEARNING_RATES[0], bp.LEARNING_RATES[-1])
    seeds = (*range(s_lo, s_lo + 20), s_hi)
    for x1, x2, t, seed, act, loss, lr in itertools.product((x_lo, x_hi), (x_lo, x_hi), (t_lo, 0.5, t_hi),
                                                            seeds, bp.ACTIVATIONS, bp.LOSSES, lrs):
        s = bp.step_through(bp.BackpropConfig(x1, x2, t, seed, act, loss, lr))
        case = (x1, x2, t, seed, act, loss, lr)
        assert np.isfinite([s.forward.loss, s.forward_after.loss]).all() and s.forward.loss >= 0, case
        assert s.max_abs_diff <= 1e-9 * max(1.0, max(abs(g) for g in s.autograd.values())), case
        assert np.isfinite(list(s.backward.grads.values())).all(), case
        bp.forward_latex(s), bp.chain_rule_latex(s, "w11"), bp.network_figure(s, "w11")
        bp.gradient_table(s)


def test_bce_of_a_confidently_right_and_wrong_output_is_exact() -> None:
    p = dict.fromkeys(bp.PARAMS, 0.0)
    p["c"] = 40.0  # o = 40: ŷ rounds to 1.0 in float64, yet the loss is e^-40 (t = 1) or 40 (t = 0)
    right, wrong = (bp.forward(p, (0.0, 0.0), t, "sigmoid", "bce") for t in (1.0, 0.0))
    assert right.yhat == 1.0 and right.loss == pytest.approx(np.exp(-40.0), rel=1e-12)
    assert wrong.loss == pytest.approx(40.0, rel=1e-12)
    assert bp.backward(p, wrong, "sigmoid", "bce").delta_o == pytest.approx(1.0)
