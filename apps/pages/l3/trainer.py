"""Homework 3: a CNN on Fashion-MNIST or MNIST, trained live, opened up, and tried on your own drawings."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from apps.common.layout import page_header, show_source
from apps.common.live import LOSS_ACC_CHARTS, training_panel
from apps.pages.l3 import _classify_section, _trainer_controls, _trainer_results
from core.cnn import classify, convnet
from core.cnn import config as cnn_config
from core.cnn import training as cnn_training
from core.jobs import Job

page_header("l3-trainer")
st.markdown(
    "A convolution slides the **same** small kernel over the whole image (*weight sharing*), and each output "
    "pixel sees only a small window (*sparse connectivity*); stacking blocks of convolution → batch norm → "
    "ReLU → pooling grows the *receptive field* while the map shrinks and the channels grow (LeCun et al. "
    "1998; Simonyan & Zisserman 2015). Change the number of features, kernel size, stride, padding, pooling "
    "and batch norm below, train, and compare the runs: the homework of lecture 3, on the full Fashion-MNIST."
)
config = _trainer_controls.controls()
trainable = _trainer_controls.architecture(config)


def make_job() -> Callable[[Job], cnn_training.CNNRun]:
    cfg = config
    cnn_config.validate(cfg, cnn_config.PAGE_MAX_IMAGES)  # refused before the job is queued

    def run(job: Job) -> cnn_training.CNNRun:
        return cnn_training.train_cnn(cfg, job, max_images=cnn_config.PAGE_MAX_IMAGES)

    return run


job = training_panel(
    "l3tr",
    make_job,
    label="Train this CNN",
    charts=LOSS_ACC_CHARTS,
    live=_trainer_results.live_filters,
    result=_trainer_results.show_result,
    poll_s=0.5,  # two redraws a second are enough, and leave the cores to the training
)
if job is None and trainable:
    st.info(
        "Press **Train this CNN**: the default (2 blocks, 32/64 filters, batch norm, 1 epoch on 10,000 "
        "images) takes 10-30 s and reaches about 83% test accuracy on Fashion-MNIST. The shipped "
        "model below (12 epochs on all 55,000 training images) reaches 92%.",
        icon=":material/school:",
    )
_trainer_results.run_history(job)
st.divider()
_classify_section.classify_section(job)
st.markdown(
    "**Things to try.** Pick the optimiser *sgd* with learning rate 1.0 and toggle batch norm: with it "
    "the default CNN still learns in one epoch (42% test accuracy measured), without it the loss diverges "
    "and the run stays at chance, 10% (Ioffe & Szegedy 2015 normalise each layer's inputs so that larger "
    "steps stay stable; Adam rescales its own steps, which hides much of the effect). Pick 4 blocks with "
    "stride 2 and see the shape check refuse it: every stride and pooling divides the map. Compare 1x1 "
    "kernels with 5x5: a 1x1 convolution applies the same linear map across the channels at every pixel "
    "(a per-pixel fully connected layer, a per-pixel MLP layer once ReLU follows) and sees no neighbours. "
    "Set the filters to 4 and look at the feature maps: few features, few patterns."
)
show_source(convnet.ConvNet, cnn_training.train_cnn, classify.preprocess_image)
