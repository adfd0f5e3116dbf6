"""Autoencoders and variational autoencoders on 28x28 images: configs, models and the negative ELBO.

Four kinds share one convolutional encoder:

* ``ae``: a deterministic conv autoencoder; the code is the encoder's output, trained on reconstruction only.
* ``vae``: the variational autoencoder of Kingma & Welling (2014): the encoder gives the mean and
  log-variance of a diagonal Gaussian q(z|x), a sample is drawn by reparameterisation z = mu + sigma * eps,
  and the loss is the negative evidence lower bound, -ELBO = E_q[-log p(x|z)] + KL(q(z|x) || N(0, I)).
* ``beta-vae``: the same with the KL term weighted by beta (Higgins et al. 2017); beta > 1 trades
  reconstruction for a code closer to the prior, often with fewer active, more disentangled dimensions.
* ``sbd-vae``: a VAE whose decoder is a spatial broadcast decoder (Watters et al. 2019): z is tiled over
  the image grid with two coordinate channels and decoded by stride-1 convolutions.

The decoder outputs logits of Bernoulli pixels; grey levels in [0, 1] are used as the Bernoulli targets,
the usual convention for MNIST. Losses are in nats per image (summed over the 784 pixels).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.registry import register_builder
from core.training import BatchLoss

KINDS: tuple[str, ...] = ("ae", "vae", "beta-vae", "sbd-vae")
"""The model kinds, in the order of the lecture."""
KIND_LABELS: dict[str, str] = {
    "ae": "Conv autoencoder",
    "vae": "VAE",
    "beta-vae": "beta-VAE",
    "sbd-vae": "VAE, spatial broadcast decoder",
}
DATASETS: tuple[str, ...] = ("mnist", "fashion-mnist")
LATENT_DIMS: tuple[int, ...] = (2, 4, 8, 16, 32)
BETAS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0)
"""beta of a beta-VAE (a ``vae`` and an ``sbd-vae`` use 1, an ``ae`` has no KL term)."""
DEFAULT_BETA_VAE = 4.0
LRS: tuple[float, ...] = (1e-4, 3e-4, 1e-3, 2e-3, 3e-3, 1e-2)
EPOCH_RANGE = (1, 40)
TRAIN_SIZES: tuple[int, ...] = (1_000, 2_000, 4_000, 10_000, 20_000, 60_000)
SEED_RANGE = (0, 9999)
PAGE_TIME_BUDGET_S = 240.0
"""A run started from a page stops after this many seconds (the cores are shared with other users)."""
PAGE_MAX_IMAGES = 400_000
"""A page run sees at most this many images in all (epochs x training images): about 3 minutes here."""


@dataclass(frozen=True)
class AEConfig:
    """One autoencoder and how to train it (also the manifest's ``config``)."""

    kind: str = "vae"
    """One of :data:`KINDS`."""
    dataset: str = "mnist"
    """'mnist' or 'fashion-mnist' (images (N, 1, 28, 28) in [0, 1])."""
    latent_dim: int = 2
    """Size of the code z."""
    beta: float = 1.0
    """Weight of the KL term (1 for a VAE; 0 for an autoencoder, which has none)."""
    channels: int = 16
    """Channels of the first conv layer (the second has twice as many)."""
    hidden: int = 64
    """Width of the dense layer between the conv features and the code."""
    epochs: int = 20
    """Passes over the training images."""
    batch_size: int = 128
    """Images per step."""
    lr: float = 2e-3
    """Adam's learning rate."""
    train_size: int = 60_000
    """At most this many training images (fewer if the split is smaller)."""
    val_size: int = 500
    """Images held out of the training split to watch overfitting (never trained on)."""
    seed: int = 0
    """Seeds the initialisation, the shuffling and the reparameterisation noise."""
    time_budget_s: float | None = None
    """Stop after this many seconds (``None``: no limit)."""
    weights: str = "float32"
    """How a shipped file stores the weights: 'float32', or 'float16' (half the size; loading copies them
    into float32 parameters, and the shipped metrics are measured from the rounded weights)."""

    @property
    def variational(self) -> bool:
        return self.kind != "ae"


def make_config(kind: str, dataset: str, latent_dim: int, beta: float | None = None, **kw: Any) -> AEConfig:
    """A checked config; ``beta`` defaults to what the kind implies (ae 0, vae 1, beta-vae 4)."""
    if kind not in KINDS:
        raise ValueError(f"unknown model {kind!r}; choose one of {', '.join(KINDS)}")
    if dataset not in DATASETS:
        raise ValueError(f"unknown data set {dataset!r}; choose one of {', '.join(DATASETS)}")
    if latent_dim not in LATENT_DIMS:
        dims = ", ".join(map(str, LATENT_DIMS))
        raise ValueError(f"latent dimension must be one of {dims}, not {latent_dim!r}")
    if kind == "ae":
        beta = 0.0
    elif kind in ("vae", "sbd-vae"):
        beta = 1.0
    elif beta is None:
        beta = DEFAULT_BETA_VAE
    elif beta not in BETAS:
        raise ValueError(f"beta must be one of {', '.join(f'{b:g}' for b in BETAS)}, not {beta!r}")
    if kw.get("weights", "float32") not in ("float32", "float16"):
        raise ValueError("weights are stored as 'float32' or 'float16'")
    return AEConfig(kind=kind, dataset=dataset, latent_dim=int(latent_dim), beta=float(beta), **kw)


def validate_training(config: AEConfig, max_images: int | None = PAGE_MAX_IMAGES) -> None:
    """Refuse settings a page may not run (a ValueError saying which)."""
    lo, hi = EPOCH_RANGE
    if not lo <= config.epochs <= hi:
        raise ValueError(f"epochs must be between {lo} and {hi}, not {config.epochs}")
    if config.lr not in LRS:
        raise ValueError(f"learning rate must be one of {', '.join(f'{x:g}' for x in LRS)}")
    if config.train_size not in TRAIN_SIZES:
        raise ValueError(f"training images must be one of {', '.join(f'{x:,}' for x in TRAIN_SIZES)}")
    if not SEED_RANGE[0] <= config.seed <= SEED_RANGE[1]:
        raise ValueError(f"the seed must be between {SEED_RANGE[0]} and {SEED_RANGE[1]}")
    if max_images is not None and config.epochs * config.train_size > max_images:
        raise ValueError(
            f"{config.epochs} epochs x {config.train_size:,} images is more than the {max_images:,} images a "
            "page run may see; use fewer epochs or images"
        )


class Encoder(nn.Module):
    """28x28 -> conv 4x4/2 -> 14x14 -> conv 4x4/2 -> 7x7 -> dense -> ``out`` numbers."""

    def __init__(self, channels: int, hidden: int, out: int) -> None:
        super().__init__()
        c = channels
        self.conv = nn.Sequential(
            nn.Conv2d(1, c, 4, 2, 1), nn.ReLU(), nn.Conv2d(c, 2 * c, 4, 2, 1), nn.ReLU(), nn.Flatten()
        )
        self.dense = nn.Sequential(nn.Linear(2 * c * 49, hidden), nn.ReLU(), nn.Linear(hidden, out))

    def forward(self, x: Tensor) -> Tensor:
        return self.dense(self.conv(x))


class ConvDecoder(nn.Module):
    """The encoder mirrored: dense -> 7x7 -> transposed conv 4x4/2 -> 14x14 -> 28x28 logits."""

    def __init__(self, channels: int, hidden: int, latent_dim: int) -> None:
        super().__init__()
        c = channels
        self.c = c
        self.dense = nn.Sequential(
            nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, 2 * c * 49), nn.ReLU()
        )
        self.deconv = nn.Sequential(
            nn.ConvTranspose2d(2 * c, c, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(c, 1, 4, 2, 1)
        )

    def forward(self, z: Tensor) -> Tensor:
        return self.deconv(self.dense(z).view(-1, 2 * self.c, 7, 7))


class BroadcastDecoder(nn.Module):
    """Spatial broadcast decoder (Watters et al. 2019): tile z over a grid, add x/y coordinate channels,
    decode with stride-1 convolutions. Without padding, a 34x34 grid and three 3x3 convs give 28x28."""

    def __init__(self, channels: int, latent_dim: int, size: int = 28, layers: int = 3) -> None:
        super().__init__()
        self.grid = size + 2 * layers
        lin = torch.linspace(-1, 1, self.grid)
        yy, xx = torch.meshgrid(lin, lin, indexing="ij")
        self.register_buffer("coords", torch.stack([xx, yy])[None], persistent=False)
        convs: list[nn.Module] = []
        c_in = latent_dim + 2
        for _ in range(layers):
            convs += [nn.Conv2d(c_in, channels, 3), nn.ReLU()]
            c_in = channels
        self.convs = nn.Sequential(*convs, nn.Conv2d(channels, 1, 1))

    def tiled(self, z: Tensor) -> Tensor:
        """The decoder as the paper writes it: convolve z tiled over the grid beside the coordinates."""
        b, g = z.shape[0], self.grid
        tiled = z[:, :, None, None].expand(b, z.shape[1], g, g)
        return self.convs(torch.cat([tiled, self.coords.expand(b, 2, g, g)], dim=1))

    def forward(self, z: Tensor) -> Tensor:
        # The same function, computed faster: z is constant over the grid, so the first (unpadded) conv of
        # the tiled z is, at every position, the kernel summed over its 3x3 taps times z; only the two
        # coordinate channels vary. This skips most of the work of the first layer (32 of 34 input
        # channels for a 32-D code) in training and in the page's traversals alike.
        first, d = self.convs[0], z.shape[1]
        assert isinstance(first, nn.Conv2d)
        from_z = z @ first.weight[:, :d].sum((2, 3)).T  # (B, channels)
        from_xy = F.conv2d(self.coords, first.weight[:, d:], first.bias)  # (1, channels, g - 2, g - 2)
        return self.convs[1:](from_xy + from_z[:, :, None, None])


class AutoEncoder(nn.Module):
    """An autoencoder or VAE with the gallery's contract: ``encode(x) -> (mu, logvar)`` (logvar ``None``
    for a plain autoencoder) and ``decode(z) -> logits`` of Bernoulli pixels, x of shape (B, 1, 28, 28)."""

    def __init__(self, config: AEConfig) -> None:
        super().__init__()
        self.config = config
        d = config.latent_dim
        self.encoder = Encoder(config.channels, config.hidden, 2 * d if config.variational else d)
        if config.kind == "sbd-vae":
            self.decoder: nn.Module = BroadcastDecoder(config.channels, d)
        else:
            self.decoder = ConvDecoder(config.channels, config.hidden, d)

    @property
    def latent_dim(self) -> int:
        return self.config.latent_dim

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor | None]:
        h = self.encoder(x)
        if not self.config.variational:
            return h, None
        mu, logvar = h.chunk(2, dim=1)
        return mu, logvar

    def decode(self, z: Tensor) -> Tensor:
        return self.decoder(z)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor | None]:
        """(logits, mu, logvar) with z = mu + sigma * eps drawn from torch's seeded global generator: the
        one-sample estimate of the ELBO, in training and evaluation alike (the ELBO is an expectation)."""
        mu, logvar = self.encode(x)
        z = mu if logvar is None else mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.decode(z), mu, logvar


def _build(kinds: tuple[str, ...], config: dict[str, Any]) -> AutoEncoder:
    known = {f.name for f in fields(AEConfig)}
    unknown = set(config) - known
    if unknown:
        raise ValueError(f"unknown autoencoder settings {sorted(unknown)}")
    cfg = AEConfig(**config)
    if cfg.kind not in kinds:
        raise ValueError(f"this builder makes {', '.join(kinds)}, not {cfg.kind!r}")
    return AutoEncoder(cfg)


@register_builder("autoencoder", task="autoencoder")
def build_autoencoder(**config: Any) -> AutoEncoder:
    """Rebuild a plain conv autoencoder from its manifest ``config``."""
    return _build(("ae",), config)


@register_builder("vae", task="vae")
def build_vae(**config: Any) -> AutoEncoder:
    """Rebuild a VAE, beta-VAE or spatial-broadcast VAE from its manifest ``config``."""
    return _build(("vae", "beta-vae", "sbd-vae"), config)


def builder_name(config: AEConfig) -> str:
    """The registered builder (and manifest task) of a config: 'autoencoder' or 'vae'."""
    return "vae" if config.variational else "autoencoder"


def config_dict(config: AEConfig) -> dict[str, Any]:
    return asdict(config)


def describe(config: AEConfig) -> str:
    """One line: kind, code size, beta, architecture."""
    c = config.channels
    dec = "broadcast decoder 3x conv3x3" if config.kind == "sbd-vae" else "mirrored deconvolutions"
    beta = f", beta {config.beta:g}" if config.kind == "beta-vae" else ""
    return (f"{KIND_LABELS[config.kind]}{beta}: conv {c}-{2 * c} (4x4, stride 2) -> {config.hidden} -> "
            f"z in R^{config.latent_dim}; {dec}")


def plan(config: AEConfig) -> str:
    """One line: how a run of this config trains."""
    budget = f"; stops after {config.time_budget_s:g} s" if config.time_budget_s else ""
    return (f"Training: {config.epochs} epochs x up to {config.train_size:,} {config.dataset} images, Adam "
            f"learning rate {config.lr:g}, batch {config.batch_size}, seed {config.seed}{budget}.")


def kl_per_dim(mu: Tensor, logvar: Tensor) -> Tensor:
    """KL(N(mu, s^2) || N(0, 1)) per image and dimension in nats: 0.5 (mu^2 + s^2 - 1 - log s^2)."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar)


def elbo_terms(logits: Tensor, x: Tensor, mu: Tensor, logvar: Tensor | None) -> tuple[Tensor, Tensor]:
    """Per-image reconstruction term -log p(x|z) (Bernoulli, summed over pixels) and KL term, in nats.

    The KL of a plain autoencoder (``logvar`` None) is zero: it has no posterior to compare with a prior."""
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
    kl = torch.zeros_like(recon) if logvar is None else kl_per_dim(mu, logvar).sum(1)
    return recon, kl


def elbo_loss(beta: float) -> BatchLoss:
    """The fit loop's loss for a batch ``(x,)``: minimise mean(recon + beta * KL); the terms are logged
    as ``recon`` and ``kl`` (nats per image, batch means), so the history splits the bound."""

    def fn(model: nn.Module, batch: tuple[Tensor, ...]) -> dict[str, Tensor]:
        x = batch[0]
        logits, mu, logvar = model(x)
        recon, kl = elbo_terms(logits, x, mu, logvar)
        return {"loss": (recon + beta * kl).mean(), "recon": recon.mean(), "kl": kl.mean()}

    return BatchLoss(fn)
