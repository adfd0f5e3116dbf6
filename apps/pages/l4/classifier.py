"""ImageNet classifier: a bundled photo or an upload, the top classes, and every preprocessing step."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.pages.l4._picture import pick_backbone, pick_photo
from core.data import images
from core.transfer import classifier, config, figures, preprocess

page_header("l4-classifier")

left, right = st.columns([1, 2])
with left:
    decoded, caption = pick_photo("l4cls")
    backbone = pick_backbone("l4cls")
    k = ui.slider("Classes listed", "l4cls_topk", *config.TOP_K)

try:
    result = classifier.run(decoded, backbone)
except images.ImageError as exc:
    st.error(f"This image cannot be classified: {exc}")
    st.stop()
prep, info = result.prep, backbone.info
best, p = result.top(1)[0]
with right:
    st.subheader(f"{best} ({p:.1%})")
    st.plotly_chart(figures.topk_figure(result.top(k)), key="l4cls_top")
    st.caption(
        f"{info.title} picks one of the 1,000 ImageNet classes; the bars are its softmax probabilities. "
        "Classes outside ImageNet (a person, a temple) get the nearest things it knows."
    )

st.subheader("What the network is given, step by step")
w, h = prep.size
rw, rh = prep.resized_size
s1, s2, s3 = st.columns(3)
with s1:
    st.image(figures.with_box(prep.rgb, prep.box), caption=f"1. {caption}",
             alt=f"the photo, {w}×{h} px, with the crop box")
with s2:
    st.image(
        prep.crop,
        alt=f"the {info.input_size}×{info.input_size} centre crop the network sees",
        caption=f"2–3. Resize the shorter side to {info.resize_to} px ({rw}×{rh}), then keep "
        f"the centre {info.input_size}×{info.input_size} (the box on the left).",
    )
with s3:
    st.plotly_chart(figures.channel_histogram(prep.tensor), key="l4cls_hist")
st.markdown(
    f"1. **RGB**: transparency is shown over white, grey scans get three equal channels, CMYK and 16-bit "
    f"images are converted. Your photo is {w}×{h} px.\n"
    f"2. **Resize** (bicubic) so the shorter side is {info.resize_to} px: the network was trained on objects "
    "of about this size.\n"
    f"3. **Centre crop** {info.input_size}×{info.input_size}: the network sees only the box; anything "
    f"outside it (here {1 - (info.input_size * info.input_size) / (rw * rh):.0%} of the resized picture) "
    "cannot change the answer.\n"
    f"4. **Normalise** each channel: (pixel / 255 − mean) / std with mean "
    f"{tuple(round(m, 3) for m in info.mean)} and std {tuple(round(v, 3) for v in info.std)}, the statistics "
    "the weights were trained with."
)
show_source(preprocess.preprocess, preprocess.crop_geometry, classifier.run)
