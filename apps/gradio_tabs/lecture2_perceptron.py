"""Gradio tab of lecture 2's perceptron: Rosenblatt's rule, one update at a time, on separable data and XOR.

Endpoints (the same core calls as the Streamlit page ``l2-perceptron``: ``core.mlp.perceptron.run``, drawn
by ``core.mlp.perceptron.figure`` and ``mistakes_figure``):

- ``/perceptron_run`` (data set, learning rate, max epochs, random initial weights, seed) -> the update
  slider (0 to the run's number of updates, back at 0), the data with the initial boundary, the mistakes
  per epoch, and the run's numbers (verdict, updates, convergence, cycle, margin γ, radius R, Novikoff's
  bound, the weights at step 0).
- ``/perceptron_steps`` (the same settings and an update number from 0 to the run's number of updates) ->
  the boundary before and after that update with the point it corrects, the mistakes per epoch with its
  epoch highlighted, and the run's numbers with that update written out (w ← w + η y x, b ← b + η y).

The ranges and choices are the page's (``core.mlp.perceptron``: DATASETS, LEARNING_RATES, EPOCH_RANGE,
SEED_RANGE).
"""

from __future__ import annotations

from typing import Any

import gradio as gr
import plotly.graph_objects as go

from apps.gradio_tabs import inputs
from core.mlp import perceptron as pc

OWN_TABS = True
"""build() opens its own tabs (the front end adds none around it)."""

DEFAULT = pc.PerceptronConfig()
Step = tuple[go.Figure, go.Figure, dict[str, Any]]


def _run(dataset: Any, lr: Any, max_epochs: Any, random_init: Any, seed: Any) -> pc.PerceptronRun:
    """The run for checked settings (cached by the core), or the gr.Error naming the range."""
    d = inputs.choice("Data set", dataset, tuple(pc.DATASETS))
    rate = inputs.choice("Learning rate η", lr, pc.LEARNING_RATES)
    epochs = inputs.number("Max epochs", max_epochs, *pc.EPOCH_RANGE)
    if not isinstance(random_init, bool):
        raise gr.Error(f"Start from random weights must be true or false, not {inputs.shown(random_init)}")
    s = inputs.number("Seed", seed, *pc.SEED_RANGE)
    return pc.run(pc.PerceptronConfig(d, rate, epochs, "random" if random_init else "zeros", s))


def _pair(v: Any) -> list[float]:
    return [round(float(x), 6) for x in v]


def _numbers(r: pc.PerceptronRun, step: int) -> dict[str, Any]:
    w, b = r.weights(step)
    out: dict[str, Any] = {
        "verdict": r.verdict(), "n_updates": r.n_updates, "converged": r.converged, "separable": r.separable,
        "cycle": list(r.cycle) if r.cycle else None, "mistakes_per_epoch": list(r.mistakes),
        "margin": r.margin, "radius": r.radius, "novikoff_bound": r.bound,
        "step": step, "w": _pair(w), "b": round(float(b), 6), "misclassified_now": int(r.errors(step).sum()),
    }  # fmt: skip
    if step > 0:
        u = r.updates[step - 1]
        out["update"] = {"epoch": u.epoch, "point": u.index, "x": _pair(r.X[u.index]), "y": int(r.y[u.index]),
                         "score": round(u.score, 6), "w_before": _pair(u.w_before),
                         "b_before": round(u.b_before, 6), "w_after": _pair(u.w_after),
                         "b_after": round(u.b_after, 6)}  # fmt: skip
    return out


def perceptron_steps(dataset: Any, lr: Any, max_epochs: Any, random_init: Any, seed: Any, step: Any) -> Step:
    """The run after ``step`` updates: boundary before and after, mistakes per epoch, the update's numbers."""
    r = _run(dataset, lr, max_epochs, random_init, seed)
    k = inputs.number("Update", step, 0, r.n_updates)
    return pc.figure(r, k), pc.mistakes_figure(r, k), _numbers(r, k)


def perceptron_run(dataset: Any, lr: Any, max_epochs: Any, random_init: Any, seed: Any) -> tuple[Any, ...]:
    """A new run from new settings: the update slider over its updates (at 0), and step 0 of it."""
    r = _run(dataset, lr, max_epochs, random_init, seed)
    slider = gr.Slider(minimum=0, maximum=max(r.n_updates, 1), value=0, interactive=r.n_updates > 0)
    return slider, *perceptron_steps(dataset, lr, max_epochs, random_init, seed, 0)


def _move(where: str) -> Any:
    """A step-through button's target: the first, previous, next or last update of the current run."""
    def target(dataset: Any, lr: Any, max_epochs: Any, random_init: Any, seed: Any, step: Any) -> int:
        n = _run(dataset, lr, max_epochs, random_init, seed).n_updates
        k = inputs.number("Update", step, 0, n)
        return {"first": 0, "previous": max(k - 1, 0), "next": min(k + 1, n), "last": n}[where]
    return target


def build() -> None:
    """Lay out the perceptron step-through inside the current Blocks/Tab."""
    with gr.Tab("Perceptron"):
        gr.Markdown(
            "The perceptron predicts sign(w·x + b). **Rosenblatt's rule** (1958) visits the points in a "
            "fixed order and, whenever one is misclassified (y (w·x + b) ≤ 0), pulls the weights toward it: "
            "w ← w + η y x, b ← b + η y. On separable data it stops (Novikoff: at most (R/γ)² updates from "
            "w = 0); on XOR no line separates the points and the weights cycle forever."
        )
        first = pc.run(DEFAULT)
        with gr.Row():
            dataset = inputs.CheckedDropdown([(v, k) for k, v in pc.DATASETS.items()], value=DEFAULT.dataset,
                                             label="Data set")  # fmt: skip
            lr = inputs.CheckedRadio(list(pc.LEARNING_RATES), value=DEFAULT.lr, label="Learning rate η")
            epochs = inputs.CheckedSlider(*pc.EPOCH_RANGE, value=DEFAULT.max_epochs, step=1,
                                          label="Max epochs")
            random_init = gr.Checkbox(DEFAULT.init == "random", label="Start from random weights")
            seed = inputs.CheckedNumber(DEFAULT.seed, minimum=pc.SEED_RANGE[0], maximum=pc.SEED_RANGE[1],
                                        precision=0, label="Seed (data, order, initial weights)")  # fmt: skip
        step = inputs.CheckedSlider(0, max(first.n_updates, 1), value=0, step=1,
                                    label="Update (0: the initial weights; k: after k updates)")  # fmt: skip
        with gr.Row():
            moves = {where: gr.Button(where.capitalize()) for where in ("first", "previous", "next", "last")}
        shown = perceptron_steps(DEFAULT.dataset, DEFAULT.lr, DEFAULT.max_epochs, False, DEFAULT.seed, 0)
        with gr.Row():
            outs = [gr.Plot(shown[0], label="Data and boundary"),
                    gr.Plot(shown[1], label="Mistakes per epoch")]
        outs.append(gr.JSON(shown[2], label="The run and this update"))
        settings = [dataset, lr, epochs, random_init, seed]
        changed = [dataset.change, lr.change, epochs.release, random_init.change, seed.submit, seed.blur]
        gr.on(changed, perceptron_run, settings, [step, *outs], api_name="perceptron_run")
        # The buttons only move the slider (no endpoint of their own); the slider's change redraws.
        for where, button in moves.items():
            gr.on([button.click], _move(where), [*settings, step], [step], api_visibility="private")
        gr.on([step.change], perceptron_steps, [*settings, step], outs, api_name="perceptron_steps")
