"""Gradio tab of lecture 4: the transfer-learning homework (``/transfer``).

The same core call as the Streamlit page ``l4-transfer``: a method, the labelled images per class, the
learning rate, epochs, augmentation, seed and network in (checked against the page's ranges); one run
through the job queue (:mod:`apps.gradio_tabs.jobs`), bounded in time, its progress shown, stopped with the
event (the Stop button, a closed page, a cancelled API call); the shipped accuracy-vs-labels curve with this
run as a star, and a note, out.
"""

from __future__ import annotations

from collections.abc import Generator

import gradio as gr
import plotly.graph_objects as go

from apps.gradio_tabs.inputs import CheckedDropdown, CheckedRadio, CheckedSlider, choice, number
from apps.gradio_tabs.jobs import run_job, start_stop, wire
from apps.gradio_tabs.lecture4 import network
from core.transfer import backbone as bb
from core.transfer import config as cf
from core.transfer import curve, figures
from core.transfer import fewshot as fs

OWN_TABS = True
"""build() opens its own tabs (the front end adds none around it)."""


def transfer(
    labels_per_class: float, method: str, lr: float, epochs: float, augmentation: str, seed: float,
    backbone: str = bb.DEFAULT, progress: gr.Progress = gr.Progress(),  # noqa: B008
) -> Generator[tuple[go.Figure, str], None, None]:
    """Train one point of the curve and score it on the held-out images; the curve and a note (which
    network served the run: ResNet-18 only when its weights are in the local hub cache), the last value
    yielded (before it, "no update" while the job runs)."""
    net, served = network(choice("Network", backbone, tuple(bb.BACKBONES)))
    cfg = fs.TransferConfig(
        method=choice("Method", method, tuple(fs.METHODS)),
        labels_per_class=number("Labelled images per class", labels_per_class, *cf.LABELS_PER_CLASS[:2]),
        lr=choice("Learning rate", lr, cf.LEARNING_RATES),
        epochs=number("Epochs", epochs, *cf.EPOCHS[:2]),
        augmentation=choice("Augmentation", augmentation, cf.AUGMENTATIONS),
        seed=number("Seed", seed, 0, 9999),
        backbone=net.name,
    )
    run: fs.TransferRun = yield from run_job(lambda job: fs.run(cfg, job), "gradio-transfer", progress, 2)
    shipped = curve.shipped() or {"grid": [], "curves": {}, "n_test": run.n_test}
    point = [(cfg.method, cfg.labels_per_class, run.test_accuracy)]
    fig = figures.curve_figure(shipped["grid"], shipped["curves"], fs.METHODS, point, run.n_test)
    acc = "not scored" if run.test_accuracy != run.test_accuracy else f"**{run.test_accuracy:.1%}**"
    note = (f"{fs.METHODS[cfg.method]}, {cfg.labels_per_class} labelled images per class: {acc} on "
            f"{run.n_test:,} held-out images ({run.fit.message}; {run.fit.epochs_run} epochs, "
            f"{run.seconds:.1f} s). Network: {served} "
            f"Data: {run.provenance}.")  # fmt: skip
    yield fig, note


def build() -> None:
    """Lay out the transfer-learning homework inside the current Blocks/Tab."""
    with gr.Tab("Transfer learning"):
        gr.Markdown(
            "### Transfer learning with few labels\nFashion-MNIST with a few labelled images per class: a "
            "CNN from scratch, a linear probe on frozen ImageNet features (EfficientNet-Lite0, bundled), "
            "fine-tuning its last block, or fine-tuning all layers. Lines: the shipped curve (the "
            "fine-tuned points are accuracies measured by `python -m core.train transfer-fashion-mnist`; "
            "those networks are not shipped); the star: your run. The page `l4-transfer` trains on "
            "the homework's ResNet-18 when its weights are in the local Hugging Face cache; so does this "
            "tab (Network), naming the bundled network when it serves instead."
        )
        with gr.Row():
            with gr.Column():
                method = CheckedRadio(list(fs.METHODS), value="probe", label="Method")
                k = CheckedSlider(*cf.LABELS_PER_CLASS[:2], value=cf.LABELS_PER_CLASS[2], step=1,
                                  label="Labelled images per class")  # fmt: skip
                lr = CheckedDropdown(list(cf.LEARNING_RATES), value=fs.DEFAULT_LR["probe"],
                                     label="Learning rate")
                epochs = CheckedSlider(*cf.EPOCHS[:2], value=cf.EPOCHS[2], step=1, label="Epochs")
                aug = CheckedRadio(list(cf.AUGMENTATIONS), value="none", label="Augmentation")
                seed = CheckedSlider(0, 9999, value=0, step=1, label="Seed")
                net = CheckedRadio(list(bb.BACKBONES), value=bb.DEFAULT, label="Network")
                start, stop = start_stop("Train this point")
            with gr.Column():
                plot = gr.Plot(label="Accuracy vs labels per class")
                note = gr.Markdown()
        wire(start, stop, transfer, [k, method, lr, epochs, aug, seed, net], [plot, note], "transfer")
