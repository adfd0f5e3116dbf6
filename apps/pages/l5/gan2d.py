"""A 2D GAN trained live: the generator's samples over the discriminator's decision map, both losses per
step, learning rates and discriminator steps per update; bad settings show mode collapse."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from apps.common import state as ui
from apps.common.layout import page_header, show_source
from apps.common.live import training_panel
from core.generative import figures as fg
from core.generative import gan2d as gan
from core.jobs import Job

page_header("l5-gan2d")
st.markdown(
    "A **GAN** (Goodfellow et al. 2014) trains two networks against each other: the generator G turns "
    "noise into points, the discriminator D tells them from the data. Here the data are 2D points from a "
    "mixture of Gaussians, so you can watch everything: the shading is D's belief that a point is real "
    "(green real, purple fake), grey points are data, orange points come from G. Each step makes "
    "*k* updates of D, then one of G (non-saturating loss: G maximises log D(G(z)))."
)
c1, c2, c3 = st.columns(3)
with c1:
    target = ui.selectbox("Data", "l5gan_target", tuple(gan.TARGETS), "ring", format_func=gan.TARGETS.get)
    steps = ui.select_slider("Generator updates", "l5gan_steps", gan.STEPS, 2_000, format_func="{:,}".format)
with c2:
    lr_g = ui.select_slider("Generator learning rate", "l5gan_lrg", gan.LRS, 1e-3, format_func="{:g}".format)
    lr_d = ui.select_slider("Discriminator learning rate", "l5gan_lrd", gan.LRS, 1e-3,
                            format_func="{:g}".format)
with c3:
    d_steps = ui.slider("Discriminator updates per generator update", "l5gan_k", *gan.D_STEPS, 1)
    seed = ui.number_input("Seed", "l5gan_seed", *gan.SEED_RANGE, 0)
config = gan.GANConfig(target=target, lr_g=lr_g, lr_d=lr_d, d_steps=d_steps, steps=steps, seed=int(seed))
st.caption(f"{gan.describe(config)} A run stops after {gan.TIME_BUDGET_S:g} s.")


def make_job() -> Callable[[Job], gan.GANRun]:
    cfg = config
    gan.validate(cfg)

    def run(job: Job) -> gan.GANRun:
        return gan.train_gan(cfg, job)

    return run


def live(job: Job) -> None:
    snap, real = job.artifact("snapshot"), job.artifact("real")
    if real is not None:
        title = f"After {snap.step:,} generator updates" if snap is not None else "Starting"
        st.plotly_chart(fg.gan_figure(real, snap, title), key="l5gan_fig_live")


def result(job: Job) -> None:
    run: gan.GANRun = job.result
    covered, modes = run.modes
    a, b, c = st.columns(3)
    a.metric("Modes covered by the generator", f"{covered} of {modes}")
    b.metric("Final D loss", f"{run.fit.final('train_d_loss'):.3f}")
    c.metric("Final G loss", f"{run.fit.final('train_g_loss'):.3f}")
    st.plotly_chart(fg.gan_figure(run.real, run.final, f"After {run.final.step:,} generator updates"),
                    key="l5gan_fig_final")
    st.caption("A mode counts as covered when it holds at least a quarter of its fair share of 1,000 "
               "generated points. At the equilibrium D(x) = 1/2 everywhere: D loss 2 log 2 ≈ 1.386, G loss "
               "log 2 ≈ 0.693.")


charts = ((f"Losses per step (x: passes over the data, {gan.PASSES} per run)",
           ("train_d_loss", "train_g_loss")),)
job = training_panel("l5gan", make_job, label="Train the GAN", charts=charts, live=live, result=result,
                     poll_s=0.3)
if job is None:
    data_points = gan.sample_target(target, 1000, config.seed + 1)
    st.plotly_chart(fg.gan_figure(data_points, None, "The data"), key="l5gan_fig_data")
    st.info("Press **Train the GAN**: the default (2,000 generator updates) takes 10-30 s here.",
            icon=":material/school:")
st.markdown(
    "**Things to try.** Mode collapse: set the generator's learning rate to 0.01 and the discriminator's to "
    "0.0001; the orange points pile onto one or two modes, and D cannot push them off. Give D more updates "
    "per G update (k = 5) and the coverage usually recovers. The 5x5 grid is harder than the ring; the two "
    "unequal Gaussians test whether G learns the weights too."
)
show_source(gan.gan_step, gan.modes_covered)
