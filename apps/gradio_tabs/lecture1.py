"""Gradio tab of lecture 1: the regression demos (numpy GD, capacity sweep, learning rates) as API endpoints.

Endpoints: ``/fit_polynomial``, ``/fit_logistic``, ``/capacity_sweep``, ``/learning_rates``. Each returns
plotly figures and a JSON object with the numbers behind them (the same core calls as the Streamlit page).
"""

from __future__ import annotations

from typing import Any

import gradio as gr
import plotly.graph_objects as go

from core.basics import regression as rv

Figs2 = tuple[go.Figure, go.Figure, dict[str, Any]]
Component = gr.components.Component


def _poly_cfg(n: float, noise: float, seed: float, basis: str, train_pct: float, val_pct: float,
              **kw: Any) -> rv.PolyConfig:  # fmt: skip
    """The experiment config, or a gr.Error naming what is wrong with the split."""
    if train_pct + val_pct > 90:
        raise gr.Error(f"training {train_pct:g}% + validation {val_pct:g}% leave under 10% for the test set")
    cfg = rv.PolyConfig(n=int(n), noise=float(noise), seed=int(seed), basis=basis,
                        train_frac=train_pct / 100, val_frac=val_pct / 100, **kw)  # fmt: skip
    problem = rv.split_problem(cfg)
    if problem:
        raise gr.Error(problem)
    return cfg


def fit_polynomial(degree: float, basis: str, lr: float, epochs: float, l2: float, batch: float, n: float,
                   noise: float, seed: float, train_pct: float, val_pct: float) -> Figs2:  # fmt: skip
    """1D polynomial regression by GD next to the closed form: fit, loss curves, MSE per split."""
    cfg = _poly_cfg(n, noise, seed, basis, train_pct, val_pct, degree=int(degree), lr=float(lr),
                    epochs=int(epochs), l2=float(l2), batch_size=int(batch) or None)  # fmt: skip
    run = rv.run_polynomial(cfg)
    return rv.polynomial_figure(run), rv.loss_figure(run), rv.polynomial_summary(run)


def fit_logistic(dataset: str, n: float, noise: float, seed: float, degree: float, lr: float, epochs: float,
                 l2: float) -> Figs2:  # fmt: skip
    """Logistic regression on a 2D toy set: probability map with decision boundary, loss curves, accuracy."""
    cfg = rv.LogisticConfig(dataset=dataset, n=int(n), noise=float(noise), seed=int(seed), degree=int(degree),
                            lr=float(lr), epochs=int(epochs), l2=float(l2))  # fmt: skip
    run = rv.run_logistic(cfg)
    return rv.decision_figure(run), rv.loss_figure(run), rv.logistic_summary(run)


Figs3 = tuple[go.Figure, go.Figure, go.Figure, dict[str, Any]]


def capacity_sweep(l2: float, degree_for_l2: float, basis: str, n: float, noise: float, seed: float,
                   train_pct: float, val_pct: float) -> Figs3:  # fmt: skip
    """Validation error vs degree (with bias² and variance) and vs λ: the U-curves, from exact fits."""
    cap = rv.capacity_sweep(_poly_cfg(n, noise, seed, basis, train_pct, val_pct, l2=float(l2)))
    reg = rv.l2_sweep(_poly_cfg(n, noise, seed, basis, train_pct, val_pct, degree=int(degree_for_l2)))
    figs = rv.capacity_figure(cap), rv.bias_variance_figure(cap), rv.l2_figure(reg)
    return *figs, rv.sweep_summary(cap, reg)


def learning_rates(lr_small: float, lr_good: float, lr_large: float, degree: float, epochs: float, n: float,
                   noise: float, seed: float) -> Figs2:  # fmt: skip
    """The same least-squares fit under three learning rates: slow, good, oscillating or diverging."""
    cfg = _poly_cfg(n, noise, seed, "legendre", 60, 20, degree=int(degree), epochs=int(epochs))
    cmp = rv.lr_comparison(cfg, (float(lr_small), float(lr_good), float(lr_large)))
    return rv.lr_loss_figure(cmp), rv.lr_weight_figure(cmp), rv.lr_summary(cmp)


def _data_controls() -> list[Component]:
    with gr.Row():
        return [
            gr.Slider(10, 500, value=40, step=1, label="Number of points"),
            gr.Slider(0.0, 1.0, value=0.25, step=0.05, label="Noise σ"),
            gr.Number(value=0, precision=0, minimum=0, maximum=9999, label="Data seed"),
        ]


def _split_controls() -> list[Component]:
    with gr.Row():
        return [gr.Slider(20, 80, value=60, step=5, label="Training share (%)"),
                gr.Slider(5, 40, value=20, step=5, label="Validation share (%)")]  # fmt: skip


def _wire(fn: Any, inputs: list[Component], outputs: list[Component], name: str) -> None:
    """Recompute when a control is released or changed; one API endpoint per demo."""
    triggers = [c.release if isinstance(c, gr.Slider) else c.change for c in inputs]
    gr.on(triggers, fn, inputs, outputs, api_name=name)


def build() -> None:
    """Lay out the lecture 1 demos inside the current Blocks/Tab (figures start at the defaults)."""
    gr.Markdown("Linear and logistic regression with hand-written gradient descent in numpy (homework 1).")
    lrs, l2s, eps = list(rv.LEARNING_RATES), list(rv.L2_STRENGTHS), list(rv.EPOCH_CHOICES)
    with gr.Tab("Polynomial regression"):
        with gr.Row():
            model = [gr.Slider(1, 15, value=3, step=1, label="Polynomial degree"),
                     gr.Radio(["legendre", "monomial"], value="legendre", label="Feature basis"),
                     gr.Dropdown(lrs, value=0.1, label="Learning rate η"),
                     gr.Dropdown(eps, value=500, label="Epochs"),
                     gr.Dropdown(l2s, value=0.0, label="L2 strength λ"),
                     gr.Dropdown(list(rv.BATCH_CHOICES), value=0, label="Batch (0 = full)")]  # fmt: skip
        inputs = model + _data_controls() + _split_controls()
        first = fit_polynomial(3, "legendre", 0.1, 500, 0.0, 0, 40, 0.25, 0, 60, 20)
        with gr.Row():
            outs = [gr.Plot(first[0], label="Fit"), gr.Plot(first[1], label="Loss per epoch")]
        outs.append(gr.JSON(first[2], label="Numbers"))
        _wire(fit_polynomial, inputs, outs, "fit_polynomial")
    with gr.Tab("Logistic regression"):
        with gr.Row():
            inputs = [gr.Dropdown(list(rv.TOY_SETS), value="moons", label="Data set"),
                      gr.Slider(50, 1000, value=300, step=50, label="Points"),
                      gr.Slider(0.0, 1.0, value=0.2, step=0.05, label="Noise"),
                      gr.Number(value=0, precision=0, minimum=0, maximum=9999, label="Data seed"),
                      gr.Slider(1, 6, value=1, step=1, label="Feature degree"),
                      gr.Dropdown(lrs, value=1.0, label="Learning rate η"),
                      gr.Dropdown(eps, value=300, label="Epochs"),
                      gr.Dropdown(l2s, value=0.0, label="L2 strength λ")]  # fmt: skip
        first = fit_logistic("moons", 300, 0.2, 0, 1, 1.0, 300, 0.0)
        with gr.Row():
            outs = [gr.Plot(first[0], label="Decision boundary"), gr.Plot(first[1], label="Loss per epoch")]
        outs.append(gr.JSON(first[2], label="Numbers"))
        _wire(fit_logistic, inputs, outs, "fit_logistic")
    with gr.Tab("Capacity sweep"):
        with gr.Row():
            sweep = [gr.Dropdown(l2s, value=0.0, label="λ for the degree sweep"),
                     gr.Slider(1, 15, value=15, step=1, label="Degree for the λ sweep"),
                     gr.Radio(["legendre", "monomial"], value="legendre", label="Feature basis")]  # fmt: skip
        inputs = sweep + _data_controls() + _split_controls()
        first = capacity_sweep(0.0, 15, "legendre", 40, 0.25, 0, 60, 20)
        with gr.Row():
            outs = [gr.Plot(first[0], label="Error vs degree"), gr.Plot(first[1], label="Bias and variance")]
        outs += [gr.Plot(first[2], label="Error vs λ"), gr.JSON(first[3], label="Numbers")]
        _wire(capacity_sweep, inputs, outs, "capacity_sweep")
    with gr.Tab("Learning rate"):
        with gr.Row():
            inputs = [gr.Dropdown(lrs, value=0.01, label="η (small)"),
                      gr.Dropdown(lrs, value=0.3, label="η (good)"),
                      gr.Dropdown(lrs, value=1.1, label="η (large)"),
                      gr.Slider(1, 9, value=1, step=1, label="Degree"),
                      gr.Dropdown(eps, value=100, label="Epochs")]  # fmt: skip
        inputs += _data_controls()
        first = learning_rates(0.01, 0.3, 1.1, 1, 100, 40, 0.25, 0)
        with gr.Row():
            outs = [gr.Plot(first[0], label="Training loss"), gr.Plot(first[1], label="Weight per epoch")]
        outs.append(gr.JSON(first[2], label="Numbers"))
        _wire(learning_rates, inputs, outs, "learning_rates")
