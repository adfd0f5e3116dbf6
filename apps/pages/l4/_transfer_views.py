"""Views of the transfer-learning page (``transfer.py``): the controls, a finished run, the 2D map."""

from __future__ import annotations

import numpy as np
import streamlit as st

from apps.common import state as ui
from apps.common.runs import RunHistory
from core import data
from core.jobs import Job
from core.transfer import backbone as bb
from core.transfer import config as cf
from core.transfer import features, figures
from core.transfer import fewshot as fs

RUNS = RunHistory("l4tr")
MAP_SIZES = (100, 300, 1_000)


def controls(full_ms_per_image: float, backbone: str = bb.DEFAULT) -> fs.TransferConfig:
    """Every training setting, bound to the URL; the learning rate is remembered per method."""
    c1, c2, c3 = st.columns(3)
    with c1:
        method = ui.radio("Method", "l4tr_method", tuple(fs.METHODS), "probe", format_func=fs.METHODS.get)
    with c2:
        k = ui.slider("Labelled images per class", "l4tr_k", *cf.LABELS_PER_CLASS)
        epochs = ui.slider("Epochs", "l4tr_epochs", *cf.EPOCHS)
    with c3:
        lr = ui.select_slider("Learning rate (Adam)", f"l4tr_lr_{method}", cf.LEARNING_RATES,
                              fs.DEFAULT_LR[method], format_func="{:g}".format)  # fmt: skip
        aug = ui.segmented("Augmentation", "l4tr_aug", cf.AUGMENTATIONS, "none")
        seed = ui.number_input("Seed", "l4tr_seed", 0, 9999, 0)
    if method == "full":
        est = 10 * k * epochs * full_ms_per_image / 1000
        st.caption(f"Fine-tuning all layers of EfficientNet-Lite0 costs about {full_ms_per_image:.0f} ms per "
                   f"image and epoch on two cores (measured when the curve was made): about {est:,.0f} s for "
                   f"these settings; the new head steps {fs.HEAD_LR_FACTOR:g}× faster than the layers; "
                   f"a live run stops training after {cf.TIME_BUDGET_S:.0f} s, then scores the held-out "
                   "images (one forward pass each).")  # fmt: skip
    return fs.TransferConfig(method=method, labels_per_class=k, lr=lr, epochs=epochs, augmentation=aug,
                             seed=int(seed), backbone=backbone)  # fmt: skip


def show_result(job: Job) -> None:
    """The finished run's held-out accuracy, added to the session's runs (stars on the curve)."""
    run: fs.TransferRun = job.result
    cfg = run.config
    net = "none" if cfg.method == "scratch" else bb.BACKBONES[cfg.backbone].title.split(" (")[0]
    RUNS.add(job.id, config={"method": fs.METHODS[cfg.method], "per class": cfg.labels_per_class,
                             "lr": cfg.lr, "epochs": run.fit.epochs_run, "augmentation": cfg.augmentation,
                             "seed": cfg.seed, "network": net},
             metrics={"test accuracy": round(run.test_accuracy, 4), "seconds": round(run.seconds, 1),
                      "status": run.fit.status}, history=run.fit.history)  # fmt: skip
    c = st.columns(3)
    c[0].metric("Test accuracy", "not scored" if run.test_accuracy != run.test_accuracy
                else f"{run.test_accuracy:.1%}")  # fmt: skip
    c[1].metric("Labelled training images", f"{run.n_train:,}")
    c[2].metric("Time (of which features)", f"{run.seconds:.1f} s ({run.feature_seconds:.1f} s)")
    st.caption(f"Data: {run.provenance}.")


def runs() -> list[tuple[str, int, float]]:
    """(method, labels per class, test accuracy) of this session's runs, for the curve."""
    names = {v: k for k, v in fs.METHODS.items()}
    return [(names[r.config["method"]], int(r.config["per class"]), float(r.metrics["test accuracy"]))
            for r in RUNS.runs()]  # fmt: skip


def feature_map_section(backbone: bb.Backbone) -> None:
    """Raw pixels vs deep features of held-out images, PCA or t-SNE to 2D, coloured by class."""
    st.subheader("What the backbone's features separate")
    c1, c2 = st.columns(2)
    with c1:
        n = ui.select_slider("Held-out images in the map", "l4tr_map_n", MAP_SIZES, 300,
                             format_func="{:,}".format)  # fmt: skip
    with c2:
        how = ui.segmented("Projection", "l4tr_map_proj", tuple(features.PROJECTIONS), "pca",
                           format_func=features.PROJECTIONS.get)  # fmt: skip
    test = data.load(fs.DATASET, "test")
    idx = fs.test_subset(test.y)[np.linspace(0, fs.N_TEST - 1, n).round().astype(int)]  # exactly n, spread
    with st.spinner(f"Backbone features of {n:,} images and their {features.PROJECTIONS[how]}…"):
        fmap = features.feature_map(test.X[idx], test.y[idx], tuple(test.classes), backbone=backbone,
                                    projection=how)  # fmt: skip
    fig = figures.pca_figure(fmap)
    if how != "pca":  # the axes of a t-SNE map have no meaning of their own
        fig.update_xaxes(title_text="t-SNE 1").update_yaxes(title_text="t-SNE 2")
    st.plotly_chart(fig, key="l4tr_fig_map")
    name, deep = backbone.info.title.split(" (")[0], f"{fmap.n_features:,} pooled"
    if how == "pca":
        st.caption(f"PCA (scikit-learn) of the 784 pixels (left; the 2 components keep "
                   f"{fmap.explained[0]:.0%} of the variance) and of the {deep} {name} features (right; "
                   f"{fmap.explained[1]:.0%}).")  # fmt: skip
    else:
        st.caption(f"t-SNE (scikit-learn, seed 0, perplexity up to 30) of the 784 pixels (left) and of the "
                   f"{deep} {name} features (right): it keeps neighbourhoods, not distances or variance.")
    st.caption("The 5-NN accuracy counts how often an image's five nearest neighbours in the 2D map "
               "mostly share its class.")
