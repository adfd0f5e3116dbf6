"""Gradio tab of lecture 4: classify a photo with an ImageNet network (``/classify``).

The same core call as the Streamlit page ``l4-classifier``: a bundled photo or an upload (decoded by the one
decoder), the network and the number of classes in; the top classes, the 224×224 crop the network saw and
a note (which network and weights answered) out.
"""

from __future__ import annotations

import gradio as gr
import numpy as np

from apps.gradio_tabs.inputs import (
    CheckedRadio,
    CheckedSlider,
    choice,
    decode_upload,
    number,
    photo_picker,
)
from core.data import images
from core.transfer import backbone as bb
from core.transfer import classifier, config, photos

OWN_TABS = True
"""build() opens its own tabs (the front end adds none around it)."""

UPLOAD = "upload"


def picture(photo: str, upload: str | None) -> tuple[images.DecodedImage, str]:
    """The upload if there is one, else the bundled photo; gr.Error with a clear message otherwise."""
    if upload:
        decoded = decode_upload(upload)
        return decoded, f"your upload ({decoded.width}×{decoded.height} px)"
    known = photos.photos()
    name = choice("Photo", photo, tuple(known))
    try:
        return photos.load_photo(name), known[name].title
    except images.ImageError as exc:
        raise gr.Error(str(exc)) from None


def network(name: str) -> tuple[bb.Backbone, str]:
    """The chosen backbone, or the bundled one and why (a line of the note)."""
    name = choice("Network", name, tuple(bb.BACKBONES))
    try:
        backbone, fallback = bb.resolve(name)
    except bb.BackboneUnavailable as exc:
        raise gr.Error(f"No ImageNet network is available: {exc}") from None
    return backbone, fallback or f"{backbone.info.title}, weights from {backbone.provenance}."


def classify(
    photo: str, upload: str | None, backbone: str, top_k: float
) -> tuple[dict[str, float], np.ndarray, str]:
    """The top-k ImageNet classes of a photo {class: probability}, the crop the network saw, and a note."""
    k = number("Classes listed", top_k, *config.TOP_K[:2])
    decoded, what = picture(photo, upload)
    model, note = network(backbone)
    try:
        result = classifier.run(decoded, model)
    except images.ImageError as exc:
        raise gr.Error(f"This image cannot be classified: {exc}") from None
    best, p = result.top(1)[0]
    return dict(result.top(k)), np.asarray(result.prep.crop), f"**{best}** ({p:.1%}) for {what}. {note}"


def build() -> None:
    """Lay out the ImageNet classifier inside the current Blocks/Tab."""
    names = list(photos.photos())
    with gr.Tab("ImageNet classifier"):
        gr.Markdown(
            "### ImageNet classifier\nA network pre-trained on ImageNet's 1,000 classes names what it sees. "
            "It gets the photo resized (shorter side 256 px), centre-cropped to 224×224 and normalised."
        )
        with gr.Row():
            with gr.Column():
                photo, upload = photo_picker(names, "chelsea")
                backbone = CheckedRadio(list(bb.BACKBONES), value=bb.DEFAULT, label="Network")
                top_k = CheckedSlider(
                    config.TOP_K[0], config.TOP_K[1], value=config.TOP_K[2], step=1, label="Classes listed"
                )
                button = gr.Button("Classify", variant="primary")
            with gr.Column():
                label = gr.Label(num_top_classes=config.TOP_K[1], label="Top classes")
                crop = gr.Image(label="What the network sees (224×224)", height=224, width=224)
                note = gr.Markdown()
        gr.on(
            [button.click, photo.change, backbone.change, top_k.release],
            classify,
            [photo, upload, backbone, top_k],
            [label, crop, note],
            api_name="classify",
        )
