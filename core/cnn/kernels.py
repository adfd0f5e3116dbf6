"""The explorer's bank of kernels: classic edge, blur and sharpen filters of any size, random ones, and the
learned first-layer filters of the shipped CNN (lecture 3).

Deep-learning "convolution" is cross-correlation: the kernel is not flipped (Goodfellow, Bengio &
Courville 2016, section 9.1).
"""

from __future__ import annotations

import functools
import math

import numpy as np
from torch import nn

LEARNED = "learned (shipped CNN)"
KERNELS: tuple[str, ...] = (
    "edge (Sobel x)",
    "edge (Sobel y)",
    "edge (Laplacian)",
    "blur (box)",
    "blur (Gaussian)",
    "sharpen",
    "identity",
    "random",
    LEARNED,
)
"""Kernel names the explorer offers."""
LEARNED_CHECKPOINT = "cnn-fashion-mnist"
"""Shipped checkpoint whose first convolution provides the learned filters."""


class FiltersUnavailable(RuntimeError):
    """The shipped CNN checkpoint (for learned filters) cannot be loaded; the message says why."""


def _grid(size: int) -> np.ndarray:
    return np.arange(size, dtype=np.float64) - (size - 1) / 2.0


def _gaussian(size: int) -> np.ndarray:
    sigma = 0.3 * ((size - 1) * 0.5 - 1) + 0.8  # OpenCV's default sigma for a k-tap Gaussian
    g = np.exp(-(_grid(size) ** 2) / (2 * sigma**2))
    return np.outer(g, g) / np.outer(g, g).sum()


@functools.lru_cache(maxsize=256)
def _kernel(name: str, size: int, seed: int) -> np.ndarray:
    if size < 1:
        raise ValueError(f"kernel size must be ≥ 1, got {size}")
    delta = np.zeros((size, size))
    delta[(size - 1) // 2, (size - 1) // 2] = 1.0
    least = {"edge (Sobel x)": 2, "edge (Sobel y)": 2, "edge (Laplacian)": 3}.get(name, 1)
    if size < least:  # a derivative needs two taps, a second derivative three
        raise ValueError(f"{name} needs a kernel of at least {least}×{least}; k is {size}")
    if name in ("edge (Sobel x)", "edge (Sobel y)"):
        if size == 3:
            k = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)  # Sobel & Feldman 1968
        else:  # derivative of a Gaussian: the Sobel kernel's smooth generalisation to any size
            g = _gaussian(size)
            k = g * _grid(size)[None, :]
            k *= 4.0 / k[k > 0].sum()  # the positive taps sum to 4, like Sobel's
        return (k if name.endswith("x)") else k.T).astype(np.float32)
    if name == "edge (Laplacian)":
        if size == 3:
            return np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float32)
        xx, yy = np.meshgrid(_grid(size), _grid(size))
        sigma = max(size / 6.0, 0.5)
        r2 = (xx**2 + yy**2) / (2 * sigma**2)
        k = (r2 - 1) * np.exp(-r2)  # Laplacian of a Gaussian (Marr & Hildreth 1980), sign as the 3×3
        k -= k.mean()  # zero sum: a flat region gives exactly 0
        return (k * 4.0 / k[k > 0].sum()).astype(np.float32)
    if name == "blur (box)":
        return np.full((size, size), 1.0 / size**2, dtype=np.float32)
    if name == "blur (Gaussian)":
        return _gaussian(size).astype(np.float32)
    if name == "sharpen":  # unsharp masking: the image plus (image − blurred image)
        return (2 * delta - (_gaussian(size) if size > 1 else delta)).astype(np.float32)
    if name == "identity":
        return delta.astype(np.float32)
    if name == "random":  # He et al. 2015 scaling: variance 2 / fan-in
        rng = np.random.default_rng(seed)
        return (rng.standard_normal((size, size)) * math.sqrt(2.0 / size**2)).astype(np.float32)
    raise ValueError(f"unknown kernel {name!r}; choose one of {', '.join(KERNELS)}")


def make_kernel(name: str, size: int = 3, seed: int = 0, index: int = 0) -> np.ndarray:
    """A (size × size) float32 kernel by name; ``learned`` ignores ``size`` (the CNN fixed it) and takes
    filter number ``index`` of the shipped CNN's first convolution. The result is read-only."""
    if name == LEARNED:
        bank = learned_filters()
        return bank[index % len(bank)]
    k = _kernel(name, int(size), int(seed))
    k.flags.writeable = False
    return k


@functools.lru_cache(maxsize=4)
def learned_filters(checkpoint: str = LEARNED_CHECKPOINT) -> np.ndarray:
    """The first ``nn.Conv2d`` of a shipped CNN as (filters, kh, kw), summed over its input channels
    (what the filter computes on a grey image copied into every channel)."""
    from core import checkpoints

    try:
        model = checkpoints.load_model(checkpoint)
    except (checkpoints.CheckpointError, ImportError, AttributeError, KeyError, TypeError) as exc:
        raise FiltersUnavailable(
            f"The learned filters come from the shipped CNN '{checkpoint}', which is not available yet: "
            f"{exc}. Meanwhile, pick another kernel."
        ) from exc
    conv = next((m for m in model.modules() if isinstance(m, nn.Conv2d)), None)
    if conv is None:
        raise FiltersUnavailable(f"the checkpoint '{checkpoint}' has no Conv2d layer")
    bank = conv.weight.detach().float().sum(dim=1).numpy().copy()
    bank.flags.writeable = False
    return bank

