"""Homework 5: a VAE on MNIST, the classes in its latent space, latent traversals; beside it the plain
conv autoencoder, the beta-VAE and the spatial broadcast decoder on MNIST and Fashion-MNIST with codes of
2 to 32 dimensions, every cell shipped and retrainable live; draw a digit to encode it."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from apps.common.layout import page_header, show_source
from apps.common.live import training_panel
from apps.pages.l5 import _ae_draw as draw
from apps.pages.l5 import _ae_live as live
from apps.pages.l5 import _ae_mixture as mixture
from apps.pages.l5 import _ae_parts as parts
from apps.pages.l5 import _ae_views as views
from core.generative import ae_training as tr
from core.generative import autoencoders as ae
from core.generative import latent as lt
from core.jobs import Job

page_header("l5-autoencoders")
st.markdown(
    "An **autoencoder** squeezes an image through a small code z and rebuilds it; a **VAE** (Kingma & "
    "Welling 2014) makes the code a distribution q(z|x) = N(μ, σ²) and pays for its distance to the prior "
    "N(0, I) in nats: −ELBO = E_q[−log p(x|z)] + KL(q(z|x) ‖ p(z)). Then every point of the latent space "
    "decodes to a plausible image, so you can sample, traverse and interpolate. A **beta-VAE** (Higgins et "
    "al. 2017) weighs the KL by β > 1; the **spatial broadcast decoder** (Watters et al. 2019) tiles z over "
    "the image with x/y coordinates. Every model at every code size on both data sets is shipped and answers "
    "at once; train any cell again live, or another β."
)
config = parts.controls()
st.caption(f"{ae.describe(config)}. {ae.plan(config)}")


def make_job() -> Callable[[Job], tr.AERun]:
    cfg = config
    ae.validate_training(cfg)  # refused before the job is queued, with the reason

    def run(job: Job) -> tr.AERun:
        return tr.train_autoencoder(cfg, job)

    return run


job = training_panel("l5ae", make_job, label="Train this cell", charts=live.CHARTS, live=live.live,
                     result=live.record, poll_s=0.5)
shown = parts.shown(config, job)
if shown is not None:
    parts.metrics_row(shown)
    tabs = st.tabs(["Latent space", "Traversals", "Interpolation", "Recon. & samples", "ELBO terms",
                    "Mixture prior", "Draw to encode"])
    with tabs[2]:
        ends = views.interpolation(shown)
    with tabs[0]:
        views.latent_space(shown, ends)
    with tabs[1]:
        views.traversals(shown)
    with tabs[5]:
        mixture.mixture(shown)
    with tabs[6]:
        draw.drawing(shown)
    with tabs[3]:
        views.reconstructions(shown)
    with tabs[4]:
        views.elbo(shown)
st.markdown(
    "**Things to try.** Compare the latent maps of the autoencoder and the VAE with a 2-D code: the VAE's "
    "classes fill a round blob around 0, the autoencoder's drift anywhere (so its random codes decode to "
    "smudges). Raise β and watch the KL fall, reconstructions blur and dimensions go grey in *ELBO terms*. "
    "With 16 dimensions, the traversal rows show which dimensions matter. In *Mixture prior*, compare "
    "draws from a mixture fitted to the codes with the prior's. In *Draw to encode*, draw a 1, then a 7: "
    "where do they land among the test digits, and how does a 2-D code redraw them?"
)
show_source(ae.AutoEncoder, ae.elbo_terms, lt.traversal, lt.interpolate)
