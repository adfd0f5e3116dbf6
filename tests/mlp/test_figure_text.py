"""Lecture 2's figures are readable on a projector: no text below the figure kit's 18 px (value labels,
update arrows, log-axis exponents)."""

from __future__ import annotations

import pytest

from core.mlp import backprop as bp
from core.mlp import optimiser_figures as of
from core.mlp import optimisers as ov
from core.mlp import perceptron as pc
from tests.viz.figure_checks import small_text


def test_backprop_graph_labels_are_full_size() -> None:
    s = bp.step_through(bp.BackpropConfig())
    assert small_text(bp.network_figure(s, "w11")) == []


@pytest.mark.parametrize("step", [1, 3])
def test_perceptron_update_arrows_are_full_size(step: int) -> None:
    r = pc.run(pc.PerceptronConfig(dataset="separable", max_epochs=5))
    assert small_text(pc.figure(r, min(step, len(r.updates)))) == []


def test_optimiser_log_axes_label_ticks_in_full() -> None:
    r = ov.race("bowl", 0.01, 100, condition=50)
    assert small_text(of.loss_figure(r)) == []
    assert small_text(of.eigen_figure(0.01, 0.9, 50.0, (1.0, 1.0), 100)) == []
