"""The convolution page's pooled and transposed (up-sampled) results, each with its size formula."""

from __future__ import annotations

import streamlit as st

from core.cnn import conv, explorer
from core.cnn import explorer_figures as figures


def pooled_and_transposed(res: explorer.ExplorerResult, cfg: explorer.ExplorerConfig, scale: int) -> None:
    """The pooled map and the transposed convolution with its kernel-overlap count, if switched on."""
    if res.pooled is not None:
        size_p = "×".join(map(str, res.pooled.shape))
        st.image(
            figures.to_rgb(res.pooled, scale),
            caption=f"{cfg.pool}-pooling {size_p}",
            alt=f"{cfg.pool}-pooled map {size_p}",
        )
        st.latex(conv.conv_formula_latex(res.conv.shape[0], cfg.pool_size, cfg.pool_stride))
        st.caption("Pooling follows the same formula (window k, stride s, no padding, d = 1).")
    if res.transposed is not None and res.overlap is not None:
        last = res.pooled if res.pooled is not None else res.conv
        d1, d2 = st.columns(2)
        size_t = "×".join(map(str, res.transposed.shape))
        d1.image(
            figures.to_rgb(res.transposed, scale),
            caption=f"transposed convolution {size_t}",
            alt="up-sampled map",
        )
        overlap = figures.to_rgb(res.overlap, scale, signed=False, percentile=None)
        d2.image(
            overlap, caption="kernel overlaps per pixel (uneven = checkerboard)", alt="kernel overlap counts"
        )
        st.latex(
            conv.transpose_formula_latex(
                last.shape[0], cfg.t_kernel, cfg.t_stride, cfg.t_padding, 1, cfg.t_output_padding
            )
        )
        even = cfg.t_kernel % cfg.t_stride == 0
        (st.success if even else st.warning)(
            f"k = {cfg.t_kernel} is {'a multiple' if even else 'not a multiple'} of s = {cfg.t_stride}: "
            "the overlaps are "
            f"{'even' if even else 'uneven, hence the checkerboard pattern'}."
        )
