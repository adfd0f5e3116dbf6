"""PixelCNN on binarised MNIST: masked convolutions and what one pixel sees (the blind spot included),
sampling with a temperature, a pixel-by-pixel replay, completion of a half image, and the held-out
likelihood beside the VAE's bound."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.pages.l5 import _pixelcnn_masks as masks
from apps.pages.l5 import _pixelcnn_parts as parts
from core import checkpoints
from core.generative import pixelcnn as pc

page_header("l5-pixelcnn")
st.markdown(
    "An **autoregressive** model factorises an image into one prediction per pixel, in raster order: "
    "p(x) = ∏ᵢ p(xᵢ | x₁ … xᵢ₋₁). The **PixelCNN** (van den Oord et al. 2016) makes all 784 predictions in "
    "one pass with *masked* convolutions that never look at the pixel itself or anything after it, so its "
    "likelihood is exact (a VAE only bounds it). Sampling has no such shortcut: 784 passes, one pixel each."
)
try:
    net = parts.model()
except checkpoints.CheckpointError as exc:
    st.warning(f"The shipped PixelCNN is not available: {exc}")
    st.stop()
parts.likelihoods()
st.caption(pc.describe(net.config))
temperature = ui.slider("Temperature (the logits are divided by it)", "l5px_t", *pc.TEMPERATURE_RANGE, 1.0,
                        0.05)
tabs = st.tabs(["Sampling", "Pixel by pixel", "Completion", "Masked convolutions"])
with tabs[0]:
    trace = parts.sampling(temperature)
with tabs[1]:
    parts.animation(trace)
with tabs[2]:
    parts.completion(temperature)
with tabs[3]:
    masks.masks(net)
st.markdown(
    "**Things to try.** Lower the temperature to 0.5: most samples stay blank, because on an empty page "
    "the likeliest next pixel is always paper; at 1.5 they fill with specks. Completion is where a low "
    "temperature shines: give it the top of a 0 (test image 3) at 0.5 and the strokes close cleanly, into "
    "a 0, a 9 or something between. Replay a sample pixel by pixel: the model is unsure (p near 0.5) "
    "where a stroke may begin, certain inside one. In *Masked convolutions*, put the pixel in the middle "
    "and watch the orange blind spot at its upper right: the stacked 3x3 masks never reach it."
)
show_source(pc.MaskedConv2d, pc.PixelCNN, pc.dependency_map)
