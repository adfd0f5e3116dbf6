"""Inside the playground's network (lecture 2): what every neuron computes, and training one step at a time.

TF Playground (Smilkov & Carter 2016) draws each hidden neuron's output over the input plane inside the
network diagram; :func:`neuron_maps` computes the same pictures from the course's own model (in eval
mode, dropout off): the chosen input features, then every unit of the first hidden layers.

:class:`Stepper` trains a model of the same settings one optimiser step at a time (a student presses a
button and watches the maps move). It is :func:`core.mlp.training.train_mlp` taken apart, not a second
loop: the same seeding, initialisation, standardisation, optimiser, batch order and step function as
the fit loop, so k full-batch steps give the weights of a k-epoch run (a test checks it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.mlp.config import MLPConfig
from core.mlp.datasets import MLPData
from core.mlp.decision_maps import DecisionGrid, GridEvaluator
from core.mlp.model import MLP, build_mlp, l1_penalty, make_optimizer
from core.training import evaluate, seed_everything

#: Units drawn per layer (TF Playground's limit is 8 as well): wider layers show their first 8.
MAX_UNITS = 8
#: Layers of hidden units drawn (the first ones: their maps are the easiest to read).
MAX_LAYERS = 2
MAP_RES = 28


@dataclass(frozen=True, eq=False)
class NeuronMaps:
    """Activations over the input plane, per drawn layer, and the weights between the drawn units."""

    xs: np.ndarray
    """Grid x coordinates (res,)."""
    ys: np.ndarray
    """Grid y coordinates (res,)."""
    layers: list[np.ndarray]
    """[inputs, hidden 1, ...]: float32 (units, res, res), row i = ys[i]; inputs are the standardised
    features the first layer sees; at most :data:`MAX_UNITS` units each."""
    names: list[list[str]]
    """A label per drawn unit of each layer (feature names, then h1.1, h1.2, ...)."""
    widths: list[int]
    """The true width of each layer (more units than drawn when wider than MAX_UNITS)."""
    weights: list[np.ndarray]
    """weights[k][j, i]: from drawn unit i of layer k to drawn unit j of layer k+1."""


@torch.no_grad()
def neuron_maps(model: MLP, bounds: tuple[float, float, float, float], res: int = MAP_RES,
                max_units: int = MAX_UNITS, max_layers: int = MAX_LAYERS) -> NeuronMaps:
    """Every drawn unit's output over a res x res grid of the input plane (eval mode, dropout off)."""
    grid = GridEvaluator(bounds, res)
    was_training = model.training
    model.eval()
    h = model.norm(model.inputs(grid.points))
    outs = [h]
    linears: list[nn.Linear] = []
    for module in model.layers:
        if isinstance(module, nn.Linear):
            if module is model.layers[-1] or len(linears) == max_layers:
                break
            linears.append(module)
        h = module(h)
        if not isinstance(module, (nn.Linear, nn.Dropout)):  # after each activation: a hidden layer
            outs.append(h)
    if was_training:
        model.train()
    feats = list(model.features.names) if model.features is not None else ["x1", "x2"]
    names = [feats[:max_units]] + [[f"h{k}.{j + 1}" for j in range(min(o.shape[1], max_units))]
                                   for k, o in enumerate(outs[1:], start=1)]
    layers = [o[:, :max_units].T.reshape(-1, res, res).numpy().astype(np.float32) for o in outs]
    weights = [lin.weight[:max_units, :max_units].detach().numpy().copy() for lin in linears[: len(outs) - 1]]
    return NeuronMaps(grid.xs, grid.ys, layers, names, [int(o.shape[1]) for o in outs], weights)


class Stepper:
    """A model of ``config`` on ``data`` that trains one optimiser step per :meth:`step` call."""

    def __init__(self, config: MLPConfig, data: MLPData) -> None:
        from core.mlp.training import METRICS, standardise
        from core.training.loop import batches
        from core.training.steps import make_step

        config.validate()
        self.config, self.data = config, data
        seed_everything(config.seed)  # as train_mlp: the same initial weights
        self.model = build_mlp(**config.architecture(2, data.n_classes))
        X, y = data.tensors("train")
        standardise(self.model, X)
        self.optimizer = make_optimizer(self.model, config)
        penalty = l1_penalty(self.model, config.l1) if config.l1 > 0 else None
        self._step = make_step(nn.functional.cross_entropy, METRICS, penalty, None)
        # The fit loop's own batch order: the same seeded generator over the same tensors.
        self._batches = batches((X, y), config.batch_size, torch.Generator().manual_seed(config.seed))
        self._it = iter(self._batches)
        self.steps = 0
        self.last: dict[str, float] = {}
        self._grid = GridEvaluator(data.bounds())
        self.model.train()

    def step(self, n: int = 1) -> dict[str, float]:
        """``n`` optimiser steps (each on the next mini-batch, or the whole training split); the last
        step's batch loss and accuracy. A step whose loss is not finite stops there (diverged)."""
        from core.mlp.training import TRAIN_THREADS, torch_threads

        with torch_threads(TRAIN_THREADS):
            for _ in range(n):
                if self.diverged:
                    break
                try:
                    batch = next(self._it)
                except StopIteration:  # next epoch: a fresh shuffle, as the loop does
                    self._it = iter(self._batches)
                    batch = next(self._it)
                self.last = self._step(self.model, batch, (self.optimizer,))
                self.steps += 1
        return self.last

    @property
    def diverged(self) -> bool:
        return bool(self.last) and not math.isfinite(self.last.get("loss", 0.0))

    def scores(self) -> dict[str, float]:
        """Loss and accuracy of the current weights on the train and validation splits (dropout off)."""
        from core.mlp.training import METRICS

        out: dict[str, float] = {}
        for split in ("train", "val"):
            vals = evaluate(self.model, nn.functional.cross_entropy, *self.data.tensors(split), METRICS)
            out.update({f"{split}_loss": vals["loss"], f"{split}_accuracy": vals["accuracy"]})
        return out

    def decision_map(self) -> DecisionGrid:
        return self._grid(self.model, self.steps)

    def maps(self) -> NeuronMaps:
        return neuron_maps(self.model, self.data.bounds())
