"""Gradio tab of lecture 1: the regression demos (numpy GD, capacity sweep, learning rates) as API endpoints.

Endpoints: ``/fit_polynomial``, ``/fit_logistic``, ``/capacity_sweep``, ``/learning_rates``. Each returns
plotly figures and a JSON object with the numbers behind them (the same core calls as the Streamlit page).

Every argument is checked (by :mod:`apps.gradio_tabs.inputs`) against the control it stands for in
:mod:`core.basics.controls`, the objects the Streamlit page builds its sliders from, so the API accepts
exactly what the page offers. The events skip Gradio's own preprocessing: it would answer an out-of-range
or malformed value with a generic text that names no control, and the raw values of these inputs (numbers
and strings) need no conversion.
"""

from __future__ import annotations

from typing import Any

import gradio as gr
import plotly.graph_objects as go

from apps.gradio_tabs import inputs
from core.basics import capacity, experiments, figures
from core.basics import controls as c

OWN_TABS = True
"""build() opens its own tabs (the front end adds none around it)."""

Figs2 = tuple[go.Figure, go.Figure, dict[str, Any]]
Figs3 = tuple[go.Figure, go.Figure, go.Figure, dict[str, Any]]
Component = gr.components.Component


def _checked(*pairs: tuple[c.Range | c.Choice, Any]) -> list[Any]:
    """Each value checked by its control; the first refusal is the gr.Error the caller sees."""
    return [inputs.number(control.label, value, control.lo, control.hi, control.integer)
            if isinstance(control, c.Range) else inputs.choice(control.label, value, control.options)
            for control, value in pairs]  # fmt: skip


def _poly_cfg(n: Any, noise: Any, seed: Any, basis: Any, train_pct: Any, val_pct: Any,
              **kw: Any) -> experiments.PolyConfig:  # fmt: skip
    """The experiment config from checked data controls, or a gr.Error naming what is wrong."""
    n, noise, seed, basis, train_pct, val_pct = _checked(
        (c.POINTS, n), (c.NOISE, noise), (c.SEED, seed), (c.BASIS, basis), (c.TRAIN_PCT, train_pct),
        (c.VAL_PCT, val_pct))  # fmt: skip
    if train_pct + val_pct > 100 - c.MIN_TEST_PCT:
        raise gr.Error(f"training {train_pct:g}% + validation {val_pct:g}% leave under {c.MIN_TEST_PCT}% "
                       "for the test set")  # fmt: skip
    cfg = experiments.PolyConfig(n=n, noise=noise, seed=seed, basis=basis, train_frac=train_pct / 100,
                                 val_frac=val_pct / 100, **kw)  # fmt: skip
    problem = experiments.split_problem(cfg)
    if problem:
        raise gr.Error(problem)
    return cfg


def fit_polynomial(degree: Any, basis: Any, lr: Any, epochs: Any, l2: Any, batch: Any, n: Any, noise: Any,
                   seed: Any, train_pct: Any, val_pct: Any) -> Figs2:  # fmt: skip
    """1D polynomial regression by GD next to the closed form: fit, loss curves, MSE per split."""
    degree, lr, epochs, l2, batch = _checked((c.DEGREE, degree), (c.LR, lr), (c.EPOCHS, epochs), (c.L2, l2),
                                             (c.BATCH, batch))  # fmt: skip
    cfg = _poly_cfg(n, noise, seed, basis, train_pct, val_pct, degree=degree, lr=lr, epochs=epochs, l2=l2,
                    batch_size=batch or None)  # fmt: skip
    run = experiments.run_polynomial(cfg)
    return figures.polynomial_figure(run), figures.loss_figure(run), experiments.polynomial_summary(run)


def fit_logistic(dataset: Any, n: Any, noise: Any, seed: Any, degree: Any, lr: Any, epochs: Any,
                 l2: Any) -> Figs2:  # fmt: skip
    """Logistic regression on a 2D toy set: probability map with decision boundary, loss curves, accuracy."""
    dataset, n, noise, seed, degree, lr, epochs, l2 = _checked(
        (c.DATASET, dataset), (c.LOGISTIC_POINTS, n), (c.LOGISTIC_NOISE, noise), (c.SEED, seed),
        (c.LOGISTIC_DEGREE, degree), (c.LOGISTIC_LR, lr), (c.LOGISTIC_EPOCHS, epochs),
        (c.L2, l2))  # fmt: skip
    cfg = experiments.LogisticConfig(dataset=dataset, n=n, noise=noise, seed=seed, degree=degree, lr=lr,
                                     epochs=epochs, l2=l2)  # fmt: skip
    run = experiments.run_logistic(cfg)
    return figures.decision_figure(run), figures.loss_figure(run), experiments.logistic_summary(run)


def capacity_sweep(l2: Any, degree_for_l2: Any, basis: Any, n: Any, noise: Any, seed: Any, train_pct: Any,
                   val_pct: Any) -> Figs3:  # fmt: skip
    """Validation error vs degree (with bias² and variance) and vs λ: the U-curves, from exact fits."""
    l2, degree = _checked((c.CAPACITY_L2, l2), (c.CAPACITY_DEGREE, degree_for_l2))
    cap = capacity.capacity_sweep(_poly_cfg(n, noise, seed, basis, train_pct, val_pct, l2=l2))
    reg = capacity.l2_sweep(_poly_cfg(n, noise, seed, basis, train_pct, val_pct, degree=degree))
    figs = figures.capacity_figure(cap), figures.bias_variance_figure(cap), figures.l2_figure(reg)
    return *figs, capacity.sweep_summary(cap, reg)


def learning_rates(lr_small: Any, lr_good: Any, lr_large: Any, degree: Any, epochs: Any, n: Any, noise: Any,
                   seed: Any) -> Figs2:  # fmt: skip
    """The same least-squares fit under three learning rates: slow, good, oscillating or diverging."""
    *lrs, degree, epochs = _checked((c.LR_SMALL, lr_small), (c.LR_GOOD, lr_good), (c.LR_LARGE, lr_large),
                                    (c.LR_DEGREE, degree), (c.LR_EPOCHS, epochs))  # fmt: skip
    cfg = _poly_cfg(n, noise, seed, c.BASIS.default, c.TRAIN_PCT.default, c.VAL_PCT.default, degree=degree,
                    epochs=epochs)  # fmt: skip
    cmp = experiments.lr_comparison(cfg, tuple(lrs))
    return figures.lr_loss_figure(cmp), figures.lr_steepest_figure(cmp), experiments.lr_summary(cmp)


def _slider(r: c.Range) -> gr.Slider:
    return gr.Slider(r.lo, r.hi, value=r.default, step=r.step or 1, label=r.label)


def _dropdown(choice: c.Choice) -> gr.Dropdown:
    return gr.Dropdown(list(choice.options), value=choice.default, label=choice.label)


def _radio(choice: c.Choice) -> gr.Radio:
    return gr.Radio(list(choice.options), value=choice.default, label=choice.label)


def _seed() -> gr.Number:
    s = c.SEED
    return gr.Number(value=s.default, precision=0, minimum=s.lo, maximum=s.hi, label=s.label)


def _data_controls() -> list[Component]:
    with gr.Row():
        return [_slider(c.POINTS), _slider(c.NOISE), _seed()]


def _split_controls() -> list[Component]:
    with gr.Row():
        return [_slider(c.TRAIN_PCT), _slider(c.VAL_PCT)]


def _wire(fn: Any, inputs: list[Component], outputs: list[Component], name: str) -> None:
    """Recompute when a control is released or changed; one API endpoint per demo, checked by ``fn``."""
    triggers = [x.release if isinstance(x, gr.Slider) else x.change for x in inputs]
    gr.on(triggers, fn, inputs, outputs, api_name=name, preprocess=False)


def _outputs(first: tuple[Any, ...], labels: tuple[str, ...]) -> list[Component]:
    """Plots (two to a row) holding the defaults' figures, then the numbers."""
    plots: list[Component] = []
    for i in range(0, len(labels), 2):
        with gr.Row():
            plots += [gr.Plot(fig, label=label) for fig, label in zip(first[i : i + 2], labels[i : i + 2])]
    return plots + [gr.JSON(first[-1], label="Numbers")]


def build() -> None:
    """Lay out the lecture 1 demos inside the current Blocks/Tab (figures start at the defaults)."""
    gr.Markdown("Linear and logistic regression with hand-written gradient descent in numpy (homework 1).")
    with gr.Tab("Polynomial regression"):
        with gr.Row():
            inputs = [_slider(c.DEGREE), _radio(c.BASIS), _dropdown(c.LR), _dropdown(c.EPOCHS),
                      _dropdown(c.L2), _dropdown(c.BATCH)]  # fmt: skip
        inputs += _data_controls() + _split_controls()
        first = fit_polynomial(*(x.value for x in inputs))
        _wire(fit_polynomial, inputs, _outputs(first, ("Fit", "Loss per epoch")), "fit_polynomial")
    with gr.Tab("Logistic regression"):
        with gr.Row():
            inputs = [_dropdown(c.DATASET), _slider(c.LOGISTIC_POINTS), _slider(c.LOGISTIC_NOISE), _seed(),
                      _slider(c.LOGISTIC_DEGREE), _dropdown(c.LOGISTIC_LR), _dropdown(c.LOGISTIC_EPOCHS),
                      _dropdown(c.L2)]  # fmt: skip
        first = fit_logistic(*(x.value for x in inputs))
        _wire(fit_logistic, inputs, _outputs(first, ("Decision boundary", "Loss per epoch")), "fit_logistic")
    with gr.Tab("Capacity sweep"):
        with gr.Row():
            inputs = [_dropdown(c.CAPACITY_L2), _slider(c.CAPACITY_DEGREE), _radio(c.BASIS)]
        inputs += _data_controls() + _split_controls()
        first = capacity_sweep(*(x.value for x in inputs))
        labels = ("Error vs degree", "Bias and variance", "Error vs λ")
        _wire(capacity_sweep, inputs, _outputs(first, labels), "capacity_sweep")
    with gr.Tab("Learning rate"):
        with gr.Row():
            inputs = [_dropdown(c.LR_SMALL), _dropdown(c.LR_GOOD), _dropdown(c.LR_LARGE),
                      _slider(c.LR_DEGREE), _dropdown(c.LR_EPOCHS)]  # fmt: skip
        inputs += _data_controls()
        first = learning_rates(*(x.value for x in inputs))
        labels = ("Training loss", "Weight per epoch")
        _wire(learning_rates, inputs, _outputs(first, labels), "learning_rates")
