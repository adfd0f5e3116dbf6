"""Training the ESPCNs (``espcn-x2``, ``espcn-x3``, ``espcn-x4``) on patches of the bundled photos with the
gallery's fit loop, and their held-out PSNR / SSIM beside bicubic's on the photos left out of training."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from importlib.metadata import version
from typing import Any

import torch.nn.functional as F
from torch import nn

from core.checkpoints import ManifestEntry, save_checkpoint
from core.generative import superres as sr
from core.registry import TrainContext, register_checkpoint
from core.training import Callback, FitConfig, FitResult, fit, make_optimizer, seed_everything

DESCRIPTION = "ESPCN x{} on patches of 12 skimage photos (2 held out)"


def checkpoint(scale: int) -> str:
    """The shipped checkpoint's name for ``scale``."""
    return f"espcn-x{scale}"


@dataclass(frozen=True)
class SuperResRun:
    """A finished training run."""

    config: sr.ESPCNConfig
    model: sr.ESPCN
    fit: FitResult
    held_out: dict[str, Any]
    """:func:`held_out` on :data:`core.generative.superres.HELD_OUT`."""


def held_out(model: sr.ESPCN, names: tuple[str, ...] = sr.HELD_OUT) -> dict[str, Any]:
    """Mean PSNR (dB) and SSIM of the ESPCN and of bicubic over the photos ``names``, and per photo."""
    per = {name: sr.compare(model, sr.photo(name)).scores for name in names}
    out: dict[str, Any] = {}
    for method in ("espcn", "bicubic"):
        for key in ("psnr", "ssim"):
            out[f"{method}_{key}"] = sum(p[method][key] for p in per.values()) / len(per)
            out.update({f"{method}_{key}_{name}": p[method][key] for name, p in per.items()})
    return out


def train_espcn(config: sr.ESPCNConfig, callbacks: tuple[Callback, ...] = (),
                should_stop: Any = None) -> SuperResRun:
    """Train ``config`` on patches of :data:`~core.generative.superres.TRAIN_PHOTOS`; measure it held out."""
    n_val = max(1, config.patches // 5)
    X, Y = sr.patches(sr.TRAIN_PHOTOS, config.scale, config.patches + n_val, config.lr_patch, config.seed)
    seed_everything(config.seed)
    model = sr.ESPCN(config)
    optimizer = make_optimizer("adam", model.parameters(), config.lr)
    fit_cfg = FitConfig(epochs=config.epochs, batch_size=config.batch_size,
                        time_budget_s=config.time_budget_s, seed=config.seed)
    result = fit(model, F.mse_loss, optimizer, (X[n_val:], Y[n_val:]), (X[:n_val], Y[:n_val]), fit_cfg,
                 list(callbacks), should_stop=should_stop)
    return SuperResRun(config, model.eval(), result, held_out(model))


def measure(model: nn.Module, ent: ManifestEntry) -> dict[str, float]:
    """Re-measure a shipped ESPCN and bicubic on the held-out photos, as the training command did."""
    assert isinstance(model, sr.ESPCN)
    return held_out(model, tuple(ent.dataset["held_out"]))


def _train_checkpoint(scale: int, ctx: TrainContext) -> ManifestEntry:
    config = sr.ESPCNConfig(scale=scale)
    if ctx.quick:
        config = replace(config, patches=64, epochs=1, time_budget_s=10.0)
    t0 = time.perf_counter()
    run = train_espcn(config, tuple(ctx.callbacks))
    if run.fit.diverged:
        raise RuntimeError(f"{checkpoint(scale)} diverged: {run.fit.message}")
    return save_checkpoint(
        checkpoint(scale), run.model, lecture=5, architecture=sr.describe(config), builder="espcn",
        config={**asdict(config), "channels": list(config.channels)},
        dataset={"name": "skimage.data photos", "train_photos": list(sr.TRAIN_PHOTOS),
                 "held_out": list(sr.HELD_OUT), "provenance": f"scikit-image {version('scikit-image')} "
                 "bundled photos (offline)", "degradation": f"antialiased bicubic downscale x{scale}",
                 "n_train_patches": config.patches, "n_val_patches": max(1, config.patches // 5)},
        metrics={**{k: round(v, 4) for k, v in run.held_out.items()},
                 "final_val_loss": round(run.fit.final("val_loss"), 6),
                 **({"quick": 1} if ctx.quick else {})},
        train_seconds=time.perf_counter() - t0, directory=ctx.directory,
    )  # fmt: skip


@register_checkpoint("espcn-x2", 5, DESCRIPTION.format(2), 150, measure=measure)
def _train_x2(ctx: TrainContext) -> ManifestEntry:
    return _train_checkpoint(2, ctx)


@register_checkpoint("espcn-x3", 5, DESCRIPTION.format(3), 150, measure=measure)
def _train_x3(ctx: TrainContext) -> ManifestEntry:
    return _train_checkpoint(3, ctx)


@register_checkpoint("espcn-x4", 5, DESCRIPTION.format(4), 150, measure=measure)
def _train_x4(ctx: TrainContext) -> ManifestEntry:
    return _train_checkpoint(4, ctx)
