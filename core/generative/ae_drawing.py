"""Draw a digit (or a garment) and encode it: the drawing is prepared as the data set's images were made,
encoded by an autoencoder, placed in its latent map, decoded again, and read by the shipped classifier of
the same data set.

The preparation is lecture 3's (:func:`core.cnn.classify.preprocess_image`): dark ink on light paper is
inverted to white on black, cropped, fitted into a 20x20 box and centred by its centre of mass in 28x28,
as MNIST was made (a Fashion-MNIST drawing fills the frame instead).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.cnn.classify import preprocess_image
from core.generative.latent import LatentMap

CLASSIFIERS: dict[str, str] = {"mnist": "cnn-mnist", "fashion-mnist": "cnn-fashion-mnist"}
"""The shipped classifier that reads drawings of each data set (lecture 3)."""


@dataclass(frozen=True, eq=False)
class EncodedDrawing:
    """A drawing through an autoencoder, and what a classifier reads in it and in its reconstruction."""

    image: np.ndarray
    """(28, 28) the drawing as the data set's images look, in [0, 1]."""
    code: np.ndarray
    """(latent_dim,) its code: the posterior mean (an autoencoder's code)."""
    point: np.ndarray
    """(2,) where the code falls in the latent map's plane (the code itself in 2D, else its PCA)."""
    reconstruction: np.ndarray
    """(28, 28) the code decoded, pixel probabilities in [0, 1]."""
    probs: np.ndarray | None
    """(classes,) the classifier's probabilities for the drawing (None without a classifier)."""
    recon_probs: np.ndarray | None
    """(classes,) the same for the reconstruction."""


def prepare(image: np.ndarray, dataset: str = "mnist") -> np.ndarray:
    """(28, 28) in [0, 1]: a drawing or photo (H, W[, C]) as the data set's images look; a clear
    ValueError for a blank, tiny or strip-like image."""
    return preprocess_image(np.asarray(image), 28, "fashion" if dataset == "fashion-mnist" else "mnist")


@torch.no_grad()
def encode_drawing(model: nn.Module, lmap: LatentMap, image: np.ndarray,
                   classifier: nn.Module | None = None) -> EncodedDrawing:
    """Prepare ``image`` for the model's data set, encode it, place it in ``lmap`` and decode it."""
    x = torch.from_numpy(prepare(image, model.config.dataset))[None, None]
    mu = model.encode(x)[0]
    recon = torch.sigmoid(model.decode(mu))
    probs = recon_probs = None
    if classifier is not None:
        both = F.softmax(classifier.eval()(torch.cat([x, recon])), dim=1).numpy()
        probs, recon_probs = both[0], both[1]
    code = mu[0].numpy()
    point = lmap.project(code)[0]
    return EncodedDrawing(x[0, 0].numpy(), code, point, recon[0, 0].numpy(), probs, recon_probs)


def stroke_image(points: list[tuple[float, float]], size: int = 280, width: float = 20.0) -> np.ndarray:
    """(size, size) a white sheet with a black polyline through ``points`` (fractions of the side): what
    the drawing canvas produces, for tests, benchmarks and the Gradio examples."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    ink = np.zeros((size, size), bool)
    pts = [(x * size, y * size) for x, y in points]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] or pts, strict=False):
        dx, dy = x1 - x0, y1 - y0
        t = np.clip(((xx - x0) * dx + (yy - y0) * dy) / max(dx * dx + dy * dy, 1e-9), 0, 1)
        ink |= (xx - x0 - t * dx) ** 2 + (yy - y0 - t * dy) ** 2 <= (width / 2) ** 2
    return np.where(ink, 0.0, 1.0).astype(np.float32)
