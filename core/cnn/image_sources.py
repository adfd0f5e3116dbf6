"""Images for the convolution explorer: bundled scikit-image photos, data-set test images, and uploads.

Uploads go through :mod:`core.data.images`, the one decoder (byte and pixel limits checked on the header
before decoding, odd modes normalised, early downsampling).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import numpy as np
from PIL import Image

from core.data import images

MAX_SIDE = 256
"""Images are downscaled to this long side: the explorer must answer in well under 100 ms."""

PHOTOS: tuple[str, ...] = (
    "camera",
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "coins",
    "brick",
    "text",
    "checkerboard",
    "moon",
)
"""scikit-image sample photos that ship inside the package (no download)."""
DATASETS: dict[str, str] = {
    "MNIST digit": "mnist",
    "Fashion-MNIST item": "fashion-mnist",
    "8×8 digit": "digits",
}
"""Explorer sources served by ``core.data`` (test split), by label."""
SOURCES: tuple[str, ...] = PHOTOS + tuple(DATASETS)
"""Every built-in image source, by name."""


@dataclass(frozen=True, eq=False)
class SourceImage:
    """A grey image ready for the explorer."""

    pixels: np.ndarray
    """float32 (H, W) in [0, 1], long side ≤ MAX_SIDE, read-only."""
    label: str
    """What it is (e.g. 'MNIST test image 3, a 7')."""
    provenance: str
    """Where it came from (package, data set source)."""


def _grey_thumbnail(raw: np.ndarray, max_side: int) -> np.ndarray:
    img = Image.fromarray(raw).convert("L")
    img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)  # keeps the aspect ratio
    a = np.asarray(img, dtype=np.float32) / 255.0
    a.flags.writeable = False
    return a


@functools.lru_cache(maxsize=64)
def load_image(source: str, index: int = 0, max_side: int = MAX_SIDE) -> SourceImage:
    """A built-in image (see ``SOURCES``): a scikit-image photo, or test image ``index`` of a data set."""
    if source in PHOTOS:
        import skimage.data

        raw = getattr(skimage.data, source)()
        if raw.dtype == bool:
            raw = raw.astype(np.uint8) * 255
        pixels = _grey_thumbnail(raw, max_side)
        return SourceImage(
            pixels,
            f"'{source}' photo",
            f"scikit-image {_version('skimage')} sample data (skimage.data.{source})",
        )
    if source in DATASETS:
        from core import data

        ds = data.load(DATASETS[source], "test")
        i = int(index) % len(ds)
        pixels = np.ascontiguousarray(ds.X[i, 0], dtype=np.float32)
        pixels.flags.writeable = False
        return SourceImage(pixels, f"{source}: test image {i}, a '{ds.classes[int(ds.y[i])]}'", ds.provenance)
    raise ValueError(f"unknown image source {source!r}; choose one of {', '.join(SOURCES)}")


def _version(module: str) -> str:
    import importlib

    return getattr(importlib.import_module(module), "__version__", "")

def load_upload(data: bytes, name: str = "upload", max_side: int = MAX_SIDE) -> SourceImage:
    """An uploaded image as a grey explorer image, long side ≤ ``max_side``, decoded by the one decoder.

    Raises ValueError (``core.data.images.ImageError``) with a message meant for the user for an empty,
    oversized, corrupt or non-image file."""
    if not data:
        return _decode_upload("", b"", name, max_side)
    return _decode_upload(hashlib.sha256(data).hexdigest(), bytes(data), name, max_side)


@functools.lru_cache(maxsize=8)
def _decode_upload(digest: str, data: bytes, name: str, max_side: int) -> SourceImage:
    decoded = images.decode(data, f"'{name}'", max_side)
    pixels = decoded.grey()
    pixels.flags.writeable = False
    return SourceImage(
        pixels,
        f"your upload '{name}'",
        f"uploaded file, {decoded.width}×{decoded.height} px, "
        f"shown at {pixels.shape[1]}×{pixels.shape[0]} grey",
    )
