"""Gradio tab of lecture 2: the optimiser race (SGD, momentum, RMSProp, Adam on 2D loss surfaces).

Endpoints: ``/optimizer_race`` (contour figure with the paths, loss-vs-step figure, final losses),
``/trajectory`` (one optimiser's path as numbers) and ``/optimizer_surface`` (a surface's suggested
settings and the race they give). Same core calls as the Streamlit page ``l2-optimisers``.
"""

from __future__ import annotations

from typing import Any

import gradio as gr
import plotly.graph_objects as go

from core.mlp import optimisers as ov
from core.mlp.optimiser_figures import loss_figure, race_figure
from core.mlp.surfaces import SURFACES, loss_along
from core.training.optim import LABELS, OPTIMIZERS

OWN_TABS = True
"""build() opens its own tabs (the front end adds none around it)."""

DEFAULT = SURFACES["bowl"]


def optimizer_race(surface: str, lr: float, lr_adaptive: float, steps: float, start_x: float, start_y: float,
                   momentum: float, alpha: float, beta1: float, beta2: float, condition: float,
                   optimizers: list[str]) -> tuple[go.Figure, go.Figure, dict[str, Any]]:  # fmt: skip
    """Race the chosen optimisers from one start: paths on the contour plot, loss per step, final losses.

    ``lr`` drives SGD and momentum, ``lr_adaptive`` RMSProp and Adam; ``condition`` only shapes the bowl.
    Every value must be one the page's sliders offer (``core.mlp.optimisers.race_settings``). A run that
    blows up is reported as "diverged at step k" (its path stops there), never as an error.
    """
    try:
        chosen = optimizers if isinstance(optimizers, list) else []
        settings = ov.race_settings(surface, chosen, lr, lr_adaptive, steps, start_x, start_y, momentum,
                                    alpha, beta1, beta2, condition)
    except ValueError as exc:
        raise gr.Error(str(exc)) from None
    if not settings["optimizers"]:
        raise gr.Error("choose at least one optimiser")
    race = ov.race(**settings)
    summary = {"surface": race.surface, "final_losses": race.final_losses(),
               "diverged": [o for o, r in race.runs.items() if r.diverged_at is not None],
               "table": race.table()}
    return race_figure(race), loss_figure(race), summary


def trajectory(surface: str = "bowl", optimizer: str = "adam", lr: float = 0.1, steps: int = 100,
               start_x: float = -2.5, start_y: float = 1.5, momentum: float = 0.9, alpha: float = 0.99,
               beta1: float = 0.9, beta2: float = 0.999) -> dict[str, Any]:  # fmt: skip
    """One optimiser's path (``core.mlp.optimisers.trajectory``): its finite points, the step it diverged at.

    The same ranges as the race page's sliders: a learning rate from its list, 10-500 steps, a start in
    [-5, 5]^2 (``core.mlp.optimisers.race_settings``).
    """
    try:
        s = ov.race_settings(surface, [optimizer], lr, lr, steps, start_x, start_y, momentum, alpha, beta1,
                             beta2)
        opt = s["optimizers"][0]
        path = ov.trajectory(s["surface"], opt, s["lr"][opt], s["steps"], s["start"], momentum=s["momentum"],
                             alpha=s["alpha"], beta1=s["beta1"], beta2=s["beta2"])
    except (ValueError, TypeError) as exc:
        raise gr.Error(str(exc)) from None
    k = ov.diverged_at(path)
    finite = path if k is None else path[:k]
    return {"path": finite.tolist(), "diverged_at": k, "final_loss": None if k is not None else
            float(loss_along(s["surface"], finite[-1:])[0])}  # fmt: skip


def optimizer_surface(surface: str, momentum: float, alpha: float, beta1: float, beta2: float,
                      condition: float, optimizers: list[str]) -> tuple[Any, ...]:  # fmt: skip
    """Switch surface: its suggested learning rates, steps and start, and the race they give."""
    if surface not in SURFACES:
        raise gr.Error(f"unknown surface {str(surface)[:40]!r}; choose from {', '.join(SURFACES)}")
    s = SURFACES[surface]
    settings = (s.lr, s.lr_adaptive, s.steps, s.start[0], s.start[1])
    race = optimizer_race(surface, *settings, momentum, alpha, beta1, beta2, condition, optimizers)
    return *settings, *race


def _choice(choices: Any, value: Any, label: str) -> gr.Dropdown:
    # allow_custom_value: the endpoints check each value (race_settings) with a message naming the
    # control, instead of Gradio's generic "not in the list of choices"; 0.10 and "0.1" are 0.1.
    return gr.Dropdown(list(choices), value=value, label=label, allow_custom_value=True)


def build() -> None:
    """Lay out the optimiser race inside the current Blocks/Tab."""
    with gr.Tab("Optimiser race"):
        gr.Markdown("SGD, momentum, RMSProp and Adam (`torch.optim`) from the same start on a 2D loss "
                    "surface. A learning rate that blows up stops its path and is reported as *diverged*.")
        lrs = list(ov.LEARNING_RATES)
        with gr.Row():
            surface = gr.Dropdown([(s.title, k) for k, s in SURFACES.items()], value="bowl", label="Surface")
            condition = _choice(ov.CONDITIONS, DEFAULT.params["condition"], "Condition number κ (bowl)")
            steps = gr.Slider(*ov.STEPS, value=DEFAULT.steps, step=10, label="Steps")
            optimizers = gr.CheckboxGroup([(LABELS[k], k) for k in OPTIMIZERS], value=list(OPTIMIZERS),
                                          label="Racers")
        with gr.Row():
            lr = _choice(lrs, DEFAULT.lr, "Learning rate: SGD, momentum")
            lra = _choice(lrs, DEFAULT.lr_adaptive, "Learning rate: RMSProp, Adam")
            x0 = gr.Slider(*ov.START, value=DEFAULT.start[0], step=0.01, label="Start x")
            y0 = gr.Slider(*ov.START, value=DEFAULT.start[1], step=0.01, label="Start y")
        with gr.Row():
            hyper = [gr.Slider(*ov.MOMENTUM, value=0.9, step=0.01, label="Momentum μ"),
                     _choice(ov.ALPHAS, 0.99, "RMSProp decay α"),
                     gr.Slider(*ov.BETA1, value=0.9, step=0.01, label="Adam β₁"),
                     _choice(ov.BETA2S, 0.999, "Adam β₂")]
        inputs = [surface, lr, lra, steps, x0, y0, *hyper, condition, optimizers]
        first = optimizer_race("bowl", DEFAULT.lr, DEFAULT.lr_adaptive, DEFAULT.steps, *DEFAULT.start,
                               0.9, 0.99, 0.9, 0.999, DEFAULT.params["condition"], list(OPTIMIZERS))
        with gr.Row():
            outs = [gr.Plot(first[0], label="Paths"), gr.Plot(first[1], label="Loss − minimum per step")]
        outs.append(gr.JSON(first[2], label="Final losses"))
        # A new surface loads its suggested settings and races with them in one event.
        surface.change(optimizer_surface, [surface, *hyper, condition, optimizers],
                       [lr, lra, steps, x0, y0, *outs], api_name="optimizer_surface")
        triggers = [c.release if isinstance(c, gr.Slider) else c.change for c in inputs if c is not surface]
        gr.on(triggers, optimizer_race, inputs, outs, api_name="optimizer_race")
        gr.api(trajectory, api_name="trajectory")
