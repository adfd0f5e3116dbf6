"""A small DCGAN (Radford et al. 2016) for 28x28 grey images, seeded sampling, latent interpolation, and a
sample-quality readout measured with the shipped classifier of the same data set.

The DCGAN recipe: no pooling and no fully connected hidden layers in the convolutional part; the
generator upsamples with strided transposed convolutions, batch norm and ReLU, and ends in tanh (images in
[-1, 1]); the discriminator downsamples with strided convolutions, batch norm (not on its first layer)
and LeakyReLU(0.2). Trained with Adam at 2e-4, beta1 0.5, as the paper recommends.

Each sample has its own seed: sample ``s`` is decoded from ``z = randn(latent_dim)`` drawn from a
generator seeded with ``s``, so the image of a seed is the same in any grid, batch or page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.generative import gan_step as gs
from core.registry import register_builder
from core.training import TrainStep

SEED_RANGE = (0, 9999)
GRID_RANGE = (4, 32)
"""How many consecutive seeds one grid shows."""
INTERP_STEPS = (3, 16)
"""Images along one interpolation, both ends included."""
CONFIDENT = 0.9
"""A sample counts as confident when the classifier gives its top class more than this probability."""


@dataclass(frozen=True)
class DCGANConfig:
    """Architecture and training of one DCGAN."""

    dataset: str = "fashion-mnist"
    """Training data (and the shipped classifier that judges the samples)."""
    latent_dim: int = 64
    """Size of the noise vector z ~ N(0, I)."""
    width: int = 64
    """Channels of the generator's last hidden layer and the discriminator's first (doubled once)."""
    epochs: int = 4
    """Passes over the training images."""
    batch_size: int = 128
    lr: float = 2e-4
    """Adam learning rate of both networks (Radford et al.)."""
    beta1: float = 0.5
    """Adam beta1: the paper found the default 0.9 oscillates."""
    seed: int = 0
    """Seeds the initialisation, the batches and the noise."""
    time_budget_s: float | None = 900.0
    """Safety limit on training time."""


class Generator(nn.Module):
    """z -> project to 2w x 7 x 7 -> ConvT to w x 14 x 14 -> ConvT to 1 x 28 x 28, tanh."""

    def __init__(self, latent_dim: int, width: int) -> None:
        super().__init__()
        self.project = nn.Sequential(nn.Linear(latent_dim, 2 * width * 49, bias=False),
                                     nn.BatchNorm1d(2 * width * 49), nn.ReLU())
        self.up = nn.Sequential(
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.ConvTranspose2d(width, 1, 4, 2, 1), nn.Tanh(),
        )  # fmt: skip
        self.width = width

    def forward(self, z: Tensor) -> Tensor:
        return self.up(self.project(z).view(len(z), 2 * self.width, 7, 7))


class Discriminator(nn.Module):
    """1 x 28 x 28 -> w x 14 x 14 -> 2w x 7 x 7 -> one logit of "real"."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 4, 2, 1), nn.LeakyReLU(0.2),  # no batch norm on the input layer (paper)
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * width), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(2 * width * 49, 1),
        )  # fmt: skip

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


def _init(m: nn.Module) -> None:
    # Radford et al.: all weights from N(0, 0.02); batch-norm scales from N(1, 0.02).
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


class DCGAN(nn.Module):
    """The 'gan' contract: ``forward(z) -> images`` (B, 1, 28, 28) in [-1, 1] for z (B, latent_dim)."""

    def __init__(self, config: DCGANConfig) -> None:
        super().__init__()
        self.config = config
        self.generator = Generator(config.latent_dim, config.width)
        self.discriminator = Discriminator(config.width)
        self.apply(_init)

    def forward(self, z: Tensor) -> Tensor:
        return self.generator(z)


@register_builder("dcgan", task="gan")
def build_dcgan(**config: Any) -> DCGAN:
    """Rebuild a DCGAN from its manifest ``config``."""
    return DCGAN(DCGANConfig(**config))


def describe(config: DCGANConfig) -> str:
    """One line: the layers and the optimiser."""
    w, d = config.width, config.latent_dim
    return (f"DCGAN. G: z({d}) -> linear {2 * w}x7x7 -> ConvT 4x4/2 {w}x14x14 -> ConvT 4x4/2 1x28x28, batch "
            f"norm + ReLU, tanh. D: conv 4x4/2 {w} -> conv 4x4/2 {2 * w} + batch norm, LeakyReLU 0.2 -> "
            f"linear 1. Adam {config.lr:g}, beta1 {config.beta1}.")


def gan_step(latent_dim: int) -> TrainStep:
    """The DCGAN's step (:func:`core.generative.gan_step.gan_step`): one update of D on a real batch
    rescaled to the tanh range and fresh fakes, then one of G on the same fakes through the updated D."""
    return gs.gan_step(latent_dim, reuse_fakes=True, rescale_real=True)


def latents(seeds: range | list[int], latent_dim: int) -> Tensor:
    """(len(seeds), latent_dim): one z per seed, each from its own seeded generator."""
    return torch.stack([torch.randn(latent_dim, generator=torch.Generator().manual_seed(int(s)))
                        for s in seeds])


@torch.no_grad()
def generate(model: nn.Module, z: Tensor, batch_size: int = 250) -> np.ndarray:
    """(B, 28, 28) images in [0, 1] (the generator's [-1, 1] rescaled for display and the classifier)."""
    model.eval()
    out = [model(z[i : i + batch_size]) for i in range(0, len(z), batch_size)]
    return ((torch.cat(out)[:, 0] + 1) / 2).clamp(0, 1).numpy()


def sample(model: nn.Module, first_seed: int, n: int) -> np.ndarray:
    """Images of seeds ``first_seed .. first_seed + n - 1``, (n, 28, 28) in [0, 1]."""
    return generate(model, latents(range(first_seed, first_seed + n), model.config.latent_dim))


def interpolate(model: nn.Module, seed_a: int, seed_b: int, steps: int) -> np.ndarray:
    """(steps, 28, 28): images along the straight line from seed_a's z to seed_b's, ends included."""
    za, zb = latents([seed_a, seed_b], model.config.latent_dim)
    t = torch.linspace(0, 1, steps)[:, None]
    return generate(model, (1 - t) * za + t * zb)


@dataclass(frozen=True)
class Quality:
    """What the classifier makes of a set of images."""

    labels: np.ndarray
    """(N,) the classifier's top class per image."""
    confidence: np.ndarray
    """(N,) its probability for that class."""
    counts: np.ndarray
    """(n_classes,) how many confident images fall in each class."""

    @property
    def confident_share(self) -> float:
        return float((self.confidence > CONFIDENT).mean()) if len(self.confidence) else 0.0

    @property
    def classes_covered(self) -> int:
        """Classes with at least one confident image."""
        return int((self.counts > 0).sum())


@torch.no_grad()
def judge(classifier: nn.Module, images: np.ndarray, batch_size: int = 250) -> Quality:
    """Classify (N, 28, 28) images in [0, 1] with a shipped classifier."""
    x = torch.tensor(np.asarray(images), dtype=torch.float32)[:, None]
    probs = torch.cat([F.softmax(classifier(x[i : i + batch_size]), 1) for i in range(0, len(x), batch_size)])
    conf, labels = probs.max(1)
    confident = labels[conf > CONFIDENT].numpy()
    return Quality(labels.numpy(), conf.numpy(), np.bincount(confident, minlength=probs.shape[1]))


def judged_samples(model: nn.Module, classifier: nn.Module, first_seed: int, n: int
                   ) -> tuple[np.ndarray, Quality]:
    """The images of seeds ``first_seed .. first_seed + n - 1`` and the classifier's verdict on them: what
    the page and the Gradio tab show (each caches it by its arguments)."""
    images = sample(model, first_seed, n)
    return images, judge(classifier, images)


def judged_interpolation(model: nn.Module, classifier: nn.Module, seed_a: int, seed_b: int, steps: int
                         ) -> tuple[np.ndarray, Quality]:
    """:func:`interpolate`'s images and the classifier's verdict on them."""
    images = interpolate(model, seed_a, seed_b, steps)
    return images, judge(classifier, images)


def quality_metrics(prefix: str, q: Quality) -> dict[str, float]:
    """Manifest metrics of one :class:`Quality`: share, classes covered, and the confident histogram."""
    return {f"{prefix}_confident_share": round(q.confident_share, 4),
            f"{prefix}_classes_covered": q.classes_covered, f"{prefix}_n": len(q.labels),
            **{f"{prefix}_confident_class_{k}": int(c) for k, c in enumerate(q.counts)}}


def classifier_name(dataset: str) -> str:
    """The shipped classifier that judges samples of ``dataset``."""
    return f"cnn-{dataset}"
