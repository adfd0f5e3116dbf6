"""The shipped DCGAN, its judge (the data set's shipped classifier), the cached samples and interpolations,
and the views of the DCGAN page (``dcgan.py``)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from torch import nn

from core import checkpoints
from core.generative import dcgan as dc
from core.generative import dcgan_training as dt
from core.viz.style import PALETTE, fast_figure

TILE = 84
"""Screen pixels per shown sample: 3 per image pixel, so pixels stay square."""


@st.cache_resource(show_spinner="Loading the shipped DCGAN and its classifier…")
def models() -> tuple[dc.DCGAN, nn.Module]:
    gan = checkpoints.load_model(dt.CHECKPOINT)  # read-only, shared by all sessions
    return gan, checkpoints.load_model(dc.classifier_name(gan.config.dataset))


# Keyed by the sliders alone: a rerun, or a move of the other section's sliders, reuses the result.
@st.cache_data(show_spinner="Generating and judging the samples…", max_entries=32)
def sampled(first: int, n: int) -> tuple[np.ndarray, dc.Quality]:
    return dc.judged_samples(*models(), first, n)


@st.cache_data(show_spinner="Interpolating…", max_entries=32)
def interpolated(seed_a: int, seed_b: int, steps: int) -> tuple[np.ndarray, dc.Quality]:
    return dc.judged_interpolation(*models(), seed_a, seed_b, steps)


def classes() -> tuple[str, ...]:
    from core import data

    return data.load(models()[0].config.dataset, "test").classes


def show(images: np.ndarray, q: dc.Quality) -> None:
    """The images side by side, each with the classifier's label and confidence under it."""
    names = classes()
    tiles = [np.repeat(np.repeat(im, 3, 0), 3, 1) for im in images]
    captions = [f"{names[k]} {p:.0%}" + ("" if p > dc.CONFIDENT else " ?") for k, p in
                zip(q.labels, q.confidence, strict=True)]
    alt = [f"Generated image the classifier labels {c}" for c in captions]  # read aloud, not just shown
    st.image(tiles, caption=captions, width=TILE, clamp=True, alt=alt)


def readout(q: dc.Quality, first: int, shipped: dict[str, float]) -> None:
    """Live numbers for the shown seeds beside the shipped ones (1,000 samples, 1,000 real test images)."""
    n, real_n = int(shipped["sample_n"]), int(shipped["real_n"])
    cols = st.columns(4)
    cols[0].metric(f"Confident (> {dc.CONFIDENT:.0%}), these {len(q.labels)}", f"{q.confident_share:.0%}")
    cols[1].metric("Classes covered, these", f"{q.classes_covered} / {len(q.counts)}")
    cols[2].metric(f"Confident, {n:,} samples", f"{shipped['sample_confident_share']:.1%}",
                   f"real images: {shipped['real_confident_share']:.1%}", delta_color="off")
    covered = f"{shipped['sample_classes_covered']} / {len(q.counts)}"
    cols[3].metric(f"Classes covered, {n:,} samples", covered,
                   f"real images: {shipped['real_classes_covered']}", delta_color="off")
    st.caption(f"Shown: seeds {first}–{first + len(q.labels) - 1}, judged now by the shipped classifier "
               f"`{dc.classifier_name(models()[0].config.dataset)}`. Shipped: seeds 0–{n - 1} and the first "
               f"{real_n:,} test images, measured by the training command. A '?' marks a label the "
               f"classifier is not confident about.")


def histogram(shipped: dict[str, float]) -> go.Figure:
    """Confident samples per class beside confident real test images per class."""
    names = list(classes())
    traces = [{"type": "bar", "x": names, "name": f"{label} (of {int(shipped[f'{p}_n']):,})",
               "y": [shipped[f"{p}_confident_class_{k}"] for k in range(len(names))], "marker": {"color": c}}
              for p, label, c in (("sample", "DCGAN samples", PALETTE[0]), ("real", "real test images",
                                                                             PALETTE[1]))]
    return fast_figure(traces, "Confident images per class (shipped measurement)", height=320,
                       barmode="group", yaxis={"title": {"text": "images"}})
