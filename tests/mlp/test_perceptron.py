"""core.mlp.perceptron: the rule converges on separable data within Novikoff's bound and cycles on XOR."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from core.mlp import perceptron as pc


@pytest.mark.parametrize("dataset", ["separable", "and", "or"])
def test_converges_on_separable_data_within_novikoffs_bound(dataset: str) -> None:
    r = pc.run(pc.PerceptronConfig(dataset=dataset, max_epochs=50))
    assert r.separable and r.converged and r.cycle is None
    assert r.mistakes[-1] == 0 and all(m > 0 for m in r.mistakes[:-1])
    assert not r.errors(r.n_updates).any()  # the final line separates every point
    assert r.bound is not None and r.n_updates <= r.bound
    assert "Converged" in r.verdict()


def test_xor_never_converges_and_the_cycle_is_the_proof() -> None:
    r = pc.run(pc.PerceptronConfig(dataset="xor", max_epochs=12))
    assert not r.separable and not r.converged and r.margin is None
    assert len(r.mistakes) == 12 and min(r.mistakes) > 0  # mistakes never reach 0
    e1, e2 = r.cycle
    w1 = r.weights(sum(r.mistakes[:e1]))
    w2 = r.weights(sum(r.mistakes[:e2]))
    np.testing.assert_allclose(np.r_[w1[0], w1[1]], np.r_[w2[0], w2[1]])
    assert "Cycle" in r.verdict() and "never reach 0" in r.verdict()
    # The cycle is no artefact of the start: from random weights it cycles too.
    assert pc.run(pc.PerceptronConfig(dataset="xor", init="random", seed=3)).cycle is not None


def test_xor_clusters_are_not_separable() -> None:
    r = pc.run(pc.PerceptronConfig(dataset="xor-clusters", max_epochs=10))
    assert not r.separable and not r.converged and min(r.mistakes) > 0
    assert "no line separates" in r.verdict()


def test_every_update_is_the_rule_applied_to_a_mistake() -> None:
    cfg = pc.PerceptronConfig(dataset="separable", lr=0.5, init="random", seed=7)
    r = pc.run(cfg)
    w, b = np.array(r.w0), r.b0
    for u in r.updates:
        x, y = r.X[u.index], r.y[u.index]
        assert u.w_before == pytest.approx(tuple(w)) and u.b_before == pytest.approx(b)
        assert u.score == pytest.approx(y * (x @ w + b)) and u.score <= 0
        w, b = w + cfg.lr * y * x, b + cfg.lr * y
        assert u.w_after == pytest.approx(tuple(w)) and u.b_after == pytest.approx(b)
    assert sum(r.mistakes) == r.n_updates
    assert [u.epoch for u in r.updates] == sorted(u.epoch for u in r.updates)


def test_from_zero_the_learning_rate_only_rescales_w() -> None:
    a = pc.run(pc.PerceptronConfig(lr=0.1))
    b = pc.run(pc.PerceptronConfig(lr=2.0))
    assert [u.index for u in a.updates] == [u.index for u in b.updates]
    wa, ba = a.weights(a.n_updates)
    wb, bb = b.weights(b.n_updates)
    np.testing.assert_allclose(np.r_[wa, ba] * 20, np.r_[wb, bb])


def test_seed_changes_data_and_start_reproducibly() -> None:
    a, b, c = (pc.run(pc.PerceptronConfig(init="random", seed=s)) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.X, b.X)
    assert a.w0 == b.w0 and a.w0 != c.w0 and not np.array_equal(a.X, c.X)
    X, y = pc.make_data("separable", 40, 5)
    assert X.shape == (40, 2) and set(np.unique(y)) == {-1, 1}


def test_separability_linear_program() -> None:
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    ok, gamma = pc.separability(X, np.array([-1, 1]))
    # Max margin on the points (x, 1): (w, b) proportional to (1, 1, -1), margin 1/sqrt(3).
    assert ok and gamma == pytest.approx(1 / np.sqrt(3), rel=1e-4)
    assert pc.separability(*pc.make_data("xor")) == (False, None)


def test_figures_show_the_step() -> None:
    r = pc.run(pc.PerceptronConfig())
    start = pc.figure(r, 0)
    assert "Step 0" in start.layout.title.text
    assert not any((t.name or "").startswith("boundary") for t in start.data)  # w = 0: no line yet
    mid = pc.figure(r, 5)
    names = [t.name or "" for t in mid.data]
    assert "boundary before" in names and any(n.startswith("boundary w") for n in names)
    assert any(n == f"updated on point #{r.updates[4].index}" for n in names)
    assert {a.text for a in mid.layout.annotations} == {"w (before)", "ηyx", "w"}
    mis = pc.mistakes_figure(r, 5)
    assert list(mis.data[0].y) == list(r.mistakes)
    xor = pc.run(pc.PerceptronConfig(dataset="xor"))
    for fig in (start, mid, mis, pc.figure(r, 10**6), pc.mistakes_figure(xor, 3)):
        go.Figure(fig.to_dict())  # valid plotly (the fast builder skips validation)


def test_bad_settings_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="unknown data set"):
        pc.run(pc.PerceptronConfig(dataset="spiral"))
    with pytest.raises(ValueError, match="lr > 0"):
        pc.run(pc.PerceptronConfig(lr=0.0))
