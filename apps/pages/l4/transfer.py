"""Homework 4: transfer learning with few labels per class, four ways, against the shipped curve."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from apps.common.layout import page_header, show_source
from apps.common.live import LOSS_ACC_CHARTS, training_panel
from apps.pages.l4 import _transfer_views as views
from apps.pages.l4._picture import pick_backbone
from core.jobs import Job
from core.transfer import config as cf
from core.transfer import curve, features, figures
from core.transfer import fewshot as fs

page_header("l4-transfer")
st.markdown(
    "A network trained on ImageNet's 1.3 million photos has learned edges, textures and parts that help on "
    "other tasks. With only a few labelled images of a new task (here Fashion-MNIST, upsampled to "
    f"{features.INPUT_SIZE} px), compare four ways: a small CNN **from scratch**; a **linear probe** on the "
    "frozen network's pooled features (DeCAF, Donahue et al. 2014); **fine-tuning the last block** and a "
    "new head; **fine-tuning all layers** (Yosinski et al. 2014)."
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
    full = " / ".join(f"{k}: {e}" for k, e in zip(grid, shipped["full_epochs"]))
    fd = curves.get("full")
    full_acc = f"; fine-tuning all layers {fd[0]:.0%} and {fd[-1]:.0%}" if fd else ""
    st.caption(
        f"Lines: shipped, measured on the bundled EfficientNet-Lite0 (it needs no network, so every "
        f"lecture hall gets these numbers); each point trained once (seed {cfg['seed']}, no augmentation, "
        f"Adam at {', '.join(f'{fs.METHODS[m]} {lr:g}' for m, lr in cfg['lr'].items())}; "
        f"{cfg['epochs']} epochs; fine-tuning all layers, a whole backbone pass per image, fewer: {full} "
        "(labels per class: epochs)) and scored on "
        f"the same {n_test:,} held-out test images. With 1 label per class the probe reaches {probe[0]:.0%} "
        f"and the CNN from scratch {scratch[0]:.0%}; with {grid[-1]} per class {probe[-1]:.0%} vs "
        f"{scratch[-1]:.0%}{full_acc}. "
        "Only the probe heads are shipped (re-measured from the file by the tests); the "
        "fine-tuned points are the accuracies measured by "
        f"`python -m core.train {curve.NAME}`, whose networks are not shipped (4 × 6.8 MB for all "
        "layers): train any point live to reproduce it. Stars: your runs."
    )
st.subheader("Train any point live")
st.markdown("The homework's network is **ResNet-18** (timm, Hugging Face hub): it serves live runs when "
            "its weights are in the local Hugging Face cache; otherwise the bundled EfficientNet-Lite0 does. "
            "A ResNet-18 run's star sits beside the EfficientNet-Lite0 lines: another network, same images.")
backbone = pick_backbone("l4tr")
config = views.controls(full_ms, backbone.name)


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
views.feature_map_section(backbone)
st.markdown(
    "**Things to try.** At 1-5 labels per class, compare the probe with the CNN from scratch: the "
    "pre-trained features carry what the few labels cannot. Raise the labels to 100: the scratch CNN "
    "catches up, since grey 28-pixel clothes are far from ImageNet's photos. Fine-tune the last block "
    "with a learning rate of 0.01 and watch it forget. Turn augmentation on at 1 label per class. Fine-tune "
    "all layers at 1 label per class (30 epochs; then a full forward pass per held-out image) and compare."
)
show_source(fs.run, features.trunk_features, features.Tail)
