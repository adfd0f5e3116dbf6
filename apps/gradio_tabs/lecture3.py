"""Gradio tab of lecture 3: the convolution explorer, as the ``/convolve`` API endpoint.

The same core calls as the Streamlit page ``l3-convolution``: a built-in image or an upload, a kernel,
stride / padding / dilation and pooling in; the input, the convolution and the pooled map (uint8 images)
and a Markdown summary of the sizes and the formula out.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import gradio as gr
import numpy as np

from apps.gradio_tabs.inputs import (
    CheckedDropdown,
    CheckedRadio,
    CheckedSlider,
    RawImage,
    choice,
    decode_upload,
    number,
)
from core.cnn import conv, explorer, image_sources, kernels
from core.cnn import explorer_figures as figures

OWN_TABS = True
"""build() opens its own tabs (the front end adds none around it)."""

POOLS = ("none", "max", "avg")
Images = tuple[np.ndarray, np.ndarray, np.ndarray | None, str]


def convolve(
    source: str,
    upload: str | None,
    kernel: str,
    kernel_size: float,
    stride: float,
    padding: float,
    dilation: float,
    relu: bool,
    pool: str,
    pool_size: float,
    pool_stride: float,
) -> Images:
    """Convolve (and pool) a grey image: input, convolution and pooled map as images, and the sizes.

    Every value is checked against the Streamlit page's widgets (same choices, same slider ranges)."""
    notes: list[str] = []
    cfg = explorer.ExplorerConfig(
        kernel=choice("Kernel", kernel, kernels.KERNELS),
        kernel_size=number("Kernel size k", kernel_size, 1, 11),
        stride=number("Stride s", stride, 1, 4),
        padding=number("Padding p", padding, 0, 10),
        dilation=number("Dilation d", dilation, 1, 4),
        relu=choice("ReLU", relu, (False, True)),
        pool=choice("Pooling", pool, POOLS),
        pool_size=number("Pool window", pool_size, 2, 4),
        pool_stride=number("Pool stride", pool_stride, 1, 4),
    )
    if upload:
        decoded = decode_upload(upload, image_sources.MAX_SIDE)
        (h, w), name = decoded.rgba.shape[:2], Path(upload).name if isinstance(upload, str) else "upload"
        size = f"{decoded.width}×{decoded.height} px, shown at {w}×{h}"
        image = image_sources.SourceImage(decoded.grey(), f"your upload '{name}'",
                                          f"uploaded file, {size} grey")  # fmt: skip
    else:
        image = image_sources.load_image(choice("Image", source, image_sources.SOURCES))
    if cfg.kernel == kernels.LEARNED:
        try:
            kernels.learned_filters()
        except kernels.FiltersUnavailable as exc:
            notes.append(f"⚠️ {exc} Using the Sobel x kernel.")
            cfg = replace(cfg, kernel="edge (Sobel x)")
    try:
        res = explorer.explore(image.pixels, cfg)
    except ValueError as exc:
        raise gr.Error(
            f"These settings do not fit a {image.pixels.shape[1]}×{image.pixels.shape[0]} image — {exc}"
        ) from None
    scale = figures.display_scale(image.pixels.shape)
    kh = res.kernel.shape[0]
    formula = conv.conv_formula_latex(res.image.shape[0], kh, cfg.stride, cfg.padding, cfg.dilation)
    text = "\n\n".join(
        [*notes, f"**{image.label}** ({image.provenance})", explorer.explorer_summary(res), f"$${formula}$$"]
    )
    pooled = figures.to_rgb(res.pooled, scale) if res.pooled is not None else None
    return figures.to_rgb(res.image, scale, percentile=None), figures.to_rgb(res.conv, scale), pooled, text


def build() -> None:
    """Lay out the convolution explorer inside the current Blocks/Tab."""
    with gr.Tab("Convolution explorer"):
        gr.Markdown(explorer.NOTES["sharing"])
        with gr.Row():
            inputs: list[gr.components.Component] = [
                CheckedDropdown(list(image_sources.SOURCES), value="camera", label="Image"),
                RawImage(type="filepath", image_mode=None, label="…or upload one (≤ 10 MB)",
                         sources=["upload"]),
                CheckedDropdown(list(kernels.KERNELS), value="edge (Sobel x)", label="Kernel"),
            ]
        with gr.Row():
            inputs += [
                CheckedSlider(1, 11, value=3, step=1, label="Kernel size k"),
                CheckedSlider(1, 4, value=1, step=1, label="Stride s"),
                CheckedSlider(0, 10, value=1, step=1, label="Padding p"),
                CheckedSlider(1, 4, value=1, step=1, label="Dilation d"),
                gr.Checkbox(value=False, label="ReLU"),
            ]
        with gr.Row():
            inputs += [
                CheckedRadio(list(POOLS), value="none", label="Pooling"),
                CheckedSlider(2, 4, value=2, step=1, label="Pool window"),
                CheckedSlider(1, 4, value=2, step=1, label="Pool stride"),
            ]
        first = convolve("camera", None, "edge (Sobel x)", 3, 1, 1, 1, False, "none", 2, 2)
        with gr.Row():
            outputs = [
                gr.Image(first[0], label="Input (grey)"),
                gr.Image(first[1], label="Convolution (red +, blue −)"),
                gr.Image(first[2], label="Pooled"),
            ]
        outputs.append(
            gr.Markdown(first[3], latex_delimiters=[{"left": "$$", "right": "$$", "display": True}])
        )
        triggers = [c.release if isinstance(c, gr.Slider) else c.change for c in inputs]
        gr.on(triggers, convolve, inputs, outputs, api_name="convolve")
        gr.Markdown("\n\n".join(explorer.NOTES[k] for k in ("dilation", "pooling", "receptive_field")))
