"""The live training views of the autoencoder page (``autoencoders.py``): charts, live reconstructions
and the run history."""

from __future__ import annotations

import streamlit as st

from apps.common.runs import RunHistory
from core.generative import ae_training as tr
from core.generative import autoencoders as ae
from core.generative import figures as fg
from core.jobs import Job

CHARTS = (("Objective: recon + beta·KL (nats/image)", ("train_loss", "val_loss")),
          ("Reconstruction (nats/image)", ("train_recon", "val_recon")),
          ("KL (nats/image)", ("train_kl", "val_kl")))
RUNS = RunHistory("l5ae")


def live(job: Job) -> None:
    pairs = job.artifact("recon")
    if pairs is not None:
        st.image(fg.image_grid(pairs), caption="Validation images (top) and their reconstructions, live")


def record(job: Job) -> None:
    run: tr.AERun = job.result
    m = run.held_out or {}
    RUNS.add(job.id, {"data": run.config.dataset, "model": ae.KIND_LABELS[run.config.kind],
                      "latent": run.config.latent_dim, "beta": run.config.beta, "epochs": run.fit.epochs_run,
                      "lr": run.config.lr},
             {k.replace("test_", "held-out "): round(v, 2) for k, v in m.items() if k in
              ("test_neg_elbo", "test_recon", "test_kl")}, run.fit.history)
    RUNS.show(keep=job.id)
