"""Result views of the CNN trainer page (``trainer.py``): live filters, the finished run, the run history."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from apps.common.runs import RunHistory
from core.cnn import config as cnn_config
from core.cnn import diagnostics, inspection
from core.cnn import trainer_figures as figures
from core.cnn import training as cnn_training
from core.jobs import Job
from core.metrics import confusion_matrix
from core.viz.classification import confusion_figure

RUNS = RunHistory("l3tr")


def live_filters(job: Job) -> None:
    """The first-layer filters as they are being learned (a snapshot every few seconds)."""
    filters = job.artifact("filters")
    if filters is not None:
        st.image(
            figures.filters_image(filters),
            caption="First-layer filters, live (red +, blue −)",
            alt="the first layer's filters as small images",
        )


def show_result(job: Job) -> None:
    """Test accuracy, confusion matrix, worst mistakes, filters and feature maps of the finished run."""
    run: cnn_training.CNNRun = job.result
    cfg = run.config
    RUNS.add(job.id, config={"data": cfg.dataset, "model": cnn_config.describe(cfg),
                             "optimiser": f"{cfg.optimizer} {cfg.lr:g}", "epochs": run.fit.epochs_run},
             metrics={"train images": run.n_train, "test accuracy": round(run.test_accuracy, 4),
                      "seconds": round(run.fit.seconds, 1), "images/s": round(run.images_per_s),
                      "status": run.fit.status}, history=run.fit.history)  # fmt: skip
    if run.fit.diverged:  # NaN weights: nothing to inspect
        return
    c = st.columns(4)
    c[0].metric("Test accuracy", f"{run.test_accuracy:.2%}")
    c[1].metric("Training images", f"{run.n_train:,}")
    c[2].metric("Images / s", f"{run.images_per_s:,.0f}")
    c[3].metric("Training time", f"{run.fit.seconds:.1f} s")
    st.caption(f"Training data: {run.provenance}. Test: all {len(run.test_y):,} images of the test split. "
               f"Validation: {run.n_val:,} held-out training images.")  # fmt: skip
    t1, t2, t3, t4 = st.tabs(["Confusion matrix", "Worst mistakes", "Filters & feature maps", "Diagnostics"])
    if run.diagnostics is not None:
        with t4:
            diagnostics_tab(run.diagnostics)
    confusion = confusion_matrix(run.test_y, run.test_pred, len(run.classes))
    t1.plotly_chart(confusion_figure(confusion, run.classes, normalise=True), key="l3tr_fig_cm")
    t2.plotly_chart(figures.mistakes_figure(run), key="l3tr_fig_mistakes")
    t2.caption("The wrong answers the network was most sure of: often ambiguous images or label noise.")
    with t3:
        st.plotly_chart(figures.filters_figure(run.model), key="l3tr_fig_filters")
        a, b = st.columns(2)
        with a:
            idx = ui.slider("Test image", "l3tr_img", 0, len(run.test_y) - 1, 0)
        maps = inspection.feature_maps(run.model, run.test_X[idx, 0])
        names = [fm.name for fm in maps]
        with b:
            layer = ui.selectbox("Layer", "l3tr_layer", names, names[min(2, len(names) - 1)])
        truth, pred = run.classes[run.test_y[idx]], run.classes[run.test_pred[idx]]
        st.caption(f"Test image {idx}: {truth}, predicted {pred} ({run.test_probs[idx].max():.0%}).")
        st.plotly_chart(figures.image_grid(run.test_X[idx : idx + 1, 0], cols=1, tile_px=140),
                        key="l3tr_fig_img")  # fmt: skip
        st.plotly_chart(figures.feature_map_figure(maps[names.index(layer)]), key="l3tr_fig_fmap")


def run_history(job: Job | None) -> None:
    """Every finished run of this session: a table and their validation curves overlaid."""
    runs = RUNS.runs()
    if not runs:
        return
    RUNS.show(keep=None if job is None else job.id)
    last = runs[-1]
    fig = RUNS.overlay(last.history, ("val_accuracy",), "Validation accuracy (dotted: earlier runs)",
                       exclude=last.key)  # fmt: skip
    st.plotly_chart(fig, key="l3tr_fig_history")


def diagnostics_tab(d: diagnostics.Diagnostics) -> None:
    """CS231n's checks of a live run: update/weight ratio per layer and weight histograms per epoch."""
    st.plotly_chart(diagnostics.ratio_figure(d), key="l3tr_fig_ratio")
    st.markdown(diagnostics.summary(d))
    layer = ui.selectbox(
        "Layer", "l3tr_diag_layer", tuple(range(len(d.layers))), 0, format_func=d.layers.__getitem__
    )
    st.plotly_chart(diagnostics.histogram_figure(d, layer), key="l3tr_fig_whist")
