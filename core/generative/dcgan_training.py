"""Training the DCGAN with the gallery's fit loop, and the shipped ``dcgan-fashion-mnist`` with its
sample-quality metrics.

A GAN has no held-out likelihood; what is measured instead is what the data set's shipped classifier makes
of the samples: the share it classifies with confidence above :data:`core.generative.dcgan.CONFIDENT`,
how many of the classes those confident samples cover, and how they spread over the classes. The same
numbers on real test images say where the classifier itself stands.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace

import numpy as np
import torch
from torch import nn

from core.checkpoints import ManifestEntry, load_model, save_checkpoint
from core.generative import dcgan as dc
from core.jobs import Job
from core.registry import NotComparable, TrainContext, register_checkpoint
from core.training import Callback, FitConfig, FitResult, fit, make_optimizer, seed_everything

CHECKPOINT = "dcgan-fashion-mnist"
CONFIG = dc.DCGANConfig()
N_MEASURE = 1000
"""Samples (seeds 0 .. N_MEASURE - 1) and real test images the quality metrics are measured on."""


@dataclass(frozen=True)
class DCGANRun:
    """A finished training run."""

    config: dc.DCGANConfig
    model: dc.DCGAN
    fit: FitResult
    n_train: int
    provenance: str
    source: str


def train_dcgan(config: dc.DCGANConfig, job: Job | None = None, callbacks: tuple[Callback, ...] = (),
                train_limit: int | None = None) -> DCGANRun:
    """Train ``config`` on the training split of its data set (the first ``train_limit`` images if given)."""
    from core import data

    train = data.load(config.dataset, "train")
    X = torch.tensor(train.X[:train_limit], dtype=torch.float32)  # a writable copy of the read-only array
    seed_everything(config.seed)
    model = dc.DCGAN(config)
    opt_g = make_optimizer("adam", model.generator.parameters(), config.lr, beta1=config.beta1)
    opt_d = make_optimizer("adam", model.discriminator.parameters(), config.lr, beta1=config.beta1)
    # The GAN losses do not shrink as the samples improve (each network's loss is the other's gain), so
    # the fit loop's divergence test by loss growth is off; NaN still stops the run.
    fit_cfg = FitConfig(epochs=config.epochs, batch_size=config.batch_size, seed=config.seed,
                        time_budget_s=config.time_budget_s, divergence_factor=None)
    result = fit(model, dc.gan_step(config.latent_dim), (opt_g, opt_d), (X,), config=fit_cfg,
                 callbacks=list(callbacks), should_stop=job.should_stop if job is not None else None)
    return DCGANRun(config, model.eval(), result, len(X), train.provenance, train.source)


def sample_quality(model: nn.Module, classifier: nn.Module, n: int = N_MEASURE) -> dc.Quality:
    """The classifier's verdict on the samples of seeds 0 .. n - 1."""
    return dc.judge(classifier, dc.sample(model, 0, n))


def real_quality(classifier: nn.Module, images: np.ndarray) -> dc.Quality:
    """The classifier's verdict on real images (N, 1, 28, 28) in [0, 1]."""
    return dc.judge(classifier, np.asarray(images)[:, 0])


def _test_images(ent: ManifestEntry) -> np.ndarray:
    from core import data

    test = data.load(ent.dataset["name"], "test")
    if test.source != ent.dataset.get("test_source", test.source):
        raise NotComparable(f"the test split here ({test.provenance}) is not the one it was measured on")
    return test.X[: int(ent.metrics.get("real_n", N_MEASURE))]


def measure(model: nn.Module, ent: ManifestEntry) -> dict[str, float]:
    """Re-measure the shipped DCGAN's sample quality from its file, as the training command did."""
    classifier = load_model(dc.classifier_name(ent.dataset["name"]))
    n = int(ent.metrics.get("sample_n", N_MEASURE))
    return {**dc.quality_metrics("sample", sample_quality(model, classifier, n)),
            **dc.quality_metrics("real", real_quality(classifier, _test_images(ent)))}


@register_checkpoint(CHECKPOINT, 5, "DCGAN on Fashion-MNIST (60,000 images)", 240, measure=measure)
def _train_checkpoint(ctx: TrainContext) -> ManifestEntry:
    from core import data

    config = replace(CONFIG, epochs=1, width=8) if ctx.quick else CONFIG
    t0 = time.perf_counter()
    run = train_dcgan(config, callbacks=tuple(ctx.callbacks), train_limit=512 if ctx.quick else None)
    if run.fit.diverged:
        raise RuntimeError(f"{CHECKPOINT} diverged: {run.fit.message}")
    seconds = time.perf_counter() - t0
    test = data.load(config.dataset, "test")
    n = 100 if ctx.quick else N_MEASURE
    classifier = load_model(dc.classifier_name(config.dataset))
    metrics = {**dc.quality_metrics("sample", sample_quality(run.model, classifier, n)),
               **dc.quality_metrics("real", real_quality(classifier, test.X[:n])),
               "last_epoch_d_loss": round(run.fit.final("train_d_loss"), 4),
               "last_epoch_g_loss": round(run.fit.final("train_g_loss"), 4), "epochs_run": run.fit.epochs_run}
    return save_checkpoint(
        CHECKPOINT, run.model, lecture=5, architecture=dc.describe(config), builder="dcgan",
        config=asdict(config),
        dataset={"name": config.dataset, "provenance": run.provenance, "source": run.source,
                 "n_train": run.n_train, "test_provenance": test.provenance, "test_source": test.source,
                 "judged_by": dc.classifier_name(config.dataset)},
        metrics={**metrics, **({"quick": 1} if ctx.quick else {})},
        train_seconds=seconds, directory=ctx.directory,
    )  # fmt: skip
