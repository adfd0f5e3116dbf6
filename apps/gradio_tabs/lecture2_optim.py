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

DEFAULT = ov.SURFACES["bowl"]


def optimizer_race(surface: str, lr: float, lr_adaptive: float, steps: float, start_x: float, start_y: float,
                   momentum: float, alpha: float, beta1: float, beta2: float, condition: float,
                   optimizers: list[str]) -> tuple[go.Figure, go.Figure, dict[str, Any]]:  # fmt: skip
    """Race the chosen optimisers from one start: paths on the contour plot, loss per step, final losses.

    ``lr`` drives SGD and momentum, ``lr_adaptive`` RMSProp and Adam; ``condition`` only shapes the bowl.
    A run that blows up is reported as "diverged at step k" (its path stops there), never as an error.
    """
    if surface not in ov.SURFACES:
        raise gr.Error(f"unknown surface {surface!r}; choose from {', '.join(ov.SURFACES)}")
    chosen = [o for o in ov.OPTIMIZERS if o in (optimizers or [])]
    if not chosen:
        raise gr.Error("choose at least one optimiser")
    params = {"condition": float(condition)} if "condition" in ov.SURFACES[surface].params else {}
    lrs = {"sgd": float(lr), "momentum": float(lr), "rmsprop": float(lr_adaptive), "adam": float(lr_adaptive)}
    race = ov.race(surface, lrs, int(steps), (float(start_x), float(start_y)), optimizers=chosen,
                   momentum=float(momentum), alpha=float(alpha), beta1=float(beta1), beta2=float(beta2), **params)
    summary = {"surface": surface, "final_losses": race.final_losses(),
               "diverged": [o for o, r in race.runs.items() if r.diverged_at is not None], "table": race.table()}
    return ov.race_figure(race), ov.loss_figure(race), summary


def trajectory(surface: str = "bowl", optimizer: str = "adam", lr: float = 0.1, steps: int = 100,
               start_x: float = -2.5, start_y: float = 1.5, momentum: float = 0.9, alpha: float = 0.99,
               beta1: float = 0.9, beta2: float = 0.999) -> dict[str, Any]:  # fmt: skip
    """One optimiser's path (``core.mlp.optimisers.trajectory``): its finite points and the step it diverged at."""
    try:
        path = ov.trajectory(surface, optimizer, float(lr), int(steps), (float(start_x), float(start_y)),
                             momentum=float(momentum), alpha=float(alpha), beta1=float(beta1), beta2=float(beta2))
    except (ValueError, TypeError) as exc:
        raise gr.Error(str(exc)) from None
    k = ov.diverged_at(path)
    finite = path if k is None else path[:k]
    return {"path": finite.tolist(), "diverged_at": k, "final_loss": None if k is not None else
            float(ov.loss_along(surface, finite[-1:])[0])}  # fmt: skip


def optimizer_surface(surface: str, momentum: float, alpha: float, beta1: float, beta2: float, condition: float,
                      optimizers: list[str]) -> tuple[Any, ...]:  # fmt: skip
    """Switch surface: its suggested learning rates, steps and start, and the race they give."""
    if surface not in ov.SURFACES:
        raise gr.Error(f"unknown surface {surface!r}; choose from {', '.join(ov.SURFACES)}")
    s = ov.SURFACES[surface]
    settings = (s.lr, s.lr_adaptive, s.steps, s.start[0], s.start[1])
    return *settings, *optimizer_race(surface, *settings, momentum, alpha, beta1, beta2, condition, optimizers)


def build() -> None:
    """Lay out the optimiser race inside the current Blocks/Tab."""
    with gr.Tab("Optimiser race"):
        gr.Markdown("SGD, momentum, RMSProp and Adam (`torch.optim`) from the same start on a 2D loss surface. "
                    "A learning rate that blows up stops its path and is reported as *diverged*.")
        lrs = list(ov.LEARNING_RATES)
        with gr.Row():
            surface = gr.Dropdown([(s.title, k) for k, s in ov.SURFACES.items()], value="bowl", label="Surface")
            condition = gr.Dropdown(list(ov.CONDITIONS), value=DEFAULT.params["condition"],
                                    label="Condition number κ (bowl)")
            steps = gr.Slider(10, 500, value=DEFAULT.steps, step=10, label="Steps")
            optimizers = gr.CheckboxGroup([(ov.LABELS[k], k) for k in ov.OPTIMIZERS], value=list(ov.OPTIMIZERS),
                                          label="Racers")
        with gr.Row():
            lr = gr.Dropdown(lrs, value=DEFAULT.lr, label="Learning rate: SGD, momentum")
            lra = gr.Dropdown(lrs, value=DEFAULT.lr_adaptive, label="Learning rate: RMSProp, Adam")
            x0 = gr.Slider(-5, 5, value=DEFAULT.start[0], step=0.01, label="Start x")
            y0 = gr.Slider(-5, 5, value=DEFAULT.start[1], step=0.01, label="Start y")
        with gr.Row():
            hyper = [gr.Slider(0.0, 0.99, value=0.9, step=0.01, label="Momentum μ"),
                     gr.Dropdown(list(ov.ALPHAS), value=0.99, label="RMSProp decay α"),
                     gr.Slider(0.0, 0.99, value=0.9, step=0.01, label="Adam β₁"),
                     gr.Dropdown(list(ov.BETA2S), value=0.999, label="Adam β₂")]  # fmt: skip
        inputs = [surface, lr, lra, steps, x0, y0, *hyper, condition, optimizers]
        first = optimizer_race("bowl", DEFAULT.lr, DEFAULT.lr_adaptive, DEFAULT.steps, *DEFAULT.start,
                               0.9, 0.99, 0.9, 0.999, DEFAULT.params["condition"], list(ov.OPTIMIZERS))
        with gr.Row():
            outs = [gr.Plot(first[0], label="Paths"), gr.Plot(first[1], label="Loss − minimum per step")]
        outs.append(gr.JSON(first[2], label="Final losses"))
        # A new surface loads its suggested settings and races with them in one event.
        surface.change(optimizer_surface, [surface, *hyper, condition, optimizers], [lr, lra, steps, x0, y0, *outs],
                       api_name="optimizer_surface")
        triggers = [c.release if isinstance(c, gr.Slider) else c.change for c in inputs if c is not surface]
        gr.on(triggers, optimizer_race, inputs, outs, api_name="optimizer_race")
        gr.api(trajectory, api_name="trajectory")
