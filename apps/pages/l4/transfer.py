"""Homework 4: transfer learning with few labels per class, four ways, against the shipped curve."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from apps.common.layout import page_header, show_source
from apps.common.live import LOSS_ACC_CHARTS, training_panel
from apps.pages.l4 import _transfer_views as views
from core.jobs import Job
from core.transfer import config as cf
from core.transfer import curve, features, figures
from core.transfer import fewshot as fs

page_header("l4-transfer")
st.markdown(
    "A network trained on ImageNet's 1.3 million photos has learned edges, textures and parts that help on "
    "other tasks. With only a few labelled images of a new task (here Fashion-MNIST, upsampled to "
    f"{features.INPUT_SIZE} px for the bundled EfficientNet-Lite0), compare four ways: a small CNN **from "
    "scratch**; a **linear probe** on the frozen network's 1,280 pooled features (DeCAF, Donahue et al. "
    "2014); **fine-tuning the last block** and a new head; **fine-tuning all layers** (Yosinski et al. 2014)."
)
shipped = curve.shipped()
labels = {m: fs.METHODS[m] for m in fs.METHODS}
if shipped is None:
    st.warning(f"The shipped curve is missing: rebuild it with `python -m core.train {curve.NAME}`. "
               "Live runs below still work.")  # fmt: skip
    grid, curves, n_test, full_ms = [], {}, fs.N_TEST, 150.0
else:
    grid, curves, n_test = shipped["grid"], shipped["curves"], shipped["n_test"]
    full_ms = shipped["full_ms_per_image"]
curve_slot = st.empty()  # filled after the training panel, so a run just finished is already a star
if shipped is not None:
    cfg = shipped["config"]
    probe, scratch = curves["probe"], curves["scratch"]
    st.caption(
        f"Lines: shipped, each point trained once (seed {cfg['seed']}, {cfg['epochs']} epochs, no "
        f"augmentation, Adam at {', '.join(f'{fs.METHODS[m]} {lr:g}' for m, lr in cfg['lr'].items())}) and "
        f"scored on the same {n_test:,} held-out test images. With 1 label per class the probe reaches "
        f"{probe[0]:.0%} and the CNN from scratch {scratch[0]:.0%}; with {grid[-1]} per class "
        f"{probe[-1]:.0%} vs "
        f"{scratch[-1]:.0%}. Fine-tuning all layers is not in the shipped curve: at {full_ms:.0f} ms per "
        f"image and epoch on two cores, {grid[-1]} labels per class for {cfg['epochs']} epochs take "
        f"{10 * grid[-1] * cfg['epochs'] * full_ms / 60000:.0f} min; train it live for a few labels. "
        "Stars: your runs."
    )
st.subheader("Train any point live")
config = views.controls(full_ms)


def make_job() -> Callable[[Job], fs.TransferRun]:
    cfg = config

    def run(job: Job) -> fs.TransferRun:
        return fs.run(cfg, job)

    return run


job = training_panel("l4tr", make_job, label="Train this point", charts=LOSS_ACC_CHARTS,
                     result=views.show_result, poll_s=0.5)  # fmt: skip
if job is None:
    st.info(
        f"Press **Train this point**: the run is scored on the same {n_test:,} held-out images and appears "
        f"as a star on the curve. A run stops after {cf.TIME_BUDGET_S:.0f} s; the first frozen-feature run "
        "also computes the backbone's features of the held-out images (cached afterwards).",
        icon=":material/school:",
    )
figure = figures.curve_figure(grid, curves, labels, views.runs(), n_test)
curve_slot.plotly_chart(figure, key="l4tr_fig_curve")
views.RUNS.show(keep=None if job is None else job.id)
st.divider()
views.feature_map_section()
st.markdown(
    "**Things to try.** At 1-5 labels per class, compare the probe with the CNN from scratch: the "
    "pre-trained features carry what the few labels cannot. Raise the labels to 100: the scratch CNN "
    "catches up, since grey 28-pixel clothes are far from ImageNet's photos. Fine-tune the last block "
    "with a learning rate of 0.01 and watch it forget. Turn augmentation on at 1 label per class."
)
show_source(fs.run, features.trunk_features, features.Tail)
