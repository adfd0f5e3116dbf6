"""Gradio tab of lecture 4: what an ImageNet network looked at (``/saliency``).

The same core call as the Streamlit page ``l4-saliency``, one method per call: a photo or an upload, the
network, the method, which of the top-5 classes to explain and the method's settings in (the same ranges as
the page's sliders); the map over the photo and a note (class, time, deletion-test areas) out.
"""

from __future__ import annotations

import gradio as gr
import numpy as np

from apps.gradio_tabs.inputs import CheckedDropdown, CheckedRadio, CheckedSlider, choice, number, photo_picker
from apps.gradio_tabs.lecture4 import network, picture
from core.data import images
from core.transfer import backbone as bb
from core.transfer import config, figures, photos, saliency

OWN_TABS = True
"""build() opens its own tabs (the front end adds none around it)."""

DEEPEST = "deepest"
LAYERS = (DEEPEST, *sorted({p for info in bb.BACKBONES.values() for p, _ in info.gradcam_layers}))


def explain(
    photo: str,
    upload: str | None,
    backbone: str,
    method: str,
    rank: float,
    steps: float,
    layer: str,
    window: float,
    stride: float,
    deletion: bool,
) -> tuple[np.ndarray, str]:
    """The attribution map of ``method`` over the photo, and a note with the class, the time taken and (if
    ``deletion``) the deletion-test areas of the map and of random order."""
    method = choice("Method", method, tuple(saliency.METHODS))
    rank = number("Class rank", rank, *config.TARGET_RANK[:2])
    steps = number("Integrated Gradients steps", steps, *config.IG_STEPS[:2])
    window = number("Occlusion window", window, *config.OCCLUSION_WINDOW[:2])
    stride = number("Occlusion stride", stride, *config.OCCLUSION_STRIDE[:2])
    layer = choice("Grad-CAM layer", layer, LAYERS)
    deletion = choice("Deletion test", deletion, (False, True))
    decoded, what = picture(photo, upload)
    model, note = network(backbone)
    try:
        result = saliency.compare(
            decoded,
            [method],
            rank,
            backbone=model,
            steps=steps,
            window=window,
            stride=stride,
            layer=None if layer == DEEPEST else layer,
            faithfulness=deletion,
        )
    except (ValueError, images.ImageError) as exc:
        raise gr.Error(f"Cannot explain this image: {exc}") from None
    exp = result.explanations[method]
    text = (
        f"{saliency.METHODS[method]} for **{result.target_name}** ({result.probability:.1%}, ranked {rank}) "
        f"in {what}: {exp.seconds * 1000:.0f} ms. {note}"
    )
    if deletion:
        c = result.curves[method]
        verdict = "faster than" if c.auc < c.random_auc else "not faster than"
        text += (
            f" Deletion test: area {c.auc:.3f} vs {c.random_auc:.3f} for random order (lower is more "
            f"faithful): the probability falls {verdict} at random."
        )
    return figures.overlay(np.asarray(exp.prep.rgb), exp.image_map), text


def build() -> None:
    """Lay out the saliency explorer inside the current Blocks/Tab."""
    names = list(photos.photos())
    with gr.Tab("Saliency maps"):
        gr.Markdown("### Saliency maps\nWhich pixels made the network choose its class? Bright = important.")
        with gr.Row():
            with gr.Column():
                photo, upload = photo_picker(names, "chelsea")
                backbone = CheckedRadio(list(bb.BACKBONES), value=bb.DEFAULT, label="Network")
                method = CheckedRadio(list(saliency.METHODS), value="gradcam", label="Method")
                rank = CheckedSlider(
                    *config.TARGET_RANK[:2],
                    value=config.TARGET_RANK[2],
                    step=1,
                    label="Explain the class ranked",
                )
            with gr.Column():
                steps = CheckedSlider(
                    *config.IG_STEPS[:2],
                    value=config.IG_STEPS[2],
                    step=1,
                    label="Integrated Gradients: steps",
                )
                layer = CheckedDropdown(list(LAYERS), value=DEEPEST, label="Grad-CAM: layer")
                window = CheckedSlider(
                    *config.OCCLUSION_WINDOW[:2],
                    value=config.OCCLUSION_WINDOW[2],
                    step=config.SIZE_STEP,
                    label="Occlusion: window",
                )
                stride = CheckedSlider(
                    *config.OCCLUSION_STRIDE[:2],
                    value=config.OCCLUSION_STRIDE[2],
                    step=config.SIZE_STEP,
                    label="Occlusion: stride",
                )
                deletion = gr.Checkbox(value=True, label="Deletion test (faithfulness)")
                button = gr.Button("Explain", variant="primary")
        with gr.Row():
            heat = gr.Image(label="Importance over the photo")
            note = gr.Markdown()
        gr.on(
            [button.click],
            explain,
            [photo, upload, backbone, method, rank, steps, layer, window, stride, deletion],
            [heat, note],
            api_name="saliency",
        )
