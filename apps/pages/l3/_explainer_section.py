"""The convolution page's CNN Explainer views (Wang et al. 2020): one output pixel's kernel × patch
arithmetic, and one image's activations through every layer of the shipped Fashion-MNIST CNN."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from core import checkpoints, data
from core.cnn import effective_rf, explainer, explorer

MODEL = "cnn-fashion-mnist"


def arithmetic_section(res: explorer.ExplorerResult, cfg: explorer.ExplorerConfig) -> None:
    """Sliders pick an output pixel; the patch, kernel, products and their sum = the value in the map."""
    st.subheader("One output pixel, by hand")
    oh, ow = res.conv.shape
    c1, c2 = st.columns(2)
    with c1:
        row = ui.slider("Output row", "l3conv_orow", 0, oh - 1, oh // 2)
    with c2:
        col = ui.slider("Output column", "l3conv_ocol", 0, ow - 1, ow // 2)
    pa = explainer.patch_arithmetic(res, cfg, row, col)
    st.plotly_chart(explainer.arithmetic_figure(pa), key="l3conv_fig_arith")
    st.latex(explainer.sum_latex(pa))
    where = f"input rows {pa.top}… and columns {pa.left}… (step d = {cfg.dilation})"
    if pa.matches:
        st.success(
            f"The sum of the {pa.products.size} products is {pa.total:.4g}"
            + (f", after the ReLU {pa.shown:.4g}" if cfg.relu else "")
            + f": exactly the value of the convolution map at ({row}, {col}). The patch starts at {where}; "
            "taps in the zero padding contribute 0."
        )
    else:
        st.error(f"The sum {pa.total:.4g} differs from the map's value {pa.shown:.4g}.")


@st.cache_resource(show_spinner=False)
def _model():  # noqa: ANN202 - an nn.Module, loaded once per process
    return checkpoints.load_model(MODEL)


def activations_section() -> None:
    """Feature maps of one test image after every layer of the shipped CNN, four channels a layer."""
    st.subheader("One image through the whole shipped CNN")
    try:
        model, test = _model(), data.load("fashion-mnist", "test")
    except (OSError, RuntimeError, ValueError) as exc:
        st.warning(f"The shipped CNN or its test images are not available here ({exc}).")
        return
    idx = ui.slider("Fashion-MNIST test image", "l3conv_actimg", 0, 199, 0)
    image = test.X[idx, 0]
    probs = explainer.predict(model, image)
    best = int(probs.argmax())
    st.caption(
        f"Test image {idx}: a {test.classes[int(test.y[idx])]}; the network says {test.classes[best]} "
        f"({probs[best]:.0%}). Each row: the first 4 channels after one layer (red +, blue −, each channel "
        "scaled on its own). The maps shrink (pooling) while the channels grow, and the later ones respond "
        "to larger, more abstract parts of the garment."
    )
    left, right = st.columns([1, 3])
    left.image(explainer.to_rgb(image, 6, percentile=None), caption="input 1@28x28", alt=f"test image {idx}")
    with right:
        for name, shape, pic in explainer.activation_rows(model, image):
            st.image(pic, caption=f"{name}: {shape}", alt=f"four feature maps after {name}")


@st.cache_data(show_spinner="Backpropagating 200 test images…")
def _erf() -> effective_rf.EffectiveRF:
    return effective_rf.effective_rf(_model(), data.load("fashion-mnist", "test").X[:200])


def effective_rf_section() -> None:
    """Luo et al. (2016): the centre unit's gradient, averaged over images, inside its theoretical box."""
    st.subheader("Effective vs theoretical receptive field of the shipped CNN")
    try:
        erf = _erf()
    except (OSError, RuntimeError, ValueError) as exc:
        st.warning(f"The shipped CNN or its test images are not available here ({exc}).")
        return
    st.plotly_chart(effective_rf.erf_figure(erf), key="l3conv_fig_erf")
    t, half = erf.theoretical, erf.mass_side(0.5)
    st.markdown(
        f"The centre unit {erf.unit} of the last conv block *could* see a {t}×{t} pixel square (orange: "
        f"every pixel with a path to it). Averaged over {erf.images} test images, half of its gradient "
        f"comes from the central {half}×{half} pixels ({half * half / (t * t):.0%} of the area) and "
        f"{erf.mass_side(0.9)}×{erf.mass_side(0.9)} hold 90%: the **effective** receptive field is "
        "roughly Gaussian and smaller than the theoretical one, because central pixels reach the unit by "
        f"many more paths than border ones (Luo et al. 2016). Outside the box: {erf.outside:.0%}."
    )
