"""Object detection and segmentation with torchvision's COCO models, weights from the torch hub cache."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.pages.l4._style_picker import pick
from core.transfer import detect_figures as df
from core.transfer import detection as dt

page_header("l4-detect")
st.markdown(
    "The ImageNet networks of this lecture become **detectors** by fine-tuning: a backbone pre-trained on "
    "ImageNet gets a head that proposes **boxes** (Faster R-CNN, SSD), one **mask** per object (Mask "
    "R-CNN) or a **class per pixel** (DeepLabV3, LR-ASPP), trained on COCO. Their weights do not ship with "
    "the gallery: they come from torchvision's weights API through the torch hub cache."
)
left, right = st.columns([2, 3])
with left:
    decoded, caption = pick("Photo", "l4det_photo", "astronaut")
    titles = {n: f"{d.title} · {dt.TASKS[d.task].lower()}" for n, d in dt.DETECTORS.items()}
    model = ui.radio("Model", "l4det_model", tuple(dt.DETECTORS), dt.DEFAULT, format_func=titles.get)  # wraps
    threshold = ui.slider("Score threshold", "l4det_threshold", *dt.SCORE, step=dt.SCORE_STEP)
    top = ui.slider("Max detections (classes for segmentation)", "l4det_max", *dt.MAX_DETECTIONS)
    st.caption(f"{caption}.")
info = dt.DETECTORS[model]
with st.spinner(f"Running {info.title} (the first time, loading or downloading its weights)…"):
    result = dt.detect(decoded, dt.DetectConfig(model, threshold, top))

with right:
    if isinstance(result, dt.Unavailable):
        st.warning(f"**Weights missing: nothing is detected without them.** {info.title} needs "
                   f"`{result.file}` in the torch hub cache (`{result.path}`), "
                   f"and {result.reason}.", icon=":material/cloud_off:")  # fmt: skip
        st.markdown(f"On a machine that is online this page downloads the file itself ({result.url}). "
                    "To fetch it by hand, run this where the gallery runs (it checks the hash):")  # fmt: skip
        st.code(result.command, language="bash", wrap_lines=True)
    else:
        unit = "classes" if info.task == "semantic" else "detections"
        st.plotly_chart(df.detection_figure(result), key="l4det_figure")
        again = " (kept from the last run: the sliders only cut it)" if result.reused else ""
        st.caption(f"{result.count} of {result.candidates} {unit} at score ≥ {result.threshold:.2f}, found "
                   f"in {result.seconds:.2f} s{again} by {info.title} ({info.quality} per torchvision);"
                   f" weights from {result.provenance}.")  # fmt: skip
        if result.count:
            what = "share of the pixels" if info.task == "semantic" else "score"
            st.dataframe({"class": list(result.labels), what: [round(float(s), 3) for s in result.scores]},
                         hide_index=True, key="l4det_table")  # fmt: skip
        else:
            st.info(f"Nothing scores {result.threshold:.2f} or more: lower the threshold.")
st.markdown(
    "**How to read it.** Each box carries the COCO class and the model's score; the threshold hides what "
    "scores less, so lowering it shows more guesses (and more mistakes). Mask R-CNN adds a mask per box; "
    "the semantic models colour every pixel by its most likely Pascal VOC class and grey out pixels whose "
    "best class scores below the threshold. Models run at 320-520 px, so small objects are easily missed."
)
show_source(dt.detect, dt.run, dt.load)
