"""What a trained autoencoder's latent space looks like: reconstructions, prior samples, the codes of the
test images (direct in 2D, PCA above), traversals and interpolations; and the input ranges that the
Streamlit sliders and the Gradio endpoints both enforce.

Every function takes a model with the gallery's contract (``encode(x) -> (mu, logvar)``, ``decode(z) ->
logits``) and returns numpy arrays of pixel probabilities in [0, 1]. A VAE's prior is N(0, I); a plain
autoencoder has no prior, so its "samples" and traversals use a Gaussian with the mean and spread of its
codes on the test images (:class:`LatentMap`), which the pages say.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import Tensor, nn

from core.checks import whole_number

Z_RANGE = (-3.0, 3.0)
"""Latent values the sliders and traversals cover, in standard deviations of the prior (or the codes)."""
TRAVERSAL_STEPS = (3, 15)
"""Columns of the traversal grid (values from -3 to 3)."""
DEFAULT_TRAVERSAL_STEPS = 9
SAMPLE_COUNT = (1, 64)
"""How many prior samples one request may draw."""
DEFAULT_SAMPLES = 32
INTERPOLATION_STEPS = (2, 16)
"""Images along an interpolation, both ends included."""
DEFAULT_INTERPOLATION_STEPS = 10
SEED_RANGE = (0, 9999)
MIXTURE_COMPONENTS = (1, 20)
"""Components of the Gaussian mixture fitted to the codes."""
DEFAULT_COMPONENTS = 10
MAP_IMAGES = 2_000
"""Test images a latent map shows (all 1,000 of offline MNIST; the first 2,000 of Fashion-MNIST's 10,000):
enough to see the classes, few enough to redraw at once."""



def check_z(values: object, latent_dim: int) -> np.ndarray:
    """A latent vector of ``latent_dim`` finite values within :data:`Z_RANGE`, or a clear ValueError."""
    try:
        z = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"the latent point must be {latent_dim} numbers") from None
    if z.size != latent_dim:
        raise ValueError(f"the latent point must have {latent_dim} values, not {z.size}")
    lo, hi = Z_RANGE
    if not np.all(np.isfinite(z)) or np.any(z < lo) or np.any(z > hi):
        raise ValueError(f"every latent value must be a finite number from {lo:g} to {hi:g}")
    return z.astype(np.float32)


@dataclass(frozen=True, eq=False)
class LatentMap:
    """The codes (posterior means) of a set of labelled images and the 2D view the page plots."""

    codes: np.ndarray
    """(N, latent_dim) posterior means (an autoencoder's codes)."""
    labels: np.ndarray
    """(N,) class indices."""
    coords: np.ndarray
    """(N, 2): the codes themselves in 2D, else their projection on the first two principal axes."""
    explained: tuple[float, float] | None
    """Share of the codes' variance along the two axes when projected (None in 2D)."""
    centre: np.ndarray
    """(latent_dim,) where a traversal is centred: 0 for a VAE, the codes' mean for an autoencoder."""
    scale: np.ndarray
    """(latent_dim,) one unit of a slider: 1 for a VAE, the codes' standard deviation for an autoencoder."""
    origin: np.ndarray | None = None
    """(latent_dim,) the codes' mean, which the projection subtracts (None in 2D)."""
    axes: np.ndarray | None = None
    """(2, latent_dim) the first two principal axes of the codes (None in 2D)."""
    method: str = "pca"
    """How ``coords`` were made: 'pca' (the codes themselves in 2D) or 'tsne' (see :func:`tsne_map`)."""

    def project(self, codes: np.ndarray) -> np.ndarray:
        """(N, 2): where codes (N, latent_dim), e.g. of a new image, fall in the map's plane."""
        if self.method != "pca":
            raise ValueError("a t-SNE map has no projection for new codes; use the PCA map")
        c = np.asarray(codes, dtype=np.float32).reshape(-1, self.centre.size)
        if self.axes is None or self.origin is None:
            return c[:, :2].copy()
        return ((c - self.origin) @ self.axes.T).astype(np.float32)

    @property
    def axis_titles(self) -> tuple[str, str]:
        if self.method == "tsne":
            return "t-SNE 1", "t-SNE 2"
        if self.explained is None:
            return "z1", "z2"
        return tuple(f"PC{i + 1} ({share:.0%} of the variance)" for i, share in enumerate(self.explained))


def _variational(model: nn.Module) -> bool:
    return bool(getattr(model.config, "variational", True))


@torch.no_grad()
def encode_means(model: nn.Module, X: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """(N, latent_dim): the posterior means (an autoencoder's codes) of images ``X`` (N, 1, 28, 28)."""
    x = torch.from_numpy(np.array(X, dtype=np.float32).reshape(-1, 1, 28, 28))
    return torch.cat([model.encode(x[i : i + batch_size])[0] for i in range(0, len(x), batch_size)]).numpy()


def place(model: nn.Module, lmap: LatentMap, X: np.ndarray) -> np.ndarray:
    """(N, 2): where images ``X`` fall in the plane of ``lmap`` (e.g. to mark them on its figure)."""
    return lmap.project(encode_means(model, X))


def latent_map(model: nn.Module, X: np.ndarray, labels: np.ndarray, batch_size: int = 1000) -> LatentMap:
    """Encode ``X`` (N, 1, 28, 28) and lay its codes out in 2D (PCA by SVD above two dimensions)."""
    codes = encode_means(model, X, batch_size)
    d = codes.shape[1]
    origin = axes = None
    if d == 2:
        coords, explained = codes.copy(), None
    else:
        origin = codes.mean(0)
        centred = codes - origin
        _, s, vt = np.linalg.svd(centred, full_matrices=False)
        axes = vt[:2].astype(np.float32)
        coords = centred @ axes.T
        var = s**2
        explained = (float(var[0] / var.sum()), float(var[1] / var.sum()))
    if _variational(model):
        centre, scale = np.zeros(d, np.float32), np.ones(d, np.float32)
    else:
        centre, scale = codes.mean(0).astype(np.float32), (codes.std(0) + 1e-6).astype(np.float32)
    return LatentMap(codes, np.asarray(labels), coords.astype(np.float32), explained, centre, scale,
                     None if origin is None else origin.astype(np.float32), axes)


def tsne_map(lmap: LatentMap, seed: object = 0) -> LatentMap:
    """The same codes laid out by t-SNE (van der Maaten & Hinton 2008; scikit-learn, perplexity 30): it
    keeps neighbourhoods, so classes separate more visibly than on two principal axes, but distances
    between clusters and the axes mean nothing, and a new code cannot be placed on it. Seconds to compute."""
    from sklearn.manifold import TSNE

    s = whole_number(seed, "the seed", *SEED_RANGE)
    perplexity = min(30.0, max(2.0, (len(lmap.codes) - 1) / 3))
    tsne = TSNE(2, perplexity=perplexity, init="pca", random_state=s)
    emb = tsne.fit_transform(lmap.codes.astype(np.float64))
    return replace(lmap, coords=emb.astype(np.float32), explained=None, origin=None, axes=None, method="tsne")


@torch.no_grad()
def _decode(model: nn.Module, z: np.ndarray | Tensor) -> np.ndarray:
    z = torch.as_tensor(np.asarray(z, dtype=np.float32))
    return torch.sigmoid(model.decode(z))[:, 0].numpy()


def decode_point(model: nn.Module, lmap: LatentMap, z: object) -> np.ndarray:
    """(28, 28): the image of one latent point given in slider units (checked against :data:`Z_RANGE`)."""
    u = check_z(z, lmap.centre.size)
    return _decode(model, (lmap.centre + lmap.scale * u)[None])[0]


@torch.no_grad()
def reconstruct(model: nn.Module, X: np.ndarray) -> np.ndarray:
    """(N, 28, 28): each image decoded from its posterior mean (no sampling: the page stays still)."""
    x = torch.from_numpy(np.array(X, dtype=np.float32))
    return _decode(model, model.encode(x)[0])


def sample(model: nn.Module, lmap: LatentMap, n: object, seed: object) -> np.ndarray:
    """(n, 28, 28): decoded draws z ~ N(centre, scale^2), i.e. the prior N(0, I) of a VAE; seeded."""
    count = whole_number(n, "the number of samples", *SAMPLE_COUNT)
    s = whole_number(seed, "the seed", *SEED_RANGE)
    eps = torch.randn(count, lmap.centre.size, generator=torch.Generator().manual_seed(s)).numpy()
    return _decode(model, lmap.centre + lmap.scale * eps)


def traversal_values(steps: object) -> np.ndarray:
    """The ``steps`` values from -3 to 3 that the columns of a traversal grid take."""
    n = whole_number(steps, "the number of traversal steps", *TRAVERSAL_STEPS)
    return np.linspace(*Z_RANGE, n).astype(np.float32)


def traversal(model: nn.Module, lmap: LatentMap, steps: object = DEFAULT_TRAVERSAL_STEPS,
              base: object | None = None) -> np.ndarray:
    """(latent_dim, steps, 28, 28): row i varies dimension i over [-3, 3] (slider units) while the others
    stay at ``base`` (default 0: the prior's mean, or the codes' mean for an autoencoder)."""
    values = traversal_values(steps)
    d = lmap.centre.size
    u0 = np.zeros(d, np.float32) if base is None else check_z(base, d)
    grid = np.repeat(u0[None, None], d, 0).repeat(len(values), 1)  # (d, steps, d)
    for i in range(d):
        grid[i, :, i] = values
    z = lmap.centre + lmap.scale * grid.reshape(-1, d)
    return _decode(model, z).reshape(d, len(values), 28, 28)


def interpolate(model: nn.Module, xa: np.ndarray, xb: np.ndarray, steps: object) -> np.ndarray:
    """(steps, 28, 28): decode the straight line between the codes (posterior means) of two images."""
    n = whole_number(steps, "the number of interpolation steps", *INTERPOLATION_STEPS)
    x = torch.as_tensor(np.stack([xa, xb]).astype(np.float32).reshape(2, 1, 28, 28))
    with torch.no_grad():
        mu = model.encode(x)[0].numpy()
    t = np.linspace(0.0, 1.0, n, dtype=np.float32)[:, None]
    return _decode(model, (1 - t) * mu[0] + t * mu[1])


@dataclass(frozen=True, eq=False)
class Mixture:
    """A Gaussian mixture fitted to the codes of a latent map (full covariances)."""

    weights: np.ndarray
    """(K,) mixing weights, summing to 1."""
    means: np.ndarray
    """(K, latent_dim)."""
    covariances: np.ndarray
    """(K, latent_dim, latent_dim)."""
    mean_log_likelihood: float
    """Average log-density of the codes it was fitted to (nats per code)."""


def fit_mixture(codes: np.ndarray, components: object, seed: object = 0) -> Mixture:
    """A Gaussian mixture fitted by EM (scikit-learn) to ``codes`` (N, latent_dim): a prior shaped like the
    codes the encoder actually produces, which a VAE's N(0, I) only approximates (the "holes" between
    classes decode to smudges; Tomczak & Welling 2018 learn such a mixture prior in training)."""
    from sklearn.mixture import GaussianMixture

    k = whole_number(components, "the number of components", *MIXTURE_COMPONENTS)
    s = whole_number(seed, "the seed", *SEED_RANGE)
    x = np.asarray(codes, dtype=np.float64)
    gm = GaussianMixture(k, covariance_type="full", reg_covar=1e-4, random_state=s).fit(x)
    return Mixture(gm.weights_.copy(), gm.means_.copy(), gm.covariances_.copy(), float(gm.score(x)))


def mixture_codes(mixture: Mixture, n: object, seed: object) -> np.ndarray:
    """(n, latent_dim) seeded draws from the mixture: a component by its weight, then its Gaussian."""
    count = whole_number(n, "the number of samples", *SAMPLE_COUNT)
    rng = np.random.default_rng(whole_number(seed, "the seed", *SEED_RANGE))
    which = rng.choice(len(mixture.weights), size=count, p=mixture.weights / mixture.weights.sum())
    return np.stack([rng.multivariate_normal(mixture.means[i], mixture.covariances[i]) for i in which])


def mixture_sample(model: nn.Module, mixture: Mixture, n: object, seed: object) -> np.ndarray:
    """(n, 28, 28): the decoded draws of :func:`mixture_codes`."""
    return _decode(model, mixture_codes(mixture, n, seed))
