"""Lecture 2: the MLP playground — TF Playground plus dropout, multiclass, depth, L1/L2, early stopping,
your own CSV, a confusion matrix, run history, and the trained weights to download."""

from __future__ import annotations

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.common.live import training_panel
from apps.common.runs import RunHistory
from apps.pages.l2 import _playground_views as views
from apps.pages.l2._playground_steps import step_panel
from apps.pages.l2._playground_text import REGULARISERS
from core.data.toy import DEFAULTS
from core.mlp import config as cf
from core.mlp import datasets as ds
from core.mlp import training as tr
from core.mlp.model import MLP, make_optimizer
from core.training.optim import OPTIMIZERS


@st.cache_data(max_entries=32, show_spinner=False)
def toy(name: str, n: int, noise: float, seed: int, classes: int) -> ds.MLPData:
    return ds.toy_data(name, n=n, noise=noise, seed=seed, classes=classes)


@st.cache_data(max_entries=8, show_spinner=False)
def upload(content: bytes, name: str) -> ds.MLPData:
    return ds.parse_csv(content, name)


def reset_noise() -> None:
    st.session_state["l2pg_noise"] = float(DEFAULTS[st.session_state["l2pg_set"]]["noise"])


page_header("l2-playground")
with st.sidebar:
    st.subheader("Data")
    source = ui.segmented("Source", "l2pg_source", ("toy set", "CSV file"), "toy set")
    if source == "toy set":
        name = ui.selectbox("Data set", "l2pg_set", ds.TOY_SETS, "moons", on_change=reset_noise)
        classes = ui.slider("Classes", "l2pg_classes", *cf.CLASSES, 3) if name in ds.MULTICLASS_SETS else 2
        noise = ui.slider("Noise", "l2pg_noise", *cf.NOISE, float(DEFAULTS["moons"]["noise"]), 0.01)
        n = ui.select_slider("Points (60% train, 20% validation, 20% test)", "l2pg_n", cf.POINTS, 1000)
        data_seed = ui.number_input("Data seed", "l2pg_dseed", *cf.SEEDS, 0)
        data: ds.MLPData | None = toy(name, n, noise, data_seed, classes)
    else:
        file = st.file_uploader("CSV: two numeric feature columns, then a label", type=["csv", "txt"],
                                key="l2pg_csv")
        st.download_button("Example CSV (moons)", ds.example_csv(), "moons.csv", "text/csv",
                           key="l2pg_example")
        data = None
        if file is not None:
            try:
                data = upload(file.getvalue(), file.name)
            except ValueError as exc:
                st.error(f"Cannot use {file.name}: {exc}")
    st.subheader("Network")
    layers = ui.slider("Hidden layers", "l2pg_layers", *cf.LAYERS, 2)
    width = ui.select_slider("Neurons per layer", "l2pg_width", cf.WIDTHS, 64)
    activation = ui.selectbox("Activation", "l2pg_act", cf.ACTIVATION_NAMES, "relu")
    features = ui.multiselect("Input features", "l2pg_features", cf.FEATURE_NAMES, cf.RAW_FEATURES)
    st.subheader("Training")
    optimizer = ui.selectbox("Optimiser", "l2pg_opt", OPTIMIZERS, "adam")
    lr = ui.select_slider("Learning rate", "l2pg_lr", cf.LEARNING_RATES, 0.01)
    batch = ui.select_slider("Batch size", "l2pg_batch", ("full", *cf.BATCH_SIZES), "full")
    epochs = ui.select_slider("Epochs", "l2pg_epochs", cf.EPOCHS, 200)
    seed = ui.number_input("Seed (initialisation, dropout, batches)", "l2pg_seed", *cf.SEEDS, 0)
    st.subheader("Regularisation")
    l1 = ui.select_slider("L1 strength", "l2pg_l1", cf.STRENGTHS, 0.0)
    l2 = ui.select_slider("L2 strength", "l2pg_l2", cf.STRENGTHS, 0.0)
    dropout = ui.slider("Dropout", "l2pg_dropout", *cf.DROPOUT, 0.0, 0.05)
    early = ui.toggle("Early stopping", "l2pg_early", False)
    patience = ui.slider("Patience (epochs)", "l2pg_patience", *cf.PATIENCE, 20, 5, disabled=not early)

config = cf.playground_config(layers, width, activation, optimizer, lr, batch, epochs, l1, l2, dropout,
                              patience if early else None, seed, features=features or cf.RAW_FEATURES)
if data is None:
    st.info("Upload a CSV file in the sidebar (or download the example to see the format).")
    st.stop()
st.caption(f"Data: {data.provenance}")
runs = RunHistory("l2pg")


def make_job():
    st.session_state["l2pg_data"] = data  # the live view draws the points the job trains on
    st.session_state["l2pg_live_dropout"] = config.dropout > 0
    return lambda job: tr.train_mlp(config, data, job=job)


def result(job) -> None:
    run: tr.MLPRun = job.result
    if run.config != config or run.data.provenance != data.provenance:
        st.info("The settings changed since this run: press Train to train with the new ones.")
    summary = run.summary()
    metrics = {k: summary.pop(k) for k in ("epochs", "status", "train acc", "val acc", "test acc", "seconds")}
    runs.add(job.id, summary, metrics, run.fit.history)
    views.show_run(run, runs.overlays(exclude=job.id))
    runs.show(keep=job.id)


job = training_panel("l2pg", make_job, charts=(), live=views.live, result=result)
if job is None:
    ship, problem = views.shipped()
    if problem is not None:
        views.offer_rebuild(problem)
    if ship is not None and config == ship.config and data.provenance == ship.data.provenance:
        st.success(f"The shipped model for these default settings (test accuracy "
                   f"{ship.metrics['test_accuracy']:.1%}); press Train to train your own.")
        views.show_run(ship)
    else:
        views.data_map(data)

if ui.toggle("Step by step: one optimiser step at a time", "l2pg_stepping", False):
    step_panel(config, data)
st.markdown(REGULARISERS)
show_source(tr.train_mlp, tr._train, make_optimizer, MLP)
