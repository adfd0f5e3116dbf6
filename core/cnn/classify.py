"""Classify a user's drawing or photo with a CNN: preprocessed the way MNIST / Fashion-MNIST images were made.

Images arrive decoded by :mod:`core.data.images` (the one decoder: size limits, odd modes, bombs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from core.cnn.config import CNNConfig
from core.cnn.convnet import ConvNet, as_tensor


@dataclass(frozen=True)
class Classification:
    """The model's answer for one user image."""

    probs: np.ndarray
    """Softmax over the classes."""
    classes: tuple[str, ...]
    """Class names."""
    image: np.ndarray = field(repr=False)
    """The preprocessed input the model saw, (H, W) in [0, 1], white on black."""

    def top(self, k: int = 5) -> list[tuple[str, float]]:
        order = np.argsort(-self.probs, kind="stable")[:k]
        return [(self.classes[i], float(self.probs[i])) for i in order]


def _to_gray(image: np.ndarray) -> np.ndarray:
    """An array from PIL / Gradio / Streamlit as float gray in [0, 1]; transparency composited on white."""
    a = np.asarray(image)
    if a.size == 0:
        raise ValueError("the image is empty")
    if a.dtype == bool:
        a = a.astype(np.float32)
    if not np.issubdtype(a.dtype, np.number):
        raise ValueError(f"the image has an unsupported data type ({a.dtype})")
    a = a.astype(np.float32)
    if not np.isfinite(a).all():
        raise ValueError("the image contains NaN or infinite values")
    if a.ndim == 3 and a.shape[0] in (1, 3, 4) and a.shape[-1] not in (1, 3, 4):
        a = np.moveaxis(a, 0, -1)  # channels-first
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    scale = 255.0 if a.max() > 1.0 else 1.0
    a = a / scale
    if a.ndim == 2:
        return np.clip(a, 0, 1)
    if a.ndim != 3 or a.shape[-1] not in (3, 4):
        raise ValueError(
            f"expected a gray, RGB or RGBA image, got an array of shape {np.asarray(image).shape}"
        )
    rgb = a[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R 601 luma, as PIL's convert('L')
    if a.shape[-1] == 4:
        alpha = np.clip(a[..., 3], 0, 1)
        if alpha.max() - alpha.min() > 0.05:  # a sketch on a transparent canvas
            composed = alpha * rgb + (1 - alpha)  # over white
            # White strokes on a transparent canvas vanish over white: then the alpha itself is the ink.
            return np.clip(composed if composed.max() - composed.min() > 0.05 else 1 - alpha, 0, 1)
    return np.clip(rgb, 0, 1)




def preprocess_image(image: np.ndarray, size: int = 28, style: str = "mnist") -> np.ndarray:
    """A drawing or photo as the data set's images look: white object on black, cropped, fitted, centred.

    MNIST (LeCun et al. 1998): the digit is size-normalised into a 20x20 box (aspect ratio kept) and
    centred by its centre of mass in 28x28. Fashion-MNIST (Xiao et al. 2017): the trimmed product is
    resized so that its longer side fills the 28x28 frame, centred. A light background (judged from the
    border pixels) is inverted first. Raises ValueError for empty, blank, tiny or strip-like images."""

    g = _to_gray(image)
    h, w = g.shape
    if min(h, w) < 8:
        raise ValueError(f"the image is too small ({w}x{h} pixels); draw or upload at least 8x8")
    if max(h, w) > 20 * min(h, w):
        raise ValueError(f"the image is a thin strip ({w}x{h}); upload a roughly square picture")
    border = np.concatenate([g[0], g[-1], g[:, 0], g[:, -1]])
    if np.median(border) > 0.5:  # dark ink on paper: invert to the data sets' white-on-black
        g = 1.0 - g
    g = np.clip(g - np.median(np.concatenate([g[0], g[-1], g[:, 0], g[:, -1]])), 0, None)
    if g.max() < 0.1:
        raise ValueError("the image is blank: no strokes or object found (draw something darker or larger)")
    g = g / g.max()
    ys, xs = np.nonzero(g > 0.1)
    crop = g[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    box = round(size * 20 / 28) if style == "mnist" else size
    ch, cw = crop.shape
    scale = box / max(ch, cw)
    nh, nw = max(1, round(ch * scale)), max(1, round(cw * scale))
    small = (
        np.asarray(
            Image.fromarray((crop * 255).astype(np.uint8)).resize((nw, nh), Image.Resampling.LANCZOS),
            np.float32,
        )
        / 255.0
    )
    out = np.zeros((size, size), np.float32)
    if style == "mnist":
        # Centre of mass at the image centre, as MNIST was made; clipped so the digit stays inside.
        total = small.sum() or 1.0
        cy = (small.sum(1) * np.arange(nh)).sum() / total
        cx = (small.sum(0) * np.arange(nw)).sum() / total
        top = int(np.clip(round(size / 2 - cy - 0.5), 0, size - nh))
        left = int(np.clip(round(size / 2 - cx - 0.5), 0, size - nw))
    else:
        top, left = (size - nh) // 2, (size - nw) // 2
    out[top : top + nh, left : left + nw] = small
    return np.clip(out, 0, 1)


@torch.no_grad()
def classify_image(model: ConvNet, image: np.ndarray, classes: Sequence[str] | None = None) -> Classification:
    """Preprocess a user's drawing/upload like the training images and classify it."""
    from core import data

    cfg: CNNConfig = getattr(model, "config", CNNConfig())
    style = "fashion" if cfg.dataset == "fashion-mnist" else "mnist"
    x = preprocess_image(image, cfg.image_size, style)
    probs = F.softmax(model.eval()(as_tensor(x)[None, None]), dim=1)[0].numpy()
    names = (
        tuple(classes)
        if classes is not None
        else (data.FASHION_CLASSES if cfg.dataset == "fashion-mnist" else data.DIGIT_CLASSES)
    )
    return Classification(probs, names, x)
