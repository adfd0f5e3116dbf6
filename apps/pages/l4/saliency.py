"""Saliency maps: four captum attribution methods on the crop the network sees, timed, and tested for
faithfulness with deletion curves."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.pages.l4._picture import pick_backbone, pick_photo
from core.data import images
from core.transfer import config, figures, saliency

page_header("l4-saliency")
c1, c2, c3 = st.columns(3)
with c1:
    decoded, caption = pick_photo("l4sal")
    backbone = pick_backbone("l4sal")
with c2:
    methods = ui.multiselect(
        "Methods",
        "l4sal_methods",
        tuple(saliency.METHODS),
        ("saliency", "gradcam"),
        format_func=saliency.METHODS.get,
    )
    rank = ui.select_slider(
        "Explain the class ranked", "l4sal_rank", tuple(range(1, 6)), config.TARGET_RANK[2]
    )
    faithful = ui.toggle("Deletion curves (faithfulness)", "l4sal_deletion", True)
with c3:
    steps = ui.slider("Integrated Gradients: steps", "l4sal_steps", *config.IG_STEPS)
    layers = backbone.info.gradcam_layers
    layer = ui.selectbox(
        "Grad-CAM: layer",
        f"l4sal_layer_{backbone.name}",
        tuple(p for p, _ in layers),
        layers[-1][0],
        format_func=dict(layers).get,
    )
    lo, hi, default = config.OCCLUSION_WINDOW
    window = ui.slider(
        "Occlusion: window (px of the crop)", "l4sal_window", lo, hi, default, step=config.SIZE_STEP
    )
    lo, hi, default = config.OCCLUSION_STRIDE
    stride = ui.slider(
        "Occlusion: stride", "l4sal_stride", lo, min(hi, window), min(default, window), step=config.SIZE_STEP
    )
if not methods:
    st.info("Choose at least one method.")
    st.stop()


@st.cache_data(max_entries=16, show_spinner=False)
def _compare(
    digest: str,
    _image: images.DecodedImage,
    backbone: str,
    methods: tuple[str, ...],
    rank: int,
    steps: int,
    layer: str,
    window: int,
    stride: int,
    faithful: bool,
) -> saliency.Comparison:
    return saliency.compare(
        _image,
        methods,
        rank,
        backbone=backbone,
        steps=steps,
        layer=layer,
        window=window,
        stride=stride,
        faithfulness=faithful,
    )


digest = hashlib.sha256(np.ascontiguousarray(decoded.rgba).data).hexdigest()
with st.spinner("Computing the attributions…"):
    try:
        result = _compare(
            digest, decoded, backbone.name, tuple(methods), rank, steps, layer, window, stride, faithful
        )
    except (ValueError, images.ImageError) as exc:
        st.error(f"Cannot explain this image: {exc}")
        st.stop()

st.subheader(f"Why “{result.target_name}” ({result.probability:.1%}, ranked {rank})?")
photo = np.asarray(next(iter(result.explanations.values())).prep.rgb)
cols = st.columns(len(result.explanations))
for col, (method, exp) in zip(cols, result.explanations.items()):
    with col:
        st.image(figures.overlay(photo, exp.image_map), caption=saliency.METHODS[method],
                 alt=f"{saliency.METHODS[method]} map over the photo")
        st.metric(f"{saliency.METHODS[method]}: time", f"{exp.seconds * 1000:.0f} ms")
st.caption(
    f"{caption}. Bright = important for the class. Each map is computed on the {backbone.info.input_size}"
    "-pixel centre crop the network sees and put back on the photo; outside the crop it is dark."
)

if result.curves:
    st.plotly_chart(
        figures.deletion_figure({saliency.METHODS[m]: c for m, c in result.curves.items()}),
        key="l4sal_deletion_fig",
    )
    st.markdown(saliency.deletion_verdict(result))
st.markdown(saliency.NOTES)
show_source(saliency.compare, saliency.explain, saliency.deletion_curve)
