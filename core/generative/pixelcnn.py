"""PixelCNN on binarised 28x28 images (van den Oord et al. 2016, "Pixel Recurrent Neural Networks").

An autoregressive model writes p(x) = prod_i p(x_i | x_1 .. x_{i-1}) over the pixels in raster order
(row by row, left to right) and computes every factor at once with masked convolutions: a kernel's
weights at and after its centre (in raster order) are zeroed, so no output sees its own pixel or a later
one. The first layer uses mask A (the centre excluded: the pixel must not see itself); the layers after
it use mask B (the centre included: there the centre holds features of earlier pixels only). With a
single channel, the 1x1 output layers need no mask.

The original design stacks such kernels, and this has a blind spot (van den Oord et al. 2016b, Gated
PixelCNN): going up one row a 3x3 mask-B layer reaches one column further right, but staying in a row
it only reaches left, so pixels to the upper right of the current one are never seen however deep the
stack. :func:`dependency_map` reads this off the model itself with autograd.

Training and evaluation need the whole image at once; sampling is sequential (784 steps). Each step
feeds the model only the window of rows and columns that can reach the pixel being sampled
(:meth:`PixelCNN.reach`), which gives the same probabilities as the whole image at a fraction of the
cost. Losses are in nats per image (summed over the 784 pixels).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.checks import whole_number
from core.registry import register_builder

SIZE = 28
PIXELS = SIZE * SIZE
LEVELS = 2
"""K: the model's logits per pixel (a categorical over {0, 1})."""
THRESHOLD = 0.5
"""Grey levels above this become 1: a fixed binarisation, so the held-out likelihood is reproducible."""
TEMPERATURE_RANGE = (0.1, 2.0)
"""Sampling temperature: the logits are divided by it (below 1 sharper, above 1 noisier)."""
SAMPLE_COUNT = (1, 16)
"""Images one sampling request draws at once."""
DEFAULT_SAMPLES = 8
COMPLETION_COUNT = (1, 8)
"""Completions of one half image per request."""
DEFAULT_COMPLETIONS = 4
SEED_RANGE = (0, 9999)


@dataclass(frozen=True)
class PixelCNNConfig:
    """One PixelCNN and how to train it (also the manifest's ``config``)."""

    channels: int = 32
    """Feature maps of every hidden layer."""
    layers: int = 6
    """3x3 mask-B layers after the 7x7 mask-A one (each a residual update, as in the paper's PixelCNN)."""
    first_kernel: int = 7
    """Side of the mask-A kernel (7 in the paper)."""
    dataset: str = "mnist"
    """Images binarised at :data:`THRESHOLD`."""
    epochs: int = 5
    """Passes over the training images."""
    batch_size: int = 64
    """Images per step."""
    lr: float = 2e-3
    """Adam's learning rate."""
    train_size: int = 60_000
    """At most this many training images (fewer if the split is smaller)."""
    val_size: int = 500
    """Images held out of the training split to watch overfitting (never trained on)."""
    seed: int = 0
    """Seeds the initialisation and the shuffling."""
    time_budget_s: float | None = None
    """Stop after this many seconds (``None``: no limit)."""


def causal_mask(kernel: int, include_centre: bool) -> Tensor:
    """(kernel, kernel) of 0/1: the kernel positions before the centre in raster order (rows above, and
    the left part of the centre row); the centre too for mask B."""
    m = torch.zeros(kernel, kernel)
    k = kernel // 2
    m[:k] = 1.0
    m[k, :k] = 1.0
    if include_centre:
        m[k, k] = 1.0
    return m


class MaskedConv2d(nn.Conv2d):
    """A 'same' convolution whose weights are multiplied by a causal mask on every call, so the masked
    weights stay out of the output and get no gradient. The mask is rebuilt, never stored."""

    def __init__(self, c_in: int, c_out: int, kernel: int, mask: str) -> None:
        super().__init__(c_in, c_out, kernel, padding=kernel // 2)
        if mask not in ("A", "B"):
            raise ValueError(f"mask must be 'A' or 'B', not {mask!r}")
        self.mask_type = mask
        self.register_buffer("mask", causal_mask(kernel, mask == "B")[None, None], persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding)


class PixelCNN(nn.Module):
    """The gallery's 'pixelcnn' contract: ``forward(x) -> logits`` (B, K, 28, 28) for x (B, 1, 28, 28)
    in {0, 1}; the output at (r, c) depends only on the pixels before (r, c) in raster order."""

    def __init__(self, config: PixelCNNConfig) -> None:
        super().__init__()
        self.config = config
        c = config.channels
        self.first = MaskedConv2d(1, c, config.first_kernel, "A")
        self.blocks = nn.ModuleList(MaskedConv2d(c, c, 3, "B") for _ in range(config.layers))
        self.head = nn.Sequential(nn.ReLU(), nn.Conv2d(c, c, 1), nn.ReLU(), nn.Conv2d(c, LEVELS, 1))

    @property
    def depth(self) -> int:
        """Masked layers: the mask-A one and the mask-B ones (the 1x1 head adds no reach)."""
        return 1 + len(self.blocks)

    def reach(self, depth: int | None = None) -> int:
        """How many rows up (and columns to either side) the first ``depth`` masked layers can see."""
        d = self.depth if depth is None else depth
        return self.config.first_kernel // 2 + (d - 1)

    def features(self, x: Tensor, depth: int | None = None) -> Tensor:
        """The hidden maps after the first ``depth`` masked layers (all of them by default)."""
        h = self.first(x)
        for block in self.blocks[: (self.depth if depth is None else depth) - 1]:
            h = h + block(F.relu(h))  # residual updates: a deep stack trains in few epochs (He et al. 2016)
        return h

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x))


@register_builder("pixelcnn", task="pixelcnn")
def build_pixelcnn(**config: Any) -> PixelCNN:
    """Rebuild a PixelCNN from its manifest ``config``."""
    return PixelCNN(PixelCNNConfig(**config))


def describe(config: PixelCNNConfig) -> str:
    """One line: the layers."""
    c = config.channels
    return (f"PixelCNN: masked conv {config.first_kernel}x{config.first_kernel} A (1-{c}), {config.layers} x "
            f"masked conv 3x3 B ({c}, residual), 1x1 {c}-{c}-{LEVELS}; logits of {{0, 1}} per pixel")


def binarise(X: np.ndarray) -> np.ndarray:
    """(N, 1, 28, 28) grey levels in [0, 1] -> float32 {0, 1} (above :data:`THRESHOLD`)."""
    return (np.asarray(X) > THRESHOLD).astype(np.float32)


def nll_per_image(logits: Tensor, x: Tensor) -> Tensor:
    """-log p(x) of each image in nats: the cross-entropy of every pixel summed over the image."""
    return F.cross_entropy(logits, x[:, 0].long(), reduction="none").flatten(1).sum(1)


# --------------------------------------------------------------------------------------------------
# Inputs the page sliders and the Gradio endpoints share



def check_temperature(value: object) -> float:
    """A finite temperature within :data:`TEMPERATURE_RANGE`, or a ValueError naming the range."""
    lo, hi = TEMPERATURE_RANGE
    try:
        t = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        t = math.nan
    if not math.isfinite(t) or not lo <= t <= hi:
        raise ValueError(f"the temperature must be a number from {lo:g} to {hi:g}, not {value!r}")
    return t


# --------------------------------------------------------------------------------------------------
# Sampling, completion


@dataclass(frozen=True, eq=False)
class SampleTrace:
    """Images drawn pixel by pixel, and what the model believed when it drew each pixel."""

    images: np.ndarray
    """(N, 28, 28) float32 in {0, 1}: the finished samples (given pixels included)."""
    probs: np.ndarray
    """(N, 28, 28): p(pixel = 1 | the pixels before it) at the sampling temperature; NaN where given."""
    start: int
    """The first sampled pixel in raster order (0, or 392 for a completion of the lower half)."""
    temperature: float

    def frame(self, step: int) -> np.ndarray:
        """(N, 28, 28) after ``step`` pixels (given ones included): NaN where not yet drawn."""
        out = self.images.reshape(len(self.images), -1).copy()
        out[:, max(0, min(step, PIXELS)) :] = np.nan
        return out.reshape(self.images.shape)


@torch.no_grad()
def _draw(model: PixelCNN, x: Tensor, start: int, temperature: float, seed: int) -> SampleTrace:
    gen = torch.Generator().manual_seed(seed)
    n = len(x)
    probs = torch.full((n, SIZE, SIZE), math.nan)
    k = model.reach()
    was = model.training
    model.eval()
    for p in range(start, PIXELS):
        r, c = divmod(p, SIZE)
        r0, c0, c1 = max(0, r - k), max(0, c - k), min(SIZE, c + k + 1)
        # The window holds every pixel that can reach (r, c); the rest cannot change its logits.
        logits = model(x[:, :, r0 : r + 1, c0:c1])[:, :, r - r0, c - c0]
        p1 = torch.softmax(logits / temperature, dim=1)[:, 1]
        x[:, 0, r, c] = (torch.rand(n, generator=gen) < p1).float()
        probs[:, r, c] = p1
    model.train(was)
    return SampleTrace(x[:, 0].numpy().copy(), probs.numpy(), start, temperature)


def sample(model: PixelCNN, n: object = DEFAULT_SAMPLES, temperature: object = 1.0,
           seed: object = 0) -> SampleTrace:
    """``n`` images drawn from the model pixel by pixel in raster order, seeded."""
    count = whole_number(n, "the number of samples", *SAMPLE_COUNT)
    t = check_temperature(temperature)
    s = whole_number(seed, "the seed", *SEED_RANGE)
    return _draw(model, torch.zeros(count, 1, SIZE, SIZE), 0, t, s)


def complete(model: PixelCNN, image: np.ndarray, n: object = DEFAULT_COMPLETIONS, temperature: object = 1.0,
             seed: object = 0, rows: int = SIZE // 2) -> SampleTrace:
    """``n`` completions of a binarised image whose first ``rows`` rows are given: the rest is drawn."""
    count = whole_number(n, "the number of completions", *COMPLETION_COUNT)
    t = check_temperature(temperature)
    s = whole_number(seed, "the seed", *SEED_RANGE)
    top = torch.from_numpy(binarise(np.asarray(image, np.float32).reshape(1, 1, SIZE, SIZE)))
    x = top.repeat(count, 1, 1, 1)
    x[:, :, rows:] = 0.0
    return _draw(model, x, rows * SIZE, t, s)


# --------------------------------------------------------------------------------------------------
# What one output sees


def dependency_map(model: PixelCNN, row: object, col: object, depth: object | None = None,
                   trials: int = 4, seed: int = 0) -> np.ndarray:
    """(28, 28) bool: the input pixels that the features at (row, col) after ``depth`` masked layers (the
    output by default) depend on, found by autograd: a pixel counts when the gradient with respect to it
    is non-zero for one of ``trials`` random grey inputs (several, so that a ReLU that happens to be off
    for one input cannot hide a connection)."""
    r = whole_number(row, "the row", 0, SIZE - 1)
    c = whole_number(col, "the column", 0, SIZE - 1)
    d = model.depth if depth is None else whole_number(depth, "the depth", 1, model.depth)
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(trials, 1, SIZE, SIZE, generator=gen).requires_grad_(True)
    h = model.features(x, d)
    weights = torch.randn(h.shape[1], generator=gen)  # a generic mix: no channel's gradient cancels another
    (h[:, :, r, c] * weights).sum().backward()
    return (x.grad.abs().sum(dim=(0, 1)) > 0).numpy()


def raster_before(row: int, col: int) -> np.ndarray:
    """(28, 28) bool: the pixels before (row, col) in raster order, all a perfect model could use."""
    return (np.arange(PIXELS) < row * SIZE + col).reshape(SIZE, SIZE)


def within_reach(model: PixelCNN, row: int, col: int, depth: int | None = None) -> np.ndarray:
    """(28, 28) bool: the window of rows and columns the first ``depth`` masked layers could reach from
    (row, col); the earlier pixels inside it that the output does not see are the blind spot."""
    k = model.reach(depth)
    out = np.zeros((SIZE, SIZE), bool)
    out[max(0, row - k) : row + 1, max(0, col - k) : col + k + 1] = True
    return out
