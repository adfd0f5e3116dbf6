"""Gradio tab of lecture 4: object detection and segmentation with torchvision's COCO models (``/detect``).

The same core call as the Streamlit page ``l4-detect``: a bundled photo or an upload (decoded by the one
decoder), the model, the score threshold and the number of detections in (checked against the page's
ranges); the picture with boxes and masks, the detections and a note out. When the model's weights are
neither cached nor downloadable, no picture comes back, only a note naming the missing file.
"""

from __future__ import annotations

import gradio as gr

from apps.gradio_tabs.inputs import CheckedDropdown, CheckedSlider, choice, number, photo_picker
from apps.gradio_tabs.lecture4 import picture
from core.transfer import detect_figures as df
from core.transfer import detection as dt
from core.transfer import photos

OWN_TABS = True
"""build() opens its own tabs (the front end adds none around it)."""


def detect(
    photo: str, upload: str | None, model: str, threshold: float, max_detections: float
) -> tuple[object, list[list[object]], str]:
    """The figure (None without weights), rows [class, score, x0, y0, x1, y1] and a note."""
    cfg = dt.DetectConfig(
        model=choice("Model", model, tuple(dt.DETECTORS)),
        score_threshold=number("Score threshold", threshold, *dt.SCORE[:2], integer=False),
        max_detections=number("Max detections", max_detections, *dt.MAX_DETECTIONS[:2]),
    )
    decoded, what = picture(photo, upload)
    result = dt.detect(decoded, cfg)
    if isinstance(result, dt.Unavailable):
        return None, [], f"**Weights missing: nothing is detected without them.** {result.message}"
    boxes = [[round(float(v), 1) for v in b] for b in result.boxes] or [[None] * 4] * result.count  # semantic
    rows = [[label, round(float(s), 4), *box] for label, s, box in zip(result.labels, result.scores, boxes)]
    unit = "classes" if result.info.task == "semantic" else "detections"
    note = (f"{result.count} of {result.candidates} {unit} at score ≥ {cfg.score_threshold:.2f} in {what}, "
            f"{result.seconds:.2f} s, by {result.info.title} ({result.info.quality}); weights from "
            f"{result.provenance}.")  # fmt: skip
    return df.detection_figure(result), rows, note


def build() -> None:
    """Lay out detection and segmentation inside the current Blocks/Tab."""
    names = list(photos.photos())
    with gr.Tab("Detection & segmentation"):
        gr.Markdown(
            "### Detection and segmentation\nCOCO models on ImageNet backbones (torchvision): boxes, "
            "instance masks or a class per pixel. Weights come from the torch hub cache, or a download "
            "when online."
        )
        with gr.Row():
            with gr.Column():
                photo, upload = photo_picker(names, "astronaut")
                titled = [(f"{d.title} ({dt.TASKS[d.task]})", n) for n, d in dt.DETECTORS.items()]
                model = CheckedDropdown(titled, value=dt.DEFAULT, label="Model")
                lo, hi, default = dt.SCORE
                threshold = CheckedSlider(lo, hi, value=default, step=dt.SCORE_STEP, label="Score threshold")
                lo, hi, default = dt.MAX_DETECTIONS
                top = CheckedSlider(lo, hi, value=default, step=1, label="Max detections")
                button = gr.Button("Detect", variant="primary")
            with gr.Column():
                figure = gr.Plot(label="Detections")
                table = gr.Dataframe(headers=["class", "score / share", "x0", "y0", "x1", "y1"],
                                     label="Found")  # fmt: skip
                note = gr.Markdown()
        gr.on([button.click], detect, [photo, upload, model, threshold, top], [figure, table, note],
              api_name="detect")  # fmt: skip
