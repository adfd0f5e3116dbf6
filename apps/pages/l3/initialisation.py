"""Initialisation and vanishing/exploding gradients: a deep plain net on real images, layer by layer."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.common.live import LOSS_ACC_CHARTS, training_panel
from apps.common.runs import RunHistory
from core.cnn import initialisation as iv
from core.jobs import Job

RUNS = RunHistory("l3in")

page_header("l3-initialisation")
st.markdown(
    "A plain deep network multiplies its signal by one weight matrix per layer on the way forward, and its "
    "gradient by the transposed matrices (and the activation's slope) on the way back. If each factor is a "
    "little below 1 the signal **vanishes**, a little above and it **explodes**. Initialisation picks the "
    "scale: Xavier (Glorot & Bengio 2010) keeps the variance for tanh, He (He et al. 2015) for ReLU; batch "
    "normalisation (Ioffe & Szegedy 2015) re-standardises every layer. One batch of 256 Fashion-MNIST images "
    "goes forward and back through the net you set up:"
)
c1, c2, c3, c4 = st.columns([1, 1, 1.3, 1.2])
with c1:
    depth = ui.slider("Depth (hidden layers)", "l3in_depth", 1, iv.MAX_DEPTH, 20)
    width = ui.select_slider("Width", "l3in_width", iv.WIDTHS, 128)
with c2:
    init = ui.selectbox("Initialisation", "l3in_init", iv.INITS, "small normal")
with c3:
    act = ui.segmented("Activation", "l3in_act", iv.ACTIVATIONS, "tanh")
with c4:
    bn = ui.toggle("Batch normalisation", "l3in_bn", False)
    compare = ui.toggle("Overlay reference settings", "l3in_cmp", False)
config = iv.InitConfig(depth=depth, width=width, init=init, activation=act, batch_norm=bn)


@st.cache_data(max_entries=64, show_spinner=False)
def stats_for(cfg: iv.InitConfig) -> iv.LayerStats:
    return iv.layer_statistics(cfg)


stats = stats_for(config)
verdict = iv.diagnose(stats)
(st.success if verdict.startswith("Healthy") else st.warning)(verdict)
m = st.columns(4)
m[0].metric(
    "Loss at initialisation", f"{stats.loss:.3g}", help="ln 10 ≈ 2.303 is a uniform guess over 10 classes"
)
shrink = stats.signal_ratio
m[1].metric("Activation std, last / first layer", f"{shrink:.2g}" if shrink == shrink else "undefined")
ratio = stats.vanishing_ratio
m[2].metric("Gradient norm, first / last layer", f"{ratio:.2g}" if ratio == ratio else "undefined")
m[3].metric("Saturated or dead units", f"{stats.saturated.mean():.0%}")
refs = [stats_for(c) for c in iv.reference_configs(config)] if compare else []
st.plotly_chart(iv.stats_figure(stats, refs), key="l3in_fig_stats")
st.plotly_chart(iv.histogram_figure(stats), key="l3in_fig_hist")
st.caption(
    f"Data: {stats.provenance}; inputs standardised to mean 0, std 1. Gradients of the cross-entropy "
    "of this one batch, batch norm in training mode. Gaps on the log axes are exact zeros; the grey band "
    "marks values below 1e-6, where a signal or gradient has vanished."
)

st.subheader(f"Does it learn? {iv.SHORT_STEPS} steps of SGD")
lr = ui.select_slider("Learning rate (SGD, momentum 0.9)", "l3in_lr", iv.LEARNING_RATES, 0.01)


def make_job() -> Callable[[Job], iv.ShortRun]:
    cfg, rate = config, lr
    return lambda job: iv.train_short(cfg, steps=iv.SHORT_STEPS, lr=rate, job=job)


def show_run(job: Job) -> None:
    run: iv.ShortRun = job.result
    RUNS.add(job.id, config={"setting": iv.label(run.config), "lr": run.lr},
             metrics={"status": run.fit.status, "val accuracy": round(run.val_accuracy, 3)},
             history=run.fit.history)  # fmt: skip
    st.metric(
        f"Validation accuracy after {run.fit.steps} steps", f"{run.val_accuracy:.1%}", help="chance: 10%"
    )
    agrees, text = iv.check_verdict(iv.diagnose(stats_for(run.config)), run)
    (st.info if agrees else st.warning)(text)


job = training_panel("l3in", make_job, label="Train 100 steps", charts=LOSS_ACC_CHARTS, result=show_run)
runs = RUNS.runs()
if len(runs) > 1:
    RUNS.show(keep=None if job is None else job.id)
    last = runs[-1]
    st.plotly_chart(RUNS.overlay(last.history, ("val_accuracy",), "Validation accuracy of your runs",
                                 exclude=last.key), key="l3in_fig_runs")  # fmt: skip
st.markdown(
    "**Try.** Small normal + sigmoid: the gradient of the first layer is orders of magnitude below the "
    "last one, and training stays at chance. Large normal + tanh: most units (about 80%) saturate at ±1, "
    "and through the rest the gradient explodes towards the first layer. Xavier + ReLU: ReLU zeroes half "
    "the units, so the *variance* halves at each layer (the std shrinks by 1/√2 ≈ 0.71); at depth 20 the "
    "last layer's std is ~400x below the first and 100 steps stay near chance, while He's factor 2 (Var W"
    " = 2/fan_in, He et al. 2015) keeps the scale and learns. Now turn on batch norm: the activation "
    "scale is the same at every layer whatever the initialisation (except zeros: all units stay "
    "identical). BN's price in a deep *plain* net: the gradient grows towards the first layers (Yang et "
    "al. 2019) — one reason very deep nets add residual connections (He et al. 2016)."
)
show_source(iv.init_weights, iv.layer_statistics, iv.train_short)
