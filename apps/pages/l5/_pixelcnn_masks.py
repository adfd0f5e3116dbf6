"""The masked-convolutions view of the PixelCNN page: mask A and B, and what the output at one pixel sees
after a chosen number of masked layers of the shipped model (the blind spot in orange)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from apps.common import state as ui
from core.generative import figures as fg
from core.generative import pixelcnn as pc


@st.cache_data(max_entries=256, show_spinner=False)
def _seen(_net: pc.PixelCNN, row: int, col: int, depth: int) -> np.ndarray:
    return pc.dependency_map(_net, row, col, depth)  # the shipped model: one map per pixel and depth

def masks(net: pc.PixelCNN) -> None:
    k = net.config.first_kernel
    a, b, c = st.columns([2, 1, 3])
    a.image(fg.mask_picture(pc.causal_mask(k, False).numpy()), caption=f"Mask A, {k}x{k} (first layer)",
            alt=f"Mask A: a {k}x{k} grid, the weights before the centre pixel in raster order kept")
    b.image(fg.mask_picture(pc.causal_mask(3, True).numpy()), caption="Mask B, 3x3",
            alt="Mask B: a 3x3 grid, the centre and the weights before it kept")
    c.markdown("Blue weights are used, white ones are zeroed; the red square is the pixel being predicted. "
               "Mask A hides the pixel itself from the first layer; mask B lets later layers use the centre, "
               "which by then holds features of earlier pixels only.")
    d1, d2, d3 = st.columns(3)
    with d1:
        row = ui.slider("Row", "l5px_row", 0, pc.SIZE - 1, 14)
    with d2:
        col = ui.slider("Column", "l5px_col", 0, pc.SIZE - 1, 14)
    with d3:
        depth = ui.slider("Masked layers", "l5px_depth", 1, net.depth, net.depth)
    seen = _seen(net, row, col, depth)
    before, reach = pc.raster_before(row, col), pc.within_reach(net, row, col, depth)
    left, right = st.columns([2, 3])
    left.image(fg.dependency_picture(seen, before, reach, row, col),
               caption=f"What the output at ({row}, {col}) sees after {depth} masked layer(s)",
               alt=f"Dependency map of pixel ({row}, {col}) after {depth} masked layers")
    blind = int((before & reach & ~seen).sum())
    right.metric("Earlier pixels it depends on", f"{int(seen.sum())} of {int(before.sum())}")
    right.metric("Blind spot: earlier pixels within reach it never sees", f"{blind}")
    right.caption("Read from the shipped model by autograd: blue pixels have a non-zero gradient at the "
                  f"output. The layers reach {net.reach(depth)} rows up and as many columns to each side; "
                  "orange: earlier pixels inside that reach with no gradient (the blind spot, upper right); "
                  "pale: earlier but out of reach. Pixels after the red one (white) never have a gradient: "
                  "the model is causal.")
