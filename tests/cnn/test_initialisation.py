"""Initialisation and gradients: the textbook effects show in the measured statistics of a deep plain net."""

from __future__ import annotations

import math
from collections.abc import Iterator
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from core.cnn import initialisation as iv

DEPTH = 30


def stats(init: str, act: str, bn: bool = False, depth: int = DEPTH) -> iv.LayerStats:
    return iv.layer_statistics(iv.InitConfig(depth=depth, init=init, activation=act, batch_norm=bn))


def test_statistics_have_one_entry_per_hidden_layer() -> None:
    s = stats("xavier", "tanh", depth=7)
    for arr in (s.act_mean, s.act_std, s.saturated, s.grad_norm, s.act_grad_std):
        assert arr.shape == (7,)
    assert s.hist.shape == (7, len(s.bin_edges) - 1)
    assert np.allclose(s.hist.sum(1), 1.0)  # every activation lands in a (clipped) bin
    assert s.loss == pytest.approx(math.log(10), rel=0.1)  # a sane init guesses uniformly
    assert "Fashion-MNIST" in s.provenance


def test_sigmoid_with_small_weights_vanishes_by_orders_of_magnitude() -> None:
    s = stats("small normal", "sigmoid")
    assert s.grad_norm[0] < 1e-6 * s.grad_norm[-1]
    assert s.act_std[-1] < 0.3 * s.act_std[0]  # sigmoid outputs collapse towards 0.5
    assert iv.diagnose(s).startswith("Vanishing")


def test_he_keeps_relu_activations_at_a_constant_scale_and_xavier_halves_them() -> None:
    he = stats("he", "relu")
    assert 0.3 < he.act_std[-1] / he.act_std[0] < 3
    assert 0.1 < he.vanishing_ratio < 10
    assert iv.diagnose(he).startswith("Healthy")
    xavier = stats("xavier", "relu")  # Var W = 1/fan_in: each ReLU layer halves the second moment
    assert xavier.act_std[-1] / xavier.act_std[0] < 1e-3
    assert 0.4 < xavier.saturated.mean() < 0.6  # half of the ReLUs are off either way


def test_large_weights_saturate_tanh_and_explode_relu() -> None:
    tanh = stats("large normal", "tanh")
    assert tanh.saturated[5:].mean() > 0.5
    relu = stats("large normal", "relu")
    assert not np.isfinite(relu.act_std[-1]) or relu.act_std[-1] > 1e10
    assert iv.diagnose(relu).startswith("Exploding")


@pytest.mark.parametrize(
    ("init", "act"),
    [("small normal", "sigmoid"), ("small normal", "tanh"), ("xavier", "relu"), ("large normal", "relu")],
)
def test_batch_norm_fixes_the_bad_ones(init: str, act: str) -> None:
    fixed = stats(init, act, bn=True)
    assert np.isfinite(fixed.act_std).all() and np.isfinite(fixed.grad_norm).all()
    assert 0.5 < fixed.act_std[-1] / fixed.act_std[0] < 2  # the same scale at every layer
    assert fixed.grad_norm[0] > 1e-3 * fixed.grad_norm[-1]  # no vanishing gradient


def test_zeros_stay_dead_even_with_batch_norm() -> None:
    for bn in (False, True):
        s = stats("zeros", "relu", bn=bn, depth=5)
        assert s.grad_norm.max() == 0 and s.act_std.max() == 0
        assert iv.diagnose(s).startswith("Dead")


def test_same_seed_same_statistics() -> None:
    a, b = stats("he", "tanh", depth=5), stats("he", "tanh", depth=5)
    assert np.array_equal(a.grad_norm, b.grad_norm) and np.array_equal(a.hist, b.hist)


def test_invalid_settings_are_refused() -> None:
    for bad in (
        dict(depth=0),
        dict(depth=51),
        dict(init="orthogonal"),
        dict(activation="gelu"),
        dict(width=1),
    ):
        with pytest.raises(ValueError):
            iv.layer_statistics(iv.InitConfig(**bad))


@pytest.fixture()
def one_thread() -> Iterator[None]:
    """Tiny matrices gain nothing from a second thread, and on a busy machine OpenMP's spin-waiting makes two
    threads several times slower than one (see bench/bench_cnn.py): keep this test's time predictable."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def test_short_training_learns_with_he_relu_and_not_with_vanishing_sigmoid(one_thread: None) -> None:
    good = iv.train_short(iv.InitConfig(depth=8, width=64, init="he", activation="relu"), steps=50)
    bad = iv.train_short(
        iv.InitConfig(depth=8, width=64, init="small normal", activation="sigmoid"), steps=50
    )
    assert good.fit.status == "completed" and good.fit.steps == 50
    assert good.val_accuracy > 0.5
    assert bad.val_accuracy < 0.2  # stuck at chance (0.1)
    assert len(good.fit.history["val_accuracy"]) == 10


def test_figures() -> None:
    s = stats("small normal", "tanh", depth=6)
    refs = [iv.layer_statistics(c) for c in iv.reference_configs(s.config)]
    assert len(refs) == 3 and all(r.config.depth == 6 for r in refs)
    assert (
        len(iv.reference_configs(iv.InitConfig(init="he", activation="relu"))) == 2
    )  # no duplicate of itself
    fig = iv.stats_figure(s, refs)
    assert len(fig.data) == 2 * 4 and fig.layout.yaxis.type == "log"
    heat = iv.histogram_figure(s)
    assert np.asarray(heat.data[0].z).shape == s.hist.shape


CLASSIC = [
    ("he", "relu"),
    ("xavier", "tanh"),
    ("xavier", "relu"),
    ("small normal", "sigmoid"),
    ("small normal", "tanh"),
    ("large normal", "tanh"),
]


@pytest.mark.parametrize(("init", "act"), CLASSIC, ids=[f"{i}-{a}" for i, a in CLASSIC])
def test_verdict_agrees_with_the_short_run_at_depth_20(one_thread: None, init: str, act: str) -> None:
    # The page's green "Healthy" must mean that 100 SGD steps learn (Xavier + ReLU at depth 20 once got
    # "Healthy" while reaching 16% validation accuracy against 70% for He + ReLU).
    config = iv.InitConfig(depth=20, init=init, activation=act)
    verdict = iv.diagnose(iv.layer_statistics(config))
    run = iv.train_short(config)
    learned = run.val_accuracy >= iv.HEALTHY_MIN_ACCURACY
    assert verdict.startswith("Healthy") == learned, (verdict, run.val_accuracy)
    agrees, text = iv.check_verdict(verdict, run)
    assert agrees and text.startswith("The run agrees")


def test_large_normal_tanh_verdict_names_the_saturation_the_text_describes() -> None:
    verdict = iv.diagnose(stats("large normal", "tanh", depth=20))
    assert verdict.startswith("Saturated and exploding")


def test_a_vanished_gradient_sits_in_the_vanished_band_not_on_a_fitted_axis() -> None:
    # small normal + tanh: gradient norms ~5e-19; an axis fitted to 4.8-6.8e-19 makes them look lively.
    s = stats("small normal", "tanh", depth=20)
    assert s.grad_norm.max() < 1e-15
    fig = iv.stats_figure(s)
    lo, hi = fig.layout.yaxis2.range
    assert hi - lo >= 10  # at least ten decades: 1e-19 and a healthy 1 on one scale
    assert hi >= 2 and lo <= math.log10(s.grad_norm.min())
    assert s.grad_norm.max() < iv.VANISHED
    assert any(shape.y1 == iv.VANISHED for shape in fig.layout.shapes)


def test_check_verdict_flags_a_healthy_verdict_the_run_contradicts() -> None:
    config = iv.InitConfig(depth=2)
    fake = iv.ShortRun(config, SimpleNamespace(steps=100), 0.12)  # type: ignore[arg-type]
    agrees, text = iv.check_verdict("Healthy: ...", fake)
    assert not agrees and "disagrees" in text and "12%" in text
