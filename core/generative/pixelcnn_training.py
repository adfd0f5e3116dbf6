"""Training the PixelCNN with the gallery's fit loop, its held-out negative log-likelihood, the shipped
checkpoint, and the VAE's bound on the same binarised images for comparison.

A PixelCNN's likelihood is exact: -log p(x) = sum_i -log p(x_i | x_<i), in nats per image. A VAE only
bounds it from above (-ELBO >= -log p(x)); both are measured here on the binarised held-out test split.
"""

from __future__ import annotations

import time
from dataclasses import asdict, replace
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from core.checkpoints import ManifestEntry, save_checkpoint
from core.generative.pixelcnn import PixelCNN, PixelCNNConfig, binarise, describe, nll_per_image
from core.jobs import Job
from core.registry import NotComparable, TrainContext, register_checkpoint
from core.training import BatchLoss, Callback, FitConfig, TrainedRun, fit, make_optimizer, seed_everything

CHECKPOINT = "pixelcnn-mnist"
CONFIG = PixelCNNConfig()


class PixelCNNRun(TrainedRun[PixelCNNConfig, PixelCNN]):
    """A finished PixelCNN run: its ``held_out`` is :func:`held_out` on the binarised test split."""


def nll_loss() -> BatchLoss:
    """The fit loop's loss for a batch ``(x,)``: mean -log p(x) in nats per image, logged as ``nll``."""

    def fn(model: nn.Module, batch: tuple[Tensor, ...]) -> dict[str, Tensor]:
        nll = nll_per_image(model(batch[0]), batch[0]).mean()
        return {"loss": nll, "nll": nll}

    return BatchLoss(fn)


@torch.no_grad()
def held_out(model: PixelCNN, X: Tensor, batch_size: int = 250) -> dict[str, Any]:
    """-log p(x) on binarised images ``X``: nats per image, bits per pixel, and how many images."""
    was = model.training
    model.eval()
    total = sum(float(nll_per_image(model(X[i : i + batch_size]), X[i : i + batch_size]).sum())
                for i in range(0, len(X), batch_size))
    model.train(was)
    nats = total / max(1, len(X))
    return {"test_nll": nats, "test_bits_per_pixel": nats / (784 * np.log(2)), "n_test": len(X)}


def train_pixelcnn(config: PixelCNNConfig, job: Job | None = None, callbacks: tuple[Callback, ...] = (),
                   test_limit: int | None = None) -> PixelCNNRun:
    """Train ``config`` on its binarised data set and measure it on the held-out test split."""
    from core import data

    train_ds, test_ds = data.load(config.dataset, "train"), data.load(config.dataset, "test")
    order = np.random.default_rng(config.seed).permutation(len(train_ds))
    n_val = min(config.val_size, len(train_ds) // 5)
    Xtr = torch.from_numpy(binarise(train_ds.X[np.sort(order[n_val : n_val + config.train_size])]))
    Xval = torch.from_numpy(binarise(train_ds.X[np.sort(order[:n_val])]))
    seed_everything(config.seed)
    model = PixelCNN(config)
    optimizer = make_optimizer("adam", model.parameters(), config.lr)
    fit_cfg = FitConfig(epochs=config.epochs, batch_size=config.batch_size,
                        time_budget_s=config.time_budget_s, seed=config.seed)
    result = fit(model, nll_loss(), optimizer, (Xtr,), (Xval,), fit_cfg, list(callbacks),
                 should_stop=job.should_stop if job is not None else None)
    n_test = len(test_ds) if test_limit is None else min(test_limit, len(test_ds))
    metrics = None if result.diverged else held_out(model, torch.from_numpy(binarise(test_ds.X[:n_test])))
    return PixelCNNRun(config, model.eval(), result, metrics, len(Xtr), len(Xval), train_ds.provenance,
                       test_ds.provenance, (train_ds.source, test_ds.source))


def _test_split(ent: ManifestEntry) -> Any:
    from core import data

    test = data.load(ent.dataset["name"], "test")
    measured_on = (ent.dataset.get("test_source", test.source), ent.dataset.get("n_test", len(test)))
    if (test.source, len(test)) != measured_on:
        raise NotComparable(f"the test split here ({test.provenance}) is not the one it was measured on")
    return test


def measure(model: nn.Module, ent: ManifestEntry) -> dict[str, float]:
    """Re-measure the shipped PixelCNN's held-out likelihood from its file, as the training command did."""
    assert isinstance(model, PixelCNN)
    return held_out(model, torch.from_numpy(binarise(_test_split(ent).X)))


@torch.no_grad()
def vae_bound_binarised(vae: nn.Module, X: np.ndarray, seed: int = 0) -> float:
    """A shipped VAE's -ELBO (nats per image, one seeded z per image) on the binarised images ``X``: the
    same data the PixelCNN's likelihood is measured on (the VAE's manifest bound uses grey levels)."""
    from core.generative.ae_training import held_out as vae_held_out

    return float(vae_held_out(vae, torch.from_numpy(binarise(X)), seed)["test_neg_elbo"])


@register_checkpoint(CHECKPOINT, 5, "PixelCNN on binarised MNIST (offline: 4,000/1,000)", 300,
                     measure=measure)
def _train_checkpoint(ctx: TrainContext) -> ManifestEntry:
    config = replace(CONFIG, epochs=1, train_size=256, val_size=64) if ctx.quick else CONFIG
    t0 = time.perf_counter()
    run = train_pixelcnn(config, callbacks=tuple(ctx.callbacks), test_limit=100 if ctx.quick else None)
    if run.held_out is None:
        raise RuntimeError(f"{CHECKPOINT} diverged: {run.fit.message}")
    metrics = {k: round(v, 4) if isinstance(v, float) else v for k, v in run.held_out.items()}
    return save_checkpoint(
        CHECKPOINT, run.model, lecture=5, architecture=describe(config), builder="pixelcnn",
        config=asdict(config),
        dataset=run.dataset_entry(config.dataset, binarised_above=0.5),
        metrics={**metrics, "final_val_nll": round(run.fit.final("val_nll"), 4),
                 **({"quick": 1} if ctx.quick else {})},
        train_seconds=time.perf_counter() - t0, directory=ctx.directory,
    )  # fmt: skip
