"""Convolution explorer: convolve, pool and up-sample real images; output sizes; receptive fields."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.pages.l3._convolution_results import pooled_and_transposed
from apps.pages.l3._explainer_section import activations_section, arithmetic_section, effective_rf_section
from apps.pages.l3._receptive_field_section import receptive_field_section
from core.cnn import conv, explorer, image_sources, kernels
from core.cnn import explorer_figures as figures
from core.cnn import receptive_field as rf

page_header("l3-convolution")
UPLOAD = "your upload"

c1, c2, c3, c4 = st.columns(4)
with c1:
    source = ui.selectbox("Image", "l3conv_src", (*image_sources.SOURCES, UPLOAD), "camera")
    index = ui.slider("Test image number", "l3conv_idx", 0, 199, 0) if source in image_sources.DATASETS else 0
    upload = st.file_uploader("Your image (≤ 10 MB)", key="l3conv_upload") if source == UPLOAD else None
with c2:
    kernel = ui.selectbox("Kernel", "l3conv_kernel", kernels.KERNELS, "edge (Sobel x)")
    k = ui.slider("Kernel size k", "l3conv_k", 1, 11, 3, disabled=kernel == kernels.LEARNED)
    seed = ui.slider("Random seed", "l3conv_seed", 0, 99, 0) if kernel == "random" else 0
with c3:
    stride = ui.slider("Stride s", "l3conv_s", 1, 4, 1)
    padding = ui.slider("Padding p", "l3conv_p", 0, 10, 1)
    dilation = ui.slider("Dilation d", "l3conv_d", 1, 4, 1)
    relu = ui.toggle("ReLU after the convolution", "l3conv_relu", False)
with c4:
    pool = ui.segmented("Pooling", "l3conv_pool", ("none", "max", "avg"), "none")
    pool_k = ui.slider("Pool window", "l3conv_pk", 2, 4, 2, disabled=pool == "none")
    pool_s = ui.slider("Pool stride", "l3conv_ps", 1, 4, 2, disabled=pool == "none")

with st.expander("Transposed convolution (up-sampling)", expanded=ui.url_value("l3conv_t", False)):
    t1, t2, t3, t4, t5 = st.columns(5)
    with t1:
        transposed = ui.toggle("Add it", "l3conv_t", False)
    with t2:
        t_k = ui.slider("Kernel", "l3conv_tk", 1, 6, 3)
    with t3:
        t_s = ui.slider("Stride", "l3conv_ts", 1, 4, 2)
    with t4:
        t_p = ui.slider("Padding", "l3conv_tp", 0, 3, 0)
    with t5:
        t_op = ui.slider("Output padding", "l3conv_top", 0, 3, 0)

# ---- the image ---------------------------------------------------------------------------------------
image = None
if source == UPLOAD:
    if upload is None:
        st.info("Choose a PNG/JPEG/… file above; meanwhile the 'camera' photo is shown.")
    else:
        try:
            image = image_sources.load_upload(upload.getvalue(), upload.name)
        except ValueError as exc:
            st.error(f"{exc}. Showing the 'camera' photo instead.")
try:
    image = image or image_sources.load_image(source if source != UPLOAD else "camera", index)
except (RuntimeError, OSError, ValueError) as exc:  # a data set with no source here: say so, use a photo
    st.warning(f"{source} is not available here ({exc}); showing the 'camera' photo.")
    image = image_sources.load_image("camera")
st.caption(
    f"{image.label} — {image.pixels.shape[1]}×{image.pixels.shape[0]} px, grey. Source: {image.provenance}"
)

filter_index = 0
if kernel == kernels.LEARNED:
    try:
        n_filters = len(kernels.learned_filters())
        filter_index = ui.slider("Learned filter", "l3conv_filter", 0, n_filters - 1, 0)
    except kernels.FiltersUnavailable as exc:
        st.warning(f"{exc} Using the Sobel x kernel meanwhile.")
        kernel = "edge (Sobel x)"

cfg = explorer.ExplorerConfig(kernel, k, stride, padding, dilation, relu, pool, pool_k, pool_s,
                         transposed, t_k, t_s, t_p, t_op, seed, filter_index)  # fmt: skip
try:
    res = explorer.explore(image.pixels, cfg)
except ValueError as exc:
    st.error(f"These settings do not fit a {image.pixels.shape[1]}×{image.pixels.shape[0]} image — {exc}")
    st.stop()

# ---- results -----------------------------------------------------------------------------------------
scale = figures.display_scale(image.pixels.shape)
st.markdown(explorer.explorer_summary(res))
a, b, c = st.columns([2, 1.2, 2])  # the kernel's annotated heat map needs ~150 px
(h, w), (ch, cw) = res.image.shape, res.conv.shape
a.image(figures.to_rgb(res.image, scale, percentile=None), caption=f"input {h}×{w}", alt=image.label)
kh, kw = res.kernel.shape
b.plotly_chart(figures.kernel_figure(res.kernel, f"Kernel {kh}×{kw}"))
c.image(figures.to_rgb(res.conv, scale), caption=f"convolution {ch}×{cw} (red +, blue −, white 0)",
        alt=f"the {kernel} kernel's response map, {ch} by {cw} pixels")
st.latex(conv.conv_formula_latex(h, kh, stride, padding, dilation))
pooled_and_transposed(res, cfg, scale)
arithmetic_section(res, cfg)
for key in ("correlation", "sharing", "dilation", "pooling", "transposed"):
    st.markdown(explorer.NOTES[key])

receptive_field_section(image.pixels, cfg, scale)
activations_section()
effective_rf_section()
show_source(explorer.explore, rf.receptive_field, rf.rf_check)
