"""The homework CNN as a module: conv blocks from a :class:`~core.cnn.config.CNNConfig`, then a classifier.

``build_cnn`` is the registered checkpoint builder ``'cnn'`` that the manifest names; the state-dict keys
(``features.<block>.<layer>.*``, ``classifier.2.*``) are those of the shipped files and must not change.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from core.cnn.config import CNNConfig, validate
from core.registry import register_builder

BUILDER = "cnn"
"""The name the manifest's ``builder`` field gives for these checkpoints."""


class ConvNet(nn.Module):
    """``features`` (conv blocks) then ``classifier`` (flatten, dropout, linear); keeps its config."""

    def __init__(self, config: CNNConfig) -> None:
        super().__init__()
        shapes = validate(config)
        self.config = config
        blocks: list[nn.Module] = []
        c_in = 1
        for ch in config.channels():
            layers: list[nn.Module] = [
                # With batch norm right after, a conv bias is redundant (BN subtracts the mean anyway).
                nn.Conv2d(
                    c_in, ch, config.kernel_size, config.stride, config.padding_px, bias=not config.batch_norm
                )
            ]
            if config.batch_norm:
                layers.append(nn.BatchNorm2d(ch))
            layers.append(nn.ReLU(inplace=True))
            if config.pooling == "max":
                layers.append(nn.MaxPool2d(2))
            elif config.pooling == "avg":
                layers.append(nn.AvgPool2d(2))
            blocks.append(nn.Sequential(*layers))
            c_in = ch
        self.features = nn.Sequential(*blocks)
        last = shapes[-1]
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(config.dropout), nn.Linear(last.channels * last.size**2, 10)
        )
        # Channels-last (NHWC) lets oneDNN run conv, batch norm and pooling without layout reorders: about
        # 1.5x faster training on CPU here (bench/bench_cnn.py). Values and state-dict keys are unchanged.
        self.to(memory_format=torch.channels_last)

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x.contiguous(memory_format=torch.channels_last)))


@register_builder(BUILDER)
def build_cnn(**config: Any) -> ConvNet:
    """The checkpoint builder (registered as ``'cnn'``): a :class:`ConvNet` from CNNConfig fields."""
    return ConvNet(CNNConfig(**config))


def as_tensor(a: np.ndarray) -> Tensor:
    """A float32 tensor sharing memory with ``a`` when possible (core.data hands out read-only arrays)."""
    a = np.asarray(a, dtype=np.float32)
    if not (a.flags.writeable and a.flags.c_contiguous):
        a = np.array(a, order="C")
    return torch.from_numpy(a)
