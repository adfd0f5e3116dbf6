"""Widgets and result views of the CNN trainer page (``l3_trainer.py``), so the page reads top to bottom."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from apps.common import state as ui
from core import checkpoints
from core.cnn import models as cm
from core.jobs import Job
from core.viz.curves import loss_curves

DATASETS = {"fashion-mnist": "Fashion-MNIST (60,000 train / 10,000 test)", "mnist": "MNIST"}
TRAIN_SIZES = (500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000)
LRS = (1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
SHIPPED = {"Shipped Fashion-MNIST CNN": "cnn-fashion-mnist", "Shipped MNIST CNN": "cnn-mnist"}
TRAINED = "Your trained model"
RUNS = "l3tr_runs"
ASSUMED_IMAGES_PER_S = 2_000  # what bench/bench_cnn.py measures for the default CNN on 2 cores

# A small drawing canvas (Streamlit has no native one): white paper, black ink, exported as a PNG data URL.
_CANVAS = st.components.v2.component(
    "l3tr_canvas",
    html='<canvas width="280" height="280" style="border:1px solid #999;touch-action:none;cursor:crosshair">'
    '</canvas><br><button type="button">Clear</button>',
    js="""
export default function({ parentElement, setStateValue }) {
  const cv = parentElement.querySelector('canvas'), ctx = cv.getContext('2d');
  const clear = () => { ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, cv.width, cv.height); };
  clear(); let down = false, last = null;
  ctx.lineWidth = 20; ctx.lineCap = 'round'; ctx.lineJoin = 'round'; ctx.strokeStyle = '#000';
  const at = (e) => { const r = cv.getBoundingClientRect();
    return [(e.clientX - r.left) * cv.width / r.width, (e.clientY - r.top) * cv.height / r.height]; };
  cv.onpointerdown = (e) => { down = true; last = at(e); cv.setPointerCapture(e.pointerId); };
  cv.onpointermove = (e) => { if (!down) return; const p = at(e);
    ctx.beginPath(); ctx.moveTo(...last); ctx.lineTo(...p); ctx.stroke(); last = p; };
  cv.onpointerup = () => { if (down) setStateValue('png', cv.toDataURL('image/png')); down = false; };
  parentElement.querySelector('button').onclick = () => { clear(); setStateValue('png', ''); };
}""",
)


def controls() -> cm.CNNConfig:
    """Every training setting, bound to the URL."""
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        dataset = ui.selectbox(
            "Data set", "l3tr_data", tuple(DATASETS), "fashion-mnist", format_func=DATASETS.get
        )
        n = ui.select_slider("Training images", "l3tr_n", TRAIN_SIZES, 10_000, format_func="{:,}".format)
        epochs = ui.slider("Epochs", "l3tr_epochs", 1, 20, 1)
    with c2:
        blocks = ui.slider("Conv blocks", "l3tr_blocks", 1, 4, 2)
        filters = ui.select_slider(
            "Filters in block 1 (×2 per block)", "l3tr_filters", (4, 8, 16, 32, 64), 32
        )
        kernel = ui.select_slider("Kernel size", "l3tr_k", (1, 2, 3, 4, 5, 7, 9), 3)
        stride = ui.slider("Stride", "l3tr_stride", 1, 3, 1)
    with c3:
        padding = ui.selectbox("Padding", "l3tr_pad", ("same", "valid", 1, 2, 3), "same")
        pooling = ui.segmented("Pooling (2x2)", "l3tr_pool", cm.POOLINGS, "max")
        bn = ui.toggle("Batch normalisation", "l3tr_bn", True)
        dropout = ui.slider("Dropout before the classifier", "l3tr_drop", 0.0, 0.8, 0.0, 0.1)
    with c4:
        opt = ui.selectbox("Optimiser", "l3tr_opt", cm.OPTIMIZERS, "adam")
        lr = ui.select_slider("Learning rate", "l3tr_lr", LRS, 1e-3, format_func="{:g}".format)
        batch = ui.select_slider("Batch size", "l3tr_bs", (16, 32, 64, 128, 256), 128)
        seed = ui.number_input("Seed", "l3tr_seed", 0, 9999, 0)
    return cm.CNNConfig(
        dataset=dataset, blocks=blocks, filters=filters, kernel_size=kernel, stride=stride, padding=padding,
        pooling=pooling, batch_norm=bn, dropout=round(dropout, 2), optimizer=opt, lr=lr, epochs=epochs,
        train_size=n, batch_size=batch, seed=int(seed),
    )  # fmt: skip


def architecture(config: cm.CNNConfig) -> bool:
    """The layer-by-layer shapes and the expected time, or an error naming the absurd setting."""
    try:
        cm.validate(config, cm.PAGE_MAX_IMAGES)
    except ValueError as exc:
        st.error(f"This network cannot be trained: {exc}.", icon=":material/block:")
        return False
    st.caption(f"**{cm.describe(config)}** · feature maps {cm.shape_trail(config)}")
    st.caption(
        cm.plan_summary(config, ASSUMED_IMAGES_PER_S) + " (The rate is the default CNN's on two cores.)"
    )
    return True


def live_filters(job: Job) -> None:
    """The first-layer filters as they are being learned (a snapshot every few seconds)."""
    filters = job.artifact("filters")
    if filters is not None:
        st.image(cm.filters_image(filters), caption="First-layer filters, live (red +, blue −)")


def show_result(job: Job) -> None:
    """Test accuracy, confusion matrix, worst mistakes, filters and feature maps of the finished run."""
    run: cm.CNNRun = job.result
    _record(job, run)
    if run.fit.diverged:  # NaN weights: nothing to inspect
        return
    c = st.columns(4)
    c[0].metric("Test accuracy", f"{run.test_accuracy:.2%}")
    c[1].metric("Training images", f"{run.n_train:,}")
    c[2].metric("Images / s", f"{run.images_per_s:,.0f}")
    c[3].metric("Training time", f"{run.fit.seconds:.1f} s")
    st.caption(f"Training data: {run.provenance}. Test: all {len(run.test_y):,} images of the test split. "
               f"Validation: {run.n_val:,} held-out training images.")  # fmt: skip
    t1, t2, t3 = st.tabs(["Confusion matrix", "Worst mistakes", "Filters & feature maps"])
    confusion = cm.confusion_matrix(run.test_y, run.test_pred, len(run.classes))
    t1.plotly_chart(cm.confusion_figure(confusion, run.classes), key="l3tr_fig_cm")
    t2.plotly_chart(cm.mistakes_figure(run), key="l3tr_fig_mistakes")
    t2.caption("The wrong answers the network was most sure of: often ambiguous images or label noise.")
    with t3:
        st.plotly_chart(cm.filters_figure(run.model), key="l3tr_fig_filters")
        a, b = st.columns(2)
        with a:
            idx = ui.slider("Test image", "l3tr_img", 0, len(run.test_y) - 1, 0)
        maps = cm.feature_maps(run.model, run.test_X[idx, 0])
        names = [fm.name for fm in maps]
        with b:
            layer = ui.selectbox("Layer", "l3tr_layer", names, names[min(2, len(names) - 1)])
        truth, pred = run.classes[run.test_y[idx]], run.classes[run.test_pred[idx]]
        st.caption(f"Test image {idx}: {truth}, predicted {pred} ({run.test_probs[idx].max():.0%}).")
        st.plotly_chart(cm.image_grid(run.test_X[idx : idx + 1, 0], cols=1, tile_px=140), key="l3tr_fig_img")
        st.plotly_chart(cm.feature_map_figure(maps[names.index(layer)]), key="l3tr_fig_fmap")


def _record(job: Job, run: cm.CNNRun) -> None:
    runs: dict[int, dict] = st.session_state.setdefault(RUNS, {})
    if job.id not in runs:
        runs[job.id] = {"run": len(runs) + 1, **cm.run_summary(run)}


def run_history() -> None:
    """Every finished run of this session: a table and their validation curves overlaid."""
    runs = list(st.session_state.get(RUNS, {}).values())
    if not runs:
        return
    st.subheader("Run history")
    table = pd.DataFrame([{k: v for k, v in r.items() if k != "history"} for r in runs])
    st.dataframe(table, hide_index=True)
    extra = {f"run {r['run']}": r["history"] for r in runs[:-1]}
    title = "Validation accuracy (dotted: earlier runs)"
    fig = loss_curves(runs[-1]["history"], ("val_accuracy",), title=title, extra=extra)
    st.plotly_chart(fig, key="l3tr_fig_history")


@st.cache_resource(show_spinner="Loading the shipped model…")
def shipped_model(name: str) -> cm.ConvNet:
    """A shipped checkpoint (read-only, shared by all sessions)."""
    return checkpoints.load_model(name)


def classify_section(job: Job | None) -> None:
    """Draw or upload an image and classify it with a shipped model or the one just trained."""
    st.subheader("Classify your own drawing or photo")
    run = job.result if job is not None and isinstance(job.result, cm.CNNRun) else None
    run = None if run is None or run.fit.diverged else run
    options = (*SHIPPED, *([TRAINED] if run is not None else ()))
    choice = ui.radio("Model", "l3tr_model", options, options[0], horizontal=True)
    left, right = st.columns(2)
    with left:
        drawn = _CANVAS(key="l3tr_canvas", default={"png": ""}, on_png_change=lambda: None).png
        kinds = ["png", "jpg", "jpeg", "webp", "bmp", "gif"]
        upload = st.file_uploader("…or upload a photo or scan", type=kinds, key="l3tr_upload")
    if upload is None and not drawn:
        right.info("Draw a digit or a garment (dark on light), or upload a photo of one.")
        return
    try:
        image = cm.decode_image(upload.getvalue()) if upload is not None else cm.decode_data_url(drawn)
        model = (
            run.model
            if choice == TRAINED and run
            else shipped_model(SHIPPED.get(choice, "cnn-fashion-mnist"))
        )
        result = cm.classify_image(model, image)
    except checkpoints.CheckpointError as exc:
        right.warning(f"The shipped model is not available: {exc}")
        return
    except ValueError as exc:
        right.error(f"Cannot classify this image: {exc}.")
        return
    with right:
        st.image(
            result.image, caption="What the network sees (preprocessed like its data)", width=140, clamp=True
        )
        st.plotly_chart(cm.probabilities_figure(result), key="l3tr_fig_probs")
