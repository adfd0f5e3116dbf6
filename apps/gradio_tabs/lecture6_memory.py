"""Gradio tab of lecture 6: vanishing gradients on the long-range memory task.

Endpoints (ranges from ``core.text.memory``): ``/gradient_norms`` (length, hidden, seed) -> the gradient
norm per time step of the untrained RNN, LSTM and GRU; ``/train_memory`` (length, hidden, lr, seed) ->
held-out accuracy of each cell after training (at most ``TIME_BUDGET_S`` seconds per cell).
"""

from __future__ import annotations

from typing import Any

import gradio as gr
import plotly.graph_objects as go

from apps.gradio_tabs.inputs import CheckedDropdown, CheckedSlider, choice, number
from core.text import figures as fg
from core.text import memory as mem

TIME_BUDGET_S = 10.0
"""Per cell: an API call holds one of the server's few workers, so it trains for less than the page."""


def _config(length: Any, hidden: Any, seed: Any, lr: Any = 1e-2) -> mem.MemoryConfig:
    return mem.MemoryConfig(length=number("sequence length", length, *mem.LENGTH),
                            hidden=number("hidden units", hidden, *mem.HIDDEN),
                            lr=choice("learning rate", lr, mem.LRS),
                            seed=number("seed", seed, *mem.SEED_RANGE),
                            time_budget_s=TIME_BUDGET_S)


def gradient_norms(length: Any, hidden: Any, seed: Any) -> go.Figure:
    """||dL/dx_t|| per step t for each untrained cell."""
    config = _config(length, hidden, seed)
    return fg.gradient_figure(mem.initial_norms(config), f"Untrained cells, T = {config.length}")


def train_memory(length: Any, hidden: Any, lr: Any, seed: Any) -> tuple[go.Figure, go.Figure]:
    """Train the three cells in turn; their held-out accuracy and their gradient norms after training."""
    run = mem.compare(_config(length, hidden, seed, lr))
    after = {c.cell: c.norms_after for c in run.cells}
    before = {c.cell: c.norms_before for c in run.cells}
    return fg.accuracy_figure(run), fg.gradient_figure(after, "After training (dotted: untrained)", before)


def build() -> None:
    gr.Markdown("### Vanishing gradients\nRemember the first of T symbols: how much gradient reaches step 1 "
                f"in a vanilla RNN, an LSTM and a GRU, and which of them learns (at most {TIME_BUDGET_S:g} s "
                "of training each).")
    with gr.Row():
        length = CheckedSlider(*mem.LENGTH, value=mem.DEFAULT_LENGTH, step=1, label="Sequence length T")
        hidden = CheckedSlider(*mem.HIDDEN, value=mem.DEFAULT_HIDDEN, step=1, label="Hidden units")
        lr = CheckedDropdown(list(mem.LRS), value=1e-2, label="Learning rate (Adam)")
        seed = CheckedSlider(*mem.SEED_RANGE, value=0, step=1, label="Seed")
    with gr.Row():
        n_button = gr.Button("Gradient norms (untrained)", variant="primary")
        t_button = gr.Button("Train the three cells")
    n_out = gr.Plot(label="Gradient norm per step")
    acc_out, after_out = gr.Plot(label="Held-out accuracy"), gr.Plot(label="After training")
    gr.on([n_button.click], gradient_norms, [length, hidden, seed], n_out, api_name="gradient_norms")
    gr.on([t_button.click], train_memory, [length, hidden, lr, seed], [acc_out, after_out],
          api_name="train_memory")
