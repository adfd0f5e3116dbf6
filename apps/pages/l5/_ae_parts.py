"""Widgets, the model shown and the live training views of the autoencoder page (``autoencoders.py``);
its tabs are drawn by ``_ae_views``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from apps.common import state as ui
from core import checkpoints, data
from core.generative import ae_training as tr
from core.generative import autoencoders as ae
from core.generative import latent as lt
from core.jobs import Job

DATASETS = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}


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


@st.cache_resource(show_spinner="Loading the shipped model…", max_entries=len(tr.CHECKPOINTS))
def shipped(name: str) -> Shown:
    """A shipped checkpoint with its latent map and the held-out metrics the manifest records (measured
    from the shipped file; a test measures them again), read-only and shared by all sessions."""
    model = checkpoints.load_model(name)
    test = data.load(model.config.dataset, "test")
    metrics = {**checkpoints.entry(name).metrics, "kl_dims": tr.code_kl(model, tr._tensor(test.X))}
    lmap = lt.latent_map(model, test.X[: lt.MAP_IMAGES], test.y[: lt.MAP_IMAGES])
    return Shown(model, lmap, test, metrics, f"shipped checkpoint `{name}`")


@st.cache_resource(show_spinner="Loading the classifier…", max_entries=2)
def classifier(name: str) -> Any:
    """A shipped classifier of lecture 3 (read-only, shared by all sessions)."""
    return checkpoints.load_model(name)


def _cell(c: ae.AEConfig) -> tuple:
    return c.kind, c.dataset, c.latent_dim, c.beta


def shown(config: ae.AEConfig, job: Job | None) -> Shown | None:
    """The model of this cell: the run just trained for it if any, else the shipped checkpoint."""
    run = job.result if job is not None and isinstance(job.result, tr.AERun) else None
    if run is not None and run.held_out is not None and _cell(run.config) == _cell(config):
        key = f"l5ae_shown_{job.id}"
        if key not in st.session_state:
            test = data.load(config.dataset, "test")
            lmap = lt.latent_map(run.model, test.X[: lt.MAP_IMAGES], test.y[: lt.MAP_IMAGES])
            st.session_state[key] = Shown(run.model, lmap, test, run.held_out, "your run (this session)")
        return st.session_state[key]
    name = tr.checkpoint_name(config)
    if name is None:
        st.info(f"No shipped model for this cell. Shipped: every model at every latent dimension on "
                f"both data sets, the beta-VAE with beta {ae.DEFAULT_BETA_VAE:g}. Press **Train** to train "
                "this one (a few minutes at most).", icon=":material/info:")
        return None
    try:
        return shipped(name)
    except checkpoints.CheckpointError as exc:
        st.warning(f"The shipped model is not available: {exc}")
        return None


def metrics_row(s: Shown) -> None:
    m, cfg = s.metrics, s.model.config
    cols = st.columns(4)
    if cfg.variational:
        cols[0].metric("−ELBO, held-out", f"{m['test_neg_elbo']:.1f} nats")
        cols[2].metric("KL to the prior", f"{m['test_kl']:.1f} nats")
        cols[3].metric("Active latent dimensions", f"{m['active_dims']} of {cfg.latent_dim}")
    cols[1].metric("Reconstruction −log p(x|z)", f"{m['test_recon']:.1f} nats")
    st.caption(f"Showing {s.label}: {ae.describe(cfg)}. Measured on {s.test.provenance}.")
