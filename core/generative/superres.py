"""Single-image super-resolution: a small ESPCN (Shi et al. 2016) against bicubic interpolation.

ESPCN runs all its convolutions at the *low* resolution and only at the end rearranges ``scale²`` channels
per pixel into a ``scale`` times larger image (the sub-pixel convolution, ``nn.PixelShuffle``): the
network pays for the small image, not the large one. Here it predicts a correction on top of bicubic
upsampling (a global residual, as in VDSR, Kim et al. 2016), with the last layer starting at zero, so an
untrained model *is* bicubic and training only has to learn the missing detail.

The data: the photos bundled with scikit-image (offline), downscaled by ``scale`` with an antialiased
bicubic filter; the network sees the small photo and is scored against the original. Two photos are held
out of training and measured: :data:`HELD_OUT`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.registry import register_builder

HELD_OUT = ("chelsea", "coffee")
"""Never trained on; the shipped metrics are measured on these."""
TRAIN_PHOTOS = ("astronaut", "rocket", "camera", "coins", "immunohistochemistry", "brick", "gravel", "grass",
                "clock", "page", "text", "moon")
"""skimage.data's ``cat`` is Chelsea mirrored, so it is left out: it would leak the held-out photo."""
PHOTOS = HELD_OUT + TRAIN_PHOTOS
SCALES = (2, 3, 4)
"""Scale factors with a rebuildable checkpoint ``espcn-x{scale}``."""
MIN_SIDE = 64
"""Smaller images are refused: downscaled by 4 they would leave too few pixels for a 7x7 SSIM window."""
MAX_SIDE = 640
CROP_RANGE = (32, 192)
"""Side of the region shown side by side, in pixels of the original (the pages' slider range)."""
CROP_DEFAULT = 96
"""Uploads are decoded at most this large (the bundled photos are up to 640 px), so a page stays fast."""


@dataclass(frozen=True)
class ESPCNConfig:
    """An ESPCN: conv 5x5 -> conv 3x3 -> conv 3x3 to ``3·scale²`` channels -> PixelShuffle(scale)."""

    scale: int = 2
    """How many times larger the output is than the input, per side."""
    channels: tuple[int, int] = (64, 32)
    """Widths of the two hidden layers (the paper's 64 and 32)."""
    seed: int = 0
    """Seeds the patch sampling and the initial weights."""
    lr_patch: int = 24
    """Side of a low-resolution training patch in pixels."""
    patches: int = 2400
    """Training patches drawn from the training photos (plus a fifth as many for validation)."""
    epochs: int = 40
    """Passes over the patches (a time budget may stop sooner)."""
    batch_size: int = 32
    """Patches per Adam step."""
    lr: float = 1e-3
    """Adam's learning rate."""
    time_budget_s: float = 150.0
    """Training stops after this many seconds, whatever the epoch."""


class ESPCN(nn.Module):
    """``forward(x) -> y``: x (B, 3, h, w) in [0, 1] -> y (B, 3, scale·h, scale·w) in [0, 1]."""

    def __init__(self, config: ESPCNConfig) -> None:
        super().__init__()
        if config.scale not in SCALES:
            raise ValueError(f"scale must be one of {SCALES}, not {config.scale}")
        self.config = config
        c1, c2, r = config.channels[0], config.channels[1], config.scale
        self.body = nn.Sequential(
            nn.Conv2d(3, c1, 5, padding=2, padding_mode="replicate"), nn.ReLU(),
            nn.Conv2d(c1, c2, 3, padding=1, padding_mode="replicate"), nn.ReLU(),
            nn.Conv2d(c2, 3 * r * r, 3, padding=1, padding_mode="replicate"),
        )  # fmt: skip
        self.shuffle = nn.PixelShuffle(r)
        # The residual starts at zero: the untrained model returns bicubic, a sane point to improve on.
        nn.init.zeros_(self.body[-1].weight)
        nn.init.zeros_(self.body[-1].bias)

    def forward(self, x: Tensor) -> Tensor:
        return (upsample_bicubic(x, self.config.scale) + self.shuffle(self.body(x))).clamp(0.0, 1.0)


@register_builder("espcn", task="super-resolution")
def build_espcn(**config: Any) -> ESPCN:
    """Rebuild an ESPCN from its manifest ``config``."""
    config = {**config, "channels": tuple(config.get("channels", ESPCNConfig.channels))}
    return ESPCN(ESPCNConfig(**config))


def describe(config: ESPCNConfig) -> str:
    """One line: the layers."""
    c1, c2, r = config.channels[0], config.channels[1], config.scale
    return (f"ESPCN x{r}: conv 5x5 (3-{c1}), ReLU, conv 3x3 ({c1}-{c2}), ReLU, conv 3x3 ({c2}-{3 * r * r}), "
            f"PixelShuffle({r}); added to bicubic")


def upsample_bicubic(x: Tensor, scale: int) -> Tensor:
    """Bicubic interpolation ``scale`` times larger (B, C, h, w) -> (B, C, scale·h, scale·w), in [0, 1]."""
    return F.interpolate(x, scale_factor=scale, mode="bicubic", align_corners=False).clamp(0.0, 1.0)


def downscale(hr: Tensor, scale: int) -> Tensor:
    """The degradation the models learn to undo: antialiased bicubic shrinking by ``scale`` (the sides of
    ``hr`` must be multiples of ``scale``)."""
    return F.interpolate(hr, scale_factor=1 / scale, mode="bicubic", antialias=True,
                         align_corners=False).clamp(0.0, 1.0)


def photo(name: str) -> np.ndarray:
    """A bundled scikit-image photo as float32 (H, W, 3) in [0, 1] (grey ones repeated over RGB)."""
    if name not in PHOTOS:
        raise KeyError(f"no bundled photo {name!r}; choose one of {', '.join(PHOTOS)}")
    import skimage.data

    raw = np.asarray(getattr(skimage.data, name)())
    a = raw.astype(np.float32) / (1.0 if raw.dtype == bool else 255.0)
    return np.ascontiguousarray(np.repeat(a[..., None], 3, axis=2) if a.ndim == 2 else a[..., :3])


def from_rgba(rgba: np.ndarray) -> np.ndarray:
    """A decoded upload (uint8 RGBA) as float32 RGB in [0, 1], transparency shown over white."""
    a = rgba.astype(np.float32) / 255.0
    return np.ascontiguousarray(a[..., :3] * a[..., 3:] + (1.0 - a[..., 3:]))


def check_size(image: np.ndarray) -> None:
    """Refuse an image too small to be shrunk by the largest scale and compared (ValueError)."""
    h, w = image.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise ValueError(f"the image is {w}×{h} pixels; super-resolution needs at least {MIN_SIDE} pixels "
                         "on each side (it is shrunk by up to 4 first)")


def to_tensor(image: np.ndarray) -> Tensor:
    return torch.from_numpy(np.ascontiguousarray(image, dtype=np.float32)).permute(2, 0, 1)[None]


def to_image(x: Tensor) -> np.ndarray:
    return x[0].permute(1, 2, 0).detach().cpu().numpy()


def metrics(reference: np.ndarray, image: np.ndarray, scale: int) -> dict[str, float]:
    """PSNR (dB) and SSIM of ``image`` against ``reference``, both (H, W, 3) in [0, 1].

    A border of ``scale`` pixels is left out, as the super-resolution literature does: no method can know
    what lies beyond the frame, and the padding there would dominate small crops."""
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    ref = reference[scale:-scale, scale:-scale].astype(np.float64)
    img = image[scale:-scale, scale:-scale].astype(np.float64)
    return {"psnr": float(peak_signal_noise_ratio(ref, img, data_range=1.0)),
            "ssim": float(structural_similarity(ref, img, data_range=1.0, channel_axis=2))}


@dataclass(frozen=True, eq=False)
class Comparison:
    """One image shrunk by ``scale`` and enlarged back by bicubic and by the ESPCN, each scored."""

    scale: int
    original: np.ndarray
    """(H, W, 3) in [0, 1], cropped to multiples of ``scale``."""
    small: np.ndarray
    """(H/scale, W/scale, 3): what both methods were given."""
    bicubic: np.ndarray
    espcn: np.ndarray
    scores: dict[str, dict[str, float]]
    """``{"bicubic": {"psnr", "ssim"}, "espcn": {...}}`` against the original, whole image."""


@torch.no_grad()
def compare(model: ESPCN, image: np.ndarray, scale: int | None = None) -> Comparison:
    """Shrink ``image`` (H, W, 3) in [0, 1] by the model's scale, enlarge it back both ways, score both."""
    check_size(image)
    r = model.config.scale if scale is None else scale
    if r != model.config.scale:
        raise ValueError(f"the model enlarges {model.config.scale}x, not {r}x")
    h, w = (image.shape[0] // r) * r, (image.shape[1] // r) * r
    hr = to_tensor(image[:h, :w])
    lr = downscale(hr, r)
    was = model.training
    model.eval()
    sr = model(lr)
    model.train(was)
    original, bic, out = image[:h, :w].astype(np.float32), to_image(upsample_bicubic(lr, r)), to_image(sr)
    scores = {"bicubic": metrics(original, bic, r), "espcn": metrics(original, out, r)}
    return Comparison(r, original, to_image(lr), bic, out, scores)


def crop(c: Comparison, top: float, left: float, size: int) -> dict[str, np.ndarray]:
    """A ``size``-pixel square of each picture of ``c`` at the relative position (top, left) in [0, 1]."""
    h, w = c.original.shape[:2]
    size = min(size, h, w)
    y, x = round(top * (h - size)), round(left * (w - size))
    return {k: getattr(c, k)[y : y + size, x : x + size] for k in ("original", "bicubic", "espcn")}


def patches(names: tuple[str, ...], scale: int, n: int, lr_patch: int, seed: int) -> tuple[Tensor, Tensor]:
    """``n`` random (low-res, original) patch pairs from ``names``, each photo weighted by its area."""
    rng = np.random.default_rng(seed)
    imgs = [photo(name) for name in names]
    area = np.array([i.shape[0] * i.shape[1] for i in imgs], np.float64)
    side = lr_patch * scale
    hr = np.empty((n, side, side, 3), np.float32)
    for k, i in enumerate(rng.choice(len(imgs), size=n, p=area / area.sum())):
        img = imgs[i]
        y, x = rng.integers(0, img.shape[0] - side + 1), rng.integers(0, img.shape[1] - side + 1)
        hr[k] = img[y : y + side, x : x + side]
        if rng.random() < 0.5:  # mirrored patches: more variety from a dozen photos
            hr[k] = hr[k, :, ::-1]
    HR = torch.from_numpy(hr).permute(0, 3, 1, 2).contiguous()
    return downscale(HR, scale), HR
