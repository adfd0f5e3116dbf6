"""The shipped PixelCNN, its cached sampling traces and the views of the PixelCNN page (``pixelcnn.py``)
but its masks, drawn by ``_pixelcnn_masks``."""

from __future__ import annotations

import numpy as np
import streamlit as st

from apps.common import state as ui
from core import checkpoints, data
from core.generative import figures as fg
from core.generative import pixelcnn as pc
from core.generative import pixelcnn_training as pt

VAE = "vae-mnist-z16"


@st.cache_resource(show_spinner="Loading the shipped PixelCNN…")
def model() -> pc.PixelCNN:
    return checkpoints.load_model(pt.CHECKPOINT)  # read-only, shared by all sessions


@st.cache_resource(show_spinner="Measuring the VAE on the same binarised images…")
def vae_bound() -> tuple[float, float] | None:
    """The shipped VAE's -ELBO on the binarised test images, and the bound in its manifest (grey levels)."""
    try:
        vae = checkpoints.load_model(VAE)
    except checkpoints.CheckpointError:
        return None
    test = data.load("mnist", "test")
    return pt.vae_bound_binarised(vae, test.X), float(checkpoints.entry(VAE).metrics["test_neg_elbo"])


@st.cache_data(show_spinner="Drawing pixel by pixel…", max_entries=16)
def sampled(n: int, temperature: float, seed: int) -> pc.SampleTrace:
    return pc.sample(model(), n, temperature, seed)


@st.cache_data(show_spinner="Completing the lower half…", max_entries=16)
def completed(index: int, n: int, temperature: float, seed: int) -> pc.SampleTrace:
    return pc.complete(model(), data.load("mnist", "test").X[index], n, temperature, seed)


def likelihoods() -> None:
    m = checkpoints.entry(pt.CHECKPOINT).metrics
    cols = st.columns(3)
    cols[0].metric("PixelCNN −log p(x), held-out", f"{m['test_nll']:.1f} nats")
    cols[0].caption(f"{m['test_bits_per_pixel']:.3f} bits per pixel, exact")
    vae = vae_bound()
    if vae is not None:
        cols[1].metric("VAE (16-D) −ELBO, same images", f"{vae[0]:.1f} nats")
        cols[1].caption("an upper bound on its −log p(x)")
        cols[2].metric("VAE −ELBO in its manifest", f"{vae[1]:.1f} nats")
        cols[2].caption("grey levels as targets: not the same data")
    st.caption(f"Measured on the {m['n_test']:,} MNIST test images, binarised at {pc.THRESHOLD:g} (the "
               "shipped models' test split); lower is better; 784 · log 2 ≈ 543 nats is a coin per pixel.")


def sampling(temperature: float) -> pc.SampleTrace:
    a, b = st.columns(2)
    with a:
        n = ui.slider("Samples", "l5px_n", *pc.SAMPLE_COUNT, pc.DEFAULT_SAMPLES)
    with b:
        seed = ui.number_input("Seed", "l5px_seed", *pc.SEED_RANGE, 0)
    trace = sampled(n, temperature, int(seed))
    st.image(fg.rgb_grid(fg.binary_tiles(trace.images), cols=8),
             caption=f"{n} samples at temperature {temperature:g}, drawn pixel by pixel in raster order",
             alt=f"{n} binary digits sampled by the PixelCNN")
    return trace


def animation(trace: pc.SampleTrace) -> None:
    step = ui.slider("Pixels drawn", "l5px_step", 0, pc.PIXELS, pc.PIXELS // 2)
    tiles = fg.binary_tiles(trace.frame(step), step if step < pc.PIXELS else None)
    st.image(fg.rgb_grid(tiles, cols=8, upscale=4),
             caption="The samples above after this many pixels; grey: not drawn yet; red: the next pixel",
             alt=f"The samples after {step} of {pc.PIXELS} pixels")
    if step < pc.PIXELS:
        r, c = divmod(step, pc.SIZE)
        probs = ", ".join(f"{p:.2f}" for p in trace.probs[:, r, c])
        st.caption(f"Pixel {step} (row {r}, column {c}): p(ink | the pixels before) = {probs}")


def completion(temperature: float) -> None:
    test = data.load("mnist", "test")
    a, b, c = st.columns(3)
    with a:
        i = ui.number_input("Test image", "l5px_img", 0, len(test) - 1, 0)
    with b:
        n = ui.slider("Completions", "l5px_nc", *pc.COMPLETION_COUNT, pc.DEFAULT_COMPLETIONS)
    with c:
        seed = ui.number_input("Completion seed", "l5px_cseed", *pc.SEED_RANGE, 0)
    trace = completed(int(i), n, temperature, int(seed))
    whole = pc.binarise(test.X[[i]])[:, 0]
    top = trace.frame(trace.start)[:1]
    st.image(fg.rgb_grid(fg.binary_tiles(np.concatenate([whole, top, trace.images])), upscale=4),
             caption=f"Test image {i} (a {test.classes[test.y[i]]}), its upper half as given, then {n} lower "
                     f"halves drawn by the PixelCNN at temperature {temperature:g}",
             alt=f"Test image {i}, its upper half, and {n} completions of the lower half")
