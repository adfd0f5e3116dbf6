"""Lecture 2: the MLP playground — TF Playground plus dropout, multiclass, depth, L1/L2, early stopping,
your own CSV, a confusion matrix, run history, and the trained weights to download."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.common.live import training_panel
from core import checkpoints
from core.data.toy import DEFAULTS
from core.jobs import Job
from core.mlp import playground as mlp
from core.mlp.figures import confusion_figure, decision_map_figure, decision_map_image, thinned
from core.viz.curves import loss_curves

LRS = (1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
WIDTHS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
BATCHES = ("full", 8, 16, 32, 64, 128, 256)
EPOCHS = (10, 50, 100, 200, 300, 500, 1000, 2000, 5000)
STRENGTHS = (0.0, 1e-5, 1e-4, 0.001, 0.003, 0.01, 0.03, 0.1)
SIZES = (100, 200, 300, 500, 1000, 2000, 5000)
CURVES = (("Loss", ("train_loss", "val_loss")), ("Accuracy", ("train_accuracy", "val_accuracy")))
RUNS, MAX_RUNS = "l2pg_runs", 8


@st.cache_data(max_entries=32, show_spinner=False)
def toy(name: str, n: int, noise: float, seed: int, classes: int) -> mlp.MLPData:
    return mlp.toy_data(name, n=n, noise=noise, seed=seed, classes=classes)


@st.cache_data(max_entries=8, show_spinner=False)
def upload(content: bytes, name: str) -> mlp.MLPData:
    return mlp.parse_csv(content, name)


@st.cache_resource(show_spinner=False)
def shipped() -> mlp.MLPRun | None:
    try:
        return mlp.shipped_run()
    except checkpoints.CheckpointError:  # not built yet: the page works without it
        return None


def reset_noise() -> None:
    st.session_state["l2pg_noise"] = float(DEFAULTS[st.session_state["l2pg_set"]]["noise"])


page_header("l2-playground")
with st.sidebar:
    st.subheader("Data")
    source = ui.segmented("Source", "l2pg_source", ("toy set", "CSV file"), "toy set")
    if source == "toy set":
        name = ui.selectbox("Data set", "l2pg_set", mlp.TOY_SETS, "moons", on_change=reset_noise)
        classes = ui.slider("Classes", "l2pg_classes", 2, 10, 3) if name in mlp.MULTICLASS_SETS else 2
        noise = ui.slider("Noise", "l2pg_noise", 0.0, 1.0, float(DEFAULTS["moons"]["noise"]), 0.01)
        n = ui.select_slider("Points (60% train, 20% validation, 20% test)", "l2pg_n", SIZES, 1000)
        data_seed = ui.number_input("Data seed", "l2pg_dseed", 0, 9999, 0)
        data: mlp.MLPData | None = toy(name, n, noise, data_seed, classes)
    else:
        file = st.file_uploader("CSV: two numeric feature columns, then a label", type=["csv", "txt"],
                                key="l2pg_csv")
        st.download_button("Example CSV (moons)", mlp.example_csv(), "moons.csv", "text/csv",
                           key="l2pg_example")
        data = None
        if file is not None:
            try:
                data = upload(file.getvalue(), file.name)
            except ValueError as exc:
                st.error(f"Cannot use {file.name}: {exc}")
    st.subheader("Network")
    layers = ui.slider("Hidden layers", "l2pg_layers", 0, 6, 2)
    width = ui.select_slider("Neurons per layer", "l2pg_width", WIDTHS, 64)
    activation = ui.selectbox("Activation", "l2pg_act", tuple(mlp.ACTIVATIONS), "relu")
    st.subheader("Training")
    optimizer = ui.selectbox("Optimiser", "l2pg_opt", mlp.OPTIMIZERS, "adam")
    lr = ui.select_slider("Learning rate", "l2pg_lr", LRS, 0.01)
    batch = ui.select_slider("Batch size", "l2pg_batch", BATCHES, "full")
    epochs = ui.select_slider("Epochs", "l2pg_epochs", EPOCHS, 200)
    seed = ui.number_input("Seed (initialisation, dropout, batches)", "l2pg_seed", 0, 9999, 0)
    st.subheader("Regularisation")
    l1 = ui.select_slider("L1 strength", "l2pg_l1", STRENGTHS, 0.0)
    l2 = ui.select_slider("L2 strength", "l2pg_l2", STRENGTHS, 0.0)
    dropout = ui.slider("Dropout", "l2pg_dropout", 0.0, 0.8, 0.0, 0.05)
    early = ui.toggle("Early stopping", "l2pg_early", False)
    patience = ui.slider("Patience (epochs)", "l2pg_patience", 5, 200, 20, 5, disabled=not early)

config = mlp.MLPConfig(hidden=(width,) * layers, activation=activation, dropout=dropout, optimizer=optimizer,
                       lr=lr, batch_size=None if batch == "full" else int(batch), epochs=epochs, l1=l1, l2=l2,
                       patience=patience if early else None, seed=seed)
if data is None:
    st.info("Upload a CSV file in the sidebar (or download the example to see the format).")
    st.stop()
st.caption(f"Data: {data.provenance}")


def make_job():
    st.session_state["l2pg_data"] = data  # the live view draws the points the job trains on
    return lambda job: mlp.train_mlp(config, data, job=job)


def live(job: Job) -> None:
    # An image and Vega line charts update in place; a changed plotly chart is remounted by Streamlit
    # 1.67 on every update and would blink five times a second (see core.mlp.figures.decision_map_image).
    left, right = st.columns([3, 2])
    grid = job.artifact(mlp.LIVE_KEY)
    shown = st.session_state.get("l2pg_live_img")
    if shown is None or shown[0] is not grid:  # draw each published map once, not on every poll
        image = decision_map_image(grid, st.session_state["l2pg_data"])
        shown = st.session_state["l2pg_live_img"] = (grid, image)
    left.image(shown[1], caption=f"Decision regions after epoch {grid.epoch if grid else 0}")
    hist = job.history()
    if not hist.get("train_loss"):
        right.caption("Curves appear after the first epoch.")
    for title, keys in CURVES if hist.get("train_loss") else ():
        frame = pd.DataFrame(thinned(hist, keys)).set_index("epoch")
        frame.columns = [c.replace("_", " ") for c in frame.columns]
        right.line_chart(frame, height=230, x_label="epoch", y_label=title.lower())


def remember(job: Job, run: mlp.MLPRun) -> list[dict]:
    """Add the finished run to this session's history once (the result view redraws on every rerun)."""
    runs = st.session_state.setdefault(RUNS, [])
    if not any(r["job"] == job.id for r in runs):
        st.session_state["l2pg_count"] = st.session_state.get("l2pg_count", 0) + 1
        runs.append({"job": job.id, "label": f"run {st.session_state['l2pg_count']}",
                     "summary": run.summary(), "history": run.fit.history})
        del runs[:-MAX_RUNS]  # the last few runs are what a comparison needs; older ones clutter the plot
    return runs


def show_run(run: mlp.MLPRun, overlays: dict | None = None) -> None:
    if run.fit.diverged:
        st.warning("No decision map: the weights are no longer finite numbers.")
        return
    m = run.metrics
    cols = st.columns(4)
    for col, (label, key) in zip(cols, (("train", "train"), ("validation", "val"), ("test", "test"))):
        col.metric(f"{label} accuracy", f"{m[f'{key}_accuracy']:.1%}", f"loss {m[f'{key}_loss']:.3f}",
                   delta_color="off", delta_arrow="off")
    cols[3].metric("epochs", run.fit.epochs_run, run.fit.status.replace("_", " "), delta_color="off",
                   delta_arrow="off")
    left, right = st.columns([3, 2])
    splits = ui.segmented("Points shown", "l2pg_points", ("train", "test", "train + test"), "train")
    left.plotly_chart(decision_map_figure(run.grid, run.data, splits.split(" + ")), key="l2pg_map")
    if run.fit.history:
        for title, keys in CURVES:
            fig = loss_curves(run.fit.history, keys, title, extra=overlays)
            right.plotly_chart(fig, key=f"l2pg_{title}")
    left.plotly_chart(confusion_figure(run.confusion, run.classes), key="l2pg_confusion")
    right.markdown("**Per class (test split)**")
    right.dataframe(pd.DataFrame(run.report).round(3), hide_index=True, key="l2pg_report")
    c1, c2 = st.columns(2)
    c1.download_button("Download weights (safetensors)", run.weights_bytes(), "mlp-playground.safetensors",
                       "application/octet-stream", key="l2pg_dl_weights", icon=":material/download:")
    c2.download_button("Download run config (JSON)", run.config_json(), "mlp-playground.json",
                       "application/json", key="l2pg_dl_config", icon=":material/download:")


def result(job: Job) -> None:
    run: mlp.MLPRun = job.result
    if run.config != config or run.data.provenance != data.provenance:
        st.info("The settings changed since this run: press Train to train with the new ones.")
    runs = remember(job, run)
    show_run(run, {r["label"]: r["history"] for r in runs if r["job"] != job.id})
    st.subheader("Run history")
    st.dataframe(pd.DataFrame([{"run": r["label"], **r["summary"]} for r in runs]).round(4), hide_index=True,
                 key="l2pg_history")
    st.button("Clear history (keep this run)", key="l2pg_clear", on_click=clear_history, args=(job.id,))


def clear_history(keep: int) -> None:
    st.session_state[RUNS] = [r for r in st.session_state.get(RUNS, []) if r["job"] == keep]


job = training_panel("l2pg", make_job, charts=(), live=live, result=result)
if job is None:
    ship = shipped()
    if ship is not None and config == ship.config and data.provenance == ship.data.provenance:
        st.success(f"The shipped model for these default settings (test accuracy "
                   f"{ship.metrics['test_accuracy']:.1%}); press Train to train your own.")
        show_run(ship)
    else:
        st.plotly_chart(decision_map_figure(None, data, ("train", "val", "test")), key="l2pg_data_map")

st.markdown(
    "**Regularisers.** *L2* adds $\\frac{\\lambda}{2}\\lVert w\\rVert^2$ (weights only) through the "
    "optimiser's `weight_decay` — for Adam too, which is L2 in the loss, not AdamW's decoupled decay. "
    "*L1* adds $\\lambda \\sum |w|$ and pushes weights to exactly zero. *Dropout* zeroes each hidden "
    "unit with probability p while training. *Early stopping* watches the validation loss and restores the "
    "best epoch's weights. The test split is only measured, never used to choose."
)
show_source(mlp.train_mlp, mlp._train, mlp.make_optimizer, mlp.MLP)
