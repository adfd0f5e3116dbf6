"""The one decoder for user images: uploads, drawings (data URLs) and Gradio image inputs.

Every image a user sends goes through :func:`decode` (or :func:`decode_file`, :func:`decode_data_url`),
which bounds the work before it starts:

1. the bytes are bounded (:data:`MAX_BYTES`, the apps' upload limit);
2. the header is read first (``PIL.Image.open`` is lazy) and the image is refused by its pixel count
   (:data:`MAX_PIXELS`) *before* any pixel is decoded: a 21 KB PNG can claim 400 million pixels
   (a decompression bomb) and take gigabytes to decode;
3. JPEGs are decoded at a reduced scale (``Image.draft``: 1/2, 1/4 or 1/8 in the DCT, so a 40 Mpx
   photo never exists at full size) and other formats are reduced right after decoding, so that the
   arrays handed on are at most ``max_side`` pixels on their long side;
4. odd modes are normalised: EXIF orientation applied, palette and grey+alpha to RGBA, CMYK to RGB,
   16-bit and float images rescaled from their own range to 8 bits, 1-bit to grey; the first frame of
   an animation is used.

Every failure is an :class:`ImageError` (a ``ValueError``) whose message names the problem in plain words.
"""

from __future__ import annotations

import base64
import binascii
import io
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
"""Files above 10 MB are refused (the same limit as the Streamlit and Gradio upload settings)."""
MAX_PIXELS = 40_000_000
"""Images whose header claims more pixels than this are refused before decoding (a 40 Mpx RGBA image
decodes to 160 MB; phone photos are 12-50 Mpx JPEGs, which ``draft`` decodes at a reduced scale)."""
DEFAULT_MAX_SIDE = 1024
"""Long side of the decoded arrays unless the caller asks for less (every page here shows or uses less)."""
FORMATS = "PNG, JPEG, GIF, BMP, TIFF or WebP"
"""What the messages suggest."""

_DECODE_ERRORS = (
    UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError,
    Image.DecompressionBombError, MemoryError,
)  # fmt: skip


class ImageError(ValueError):
    """An image that cannot be used; the message says why, meant for the user."""


@dataclass(frozen=True, eq=False)
class DecodedImage:
    """A decoded user image, at most ``max_side`` pixels on its long side."""

    rgba: np.ndarray
    """uint8 (H, W, 4), read-only; opaque images have alpha 255."""
    width: int
    """Width of the original image in pixels (before any reduction)."""
    height: int
    """Height of the original image in pixels."""
    format: str
    """The file format PIL recognised, e.g. 'PNG'."""

    def grey(self) -> np.ndarray:
        """float32 (H, W) in [0, 1]: ITU-R 601 luma, transparency shown over white as a browser does."""
        a = self.rgba.astype(np.float32) / 255.0
        luma = a[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
        alpha = a[..., 3]
        return np.clip(alpha * luma + (1.0 - alpha), 0.0, 1.0)


def check_header(image: Image.Image, name: str = "the image") -> None:
    """Refuse an opened (not yet decoded) image whose header claims more than :data:`MAX_PIXELS`."""
    w, h = image.size
    if w < 1 or h < 1:
        raise ImageError(f"{name} has no pixels ({w}×{h})")
    if w * h > MAX_PIXELS:
        raise ImageError(
            f"{name} claims {w:,}×{h:,} pixels, over the limit of {MAX_PIXELS // 10**6} million; "
            "refusing to decode it (downscale it first)"
        )


def decode(data: bytes, name: str = "the image", max_side: int = DEFAULT_MAX_SIDE) -> DecodedImage:
    """Decode image bytes safely (see the module docstring); raises :class:`ImageError`."""
    if not data:
        raise ImageError(f"{name} is empty (0 bytes): choose an image file ({FORMATS})")
    if len(data) > MAX_BYTES:
        raise ImageError(f"{name} is {len(data) / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(bytes(data))) as im:
                check_header(im, name)
                return _decode_opened(im, max_side)
        except ImageError:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ImageError(
                f"{name} claims more than {MAX_PIXELS // 10**6} million pixels; refusing to decode it"
            ) from None
        except UnidentifiedImageError:
            raise ImageError(f"{name} is not an image this app can read ({FORMATS})") from None
        except _DECODE_ERRORS as exc:
            reason = "it is cut short (truncated)" if "truncated" in str(exc) else "it is damaged"
            raise ImageError(f"{name} cannot be decoded: {reason}. Try another file ({FORMATS})") from None


def decode_file(path: str | Path, name: str | None = None, max_side: int = DEFAULT_MAX_SIDE) -> DecodedImage:
    """Decode an image file (e.g. a Gradio upload's temporary path); the size is checked before reading."""
    p = Path(path)
    label = f"'{name or p.name}'"
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise ImageError(f"{label} is {size / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB")
        data = p.read_bytes()
    except OSError:
        raise ImageError(f"{label} could not be read; upload it again") from None
    return decode(data, label, max_side)


def decode_data_url(url: str, max_side: int = DEFAULT_MAX_SIDE) -> DecodedImage:
    """A ``data:image/...;base64,...`` URL (what a browser canvas exports), decoded like a file."""
    head, _, payload = str(url).partition(",")
    if not (head.startswith("data:image/") and head.endswith(";base64")):
        raise ImageError("the drawing did not arrive as a base64 image")
    if len(payload) > MAX_BYTES * 4 // 3 + 4:
        raise ImageError(f"the drawing is larger than {MAX_BYTES // 2**20} MB")
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ImageError("the drawing did not arrive as valid base64") from None
    return decode(raw, "the drawing", max_side)


def _decode_opened(im: Image.Image, max_side: int) -> DecodedImage:
    width, height, fmt = im.width, im.height, im.format or "image"
    im.seek(0)  # the first frame of an animation
    if im.format == "JPEG":
        # Decode at 1/2, 1/4 or 1/8 scale straight from the DCT coefficients: the full-size picture
        # is never allocated (the draft size stays >= the requested one).
        im.draft("RGB" if im.mode not in ("L", "CMYK") else im.mode, (max_side, max_side))
    im.load()
    im = ImageOps.exif_transpose(im) or im
    if im.mode not in ("L", "RGB", "RGBA", "LA"):  # modes Image.reduce cannot take: normalise first
        im = to_rgba(im)
    factor = max(im.size) // max(1, max_side)
    if factor >= 2:  # cheap box reduction before widening to RGBA, then a good filter for the last step
        im = im.reduce(factor)
    im = to_rgba(im)
    if max(im.size) > max_side:
        im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)  # keeps the aspect ratio
    rgba = np.asarray(im, dtype=np.uint8)
    if rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ImageError("the image has an unsupported pixel layout")
    rgba = np.ascontiguousarray(rgba)
    rgba.flags.writeable = False
    return DecodedImage(rgba, width, height, fmt)


def to_rgba(im: Image.Image) -> Image.Image:
    """Any PIL mode as RGBA: the decoder's one mode normalisation (16-bit, float, CMYK, palette, 1-bit)."""
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        # 16-bit scans and float images: map their own range to 8 bits (else they show almost black).
        a = np.asarray(im, dtype=np.float32)
        lo, hi = float(np.nanmin(a)), float(np.nanmax(a))
        a = (np.nan_to_num(a, nan=lo) - lo) / (hi - lo if hi > lo else 1.0)
        im = Image.fromarray((np.clip(a, 0, 1) * 255).astype(np.uint8))
    elif mode == "CMYK" or mode in ("YCbCr", "LAB", "HSV"):
        im = im.convert("RGB")
    elif mode == "1":
        im = im.convert("L")
    return im.convert("RGBA")  # palette and LA keep their transparency; opaque modes get alpha 255
