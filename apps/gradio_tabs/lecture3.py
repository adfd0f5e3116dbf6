"""Gradio tab of lecture 3: the convolution explorer, as the ``/convolve`` API endpoint.

The same core calls as the Streamlit page ``l3-convolution``: a built-in image or an upload, a kernel,
stride / padding / dilation and pooling in; the input, the convolution and the pooled map (uint8 images)
and a Markdown summary of the sizes and the formula out.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import numpy as np

from core.cnn import conv
from core.cnn import explorer as cnn

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
    """Convolve (and pool) a grey image: input, convolution and pooled map as images, and the sizes."""
    notes: list[str] = []
    if upload:
        path = Path(upload)
        try:
            image = cnn.load_upload(path.read_bytes(), path.name)
        except (ValueError, OSError) as exc:
            raise gr.Error(str(exc)) from None
    else:
        image = cnn.load_image(source if source in cnn.SOURCES else "camera")
    if kernel == cnn.LEARNED:
        try:
            cnn.learned_filters()
        except cnn.FiltersUnavailable as exc:
            notes.append(f"⚠️ {exc} Using the Sobel x kernel.")
            kernel = "edge (Sobel x)"
    cfg = cnn.ExplorerConfig(
        kernel=kernel,
        kernel_size=int(kernel_size),
        stride=int(stride),
        padding=int(padding),
        dilation=int(dilation),
        relu=bool(relu),
        pool=pool,
        pool_size=int(pool_size),
        pool_stride=int(pool_stride),
    )
    try:
        res = cnn.explore(image.pixels, cfg)
    except ValueError as exc:
        raise gr.Error(
            f"These settings do not fit a {image.pixels.shape[1]}×{image.pixels.shape[0]} image — {exc}"
        ) from None
    scale = cnn.display_scale(image.pixels.shape)
    kh = res.kernel.shape[0]
    formula = conv.conv_formula_latex(res.image.shape[0], kh, cfg.stride, cfg.padding, cfg.dilation)
    text = "\n\n".join(
        [*notes, f"**{image.label}** ({image.provenance})", cnn.explorer_summary(res), f"$${formula}$$"]
    )
    pooled = cnn.to_rgb(res.pooled, scale) if res.pooled is not None else None
    return cnn.to_rgb(res.image, scale, percentile=None), cnn.to_rgb(res.conv, scale), pooled, text


def build() -> None:
    """Lay out the convolution explorer inside the current Blocks/Tab."""
    with gr.Tab("Convolution explorer"):
        gr.Markdown(cnn.NOTES["sharing"])
        with gr.Row():
            inputs: list[gr.components.Component] = [
                gr.Dropdown(list(cnn.SOURCES), value="camera", label="Image"),
                gr.Image(type="filepath", label="…or upload one (≤ 10 MB)", sources=["upload"]),
                gr.Dropdown(list(cnn.KERNELS), value="edge (Sobel x)", label="Kernel"),
            ]
        with gr.Row():
            inputs += [
                gr.Slider(1, 11, value=3, step=1, label="Kernel size k"),
                gr.Slider(1, 4, value=1, step=1, label="Stride s"),
                gr.Slider(0, 10, value=1, step=1, label="Padding p"),
                gr.Slider(1, 4, value=1, step=1, label="Dilation d"),
                gr.Checkbox(value=False, label="ReLU"),
            ]
        with gr.Row():
            inputs += [
                gr.Radio(["none", "max", "avg"], value="none", label="Pooling"),
                gr.Slider(2, 4, value=2, step=1, label="Pool window"),
                gr.Slider(1, 4, value=2, step=1, label="Pool stride"),
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
        gr.Markdown("\n\n".join(cnn.NOTES[k] for k in ("dilation", "pooling", "receptive_field")))
