"""core.mlp.neurons and network_figure: TF Playground's views computed on the playground's own model."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.mlp import config as cf
from core.mlp import datasets as ds
from core.mlp import model as md
from core.mlp import training as tr
from core.mlp.network_figure import NEGATIVE, POSITIVE, network_figure
from core.mlp.neurons import MAX_UNITS, Stepper, neuron_maps

SMALL = cf.MLPConfig(hidden=(12, 6), epochs=7, lr=0.03)


@pytest.fixture(scope="module")
def moons() -> ds.MLPData:
    return ds.toy_data("moons", n=200)


def params(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("features", [cf.RAW_FEATURES, ("x1", "x2", "x1²", "x1·x2", "sin x2")])
def test_k_single_steps_are_a_k_epoch_full_batch_run(moons: ds.MLPData, features: tuple[str, ...]) -> None:
    config = cf.MLPConfig(**{**SMALL.to_dict(), "features": features})
    s = Stepper(config, moons)
    s.step(1)
    s.step(6)
    assert s.steps == 7
    run = tr.train_mlp(config, moons)
    a, b = params(s.model), params(run.model)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_mini_batch_steps_follow_the_fit_loops_batch_order(moons: ds.MLPData) -> None:
    config = cf.MLPConfig(**{**SMALL.to_dict(), "batch_size": 32, "epochs": 2})
    s = Stepper(config, moons)
    s.step(8)  # 120 training points: 4 batches per epoch, two epochs
    run = tr.train_mlp(config, moons)
    assert all(torch.equal(v, params(run.model)[k]) for k, v in params(s.model).items())


def test_input_features_change_what_the_first_layer_sees(moons: ds.MLPData) -> None:
    run = tr.train_mlp(cf.MLPConfig(hidden=(8,), epochs=3, features=("x1²", "sin x2")), moons)
    X = moons.tensors("train")[0]
    assert run.model.layers.fc1.in_features == 2 and run.model.features.names == ("x1²", "sin x2")
    torch.testing.assert_close(run.model.inputs(X), torch.stack([X[:, 0] ** 2, torch.sin(X[:, 1])], 1))
    assert run.architecture["features"] == ["x1²", "sin x2"]
    assert tr.load_exported(run.weights_bytes()).features.names == ("x1²", "sin x2")
    plain = md.build_mlp(**cf.MLPConfig().architecture(2, 2))
    assert plain.features is None and "features" not in cf.MLPConfig().architecture(2, 2)
    assert set(plain.state_dict()) == set(md.build_mlp().state_dict())  # the shipped file's keys
    assert cf.MLPConfig(features=("sin x1", "x1")).features == ("x1", "sin x1")  # canonical order
    with pytest.raises(ValueError, match="input feature"):
        cf.playground_config(2, 8, "relu", "adam", 0.01, "full", 10, 0, 0, 0, None, 0, features=["x3"])


def test_neuron_maps_are_each_units_output_over_the_plane(moons: ds.MLPData) -> None:
    model = tr.train_mlp(cf.MLPConfig(hidden=(12, 6, 4), epochs=3), moons).model
    m = neuron_maps(model, moons.bounds(), res=9)
    assert [len(layer) for layer in m.layers] == [2, MAX_UNITS, 6] and m.widths == [2, 12, 6]
    assert [w.shape for w in m.weights] == [(MAX_UNITS, 2), (6, MAX_UNITS)]
    i, j = 4, 7  # one grid point: row i (y), column j (x)
    point = torch.tensor([[m.xs[j], m.ys[i]]])
    with torch.no_grad():
        h1 = torch.relu(model.layers.fc1(model.norm(point)))[0]
        h2 = torch.relu(model.layers.fc2(h1[None]))[0]
    np.testing.assert_allclose(m.layers[1][:, i, j], h1[:MAX_UNITS].numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m.layers[2][:, i, j], h2.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m.weights[1], model.layers.fc2.weight[:, :MAX_UNITS].detach().numpy())


def test_network_figure_edges_are_weight_width_and_sign_colour(moons: ds.MLPData) -> None:
    model = tr.train_mlp(SMALL, moons).model
    m = neuron_maps(model, moons.bounds())
    fig = network_figure(m)
    assert len(fig.layout.images) == sum(len(layer) for layer in m.layers)
    edges = list(fig.data)
    assert len(edges) == sum(w.size for w in m.weights)
    w1 = m.weights[0].ravel()  # the first layer's edges come first, row by row
    widths = np.array([e.line.width for e in edges[: w1.size]])
    assert np.argmax(widths) == np.argmax(np.abs(w1)) and np.argmin(widths) == np.argmin(np.abs(w1))
    colours = [e.line.color for e in edges[: w1.size]]
    assert colours == [POSITIVE if v >= 0 else NEGATIVE for v in w1]


def test_network_figure_labels_are_full_size(moons: ds.MLPData) -> None:
    from tests.viz.figure_checks import small_text

    m = neuron_maps(tr.train_mlp(SMALL, moons).model, moons.bounds())
    assert small_text(network_figure(m)) == []
