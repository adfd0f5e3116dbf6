"""Gradio tab of lecture 5's 2D GAN: a GAN on a mixture of Gaussians, trained on request, with the figures the
Streamlit page ``l5-gan2d`` shows at the end of a run.

Endpoints, with the page's choices and ranges (``core.generative.gan2d``):

- ``/gan2d_data`` (data, seed) -> the data figure the page shows before a run: 1,000 points of the mixture
  (:func:`core.generative.gan2d.sample_target` with seed + 1, as the page), drawn by
  :func:`core.generative.figures.gan_figure`.
- ``/train_gan2d`` (data, generator updates, generator learning rate, discriminator learning rate,
  discriminator updates per generator update, seed) -> the generator's 1,000 points over the data and the
  discriminator's map D(x) (:func:`core.generative.figures.gan_figure`), both losses per step
  (:func:`core.viz.curves.loss_curves`), the numbers (modes covered, final losses, how the run ended) and a
  note: one run of :func:`core.generative.gan2d.train_gan`, through the process-wide job queue
  (:mod:`apps.gradio_tabs.jobs`), with progress, stoppable, and bounded by the page's
  ``core.generative.gan2d.TIME_BUDGET_S``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Generator
from typing import Any

import gradio as gr
import plotly.graph_objects as go

from apps.gradio_tabs import inputs as gi
from apps.gradio_tabs.inputs import choice, number
from apps.gradio_tabs.jobs import run_job, start_stop, wire
from core.generative import figures as fg
from core.generative import gan2d as gan
from core.viz.curves import loss_curves

LOSSES = ("train_d_loss", "train_g_loss")
"""The page's loss chart: both losses per logged step."""
Trained = tuple[go.Figure, go.Figure, dict[str, Any], str]


def _checked(target: Any, seed: Any) -> tuple[str, int]:
    return choice("data", target, tuple(gan.TARGETS)), number("seed", seed, *gan.SEED_RANGE)


@functools.lru_cache(maxsize=32)
def _data_figure(target: str, seed: int) -> go.Figure:
    return fg.gan_figure(gan.sample_target(target, 1000, seed + 1), None, "The data")


def gan2d_data(target: Any, seed: Any) -> go.Figure:
    """The mixture's 1,000 points the page shows before a run (and draws under the generator's)."""
    return _data_figure(*_checked(target, seed))


def _num(x: float) -> float | None:
    return round(float(x), 4) if math.isfinite(x) else None


def train_gan2d(target: Any, steps: Any, lr_g: Any, lr_d: Any, d_steps: Any, seed: Any,
                progress: gr.Progress = gr.Progress()) -> Generator[Trained, None, None]:  # noqa: B008
    """Train the 2D GAN with the page's settings; the generated points over the data and D's map, the
    losses, the numbers and a note, as the page shows them when the run ends (stopped or timed out too)."""
    data, checked_seed = _checked(target, seed)
    cfg = gan.GANConfig(target=data, steps=choice("generator updates", steps, gan.STEPS),
                        lr_g=choice("generator learning rate", lr_g, gan.LRS),
                        lr_d=choice("discriminator learning rate", lr_d, gan.LRS),
                        d_steps=number("discriminator updates per generator update", d_steps, *gan.D_STEPS),
                        seed=checked_seed)  # the page's time budget: GANConfig's default
    run: gan.GANRun = yield from run_job(lambda job: gan.train_gan(cfg, job), "gradio-gan2d", progress, 4)
    fit = run.fit
    covered, modes = run.modes
    numbers = {"modes_covered": covered, "modes": modes, "final_d_loss": _num(fit.final("train_d_loss")),
               "final_g_loss": _num(fit.final("train_g_loss")), "status": fit.status, "message": fit.message,
               "generator_updates": fit.steps, "passes": fit.epochs_run, "seconds": round(fit.seconds, 2),
               "config": dataclasses.asdict(cfg)}  # fmt: skip
    figure = fg.gan_figure(run.real, run.final, f"After {run.final.step:,} generator updates")
    curves = loss_curves(fit.history, LOSSES, title=f"Losses per step (x: passes over the data, "
                                                     f"{gan.PASSES} per run)")  # fmt: skip
    note = (f"**{covered} of {modes} modes covered** by the generator. {fit.message}: {fit.epochs_run} "
            f"passes, {fit.steps:,} generator updates in {fit.seconds:.1f} s. {gan.describe(cfg)} A mode "
            "counts as covered when it holds at least a quarter of its fair share of 1,000 generated points. "
            "At the equilibrium D(x) = 1/2 everywhere: D loss 2 log 2 ≈ 1.386, G loss log 2 ≈ 0.693.")
    if fit.status == "diverged":
        note = f"**Diverged** ({fit.message}): the generator is not usable; lower a learning rate. " + note
    yield figure, curves, numbers, note


def build() -> None:
    """Lay out the 2D GAN tab inside the current Blocks/Tab."""
    gr.Markdown(
        "### A GAN you watch train\nThe generator G turns 2D noise into points, the discriminator D tells "
        "them from the data, a mixture of Gaussians. The shading is D's belief that a point is real (green "
        "real, purple fake), grey points are data, orange points come from G. Each step makes *k* updates of "
        "D, then one of G (non-saturating loss). Mode collapse: generator learning rate 0.01, "
        f"discriminator's 0.0001. A run stops after {gan.TIME_BUDGET_S:g} s."
    )
    with gr.Row():
        with gr.Column():
            target = gi.CheckedRadio([(v, k) for k, v in gan.TARGETS.items()], value="ring", label="Data")
            steps = gi.CheckedDropdown([(f"{s:,}", s) for s in gan.STEPS], value=2_000,
                                       label="Generator updates")
        with gr.Column():
            lrs = [(f"{x:g}", x) for x in gan.LRS]
            lr_g = gi.CheckedDropdown(lrs, value=1e-3, label="Generator learning rate")
            lr_d = gi.CheckedDropdown(lrs, value=1e-3, label="Discriminator learning rate")
        with gr.Column():
            d_steps = gi.CheckedSlider(*gan.D_STEPS, value=1, step=1,
                                       label="Discriminator updates per generator update")
            lo, hi = gan.SEED_RANGE
            seed = gi.CheckedNumber(value=0, precision=0, minimum=lo, maximum=hi, label="Seed")
    start, stop = start_stop("Train the GAN")
    with gr.Row():
        figure = gr.Plot(value=_data_figure("ring", 0), label="Generated points over the data")
        curves = gr.Plot(label="Losses")
    note, numbers = gr.Markdown(), gr.JSON(label="Numbers")
    gr.on([target.change, seed.change], gan2d_data, [target, seed], figure, api_name="gan2d_data")
    settings = [target, steps, lr_g, lr_d, d_steps, seed]
    wire(start, stop, train_gan2d, settings, [figure, curves, numbers, note], "train_gan2d")
