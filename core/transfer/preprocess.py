"""ImageNet preprocessing, step by step: RGB, resize the shorter side, centre crop, normalise.

This is timm's evaluation transform (``Resize(floor(224 / crop_pct))``, bicubic; ``CenterCrop(224)``;
``Normalize(mean, std)``), written so that every step can be shown and mapped back onto the user's image:
:class:`Preprocessed` knows which rectangle of the original the network saw, and :func:`paste_map`
puts a 224×224 importance map back at the image's own resolution (zero outside that rectangle).

The crop rectangle is resampled straight from the original (``Image.resize(box=...)``), which gives the
resize-then-crop result without ever building the resized whole: a 10,000×10 px strip would otherwise
become a 256,000×256 px intermediate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from core.data import images
from core.transfer.backbone import BackboneInfo

BICUBIC = Image.Resampling.BICUBIC


def to_rgb(image: Image.Image | images.DecodedImage | np.ndarray) -> Image.Image:
    """An RGB PIL image from any PIL mode (RGBA, LA, P, CMYK, L, I;16, F, 1), a decoded upload or a
    uint8 array; transparency is shown over white, as a browser shows it."""
    if isinstance(image, images.DecodedImage):
        rgba = Image.fromarray(np.asarray(image.rgba), "RGBA")
    elif isinstance(image, np.ndarray):
        arr = image
        if (
            arr.dtype != np.uint8
            or arr.ndim not in (2, 3)
            or (arr.ndim == 3 and arr.shape[2] not in (1, 3, 4))
        ):
            raise images.ImageError("expected a uint8 image array of shape (H, W), (H, W, 3) or (H, W, 4)")
        rgba = Image.fromarray(arr.squeeze(-1) if arr.ndim == 3 and arr.shape[2] == 1 else arr).convert(
            "RGBA"
        )
    elif isinstance(image, Image.Image):
        if image.width < 1 or image.height < 1:
            raise images.ImageError(f"the image has no pixels ({image.width}×{image.height})")
        if image.mode == "RGB":
            return image
        rgba = images.to_rgba(image)  # the decoder's one mode normalisation (16-bit, float, CMYK, palette)
    else:
        raise images.ImageError(f"expected an image, got {type(image).__name__}")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")


@dataclass(frozen=True, eq=False)
class Preprocessed:
    """An image prepared for a backbone, with every intermediate a page can show."""

    rgb: Image.Image
    """The image in RGB at its own resolution."""
    box: tuple[float, float, float, float]
    """(left, top, right, bottom) of the region the network sees, in the original image's pixels."""
    resized_size: tuple[int, int]
    """(width, height) of the image after the resize step (shorter side = ``info.resize_to``)."""
    crop: Image.Image
    """The centre crop at the network's input size (224×224)."""
    tensor: torch.Tensor
    """(1, 3, 224, 224) float32, normalised with the backbone's mean and std."""

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the original image."""
        return self.rgb.size


def crop_geometry(width: int, height: int, info: BackboneInfo) -> tuple[tuple[int, int], tuple[float, ...]]:
    """Size after the resize step and the centre crop in original pixels (torchvision's rounding)."""
    short = min(width, height)
    scale = info.resize_to / short
    # torchvision's Resize(int): the shorter side becomes exactly resize_to, the other keeps the aspect.
    if width <= height:
        rw, rh = info.resize_to, int(info.resize_to * height / width)
    else:
        rw, rh = int(info.resize_to * width / height), info.resize_to
    size = info.input_size
    top = int(round((rh - size) / 2.0))
    left = int(round((rw - size) / 2.0))
    box = (left / scale, top / scale, (left + size) / scale, (top + size) / scale)
    return (rw, rh), box


def preprocess(image: Image.Image | images.DecodedImage | np.ndarray, info: BackboneInfo) -> Preprocessed:
    """Resize the shorter side to ``info.resize_to`` (bicubic), keep the centre 224×224, normalise."""
    rgb = to_rgb(image)
    resized, box = crop_geometry(rgb.width, rgb.height, info)
    n = info.input_size
    crop = rgb.resize((n, n), BICUBIC, box=box)
    return Preprocessed(rgb, box, resized, crop, normalise(crop, info))


def normalise(crop: Image.Image, info: BackboneInfo) -> torch.Tensor:
    """(1, 3, H, W) float32: ``(pixel / 255 - mean) / std`` per channel."""
    x = torch.from_numpy(np.asarray(crop, dtype=np.float32)).permute(2, 0, 1).div_(255.0)
    mean = torch.tensor(info.mean).view(3, 1, 1)
    std = torch.tensor(info.std).view(3, 1, 1)
    return x.sub_(mean).div_(std).unsqueeze(0).contiguous()


def paste_map(crop_map: np.ndarray, prep: Preprocessed) -> np.ndarray:
    """A (224, 224) map put back onto the original image: float32 (H, W), zero outside the crop."""
    width, height = prep.size
    left, top, right, bottom = prep.box
    # Pixel (x, y) of the original lies at crop coordinate ((x + 0.5 - left) * s - 0.5); sample there.
    s = crop_map.shape[1] / (right - left)
    xs = (np.arange(width, dtype=np.float64) + 0.5 - left) * s - 0.5
    ys = (np.arange(height, dtype=np.float64) + 0.5 - top) * s - 0.5
    # Only pixels whose centre lies inside the crop box were seen by the network.
    inside_x = (np.arange(width) + 0.5 > left) & (np.arange(width) + 0.5 < right)
    inside_y = (np.arange(height) + 0.5 > top) & (np.arange(height) + 0.5 < bottom)
    out = np.zeros((height, width), np.float32)
    if not inside_x.any() or not inside_y.any():
        return out
    grid = _bilinear(crop_map.astype(np.float32), ys[inside_y], xs[inside_x])
    out[np.ix_(inside_y, inside_x)] = grid
    return out


def _bilinear(a: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    h, w = a.shape
    ys = np.clip(ys, 0, h - 1)
    xs = np.clip(xs, 0, w - 1)
    y0 = np.floor(ys).astype(int)
    x0 = np.floor(xs).astype(int)
    y1 = np.minimum(y0 + 1, h - 1)
    x1 = np.minimum(x0 + 1, w - 1)
    fy = (ys - y0)[:, None]
    fx = (xs - x0)[None, :]
    top = a[np.ix_(y0, x0)] * (1 - fx) + a[np.ix_(y0, x1)] * fx
    bot = a[np.ix_(y1, x0)] * (1 - fx) + a[np.ix_(y1, x1)] * fx
    return (top * (1 - fy) + bot * fy).astype(np.float32)
