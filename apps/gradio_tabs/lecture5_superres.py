"""Gradio tab of lecture 5's super-resolution: a photo shrunk by the scale factor and enlarged back by
bicubic interpolation and by the shipped ESPCN, scored against the original.

Endpoint ``/super_resolve`` (image, photo, scale, crop size, crop left %, crop top %) -> one picture (the
crop by bicubic, by the ESPCN, and the original, side by side) and the PSNR / SSIM of both methods on the
whole image and on the crop. An uploaded image is used when given (through the one decoder, never decoded
by Gradio), else the bundled photo. The ranges are the Streamlit page's.
"""

from __future__ import annotations

import functools
from typing import Any

import gradio as gr
import numpy as np

from apps.gradio_tabs import inputs
from core import checkpoints
from core.generative import superres as sr
from core.generative import superres_training as srt

DISPLAY = 240
"""Side of each crop in the returned picture, in pixels (crops are enlarged by whole pixels)."""
GAP = 4


@functools.lru_cache(maxsize=len(sr.SCALES))
def _model(scale: int) -> sr.ESPCN:
    return checkpoints.load_model(srt.checkpoint(scale))  # read-only, shared by every request


def _load(scale: int) -> sr.ESPCN:
    try:
        return _model(scale)
    except checkpoints.CheckpointError as exc:
        raise gr.Error(f"the shipped ESPCN x{scale} is not available: {exc}") from exc


def _image(upload: Any, photo: Any) -> np.ndarray:
    if upload is None:
        return sr.photo(inputs.choice("the photo", photo, sr.PHOTOS))
    decoded = inputs.decode_upload(upload, max_side=sr.MAX_SIDE)
    return sr.from_rgba(decoded.rgba)


def _tiles(pictures: list[np.ndarray]) -> np.ndarray:
    k = max(1, DISPLAY // pictures[0].shape[0])
    big = [np.clip(p, 0, 1).repeat(k, 0).repeat(k, 1) for p in pictures]
    h = big[0].shape[0]
    out = np.ones((h, len(big) * (h + GAP) - GAP, 3), np.float32)
    for i, b in enumerate(big):
        out[:, i * (h + GAP) : i * (h + GAP) + h] = b
    return (out * 255).round().astype(np.uint8)


def super_resolve(upload: Any, photo: Any, scale: Any, size: Any, left: Any, top: Any
                  ) -> tuple[np.ndarray, dict[str, Any]]:
    """The crop enlarged by bicubic and by the ESPCN beside the original, and both methods' scores."""
    r = inputs.number("the scale factor", scale, min(sr.SCALES), max(sr.SCALES))
    side = inputs.number("the crop size", size, *sr.CROP_RANGE)
    x = inputs.number("the crop's left position (%)", left, 0, 100)
    y = inputs.number("the crop's top position (%)", top, 0, 100)
    image = _image(upload, photo)
    try:
        c = sr.compare(_load(r), image)
    except ValueError as exc:  # too small to shrink by the scale and compare
        raise gr.Error(str(exc)) from None
    parts = sr.crop(c, y / 100, x / 100, side)
    crop_scores = {m: sr.metrics(parts["original"], parts[m], r) for m in ("bicubic", "espcn")}
    picture = _tiles([parts["bicubic"], parts["espcn"], parts["original"]])
    return picture, {"scale": r, "whole_image": c.scores, "crop": crop_scores,
                     "crop_size": int(parts["original"].shape[0])}


def build() -> None:
    """Lay out the super-resolution tab inside the current Blocks/Tab."""
    gr.Markdown(
        "### Super-resolution: ESPCN vs bicubic\nThe photo is shrunk by the scale factor, then enlarged "
        "back by bicubic interpolation and by a small ESPCN (Shi et al. 2016; sub-pixel convolution). "
        f"Held out of training: {', '.join(sr.HELD_OUT)}. Shown: bicubic | ESPCN | original."
    )
    with gr.Row():
        with gr.Column():
            photo = inputs.CheckedDropdown(list(sr.PHOTOS), value=sr.HELD_OUT[0], label="Bundled photo")
            upload = inputs.RawImage(label="…or your own image (used instead when given)", type="filepath")
            scale = inputs.CheckedSlider(min(sr.SCALES), max(sr.SCALES), value=2, step=1,
                                         label="Scale factor")
            size = inputs.CheckedSlider(*sr.CROP_RANGE, value=sr.CROP_DEFAULT, step=8, label="Crop size (px)")
            left = inputs.CheckedSlider(0, 100, value=50, step=1, label="Crop from the left (%)")
            top = inputs.CheckedSlider(0, 100, value=40, step=1, label="Crop from the top (%)")
            button = gr.Button("Enlarge", variant="primary")
        with gr.Column():
            out = gr.Image(label="Bicubic | ESPCN | original", image_mode="RGB")
            scores = gr.JSON(label="PSNR (dB) and SSIM against the original")
    gr.on([button.click], super_resolve, [upload, photo, scale, size, left, top], [out, scores],
          api_name="super_resolve")
