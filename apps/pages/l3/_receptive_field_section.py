"""The convolution page's receptive-field section: a stack of layers, its field by the recurrence and
checked by backpropagating one output unit to the image."""

from __future__ import annotations

import numpy as np
import streamlit as st

from apps.common import state as ui
from core.cnn import explorer
from core.cnn import explorer_figures as figures
from core.cnn import receptive_field as rf


def receptive_field_section(pixels: np.ndarray, cfg: explorer.ExplorerConfig, scale: int) -> None:
    """Stack picker, the field table and growth chart, and the gradient check on ``pixels``."""
    st.subheader("Receptive field through a stack of layers")
    st.markdown(explorer.NOTES["receptive_field"])
    st.latex(r"r_l = r_{l-1} + d_l(k_l-1)\,j_{l-1},\quad j_l = j_{l-1}\,s_l,\quad r_0 = j_0 = 1")
    r1, r2 = st.columns(2)
    with r1:
        preset = ui.selectbox("Stack", "l3conv_stack", rf.RF_PRESETS, rf.RF_PRESETS[1])
    with r2:
        repeats = ui.slider("Repeats", "l3conv_rep", 1, 8, 3)
    try:
        layers = rf.rf_stack(preset, repeats, cfg)
        rows = rf.receptive_field(layers, pixels.shape)
        check = rf.rf_check(layers, pixels.shape)
    except ValueError as exc:
        st.error(f"This stack does not fit the image: {exc}")
    else:
        st.markdown(figures.rf_markdown(rows))
        e1, e2 = st.columns(2)
        e1.plotly_chart(figures.rf_growth_figure(rows))
        caption = f"what output unit {check.unit} sees: orange = non-zero gradient, blue = predicted box"
        e2.image(figures.rf_picture(pixels, check, scale), caption=caption, alt="pixels one output unit sees")
        if check.gaps:
            st.warning(
                f"Gridding: {check.gaps} of the {rows[-1].rf ** 2} pixels inside the "
                f"{rows[-1].rf}×{rows[-1].rf} field never reach this unit (the holes in the orange pattern)."
            )
        if check.agree:
            st.success(
                f"Gradient check passed: ∂(unit {check.unit})/∂(input) is non-zero on exactly the "
                f"{int(check.predicted.sum())} pixels the recurrence predicts "
                f"(receptive field {rows[-1].rf} px)."
            )
        else:
            st.warning("Gradient check: the non-zero gradient differs from the predicted field.")
