"""Gradio tab of lecture 4: texture synthesis and neural style transfer (``/style_transfer``).

The same core call as the Streamlit page ``l4-style``: style and content photos (bundled or uploaded), the
mode, image size, iterations, optimiser, weights, layers, seed and network in (checked against the page's
ranges); one run through the job queue (:mod:`apps.gradio_tabs.jobs`), bounded in iterations and time, its
progress shown, stopped with the event (the Stop button, a closed page, a cancelled API call); the
synthesised image and a note (which network served, and why) out. VGG-19 serves when its weights are in
the torch hub cache or can be downloaded; otherwise the bundled EfficientNet-Lite0 does, with its default
layers, and the note says so.
"""

from __future__ import annotations

from collections.abc import Generator

import gradio as gr
import numpy as np

from apps.gradio_tabs.inputs import CheckedDropdown, CheckedRadio, CheckedSlider, choice, number, photo_picker
from apps.gradio_tabs.jobs import run_job, start_stop, wire
from apps.gradio_tabs.lecture4 import picture
from core.transfer import photos, vgg
from core.transfer import style as sy

OWN_TABS = True
"""build() opens its own tabs (the front end adds none around it)."""

ALL_LAYERS = {**sy.LAYER_SETS[vgg.NAME], **sy.LAYERS}
"""Every layer name of both networks (the checkbox group offers them all; the endpoint checks the served
network's)."""


def style_transfer(
    mode: str,
    style_photo: str,
    style_upload: str | None,
    content_photo: str,
    content_upload: str | None,
    size: float,
    iterations: float,
    optimiser: str,
    style_weight: float,
    content_weight: float,
    style_layers: list[str],
    content_layer: str,
    seed: float,
    network: str = vgg.NAME,
    progress: gr.Progress = gr.Progress(),  # noqa: B008
) -> Generator[tuple[np.ndarray, str], None, None]:
    """A texture of the style photo, or the content photo in its style; and a note (steps, time, losses,
    which network served and why): the last value yielded (before it, "no update" while the job runs)."""
    if not isinstance(style_layers, (list, tuple)) or not style_layers:
        raise gr.Error("Choose at least one style layer")
    backbone, fallback = sy.resolve(choice("Network", network, tuple(sy.NETWORKS)))
    names = tuple(sy.LAYER_SETS[backbone.name])
    if fallback and not all(isinstance(v, str) and v in names for v in (*style_layers, content_layer)):
        # VGG's layer names mean nothing to the network standing in: it starts from its own defaults
        style_layers, content_layer = sy.DEFAULT_LAYERS[backbone.name]
        fallback += f" Its default layers serve: {', '.join(style_layers)}; content {content_layer}."
    cfg = sy.StyleConfig(
        mode=choice("Mode", mode, tuple(sy.MODES)),
        size=number("Image size", size, *sy.SIZE[:2]),
        iterations=number("Iterations", iterations, *sy.ITERATIONS[:2]),
        style_weight=choice("Style weight", style_weight, sy.STYLE_WEIGHTS),
        content_weight=choice("Content weight", content_weight, sy.CONTENT_WEIGHTS),
        style_layers=tuple(dict.fromkeys(choice("Style layer", v, names) for v in style_layers)),
        content_layer=choice("Content layer", content_layer, names),
        optimiser=choice("Optimiser", optimiser, tuple(sy.OPTIMISERS)),
        seed=number("Seed", seed, *sy.SEED[:2]),
        network=backbone.name,
    )
    style, style_what = picture(style_photo, style_upload)
    content, content_what = picture(content_photo, content_upload) if cfg.mode == "style" else (None, "")
    res: sy.StyleResult = yield from run_job(lambda job: sy.run(cfg, style, content, job, backbone),
                                             "gradio-style", progress, 2)  # fmt: skip
    h = res.history
    what = f"texture of {style_what}" if content is None else f"{content_what} in the style of {style_what}"
    note = (f"{sy.MODES[cfg.mode]}, {what}: {res.steps} steps in {res.seconds:.1f} s ({res.status}) on "
            f"{res.network} ({res.layers}), weights from {backbone.provenance}.")  # fmt: skip
    if fallback:
        note += f" {fallback}"
    if h.get("style_loss"):
        note += f" Style loss {h['style_loss'][0]:.3f} → {h['style_loss'][-1]:.3f}."
    yield res.image, note


def build() -> None:
    """Lay out texture synthesis and style transfer inside the current Blocks/Tab."""
    names = list(photos.photos())

    with gr.Tab("Style transfer"):
        gr.Markdown(
            "### Texture synthesis and style transfer\nGram matrices of VGG-19 feature maps (Gatys et al. "
            "2015, 2016) as a perceptual loss on the pixels; without VGG-19's weights, those of "
            "EfficientNet-Lite0."
        )
        with gr.Row():
            with gr.Column():
                mode = CheckedRadio(list(sy.MODES), value="style", label="Mode")
                style_photo, style_upload = photo_picker(names, "flower", "Style photo",
                                                         "…or upload a style photo")
                content_photo, content_upload = photo_picker(names, "chelsea", "Content photo",
                                                             "…or upload a content photo")
            with gr.Column():
                lo, hi, default = sy.SIZE
                size = CheckedSlider(lo, hi, value=default, step=sy.SIZE_STEP, label="Image size (px)")
                lo, hi, default = sy.ITERATIONS
                iterations = CheckedSlider(lo, hi, value=default, step=1, label="Iterations")
                optimiser = CheckedRadio(list(sy.OPTIMISERS), value="lbfgs", label="Optimiser")
                style_weight = CheckedDropdown(list(sy.STYLE_WEIGHTS), value=10.0, label="Style weight")
                content_weight = CheckedDropdown(list(sy.CONTENT_WEIGHTS), value=1.0, label="Content weight")
                network = CheckedRadio(list(sy.NETWORKS), value=vgg.NAME, label="Network")
                layers = gr.CheckboxGroup(list(ALL_LAYERS), value=list(vgg.STYLE_LAYERS),
                                          label="Style layers (VGG-19 conv*, Lite0 blocks.*)")  # fmt: skip
                content_layer = CheckedDropdown(list(ALL_LAYERS), value=vgg.CONTENT_LAYER,
                                                label="Content layer")  # fmt: skip
                seed = CheckedSlider(*sy.SEED[:2], value=sy.SEED[2], step=1, label="Seed")
                start, stop = start_stop("Synthesise")
        with gr.Row():
            out = gr.Image(label="Synthesised image")
            note = gr.Markdown()
        wire(
            start,
            stop,
            style_transfer,
            [mode, style_photo, style_upload, content_photo, content_upload, size, iterations, optimiser,
             style_weight, content_weight, layers, content_layer, seed, network],
            [out, note],
            "style_transfer",
        )
