"""Widgets and views of the autoencoder page (``autoencoders.py``), so the page reads top to bottom."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from apps.common import state as ui
from apps.common.runs import RunHistory
from core import checkpoints, data
from core.generative import ae_training as tr
from core.generative import autoencoders as ae
from core.generative import figures as fg
from core.generative import latent as lt
from core.jobs import Job

DATASETS = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}
CHARTS = (("Objective: recon + beta·KL (nats/image)", ("train_loss", "val_loss")),
          ("Reconstruction (nats/image)", ("train_recon", "val_recon")),
          ("KL (nats/image)", ("train_kl", "val_kl")))
RUNS = RunHistory("l5ae")


@dataclass(frozen=True, eq=False)
class Shown:
    """The model the views show, with its latent map and held-out numbers."""

    model: ae.AutoEncoder
    lmap: lt.LatentMap
    test: data.Dataset
    metrics: dict[str, Any]
    label: str


def controls() -> ae.AEConfig:
    """The model cell and the training settings, bound to the URL."""
    c1, c2, c3 = st.columns(3)
    with c1:
        dataset = ui.selectbox("Data set", "l5ae_data", tuple(DATASETS), "mnist", format_func=DATASETS.get)
        kind = ui.segmented("Model", "l5ae_kind", ae.KINDS, "vae", format_func=ae.KIND_LABELS.get)
    with c2:
        latent = ui.select_slider("Latent dimension", "l5ae_z", ae.LATENT_DIMS, 2)
        beta = ui.select_slider("beta (beta-VAE only)", "l5ae_beta", ae.BETAS, ae.DEFAULT_BETA_VAE,
                                format_func="{:g}".format, disabled=kind != "beta-vae")
        lr = ui.select_slider("Learning rate", "l5ae_lr", ae.LRS, 2e-3, format_func="{:g}".format)
    with c3:
        epochs = ui.slider("Epochs", "l5ae_epochs", *ae.EPOCH_RANGE, 10)
        n = ui.select_slider("Training images (at most)", "l5ae_n", ae.TRAIN_SIZES, 4_000,
                             format_func="{:,}".format)
        seed = ui.number_input("Seed", "l5ae_seed", *ae.SEED_RANGE, 0)
    return ae.make_config(kind, dataset, latent, beta, epochs=epochs, train_size=n, lr=lr, seed=int(seed),
                          time_budget_s=ae.PAGE_TIME_BUDGET_S)


@st.cache_resource(show_spinner="Loading the shipped model…", max_entries=8)
def shipped(name: str) -> Shown:
    """A shipped checkpoint with its latent map and held-out metrics (read-only, shared by all sessions)."""
    model = checkpoints.load_model(name)
    test = data.load(model.config.dataset, "test")
    metrics = tr.held_out(model, tr._tensor(test.X))
    return Shown(model, lt.latent_map(model, test.X, test.y), test, metrics, f"shipped checkpoint `{name}`")


def _cell(c: ae.AEConfig) -> tuple:
    return c.kind, c.dataset, c.latent_dim, c.beta


def shown(config: ae.AEConfig, job: Job | None) -> Shown | None:
    """The model of this cell: the run just trained for it if any, else the shipped checkpoint."""
    run = job.result if job is not None and isinstance(job.result, tr.AERun) else None
    if run is not None and run.held_out is not None and _cell(run.config) == _cell(config):
        key = f"l5ae_shown_{job.id}"
        if key not in st.session_state:
            test = data.load(config.dataset, "test")
            lmap = lt.latent_map(run.model, test.X, test.y)
            st.session_state[key] = Shown(run.model, lmap, test, run.held_out, "your run (this session)")
        return st.session_state[key]
    name = tr.checkpoint_name(config)
    if name is None:
        st.info(f"No shipped model for this cell. Shipped: the autoencoder, VAE and beta-VAE (beta "
                f"{ae.DEFAULT_BETA_VAE:g}) with 2- and 16-dimensional codes on MNIST. Press **Train** to "
                "train this one (a few minutes at most).", icon=":material/info:")
        return None
    try:
        return shipped(name)
    except checkpoints.CheckpointError as exc:
        st.warning(f"The shipped model is not available: {exc}")
        return None


def live(job: Job) -> None:
    pairs = job.artifact("recon")
    if pairs is not None:
        st.image(fg.image_grid(pairs), caption="Validation images (top) and their reconstructions, live")


def record(job: Job) -> None:
    run: tr.AERun = job.result
    m = run.held_out or {}
    RUNS.add(job.id, {"model": ae.KIND_LABELS[run.config.kind], "latent": run.config.latent_dim,
                      "beta": run.config.beta, "epochs": run.fit.epochs_run, "lr": run.config.lr},
             {k.replace("test_", "held-out "): round(v, 2) for k, v in m.items() if k in
              ("test_neg_elbo", "test_recon", "test_kl")}, run.fit.history)
    RUNS.show(keep=job.id)


def metrics_row(s: Shown) -> None:
    m, cfg = s.metrics, s.model.config
    cols = st.columns(4)
    if cfg.variational:
        cols[0].metric("−ELBO, held-out", f"{m['test_neg_elbo']:.1f} nats")
        cols[2].metric("KL to the prior", f"{m['test_kl']:.1f} nats")
        cols[3].metric("Active latent dimensions", f"{m['active_dims']} of {cfg.latent_dim}")
    cols[1].metric("Reconstruction −log p(x|z)", f"{m['test_recon']:.1f} nats")
    st.caption(f"Showing {s.label}: {ae.describe(cfg)}. Measured on {s.test.provenance}.")


def reconstructions(s: Shown) -> None:
    idx = [int(np.flatnonzero(s.test.y == k)[0]) for k in range(s.test.n_classes)]
    pairs = np.stack([s.test.X[idx, 0], lt.reconstruct(s.model, s.test.X[idx])])
    st.image(fg.image_grid(pairs), caption="Test images (top), reconstructed from their codes (bottom)")
    a, b = st.columns(2)
    with a:
        n = ui.slider("Samples", "l5ae_ns", *lt.SAMPLE_COUNT, lt.DEFAULT_SAMPLES)
    with b:
        seed = ui.number_input("Sample seed", "l5ae_sseed", *lt.SEED_RANGE, 0)
    prior = "the prior N(0, I)" if s.model.config.variational else (
        "a Gaussian with the mean and spread of the codes (an autoencoder has no prior)")
    st.image(fg.image_grid(lt.sample(s.model, s.lmap, n, seed), cols=16),
             caption=f"Decoded draws from {prior}")


def traversals(s: Shown) -> None:
    d = s.model.latent_dim
    steps = ui.slider("Steps from −3 to 3", "l5ae_steps", *lt.TRAVERSAL_STEPS, lt.DEFAULT_TRAVERSAL_STEPS)
    u: list[float] = []
    with st.expander("A slider per latent dimension: the point every row passes through", expanded=d <= 4):
        cols = st.columns(4)
        for i in range(d):
            with cols[i % 4]:
                u.append(ui.slider(f"z{i + 1}", f"l5ae_u{i}", *lt.Z_RANGE, 0.0, 0.1))
    unit = "prior standard deviations" if s.model.config.variational else "standard deviations of the codes"
    left, right = st.columns([4, 1])
    left.image(fg.image_grid(lt.traversal(s.model, s.lmap, steps, u), upscale=2),
               caption=f"Row i varies z_i from −3 to 3 ({unit}); the other dimensions stay at the sliders")
    right.image(fg.image_grid(lt.decode_point(s.model, s.lmap, u)[None], upscale=5),
                caption="The sliders' point")


def interpolation(s: Shown) -> tuple[int, int]:
    last = len(s.test) - 1
    a, b, c = st.columns(3)
    with a:
        i = ui.number_input("Test image A", "l5ae_a", 0, last, 0)
    with b:
        j = ui.number_input("Test image B", "l5ae_b", 0, last, 1)
    with c:
        steps = ui.slider("Steps", "l5ae_isteps", *lt.INTERPOLATION_STEPS, lt.DEFAULT_INTERPOLATION_STEPS)
    row = lt.interpolate(s.model, s.test.X[i, 0], s.test.X[j, 0], steps)
    ends = f"A ({s.test.classes[s.test.y[i]]}) and B ({s.test.classes[s.test.y[j]]})"
    st.image(fg.image_grid(np.concatenate([s.test.X[[i], 0], row, s.test.X[[j], 0]])),
             caption=f"Test images {ends} at the ends; between them, decoded points on the straight line "
                     "between their codes (A and B are marked on the latent map)")
    return int(i), int(j)


def latent_space(s: Shown, ends: tuple[int, int]) -> None:
    st.plotly_chart(fg.latent_figure(s.lmap, s.test.classes, ends), key="l5ae_fig_latent")
    how = "the codes themselves" if s.lmap.explained is None else "their first two principal components"
    st.caption(f"The posterior means of all {len(s.test):,} test images, coloured by class: {how}.")


def elbo(s: Shown) -> None:
    if not s.model.config.variational:
        st.info("A plain autoencoder has no posterior and no prior: only its reconstruction is measured.")
        return
    st.plotly_chart(fg.kl_figure(s.metrics["kl_dims"], tr.ACTIVE_KL_NATS), key="l5ae_fig_kl")
    m = s.metrics
    st.markdown(
        f"On held-out images, −ELBO = reconstruction + KL = {m['test_recon']:.1f} + {m['test_kl']:.1f} = "
        f"**{m['test_neg_elbo']:.1f} nats per image**, an upper bound on −log p(x). Grey bars: dimensions "
        f"with under {tr.ACTIVE_KL_NATS} nats, which the decoder ignores (their posterior stays the prior)."
    )
