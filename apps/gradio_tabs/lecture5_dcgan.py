"""Gradio tab of lecture 5's DCGAN on Fashion-MNIST: seeded samples, a latent interpolation, and what the
shipped classifier makes of them.

Endpoint ``/sample_dcgan`` (first seed, samples, seed A, seed B, steps) -> the samples (seeds first ..
first + samples - 1) as one picture, the interpolation from seed A's z to seed B's as one row, and the
quality readout: the classifier's label and confidence per sample, the share of confident samples and the
classes covered, beside the shipped numbers. The ranges are the Streamlit page's (``core.generative.dcgan``).
"""

from __future__ import annotations

import functools
from typing import Any

import gradio as gr
import numpy as np
from torch import nn

from apps.gradio_tabs import inputs
from core import checkpoints, data
from core.generative import dcgan as dc
from core.generative import dcgan_training as dt
from core.generative import figures as fg


@functools.lru_cache(maxsize=1)
def _models() -> tuple[dc.DCGAN, nn.Module]:
    gan = checkpoints.load_model(dt.CHECKPOINT)  # read-only, shared by every request
    return gan, checkpoints.load_model(dc.classifier_name(gan.config.dataset))


def _load() -> tuple[dc.DCGAN, nn.Module]:
    try:
        return _models()
    except checkpoints.CheckpointError as exc:
        raise gr.Error(f"the shipped DCGAN is not available: {exc}") from exc


# The page's core calls, cached by the checked values: the same request again recomputes nothing.
@functools.lru_cache(maxsize=32)
def _samples(first: int, n: int) -> tuple[np.ndarray, dc.Quality]:
    return dc.judged_samples(*_load(), first, n)


@functools.lru_cache(maxsize=32)
def _interpolation(seed_a: int, seed_b: int, steps: int) -> tuple[np.ndarray, dc.Quality]:
    return dc.judged_interpolation(*_load(), seed_a, seed_b, steps)


def sample_dcgan(first: Any, n: Any, seed_a: Any, seed_b: Any, steps: Any
                 ) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Samples of consecutive seeds, an interpolation between two seeds, and the classifier's verdict."""
    s = inputs.number("the first seed", first, *dc.SEED_RANGE)
    count = inputs.number("the number of samples", n, *dc.GRID_RANGE)
    a = inputs.number("seed A", seed_a, *dc.SEED_RANGE)
    b = inputs.number("seed B", seed_b, *dc.SEED_RANGE)
    k = inputs.number("the interpolation steps", steps, *dc.INTERP_STEPS)
    gan, _ = _load()
    (images, q), (path, path_q) = _samples(s, count), _interpolation(a, b, k)
    names = data.load(gan.config.dataset, "test").classes
    shipped = checkpoints.entry(dt.CHECKPOINT).metrics
    readout = {
        "seeds": [s, s + count - 1],
        "labels": [f"{names[c]} {p:.0%}" for c, p in zip(q.labels, q.confidence, strict=True)],
        "confident_share": round(q.confident_share, 4), "classes_covered": q.classes_covered,
        "shipped": {key: shipped[key] for key in ("sample_n", "sample_confident_share",
                                                  "sample_classes_covered", "real_n", "real_confident_share",
                                                  "real_classes_covered")},
        "interpolation_labels": [names[c] for c in path_q.labels],
    }  # fmt: skip
    return fg.image_grid(images, cols=8), fg.image_grid(path), readout


def build() -> None:
    """Lay out the DCGAN tab inside the current Blocks/Tab."""
    gr.Markdown(
        "### DCGAN on Fashion-MNIST\nEach image has its own seed (z = randn(seed)). The shipped "
        "Fashion-MNIST classifier labels every sample; 'confident' means a top-class probability above "
        f"{dc.CONFIDENT:.0%}."
    )
    with gr.Row():
        with gr.Column():
            first = inputs.CheckedSlider(*dc.SEED_RANGE, value=0, step=1, label="First seed")
            n = inputs.CheckedSlider(*dc.GRID_RANGE, value=16, step=1, label="Samples")
            seed_a = inputs.CheckedSlider(*dc.SEED_RANGE, value=0, step=1, label="Interpolation: seed A")
            seed_b = inputs.CheckedSlider(*dc.SEED_RANGE, value=1, step=1, label="Interpolation: seed B")
            steps = inputs.CheckedSlider(*dc.INTERP_STEPS, value=8, step=1, label="Steps (ends included)")
            button = gr.Button("Sample", variant="primary")
        with gr.Column():
            grid = gr.Image(label="Samples (8 per row)", image_mode="L")
            path = gr.Image(label="From seed A to seed B", image_mode="L")
            readout = gr.JSON(label="The classifier's verdict")
    gr.on([button.click], sample_dcgan, [first, n, seed_a, seed_b, steps], [grid, path, readout],
          api_name="sample_dcgan")
