"""The two shipped CNN checkpoints of lecture 3 and how to rebuild them.

``python -m core.train cnn-fashion-mnist cnn-mnist`` retrains them with the settings below and writes
``pretrained/cnn-*.safetensors`` with their manifest entries (test accuracy re-measured on the whole
held-out test split).
"""

from __future__ import annotations

import time
from dataclasses import asdict, replace
from typing import Any

from core.cnn.config import CNNConfig, describe
from core.cnn.convnet import BUILDER
from core.cnn.training import train_cnn
from core.registry import TrainContext, register_checkpoint

DEFAULT = CNNConfig()
CHECKPOINTS: dict[str, CNNConfig] = {
    "cnn-fashion-mnist": replace(
        DEFAULT,
        train_size=60_000,
        val_size=5_000,
        epochs=12,
        lr=2e-3,
        lr_schedule="cosine",
        time_budget_s=None,
    ),
    "cnn-mnist": replace(
        DEFAULT,
        dataset="mnist",
        train_size=4_000,
        val_size=0,
        epochs=30,
        lr=2e-3,
        lr_schedule="cosine",
        time_budget_s=None,
    ),
}


def _train_checkpoint(name: str, ctx: TrainContext) -> dict[str, Any]:
    from core.checkpoints import save_checkpoint

    config = CHECKPOINTS[name]
    if ctx.quick:
        config = replace(config, train_size=256, val_size=64, epochs=1, batch_size=64)
    t0 = time.perf_counter()
    run = train_cnn(config, callbacks=ctx.callbacks, test_limit=500 if ctx.quick else None)
    seconds = time.perf_counter() - t0
    if run.held_out is None:
        raise RuntimeError(f"{name} diverged: {run.fit.message}")
    return save_checkpoint(
        name,
        run.model,
        lecture=3,
        architecture=describe(config),
        builder=BUILDER,
        config=asdict(config),
        dataset=run.dataset_entry(config.dataset),
        metrics={
            **{k: round(v, 4) if isinstance(v, float) else v for k, v in run.held_out.items()},
            **({"quick": True} if ctx.quick else {}),
        },
        train_seconds=seconds,
        directory=ctx.directory,
    )


@register_checkpoint(
    "cnn-fashion-mnist", 3, "default CNN (2 conv blocks, BN) on Fashion-MNIST, 55k/5k/10k", 350
)
def train_fashion_checkpoint(ctx: TrainContext) -> dict[str, Any]:
    """Rebuild ``pretrained/cnn-fashion-mnist.safetensors``: test accuracy on all 10,000 test images."""
    return _train_checkpoint("cnn-fashion-mnist", ctx)


@register_checkpoint(
    "cnn-mnist", 3, "default CNN (2 conv blocks, BN) on MNIST (offline: 4,000/1,000 subset)", 90
)
def train_mnist_checkpoint(ctx: TrainContext) -> dict[str, Any]:
    """Rebuild ``pretrained/cnn-mnist.safetensors``: test accuracy on the whole held-out test split."""
    return _train_checkpoint("cnn-mnist", ctx)
