"""Gradio tab of lecture 3: draw (or upload) a digit or a garment and let a shipped CNN classify it.

Endpoint ``/classify``: (sketch, model name) -> top-5 class probabilities, the 28x28 image the network
actually saw (the drawing inverted, cropped, fitted and centred like the training images), and a note.
The drawing reaches the endpoint as files (never decoded by Gradio) and is decoded by ``core.data.images``.
"""

from __future__ import annotations

import functools
from typing import Any

import gradio as gr
import numpy as np

from apps.gradio_tabs.inputs import CheckedRadio, RawSketchpad, choice, decode_upload
from core import checkpoints
from core.cnn import classify as cnn_classify
from core.cnn import convnet

MODELS = {"Fashion-MNIST CNN": "cnn-fashion-mnist", "MNIST CNN": "cnn-mnist"}


@functools.lru_cache(maxsize=len(MODELS))
def _model(name: str) -> convnet.ConvNet:
    return checkpoints.load_model(name)  # read-only, shared by every request


def _picture(value: Any) -> Any:
    """The Sketchpad value (background, layers, composite as file paths) or a plain upload's path."""
    if isinstance(value, dict):
        return value.get("composite") if value.get("composite") is not None else value.get("background")
    return value


def classify(sketch: Any, model_name: Any) -> tuple[dict[str, float] | None, np.ndarray | None, str]:
    """Classify a drawing (dark ink on a light or transparent canvas) or a photo with a shipped CNN.

    Returns the top-5 {class: probability}, the preprocessed 28x28 input as an image, and a note. An empty,
    blank or unreadable image gives no probabilities and a note saying why."""
    model_name = choice("Model", model_name, tuple(MODELS))
    try:
        model = _model(MODELS[model_name])
    except checkpoints.CheckpointError as exc:
        raise gr.Error(f"the shipped model is not available: {exc}") from None
    picture = _picture(sketch)
    if picture is None:
        return None, None, "Draw a digit or a garment (or upload a photo), then press Classify."
    try:
        result = cnn_classify.classify_image(model, decode_upload(picture).rgba)
    except gr.Error as exc:
        return None, None, f"Cannot classify this image: {exc.message}."
    except ValueError as exc:
        return None, None, f"Cannot classify this image: {exc}."
    best, p = result.top(1)[0]
    note = f"{model_name}: **{best}** ({p:.0%}). Left: what the network sees after preprocessing."
    return dict(result.top(5)), (result.image * 255).astype(np.uint8), note


def build() -> None:
    """Lay out the drawing classifier inside the current Blocks/Tab."""
    gr.Markdown(
        "### Draw and classify\nDraw a digit or a piece of clothing — or upload a photo — and a shipped CNN "
        "(2 conv blocks with batch norm; Fashion-MNIST > 90%, MNIST > 97% test accuracy) says what it sees. "
        "Your drawing is inverted to white-on-black, cropped and centred, as the training images were."
    )
    with gr.Row():
        with gr.Column():
            sketch = RawSketchpad(
                label="Your drawing",
                type="filepath",
                image_mode="RGBA",
                sources=("upload",),
                canvas_size=(280, 280),
                format="png",
                brush=gr.Brush(default_size=18, colors=["#000000"], color_mode="fixed"),
            )
            model = CheckedRadio(list(MODELS), value="Fashion-MNIST CNN", label="Model")
            button = gr.Button("Classify", variant="primary")
        with gr.Column():
            seen = gr.Image(label="What the network sees (28x28)", image_mode="L", height=200, width=200)
            probs = gr.Label(num_top_classes=5, label="Top-5 classes")
            note = gr.Markdown()
    gr.on([button.click, model.change], classify, [sketch, model], [probs, seen, note], api_name="classify")
