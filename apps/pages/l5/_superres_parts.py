"""The shipped ESPCNs, the cached comparisons and the views of the super-resolution page (``superres.py``)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from apps.common import state as ui
from core import checkpoints
from core.data import images
from core.generative import superres as sr
from core.generative import superres_training as srt

UPLOAD = "upload"
DISPLAY = 240
"""Side of each shown crop in screen pixels: crops are enlarged by whole pixels, so pixels stay square."""


def shipped_scales() -> tuple[int, ...]:
    return tuple(s for s in sr.SCALES if srt.checkpoint(s) in checkpoints.manifest())


@st.cache_resource(show_spinner="Loading the shipped ESPCN…")
def model(scale: int) -> sr.ESPCN:
    return checkpoints.load_model(srt.checkpoint(scale))  # read-only, shared by all sessions


@st.cache_data(show_spinner="Enlarging…", max_entries=24)
def compared(name: str, scale: int) -> sr.Comparison:
    return sr.compare(model(scale), sr.photo(name))


@st.cache_data(show_spinner="Enlarging your image…", max_entries=8)
def compared_upload(data: bytes, label: str, scale: int) -> sr.Comparison:
    decoded = images.decode(data, label, max_side=sr.MAX_SIDE)
    return sr.compare(model(scale), sr.from_rgba(decoded.rgba))


def title(name: str) -> str:
    if name == UPLOAD:
        return "Your own image…"
    return f"{name} (held out: never trained on)" if name in sr.HELD_OUT else f"{name} (trained on)"


def comparison(choice: str, scale: int) -> sr.Comparison:
    """The comparison for a bundled photo or an upload; stops the page with the reason if unusable."""
    if choice != UPLOAD:
        return compared(choice, scale)
    upload = st.file_uploader("Your image (≤ 10 MB; used at most 640 px on its long side)", key="l5sr_upload")
    if upload is None:
        st.info("Upload an image (PNG, JPEG, GIF, BMP, TIFF or WebP) at least 64 px on each side.")
        st.stop()
    try:
        return compared_upload(upload.getvalue(), f"'{upload.name}'", scale)
    except ValueError as exc:  # images.ImageError is one; so is a picture too small to shrink
        st.error(str(exc))
        st.stop()


def scores(c: sr.Comparison, shipped: dict[str, float], held_out: bool) -> None:
    cols = st.columns(4)
    b, e = c.scores["bicubic"], c.scores["espcn"]
    cols[0].metric("Bicubic PSNR", f"{b['psnr']:.2f} dB")
    cols[1].metric("ESPCN PSNR", f"{e['psnr']:.2f} dB", f"{e['psnr'] - b['psnr']:+.2f} dB")
    cols[2].metric("Bicubic SSIM", f"{b['ssim']:.4f}")
    cols[3].metric("ESPCN SSIM", f"{e['ssim']:.4f}", f"{e['ssim'] - b['ssim']:+.4f}")
    note = "a held-out photo" if held_out else "an image the model may have seen in training"
    st.caption(
        f"Whole image, {c.original.shape[1]}×{c.original.shape[0]} px, measured now against the original "
        f"({note}); higher is better, {c.scale} px border left out. Shipped, on the held-out "
        f"{' and '.join(sr.HELD_OUT)}: ESPCN {shipped['espcn_psnr']:.2f} dB / {shipped['espcn_ssim']:.4f} "
        f"vs bicubic {shipped['bicubic_psnr']:.2f} dB / {shipped['bicubic_ssim']:.4f}."
    )


def region(c: sr.Comparison) -> tuple[float, float, int]:
    h, w = c.original.shape[:2]
    a, b, d = st.columns(3)
    with a:
        size = ui.slider("Crop size (px of the original)", "l5sr_size", sr.CROP_RANGE[0],
                         min(sr.CROP_RANGE[1], h, w), min(sr.CROP_DEFAULT, h, w), 8)
    with b:
        left = ui.slider("Crop from the left (%)", "l5sr_x", 0, 100, 50)
    with d:
        top = ui.slider("Crop from the top (%)", "l5sr_y", 0, 100, 40)
    return top / 100, left / 100, size


def overview(c: sr.Comparison, top: float, left: float, size: int) -> np.ndarray:
    """The original with the crop outlined in orange."""
    img = c.original.copy()
    h, w = img.shape[:2]
    y, x, t = round(top * (h - size)), round(left * (w - size)), max(2, max(h, w) // 200)
    orange = np.array([1.0, 0.55, 0.0], np.float32)
    img[y : y + t, x : x + size] = img[y + size - t : y + size, x : x + size] = orange
    img[y : y + size, x : x + t] = img[y : y + size, x + size - t : x + size] = orange
    return img


def side_by_side(c: sr.Comparison, top: float, left: float, size: int) -> None:
    parts = sr.crop(c, top, left, size)
    zoom = max(1, DISPLAY // parts["original"].shape[0])
    small = parts["original"].shape[0] // c.scale
    y = round(top * (c.original.shape[0] - size)) // c.scale
    x = round(left * (c.original.shape[1] - size)) // c.scale
    shown = {"What both were given": (c.small[y : y + small, x : x + small], zoom * c.scale),
             "Bicubic": (parts["bicubic"], zoom), "ESPCN": (parts["espcn"], zoom),
             "Original": (parts["original"], zoom)}
    for col, (label, (img, k)) in zip(st.columns(4), shown.items(), strict=True):
        col.image(np.clip(img.repeat(k, 0).repeat(k, 1), 0, 1), caption=label, clamp=True,
                  alt=f"{label}: the chosen crop")
        if label in ("Bicubic", "ESPCN"):
            m = sr.metrics(parts["original"], img, c.scale)
            col.caption(f"this crop: {m['psnr']:.2f} dB, SSIM {m['ssim']:.3f}")
