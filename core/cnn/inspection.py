"""What a trained CNN learned: its most confident mistakes, first-layer filters and feature maps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.cnn.convnet import ConvNet, as_tensor


@dataclass(frozen=True)
class Mistake:
    """One misclassified test image."""

    index: int
    """Index into the test split."""
    true: int
    """True class."""
    pred: int
    """Predicted class."""
    confidence: float
    """Softmax probability of the (wrong) prediction."""


def worst_mistakes(probs: np.ndarray, y: np.ndarray, k: int = 12) -> list[Mistake]:
    """The ``k`` wrong predictions the model was most sure of (the most instructive ones to look at)."""
    pred = probs.argmax(1)
    wrong = np.flatnonzero(pred != y)
    conf = probs[wrong, pred[wrong]]
    order = wrong[np.argsort(-conf, kind="stable")][:k]
    return [Mistake(int(i), int(y[i]), int(pred[i]), float(probs[i, pred[i]])) for i in order]


def first_layer_filters(model: ConvNet) -> np.ndarray:
    """The first conv layer's kernels, (filters, k, k) (single input channel)."""
    conv = model.features[0][0]
    return conv.weight.detach()[:, 0].clone().numpy()


@dataclass(frozen=True)
class FeatureMap:
    """The activations of one layer for one image."""

    name: str
    """Layer, e.g. 'block 1 · ReLU'."""
    maps: np.ndarray
    """(channels, h, w) activations."""


@torch.no_grad()
def feature_maps(model: ConvNet, image: np.ndarray) -> list[FeatureMap]:
    """Activations after every layer of every conv block for one image ((H, W) or (1, H, W))."""
    x = as_tensor(np.asarray(image)).reshape(1, 1, *np.asarray(image).shape[-2:])
    model.eval()
    out: list[FeatureMap] = []
    for b, block in enumerate(model.features, start=1):
        for layer in block:
            x = layer(x)
            name = {
                nn.Conv2d: "conv",
                nn.BatchNorm2d: "batch norm",
                nn.ReLU: "ReLU",
                nn.MaxPool2d: "max-pool",
                nn.AvgPool2d: "avg-pool",
            }.get(type(layer), type(layer).__name__)
            out.append(FeatureMap(f"block {b} · {name}", x[0].clone().numpy()))
    return out
