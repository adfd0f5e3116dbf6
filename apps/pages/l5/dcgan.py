"""A DCGAN on Fashion-MNIST: seeded samples, latent interpolation between two seeds, and how many samples
the data set's shipped classifier recognises with confidence, beside the same numbers for real images."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.pages.l5 import _dcgan_parts as parts
from core import checkpoints
from core.generative import dcgan as dc
from core.generative import dcgan_training as dt
from core.generative import gan_step as gs

page_header("l5-dcgan")
st.markdown(
    "A **DCGAN** (Radford et al. 2016) is a GAN built from convolutions: the generator turns a noise "
    "vector z into an image with strided *transposed* convolutions, batch norm and ReLU, ending in tanh; "
    "the discriminator mirrors it with strided convolutions and LeakyReLU. The two are trained against "
    "each other (Adam, learning rate 2e-4, β₁ 0.5) until the discriminator can no longer tell the "
    "generator's images from the training images. A GAN has no likelihood to report, so here the shipped "
    "Fashion-MNIST classifier judges the samples: a good generator makes images it recognises with "
    "confidence, from every class."
)
try:
    gan, _ = parts.models()
except checkpoints.CheckpointError as exc:
    st.warning(f"The shipped DCGAN is not available: {exc}")
    st.stop()
shipped = checkpoints.entry(dt.CHECKPOINT).metrics
st.caption(f"{dc.describe(gan.config)} {sum(p.numel() for p in gan.generator.parameters()):,} generator "
           "weights.")

st.subheader("Samples")
a, b = st.columns(2)
with a:
    first = ui.slider("First seed (each image has its own seed: z = randn(seed))", "l5dc_seed",
                      *dc.SEED_RANGE, 0)
with b:
    n = ui.slider("Samples", "l5dc_n", *dc.GRID_RANGE, 16)
images, quality = parts.sampled(first, n)
parts.show(images, quality)
parts.readout(quality, first, shipped)
with st.expander("The class histogram of 1,000 samples and of 1,000 real test images"):
    st.plotly_chart(parts.histogram(shipped), key="l5dc_hist")

st.subheader("Latent interpolation")
st.markdown("The straight line from one seed's z to another's: each step is decoded by the generator. "
            "A GAN with a smooth latent space morphs one garment into another without leaving the data.")
c, d, e = st.columns(3)
with c:
    seed_a = ui.slider("Seed A", "l5dc_a", *dc.SEED_RANGE, 0)
with d:
    seed_b = ui.slider("Seed B", "l5dc_b", *dc.SEED_RANGE, 1)
with e:
    steps = ui.slider("Steps (both ends included)", "l5dc_steps", *dc.INTERP_STEPS, 8)
parts.show(*parts.interpolated(seed_a, seed_b, steps))
st.markdown(
    "**Things to try.** Slide through the seeds and watch the '?' labels: the samples the classifier "
    "cannot place are mostly tops it wavers between shirt, pullover and coat for, and bags. The shipped "
    f"numbers set them in proportion: {shipped['sample_confident_share']:.0%} of samples are classified "
    f"with confidence against {shipped['real_confident_share']:.0%} of real test images, so even real "
    "images are not all recognised (real shirts least of all). Open the histogram: trousers, sandals, "
    "sneakers and ankle boots come out crisp; T-shirts, pullovers and dresses rarely do. Pick two seeds "
    "of different classes for the interpolation and find the step where the label flips."
)
show_source(dc.Generator, dc.judged_samples, gs.gan_step)
