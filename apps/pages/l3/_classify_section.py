"""The trainer page's "classify your own drawing" section: a drawing canvas or an upload, a shipped or the
just-trained CNN. Every picture goes through ``core.data.images`` (the one decoder) before the model."""

from __future__ import annotations

import streamlit as st

from apps.common import canvas
from apps.common import state as ui
from core import checkpoints
from core.cnn import classify, convnet
from core.cnn import trainer_figures as figures
from core.cnn import training as cnn_training
from core.jobs import Job

SHIPPED = {"Shipped Fashion-MNIST CNN": "cnn-fashion-mnist", "Shipped MNIST CNN": "cnn-mnist"}
TRAINED = "Your trained model"


@st.cache_resource(show_spinner="Loading the shipped model…")
def shipped_model(name: str) -> convnet.ConvNet:
    """A shipped checkpoint (read-only, shared by all sessions)."""
    return checkpoints.load_model(name)


def classify_section(job: Job | None) -> None:
    """Draw or upload an image and classify it with a shipped model or the one just trained."""
    st.subheader("Classify your own drawing or photo")
    run = job.result if job is not None and isinstance(job.result, cnn_training.CNNRun) else None
    run = None if run is None or run.fit.diverged else run
    options = (*SHIPPED, *([TRAINED] if run is not None else ()))
    choice = ui.radio("Model", "l3tr_model", options, options[0], horizontal=True)
    left, right = st.columns(2)
    with left:
        drawn, upload = canvas.draw_or_upload("l3tr", "…or upload a photo or scan")
    if upload is None and not drawn:
        right.info("Draw a digit or a garment (dark on light), or upload a photo of one.")
        return
    try:
        decoded = canvas.picture(drawn, upload)
        trained = choice == TRAINED and run is not None
        model = run.model if trained else shipped_model(SHIPPED.get(choice, "cnn-fashion-mnist"))
        result = classify.classify_image(model, decoded.rgba)
    except checkpoints.CheckpointError as exc:
        right.warning(f"The shipped model is not available: {exc}")
        return
    except ValueError as exc:
        right.error(f"Cannot classify this image: {exc}.")
        return
    with right:
        st.image(
            result.image, caption="What the network sees (preprocessed like its data)", width=140, clamp=True,
            alt="your image as the network sees it, 28 by 28 grey pixels",
        )
        st.plotly_chart(figures.probabilities_figure(result), key="l3tr_fig_probs")
