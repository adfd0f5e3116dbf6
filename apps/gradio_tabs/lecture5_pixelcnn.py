"""Gradio tab of lecture 5's PixelCNN: samples drawn pixel by pixel, and completions of half images.

Endpoints (the same ranges as the Streamlit page's sliders, from ``core.generative.pixelcnn``):
``/sample_pixelcnn`` (samples, temperature, seed) -> the samples as one picture;
``/complete_pixelcnn`` (test image, completions, temperature, seed) -> the test image, its upper half,
and the completions.
"""

from __future__ import annotations

import functools
from typing import Any

import gradio as gr
import numpy as np

from apps.gradio_tabs import inputs
from core import checkpoints, data
from core.generative import figures as fg
from core.generative import pixelcnn as pc
from core.generative import pixelcnn_training as pt


@functools.lru_cache(maxsize=1)
def _model() -> pc.PixelCNN:
    return checkpoints.load_model(pt.CHECKPOINT)  # read-only, shared by every request


def _load() -> pc.PixelCNN:
    try:
        return _model()
    except checkpoints.CheckpointError as exc:
        raise gr.Error(f"the shipped PixelCNN is not available: {exc}") from exc


def _temperature(value: Any) -> float:
    return inputs.number("the temperature", value, *pc.TEMPERATURE_RANGE, integer=False)


def sample_pixelcnn(n: Any, temperature: Any, seed: Any) -> np.ndarray:
    """``n`` samples at ``temperature``, seeded (RGB picture, 8 per row)."""
    count = inputs.number("the number of samples", n, *pc.SAMPLE_COUNT)
    t = _temperature(temperature)
    s = inputs.number("the seed", seed, *pc.SEED_RANGE)
    trace = pc.sample(_load(), count, t, s)
    return fg.rgb_grid(fg.binary_tiles(trace.images), cols=8)


def complete_pixelcnn(index: Any, n: Any, temperature: Any, seed: Any) -> np.ndarray:
    """Test image ``index``, its upper half, and ``n`` lower halves drawn by the PixelCNN."""
    test = data.load("mnist", "test")
    i = inputs.number("the test image", index, 0, len(test) - 1)
    count = inputs.number("the number of completions", n, *pc.COMPLETION_COUNT)
    t = _temperature(temperature)
    s = inputs.number("the seed", seed, *pc.SEED_RANGE)
    trace = pc.complete(_load(), test.X[i], count, t, s)
    tiles = np.concatenate([pc.binarise(test.X[[i]])[:, 0], trace.frame(trace.start)[:1], trace.images])
    return fg.rgb_grid(fg.binary_tiles(tiles), upscale=4)


def build() -> None:
    """Lay out the PixelCNN tab inside the current Blocks/Tab."""
    gr.Markdown(
        "### PixelCNN on binarised MNIST\nEach pixel is drawn from p(pixel | the pixels before it in raster "
        "order), 784 steps per image; the temperature divides the logits (below 1 sharper, above 1 noisier)."
    )
    temperature = inputs.CheckedSlider(*pc.TEMPERATURE_RANGE, value=1.0, step=0.05, label="Temperature")
    seed = inputs.CheckedSlider(*pc.SEED_RANGE, value=0, step=1, label="Seed")
    with gr.Row():
        with gr.Column():
            n = inputs.CheckedSlider(*pc.SAMPLE_COUNT, value=pc.DEFAULT_SAMPLES, step=1, label="Samples")
            s_button = gr.Button("Sample", variant="primary")
            s_out = gr.Image(label="Samples", image_mode="RGB")
        with gr.Column():
            index = gr.Number(value=0, precision=0, label="Test image (0-999)")
            nc = inputs.CheckedSlider(*pc.COMPLETION_COUNT, value=pc.DEFAULT_COMPLETIONS, step=1,
                                      label="Completions")
            c_button = gr.Button("Complete the lower half", variant="primary")
            c_out = gr.Image(label="The test image, its upper half, the completions", image_mode="RGB")
    gr.on([s_button.click], sample_pixelcnn, [n, temperature, seed], s_out, api_name="sample_pixelcnn")
    gr.on([c_button.click], complete_pixelcnn, [index, nc, temperature, seed], c_out,
          api_name="complete_pixelcnn")
