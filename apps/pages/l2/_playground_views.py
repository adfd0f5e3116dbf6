"""Views of the MLP playground page: the live map and curves, a finished run, the shipped model."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from apps.common import state as ui
from apps.pages.l2._playground_steps import network
from core import checkpoints
from core.jobs import Job
from core.mlp import training as tr
from core.mlp.datasets import MLPData
from core.mlp.decision_maps import LIVE_KEY
from core.mlp.figures import decision_map_figure, decision_map_image, thinned
from core.viz.classification import confusion_figure
from core.viz.curves import loss_curves

CURVES = (("Loss", ("train_loss", "val_loss")), ("Accuracy", ("train_accuracy", "val_accuracy")))
NEAR_ZERO = "weights with |w| < 10⁻³"
SHIPPED = "mlp-playground"


@st.cache_resource(show_spinner=False)
def _shipped() -> tuple[tr.MLPRun | None, str | None]:
    try:
        return tr.shipped_run(), None
    except checkpoints.CheckpointMissing:  # not built yet: the page trains without it, and says so
        return None, "the shipped model has not been built yet"
    except checkpoints.CheckpointError as exc:
        return None, str(exc)


def shipped() -> tuple[tr.MLPRun | None, str | None]:
    """The shipped default run, or None and why it cannot be used."""
    return _shipped()


def offer_rebuild(problem: str) -> None:
    """Say why the shipped model is not shown, and offer to rebuild it (a few seconds)."""
    st.warning(f"Not showing the shipped model: {problem}. The page works without it; rebuild it here or "
               f"with `python -m core.train {SHIPPED}`.", icon=":material/warning:")
    if st.button("Rebuild the shipped model", key="l2pg_rebuild", icon=":material/build:"):
        from core.registry import TrainContext, specs

        with st.spinner("Training the default model…"):
            try:
                specs()[SHIPPED].fn(TrainContext())
            except (checkpoints.CheckpointError, OSError) as exc:
                st.error(f"Rebuilding failed: {exc}")
                return
        _shipped.clear()
        st.rerun()


def live(job: Job) -> None:
    """The decision map and curves of a run in progress."""
    # An image and Vega line charts update in place; a changed plotly chart is remounted by Streamlit
    # 1.67 on every update and would blink five times a second (see core.mlp.figures.decision_map_image).
    left, right = st.columns([3, 2])
    grid = job.artifact(LIVE_KEY)
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
        if st.session_state.get("l2pg_live_dropout"):  # the fit loop's running mean, dropout on
            frame = frame.rename(columns=lambda c: c + " (dropout on)" if c.startswith("train") else c)
        right.line_chart(frame, height=230, x_label="epoch", y_label=title.lower())


def data_map(data: MLPData) -> None:
    st.plotly_chart(decision_map_figure(None, data, ("train", "val", "test")), key="l2pg_data_map")


def show_run(run: tr.MLPRun, overlays: dict | None = None) -> None:
    """Metrics, decision map, curves (earlier runs dotted), confusion matrix, report and downloads."""
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
        two = run.config.dropout > 0  # the train split drawn with dropout on and off
        for title in ("Loss", "Accuracy"):
            curves = tr.named_curves(run.fit.history, title.lower(), two)
            extra = {k: tr.named_curves(h, title.lower(), two) for k, h in (overlays or {}).items()}
            fig = loss_curves(curves, [k for k in curves if k != "epoch"], title, extra=extra)
            right.plotly_chart(fig, key=f"l2pg_{title}")
    sp = run.sparsity()
    right.metric(NEAR_ZERO, f"{sp.near_zero:,} of {sp.total:,}", f"{sp.exact_zero:,} exactly 0",
                 delta_color="off", delta_arrow="off")
    network(run)
    cm_fig = confusion_figure(run.confusion, run.classes, title="Confusion matrix (test)")
    left.plotly_chart(cm_fig, key="l2pg_confusion")
    st.markdown("**Per class (test split)**")
    st.dataframe(pd.DataFrame(run.report).round(3), hide_index=True, key="l2pg_report", width="stretch")
    c1, c2 = st.columns(2)
    c1.download_button("Download weights (safetensors)", run.weights_bytes(), "mlp-playground.safetensors",
                       "application/octet-stream", key="l2pg_dl_weights", icon=":material/download:")
    c2.download_button("Download run config (JSON)", run.config_json(), "mlp-playground.json",
                       "application/json", key="l2pg_dl_config", icon=":material/download:")
