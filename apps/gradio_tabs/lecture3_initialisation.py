"""Gradio tab of lecture 3: initialisation and vanishing/exploding gradients in a deep plain network, on one
batch of real Fashion-MNIST images, and a short SGD run that shows whether the setting learns.

Endpoints, each with the ranges and choices of the page ``l3-initialisation`` (``core.cnn.initialisation``:
depth 1 to ``MAX_DEPTH``, ``WIDTHS``, ``INITS``, ``ACTIVATIONS``, ``LEARNING_RATES``):

- ``/layer_statistics`` (depth, width, initialisation, activation, batch norm, overlay reference settings) ->
  the verdict, the numbers (loss at initialisation, activation std last / first layer, gradient norm first
  / last layer, saturated or dead units, and per layer), the per-layer activation and gradient figure (with
  the reference settings overlaid when asked) and the activation histograms:
  :func:`core.cnn.initialisation.layer_statistics`, ``diagnose``, ``reference_configs``, ``stats_figure``,
  ``histogram_figure``. Deterministic (seeded weights and batch): cached on the checked values.
- ``/train_initialisation`` (depth, width, initialisation, activation, batch norm, learning rate) -> the
  numbers (validation accuracy after ``SHORT_STEPS`` SGD steps, status, steps, seconds), whether the run
  agrees with the verdict of one forward/backward pass, and the loss and accuracy curves:
  :func:`core.cnn.initialisation.train_short` and ``check_verdict``. It goes through the process-wide job
  queue (one training at a time), reports its progress, stops with the event (a Stop button, a closed page,
  a cancelled API call) and is bounded in time by ``train_short`` as on the page.

Quantities that overflow (an exploding net) are given as null in the numbers and said in the verdict.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Generator
from typing import Any

import gradio as gr
import numpy as np
import plotly.graph_objects as go

from apps.gradio_tabs.inputs import CheckedDropdown, CheckedRadio, CheckedSlider, choice, number
from apps.gradio_tabs.jobs import run_job, start_stop, wire
from core.cnn import initialisation as iv
from core.viz.curves import loss_curves

Stats = tuple[str, dict[str, Any], go.Figure, go.Figure]
Trained = tuple[dict[str, Any], str, go.Figure]
DEFAULTS = iv.InitConfig(depth=20, width=128, init="small normal", activation="tanh", batch_norm=False)
"""The page's starting settings."""


def _num(x: float) -> float | None:
    """A number as JSON can carry it (6 significant digits: ratios span 1e-18 to 1e8); non-finite
    (overflowed, undefined) becomes null."""
    return float(f"{x:.6g}") if math.isfinite(x) else None


def _nums(a: np.ndarray) -> list[float | None]:
    return [_num(v) for v in a]


def _config(depth: Any, width: Any, init: Any, activation: Any, batch_norm: Any) -> iv.InitConfig:
    return iv.InitConfig(depth=number("Depth (hidden layers)", depth, 1, iv.MAX_DEPTH),
                         width=choice("Width", width, iv.WIDTHS),
                         init=choice("Initialisation", init, iv.INITS),
                         activation=choice("Activation", activation, iv.ACTIVATIONS),
                         batch_norm=choice("Batch normalisation", batch_norm, (False, True)))  # fmt: skip


@functools.lru_cache(maxsize=32)
def _stats(config: iv.InitConfig) -> iv.LayerStats:
    return iv.layer_statistics(config)


@functools.lru_cache(maxsize=32)
def _statistics(config: iv.InitConfig, compare: bool) -> Stats:
    stats = _stats(config)
    refs = [_stats(c) for c in iv.reference_configs(config)] if compare else []
    numbers = {"setting": iv.label(config), "loss_at_initialisation": _num(stats.loss),
               "activation_std_last_over_first": _num(stats.signal_ratio),
               "gradient_norm_first_over_last": _num(stats.vanishing_ratio),
               "saturated_or_dead_units": _num(stats.saturated.mean()),
               "per_layer": {"activation_mean": _nums(stats.act_mean), "activation_std": _nums(stats.act_std),
                             "gradient_norm": _nums(stats.grad_norm), "saturated": _nums(stats.saturated)},
               "references": [iv.label(r.config) for r in refs], "data": stats.provenance}  # fmt: skip
    return iv.diagnose(stats), numbers, iv.stats_figure(stats, refs), iv.histogram_figure(stats)


def layer_statistics(depth: Any, width: Any, init: Any, activation: Any, batch_norm: Any,
                     compare: Any) -> Stats:
    """One batch of 256 images forward and back through the net: the verdict, numbers and both figures."""
    config = _config(depth, width, init, activation, batch_norm)
    return _statistics(config, choice("Overlay reference settings", compare, (False, True)))


def train_initialisation(depth: Any, width: Any, init: Any, activation: Any, batch_norm: Any, lr: Any,
                         progress: gr.Progress = gr.Progress()) -> Generator[Trained, None, None]:  # noqa: B008
    """``SHORT_STEPS`` steps of SGD (momentum 0.9) on the same net: validation accuracy, whether it agrees
    with the verdict of the layer statistics, and the curves."""
    config = _config(depth, width, init, activation, batch_norm)
    rate = choice("Learning rate", lr, iv.LEARNING_RATES)
    steps = iv.SHORT_STEPS
    run: iv.ShortRun = yield from run_job(lambda job: iv.train_short(config, steps=steps, lr=rate, job=job),
                                          "gradio-initialisation", progress, 3)  # fmt: skip
    verdict = iv.diagnose(_stats(config))
    agrees, text = iv.check_verdict(verdict, run)
    fit = run.fit
    numbers = {"setting": iv.label(config), "lr": rate, "val_accuracy": _num(run.val_accuracy),
               "steps": fit.steps, "status": fit.status, "message": fit.message,
               "seconds": round(fit.seconds, 2), "verdict": verdict, "agrees_with_verdict": agrees,
               "config": dataclasses.asdict(config)}  # fmt: skip
    acc = "not measured" if numbers["val_accuracy"] is None else f"**{run.val_accuracy:.1%}**"
    note = (f"{iv.label(config)}, learning rate {rate:g}: {acc} validation accuracy after {fit.steps} steps "
            f"(chance: 10%; {fit.message or fit.status}). {text}")
    figure = loss_curves(fit.history, ("train_loss", "val_loss", "train_accuracy", "val_accuracy"),
                         title="Loss and accuracy of the short run")
    yield numbers, note, figure


def build() -> None:
    """Lay out the initialisation demo inside the current Blocks/Tab."""
    gr.Markdown("### Initialisation and vanishing gradients\nA plain deep network multiplies its signal by "
                "one weight matrix per layer forward, and its gradient by the transposed matrices backward: "
                "a little below 1 per layer and the signal **vanishes**, a little above and it **explodes**. "
                "Xavier (Glorot & Bengio 2010) keeps the scale for tanh, He (He et al. 2015) for ReLU; batch "
                "normalisation (Ioffe & Szegedy 2015) re-standardises every layer. One batch of 256 "
                "Fashion-MNIST images goes forward and back through the net you set up.")
    d = DEFAULTS
    with gr.Row():
        depth = CheckedSlider(1, iv.MAX_DEPTH, value=d.depth, step=1, label="Depth (hidden layers)")
        width = CheckedRadio(list(iv.WIDTHS), value=d.width, label="Width")
        init = CheckedDropdown(list(iv.INITS), value=d.init, label="Initialisation")
        act = CheckedRadio(list(iv.ACTIVATIONS), value=d.activation, label="Activation")
    with gr.Row():
        bn = gr.Checkbox(value=d.batch_norm, label="Batch normalisation")
        compare = gr.Checkbox(value=False, label="Overlay reference settings")
    net = [depth, width, init, act, bn]
    verdict, numbers, fig, hist = layer_statistics(*dataclasses.astuple(d)[:5], False)
    outputs = [gr.Markdown(verdict), gr.JSON(numbers, label="Numbers"),
               gr.Plot(fig, label="Activations and gradients per layer"),
               gr.Plot(hist, label="Activation histograms per layer")]
    triggers = [c.release if isinstance(c, gr.Slider) else c.change for c in [*net, compare]]
    gr.on(triggers, layer_statistics, [*net, compare], outputs, api_name="layer_statistics")

    gr.Markdown(f"#### Does it learn? {iv.SHORT_STEPS} steps of SGD\nThe same net trained on 640 images "
                "(batches of 128, momentum 0.9), scored on 1,000 others: does the run agree with the verdict "
                "above?")
    lr = CheckedRadio(list(iv.LEARNING_RATES), value=0.01, label="Learning rate (SGD, momentum 0.9)")
    start, stop = start_stop(f"Train {iv.SHORT_STEPS} steps")
    trained = [gr.JSON(label="Numbers"), gr.Markdown(), gr.Plot(label="Training")]
    wire(start, stop, train_initialisation, [*net, lr], trained, "train_initialisation")
