"""Super-resolution: a small ESPCN against bicubic interpolation on a shrunk photo, side by side, with PSNR
and SSIM against the original measured on the spot."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.pages.l5 import _superres_parts as parts
from core import checkpoints
from core.generative import superres as sr
from core.generative import superres_training as srt

page_header("l5-superres")
st.markdown(
    "**Super-resolution** guesses the detail a small image lost. Here each photo is shrunk by the scale "
    "factor, then enlarged back two ways: **bicubic** interpolation (a fixed smooth curve through the "
    "pixels) and an **ESPCN** (Shi et al. 2016), a three-layer network trained on patches of other photos. "
    "ESPCN runs every convolution on the *small* image and only at the end turns scale² channels per "
    "pixel into a scale × scale block (the sub-pixel convolution, `PixelShuffle`); here it learns a "
    "correction on top of bicubic. Both are scored against the original with PSNR and SSIM."
)
scales = parts.shipped_scales()
if not scales:
    st.warning(f"No ESPCN is shipped here; rebuild one with `{checkpoints.rebuild_command('espcn-x2')}`.")
    st.stop()
a, b = st.columns([2, 1])
with a:
    choice = ui.selectbox("Photo", "l5sr_photo", (*sr.PHOTOS, parts.UPLOAD), sr.HELD_OUT[0],
                          format_func=parts.title)
with b:
    scale = ui.select_slider("Scale factor", "l5sr_scale", scales, scales[0])
try:
    net = parts.model(scale)
except checkpoints.CheckpointError as exc:
    st.warning(f"The shipped ESPCN x{scale} is not available: {exc}")
    st.stop()
st.caption(f"{sr.describe(net.config)}; {sum(p.numel() for p in net.parameters()):,} weights.")
c = parts.comparison(choice, scale)
parts.scores(c, checkpoints.entry(srt.checkpoint(scale)).metrics, choice in sr.HELD_OUT)
top, left, size = parts.region(c)
parts.side_by_side(c, top, left, size)
with st.expander("Where the crop is"):
    st.image(parts.overview(c, top, left, size), clamp=True, width=480,
             alt="the whole photo with the chosen crop marked")
st.markdown(
    "**Things to try.** On *coffee* at x2 the ESPCN wins in every crop, by 0.6 to 2.7 dB: most where "
    "there are edges (put the crop at the top middle, on the cup's rim). Move *rocket*'s crop to the top "
    "middle, into the sky: both methods score above 55 dB and the ESPCN is half a dB *worse*, since there "
    "was nothing to recover and its learned correction adds faint texture. Raise the scale factor: the "
    "gain over bicubic shrinks (held out: +0.9 dB at x2, +0.4 dB at x3 and x4), because the smaller input "
    "holds less of the detail to rebuild."
)
show_source(sr.ESPCN, sr.compare)
