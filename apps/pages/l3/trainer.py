"""Homework 3: a CNN on Fashion-MNIST or MNIST, trained live, opened up, and tried on your own drawings."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from apps.common.layout import page_header, show_source
from apps.common.live import LOSS_ACC_CHARTS, training_panel
from apps.pages.l3 import _trainer_parts as parts
from core.cnn import models as cm
from core.jobs import Job

page_header("l3-trainer")
st.markdown(
    "A convolution slides the **same** small kernel over the whole image (*weight sharing*), and each output "
    "pixel sees only a small window (*sparse connectivity*); stacking blocks of convolution → batch norm → "
    "ReLU → pooling grows the *receptive field* while the map shrinks and the channels grow (LeCun et al. "
    "1998; Simonyan & Zisserman 2015). Change the number of features, kernel size, stride, padding, pooling "
    "and batch norm below, train, and compare the runs: the homework of lecture 3, on the full Fashion-MNIST."
)
config = parts.controls()
trainable = parts.architecture(config)


def make_job() -> Callable[[Job], cm.CNNRun]:
    cfg = config
    cm.validate(cfg, cm.PAGE_MAX_IMAGES)  # an absurd combination is refused before the job is queued

    def run(job: Job) -> cm.CNNRun:
        return cm.train_cnn(cfg, job, max_images=cm.PAGE_MAX_IMAGES)

    return run


job = training_panel(
    "l3tr",
    make_job,
    label="Train this CNN",
    charts=LOSS_ACC_CHARTS,
    live=parts.live_filters,
    result=parts.show_result,
    poll_s=0.5,  # two redraws a second are enough, and leave the cores to the training
)
if job is None and trainable:
    st.info(
        "Press **Train this CNN**: the default (2 blocks, 32/64 filters, batch norm, 1 epoch on 10,000 "
        "images) takes 10-30 s and reaches about 83% test accuracy on Fashion-MNIST. The shipped "
        "model below (12 epochs on all 55,000 training images) reaches 92%.",
        icon=":material/school:",
    )
parts.run_history()
st.divider()
parts.classify_section(job)
st.markdown(
    "**Things to try.** Turn batch norm off and raise the learning rate (Ioffe & Szegedy 2015 normalise "
    "each layer's inputs so that larger steps stay stable). Pick 4 blocks with stride 2 and see the shape "
    "check refuse it: every stride and pooling divides the map. Compare 1x1 kernels (no spatial context: "
    "a per-pixel MLP) with 5x5. Set the filters to 4 and look at the feature maps: few features, few "
    "patterns."
)
show_source(cm.ConvNet, cm.train_cnn, cm.preprocess_image)
