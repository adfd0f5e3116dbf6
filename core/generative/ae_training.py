"""Training autoencoders and VAEs with the gallery's fit loop, held-out ELBO, and the shipped checkpoints.

The negative ELBO reported as ``test_neg_elbo`` is the real bound on -log p(x) (beta = 1 whatever beta the
model was trained with), in nats per image, estimated on the held-out test split with one seeded sample
of z per image; ``test_recon`` and ``test_kl`` are its two terms.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from core.checkpoints import ManifestEntry, save_checkpoint
from core.generative.autoencoders import (
    DATASETS,
    KINDS,
    LATENT_DIMS,
    PAGE_MAX_IMAGES,
    AEConfig,
    AutoEncoder,
    builder_name,
    config_dict,
    describe,
    elbo_loss,
    elbo_terms,
    kl_per_dim,
    make_config,
    validate_training,
)
from core.jobs import Job
from core.registry import NotComparable, TrainContext, register_checkpoint
from core.training import Callback, FitConfig, LiveRecorder, TrainedRun, fit, make_optimizer, seed_everything

ACTIVE_KL_NATS = 0.05
"""A latent dimension counts as active when its mean KL on held-out data exceeds this (nats): the
others are ignored by the decoder ("posterior collapse" of that dimension)."""
LIVE_IMAGES = 8
"""Validation images whose reconstructions the live view shows while training."""


class AERun(TrainedRun[AEConfig, AutoEncoder]):
    """A finished autoencoder run: its ``held_out`` is :func:`held_out` on the test split, its ``fit``
    history the fine-grained live one (rows per fraction of an epoch)."""


def _tensor(a: np.ndarray) -> Tensor:
    return torch.from_numpy(np.array(a, dtype=np.float32, order="C"))  # core.data hands out read-only arrays


@torch.no_grad()
def held_out(model: AutoEncoder, X: Tensor, seed: int = 0, batch_size: int = 1000) -> dict[str, Any]:
    """Reconstruction, KL and negative ELBO (beta = 1) per image in nats on ``X``, one seeded z per image.

    Also ``kl_dims`` (mean KL of each latent dimension, a list) and ``active_dims`` (how many exceed
    :data:`ACTIVE_KL_NATS`). A plain autoencoder reconstructs from its code: KL and ELBO do not apply."""
    was = model.training
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    recon_sum, kl_sum = 0.0, 0.0
    kl_dims = torch.zeros(model.latent_dim, dtype=torch.float64)
    for i in range(0, len(X), batch_size):
        x = X[i : i + batch_size]
        mu, logvar = model.encode(x)
        z = mu if logvar is None else mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=gen)
        recon, kl = elbo_terms(model.decode(z), x, mu, logvar)
        recon_sum += float(recon.sum())
        kl_sum += float(kl.sum())
        if logvar is not None:
            kl_dims += kl_per_dim(mu, logvar).sum(0).double()
    model.train(was)
    n = max(1, len(X))
    out: dict[str, Any] = {"test_recon": recon_sum / n, "n_test": len(X)}
    if model.config.variational:
        dims = (kl_dims / n).tolist()
        out.update(test_kl=kl_sum / n, test_neg_elbo=(recon_sum + kl_sum) / n, kl_dims=dims,
                   active_dims=sum(d > ACTIVE_KL_NATS for d in dims))
    return out


@torch.no_grad()
def code_kl(model: AutoEncoder, X: Tensor, batch_size: int = 1000) -> list[float]:
    """Mean KL of each latent dimension to the prior on ``X`` (nats), from the encoder alone: the
    ``kl_dims`` of :func:`held_out` without decoding (empty for a plain autoencoder)."""
    if not model.config.variational:
        return []
    total = torch.zeros(model.latent_dim, dtype=torch.float64)
    for i in range(0, len(X), batch_size):
        mu, logvar = model.encode(X[i : i + batch_size])
        total += kl_per_dim(mu, logvar).sum(0).double()
    return (total / max(1, len(X))).tolist()


@torch.no_grad()
def reconstruction_pairs(model: AutoEncoder, x: Tensor) -> np.ndarray:
    """(2, N, 28, 28): the images and their reconstructions decoded from the posterior mean."""
    was = model.training
    model.eval()
    probs = torch.sigmoid(model.decode(model.encode(x)[0]))
    model.train(was)
    return np.stack([x[:, 0].numpy(), probs[:, 0].numpy()])


def train_autoencoder(
    config: AEConfig,
    job: Job | None = None,
    callbacks: tuple[Callback, ...] = (),
    *,
    max_images: int | None = PAGE_MAX_IMAGES,
    test_limit: int | None = None,
) -> AERun:
    """Train ``config`` on its data set and measure it on the held-out test split.

    ``job`` (a page's training panel) receives live rows (negative ELBO and its terms on training and
    validation images), reconstructions of a few validation images every two seconds (artefact
    ``recon``) and stop requests; ``max_images`` caps epochs x images (None: no cap, for the CLI)."""
    from core import data

    if max_images is not None:
        validate_training(config, max_images)
    train_ds, test_ds = data.load(config.dataset, "train"), data.load(config.dataset, "test")
    order = np.random.default_rng(config.seed).permutation(len(train_ds))
    n_val = min(config.val_size, len(train_ds) // 5)
    Xtr = _tensor(train_ds.X[np.sort(order[n_val : n_val + config.train_size])])
    Xval = _tensor(train_ds.X[np.sort(order[:n_val])])

    seed_everything(config.seed)
    model = AutoEncoder(config)
    optimizer = make_optimizer("adam", model.parameters(), config.lr)
    watch = Xval[:200]
    recorder = LiveRecorder(
        job,
        points_per_epoch=10,
        validate=lambda: _live_values(model, watch, config.seed),
        snapshot=lambda: reconstruction_pairs(model, Xval[:LIVE_IMAGES]),
        snapshot_key="recon",
        snapshot_s=2.0,
    )
    fit_cfg = FitConfig(epochs=config.epochs, batch_size=config.batch_size,
                        time_budget_s=config.time_budget_s, seed=config.seed)
    result = fit(model, elbo_loss(config.beta), optimizer, (Xtr,), (Xval,), fit_cfg, [recorder, *callbacks],
                 should_stop=job.should_stop if job is not None else None)
    n_test = len(test_ds) if test_limit is None else min(test_limit, len(test_ds))
    if config.weights == "float16":  # measured as it will be stored: weights rounded to half precision
        with torch.no_grad():
            for t in model.state_dict().values():
                t.copy_(t.half().float())
    metrics = None if result.diverged else held_out(model, _tensor(test_ds.X[:n_test]))
    fine = replace(result, history=recorder.history) if len(recorder.history["epoch"]) > 1 else result
    return AERun(config, model.eval(), fine, metrics, len(Xtr), len(Xval), train_ds.provenance,
                 test_ds.provenance, (train_ds.source, test_ds.source))


def _live_values(model: AutoEncoder, x: Tensor, seed: int) -> dict[str, float]:
    m = held_out(model, x, seed)
    recon, kl = m["test_recon"], m.get("test_kl", 0.0)
    return {"loss": recon + model.config.beta * kl, "recon": recon, "kl": kl}


# --------------------------------------------------------------------------------------------------
# Shipped checkpoints: the whole grid (4 kinds x 5 code sizes x 2 data sets), so every cell of the page's
# sliders answers at once; other betas and training settings train live from the page.

# Sized so the 40 cells train in about 10 CPU-minutes in all on a shared machine: a 16-32 conv, a 64-wide
# dense layer, ~50,000 images seen by every kind, float16 files (~0.45 MB a cell).
_GRID_SIZE: dict[str, dict[str, int]] = {
    "mnist": {"epochs": 15, "train_size": 60_000},  # all 3,500 offline training images
    "fashion-mnist": {"epochs": 5, "train_size": 10_000},
}


def grid_name(kind: str, dataset: str, latent_dim: int) -> str:
    """The shipped checkpoint of a grid cell, e.g. ``vae-fashion-mnist-z8``."""
    return f"{kind}-{dataset}-z{latent_dim}"


def grid_config(kind: str, dataset: str, latent_dim: int) -> AEConfig:
    """How the shipped cell ``(kind, dataset, latent_dim)`` is trained (beta 4 for the beta-VAE)."""
    size = _GRID_SIZE[dataset]
    return make_config(kind, dataset, latent_dim, channels=16, hidden=64, weights="float16", **size)


CHECKPOINTS: dict[str, AEConfig] = {
    grid_name(kind, ds, d): grid_config(kind, ds, d) for ds in DATASETS for d in LATENT_DIMS for kind in KINDS
}


def checkpoint_name(config: AEConfig) -> str | None:
    """The shipped checkpoint of this model cell (kind, data set, latent size, beta), if there is one."""
    for name, cfg in CHECKPOINTS.items():
        same = (cfg.kind, cfg.dataset, cfg.latent_dim, cfg.beta)
        if same == (config.kind, config.dataset, config.latent_dim, config.beta):
            return name
    return None


def measure(model: nn.Module, ent: ManifestEntry) -> dict[str, float]:
    """Re-measure a shipped autoencoder's held-out metrics from its file, as the training command did."""
    from core import data

    test = data.load(ent.dataset["name"], "test")
    measured_on = (ent.dataset.get("test_source", test.source), ent.dataset.get("n_test", len(test)))
    if (test.source, len(test)) != measured_on:
        raise NotComparable(f"the test split here ({test.provenance}) is not the one it was measured on")
    assert isinstance(model, AutoEncoder)
    out = held_out(model, _tensor(test.X))
    return {k: v for k, v in out.items() if k != "kl_dims"}


def _train_checkpoint(name: str, ctx: TrainContext) -> ManifestEntry:
    config = CHECKPOINTS[name]
    if ctx.quick:
        config = replace(config, train_size=256, val_size=64, epochs=1)
    t0 = time.perf_counter()
    run = train_autoencoder(config, callbacks=tuple(ctx.callbacks), max_images=None,
                            test_limit=200 if ctx.quick else None)
    if run.held_out is None:
        raise RuntimeError(f"{name} diverged: {run.fit.message}")
    metrics = {k: round(v, 4) if isinstance(v, float) else v
               for k, v in run.held_out.items() if k != "kl_dims"}
    shipped = run.model.half() if config.weights == "float16" else run.model
    entry = save_checkpoint(
        name, shipped, lecture=5, architecture=describe(config), builder=builder_name(config),
        config=config_dict(config),
        dataset=run.dataset_entry(config.dataset),
        metrics={**metrics, **({"quick": 1} if ctx.quick else {})},
        train_seconds=time.perf_counter() - t0, directory=ctx.directory,
    )  # fmt: skip
    run.model.float()
    return entry


def _register(name: str) -> None:
    cfg = CHECKPOINTS[name]
    where = "MNIST (offline: 4,000/1,000)" if cfg.dataset == "mnist" else "Fashion-MNIST (60,000/10,000)"
    what = f"{describe(cfg).split(':')[0]} with a {cfg.latent_dim}-D code on {where}"

    @register_checkpoint(name, 5, what, 120 if cfg.kind == "sbd-vae" else 40, measure=measure)
    def train(ctx: TrainContext) -> ManifestEntry:
        return _train_checkpoint(name, ctx)


for _name in CHECKPOINTS:
    _register(_name)
