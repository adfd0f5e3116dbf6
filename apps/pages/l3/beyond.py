"""Convolution beyond images: a kernel sliding along a time series, and a 3D kernel over a video clip."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from core.cnn import conv1d3d as c13

page_header("l3-beyond")
N = c13.SERIES_LENGTH

st.subheader("1D: a kernel sliding along a time series")
c1, c2, c3, c4 = st.columns(4)
with c1:
    noise = ui.slider("Noise σ", "l3b_noise", *c13.NOISE, step=c13.NOISE_STEP)
    seed = ui.slider("Noise seed", "l3b_seed", *c13.NOISE_SEED)
with c2:
    kname = ui.selectbox("Kernel", "l3b_kernel", c13.KERNELS_1D, "moving average")
    width = ui.slider("Kernel width (taps)", "l3b_width", *c13.TAPS, disabled=kname == "custom")
with c3:
    padding = ui.segmented("Padding", "l3b_pad", c13.PADDINGS, "same")
    dilation = ui.slider("Dilation", "l3b_dil", *c13.DILATION)
with c4:
    position = ui.slider("Kernel position (output step)", "l3b_pos", 0, N - 1, 150)

if kname == "custom":  # no text widget in apps.common.state: bind this one to the URL by hand
    if "l3b_custom" not in st.session_state:
        st.session_state["l3b_custom"] = ui.url_value("l3b_custom", "1, 0, -1")
    text = st.text_input("Custom kernel: weights separated by commas", key="l3b_custom")
    if st.query_params.get("l3b_custom") != text:
        st.query_params["l3b_custom"] = text

signal = c13.time_series(N, noise, seed)
try:
    kernel = c13.kernel_1d(kname, width, st.session_state.get("l3b_custom", ""))
    out = c13.conv1d(signal, kernel, padding, dilation)
except ValueError as exc:
    st.error(f"Cannot apply this kernel: {exc}")
else:
    st.plotly_chart(c13.series_figure(signal, out, kernel, position, padding, dilation))
    shown = min(position, len(out) - 1)
    weights = ", ".join(f"{w:.3g}" for w in kernel)
    st.markdown(
        f"Kernel ({len(kernel)} taps): `{weights}`. Output length {len(out)} (input {N}, {padding} "
        f"padding); y[{shown}] = {out[shown]:.3f}. The same {len(kernel)} weights are used at every time "
        "step — weight sharing along time. Moving averages and Gaussians smooth the noise but blur the "
        "step; derivative kernels (least-squares slope, Savitzky & Golay 1964) spike on it."
    )
    st.caption(
        "Causal 1D convolutions (only past samples, dilations 1, 2, 4, …) are the core of WaveNet "
        "(van den Oord et al. 2016) and temporal convolutional networks (Bai et al. 2018)."
    )

st.subheader("3D: a kernel over time × height × width")
v1, v2, v3, v4 = st.columns([1, 1, 1.5, 1])  # "temporal difference" fits its box
with v1:
    shape = ui.selectbox("Moving object", "l3b_shape", c13.SHAPES, "ball")
with v2:
    speed = ui.slider("Speed (pixels per frame)", "l3b_speed", *c13.SPEED)
with v3:
    k3 = ui.selectbox("3D kernel", "l3b_k3", c13.KERNELS_3D, "temporal difference")
with v4:
    frame = ui.slider("Frame", "l3b_frame", 0, c13.FRAMES - 1, 4)

video = c13.synthetic_video(c13.FRAMES, c13.FRAME_SIZE, shape, speed)
kernel3 = c13.kernel_3d(k3)
response = c13.conv3d(video, kernel3)
st.image(c13.filmstrip(video), caption="The clip: every second frame of 16 (32×32 px)",
         alt=f"film strip of a moving {shape}")
st.plotly_chart(c13.video_figure(video, response, frame))
st.markdown(
    f"Shapes: {c13.shape_text(video, kernel3)}. The kernel has {c13.kernel_params(kernel3)} parameters "
    "(with bias), shared across all positions *and* frames. The temporal difference fires only where "
    "something moves (the object's leading and trailing edges) and is exactly zero on the static background "
    "or at speed 0; a spatial edge kernel fires on every edge, moving or not. Learned 3D kernels (C3D, Tran "
    "et al. 2015; I3D, Carreira & Zisserman 2017) combine both: motion-selective feature detectors."
)
show_source(c13.conv1d, c13.conv3d)
