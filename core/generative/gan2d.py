"""A GAN on 2D points that you watch train (in the spirit of GAN Lab): a mixture of Gaussians as the data,
an MLP generator from 2D noise, an MLP discriminator whose decision map is drawn under the samples.

One training step, shared with the DCGAN (:func:`core.generative.gan_step.gan_step`; Goodfellow et al. 2014,
with the non-saturating generator loss): ``d_steps`` updates of the discriminator on a real batch and
fresh fakes, minimising BCE(D(real), 1) + BCE(D(fake), 0), then one update of the generator on a fresh z,
minimising BCE(D(G(z)), 1). Both are plain Adam optimisers stepped by the gallery's fit loop. With
unlucky settings (a generator learning rate much larger than the discriminator's, or a single
discriminator step) the generator piles its samples on a few of the modes: *mode collapse*, counted by
:func:`modes_covered`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import Tensor, nn

from core.generative.gan_step import gan_step
from core.jobs import Job
from core.training import FitConfig, FitResult, LiveRecorder, fit, make_optimizer, seed_everything

TARGETS: dict[str, str] = {"ring": "8 Gaussians on a ring", "grid": "25 Gaussians on a 5x5 grid",
                           "two": "2 Gaussians, unequal weights"}
LRS: tuple[float, ...] = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)
D_STEPS = (1, 5)
"""Discriminator updates per generator update."""
STEPS: tuple[int, ...] = (500, 1_000, 2_000, 3_000, 5_000)
"""Generator updates of one run."""
SEED_RANGE = (0, 9999)
MAP_SIZE = 48
"""The decision map is D evaluated on a MAP_SIZE x MAP_SIZE grid."""
EXTENT = 2.5
"""The plot (and the map) cover [-EXTENT, EXTENT]^2."""
SPREAD = 0.05
"""Standard deviation of every Gaussian of the mixtures."""
TIME_BUDGET_S = 120.0
PASSES = 5
"""Passes over the sampled data set in one run (the x axis of the loss curves)."""
LATENT_DIM = 2
"""Size of the generator's noise z ~ N(0, I): a 2D point, as the data."""


@dataclass(frozen=True)
class GANConfig:
    """One 2D GAN run."""

    target: str = "ring"
    """One of :data:`TARGETS`."""
    lr_g: float = 1e-3
    """Generator's Adam learning rate."""
    lr_d: float = 1e-3
    """Discriminator's Adam learning rate."""
    d_steps: int = 1
    """Discriminator updates per generator update."""
    steps: int = 2_000
    """Generator updates."""
    hidden: int = 128
    """Width of the two hidden layers of both networks."""
    batch_size: int = 256
    """Real and fake points per update."""
    seed: int = 0
    """Seeds the data, the initialisation and the noise."""
    time_budget_s: float | None = TIME_BUDGET_S
    """Stop after this many seconds."""


def describe(config: GANConfig) -> str:
    """One line: networks and training."""
    return (f"G and D: MLPs 2-{config.hidden}-{config.hidden}-out (ReLU); Adam (beta1 0.5), learning rates "
            f"G {config.lr_g:g} / D {config.lr_d:g}; {config.d_steps} D update(s) per G update; "
            f"{config.steps:,} G updates of {config.batch_size} points; seed {config.seed}.")


def validate(config: GANConfig) -> None:
    """A ValueError naming the setting outside the page's ranges."""
    if config.target not in TARGETS:
        raise ValueError(f"unknown target {config.target!r}; choose one of {', '.join(TARGETS)}")
    if config.lr_g not in LRS or config.lr_d not in LRS:
        raise ValueError(f"learning rates must be one of {', '.join(f'{x:g}' for x in LRS)}")
    if not D_STEPS[0] <= config.d_steps <= D_STEPS[1]:
        raise ValueError(f"discriminator steps must be from {D_STEPS[0]} to {D_STEPS[1]}")
    if config.steps not in STEPS:
        raise ValueError(f"steps must be one of {', '.join(map(str, STEPS))}")
    if not SEED_RANGE[0] <= config.seed <= SEED_RANGE[1]:
        raise ValueError(f"the seed must be from {SEED_RANGE[0]} to {SEED_RANGE[1]}")


def centres(target: str) -> tuple[np.ndarray, np.ndarray]:
    """(K, 2) mode centres and (K,) weights of a target mixture."""
    if target == "ring":
        a = np.arange(8) * 2 * math.pi / 8
        c = 2.0 * np.stack([np.cos(a), np.sin(a)], 1)
    elif target == "grid":
        g = np.linspace(-2.0, 2.0, 5)
        c = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
    elif target == "two":
        c = np.array([[-1.2, -0.6], [1.2, 0.6]])
    else:
        raise ValueError(f"unknown target {target!r}")
    w = np.array([0.75, 0.25]) if target == "two" else np.full(len(c), 1.0 / len(c))
    return c.astype(np.float32), w


def sample_target(target: str, n: int, seed: int) -> np.ndarray:
    """(n, 2) points of the mixture, seeded."""
    c, w = centres(target)
    rng = np.random.default_rng(seed)
    k = rng.choice(len(c), size=n, p=w)
    return (c[k] + SPREAD * rng.standard_normal((n, 2))).astype(np.float32)


def _mlp(d_in: int, hidden: int, d_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, d_out))


class GAN2D(nn.Module):
    """Generator G: 2D noise -> 2D point; discriminator D: 2D point -> logit of "real"."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.generator, self.discriminator = _mlp(LATENT_DIM, hidden, 2), _mlp(2, hidden, 1)

    def forward(self, z: Tensor) -> Tensor:
        return self.generator(z)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """What the live view draws: generated points and the discriminator's map."""

    fake: np.ndarray
    """(n, 2) generated points."""
    d_map: np.ndarray
    """(MAP_SIZE, MAP_SIZE) D(x) in [0, 1] over the grid (rows: y, columns: x)."""
    step: int
    """Generator updates so far."""


@torch.no_grad()
def snapshot(model: GAN2D, step: int, n: int = 1000, seed: int = 0) -> Snapshot:
    z = torch.randn(n, LATENT_DIM, generator=torch.Generator().manual_seed(seed))
    axis = torch.linspace(-EXTENT, EXTENT, MAP_SIZE)
    yy, xx = torch.meshgrid(axis, axis, indexing="ij")
    grid = torch.stack([xx.reshape(-1), yy.reshape(-1)], 1)
    d = torch.sigmoid(model.discriminator(grid)).reshape(MAP_SIZE, MAP_SIZE)
    return Snapshot(model.generator(z).numpy(), d.numpy(), step)


def modes_covered(target: str, fake: np.ndarray, min_share: float = 0.25) -> tuple[int, int]:
    """(modes that received at least ``min_share`` of their fair share of the points within 4 standard
    deviations, number of modes): a collapsed generator covers few."""
    c, w = centres(target)
    dist = np.linalg.norm(fake[:, None, :] - c[None], axis=2)
    near = dist.min(1) < 4 * SPREAD
    counts = np.bincount(dist.argmin(1)[near], minlength=len(c))
    return int((counts >= min_share * w * len(fake)).sum()), len(c)


@dataclass(frozen=True)
class GANRun:
    config: GANConfig
    model: GAN2D
    fit: FitResult
    final: Snapshot
    real: np.ndarray
    """(1000, 2) points of the target, for the figure."""
    modes: tuple[int, int]


def train_gan(config: GANConfig, job: Job | None = None) -> GANRun:
    """Train the 2D GAN; ``job`` receives loss rows, a :class:`Snapshot` (artefact ``snapshot``) about
    twice a second, and stop requests."""
    validate(config)
    seed_everything(config.seed)
    # PASSES passes over steps/PASSES batches make exactly ``steps`` generator updates.
    n_real = config.steps // PASSES * config.batch_size
    real = torch.from_numpy(sample_target(config.target, n_real, config.seed))
    model = GAN2D(config.hidden)
    opt_g = make_optimizer("adam", model.generator.parameters(), config.lr_g, beta1=0.5)
    opt_d = make_optimizer("adam", model.discriminator.parameters(), config.lr_d, beta1=0.5)
    real_points = sample_target(config.target, 1000, config.seed + 1)
    if job is not None:
        job.publish("real", real_points)
    recorder = LiveRecorder(job, points_per_epoch=25, snapshot=lambda: snapshot(model, recorder_steps()),
                            snapshot_s=0.5)

    def recorder_steps() -> int:
        return recorder.state.global_step if recorder.state is not None else 0

    fit_cfg = FitConfig(epochs=PASSES, batch_size=config.batch_size, seed=config.seed,
                        time_budget_s=config.time_budget_s, divergence_factor=None)
    result = fit(model, gan_step(LATENT_DIM, config.d_steps), (opt_g, opt_d), (real,), config=fit_cfg,
                 callbacks=[recorder], should_stop=job.should_stop if job is not None else None)
    final = snapshot(model, result.steps)
    history = recorder.history if len(recorder.history["epoch"]) > 1 else result.history
    return GANRun(config, model.eval(), replace(result, history=history), final, real_points,
                  modes_covered(config.target, final.fake))
