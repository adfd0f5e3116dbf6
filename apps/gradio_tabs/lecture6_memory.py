"""Gradio tab of lecture 6: vanishing gradients on the long-range memory task.

Endpoints (ranges from ``core.text.memory``): ``/gradient_norms`` (length, hidden, seed) -> the gradient
norm per time step of the untrained RNN, LSTM and GRU; ``/train_memory`` (length, hidden, lr, seed) ->
held-out accuracy of each cell after training (at most ``TIME_BUDGET_S`` seconds per cell), and their
gradient norms. The training runs through the process-wide job queue (:mod:`apps.gradio_tabs.jobs`: one
training at a time), shows its progress and stops with the event (the Stop button, a closed page, a
cancelled API call).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import gradio as gr
import plotly.graph_objects as go

from apps.gradio_tabs.inputs import CheckedDropdown, CheckedSlider, choice, number
from apps.gradio_tabs.jobs import run_job, start_stop, wire
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


def train_memory(length: Any, hidden: Any, lr: Any, seed: Any,
                 progress: gr.Progress = gr.Progress()  # noqa: B008
                 ) -> Generator[tuple[go.Figure, go.Figure], None, None]:  # fmt: skip
    """Train the three cells in turn; their held-out accuracy and their gradient norms after training, the
    last value yielded (before it, "no update" while the job runs)."""
    config = _config(length, hidden, seed, lr)
    run: mem.MemoryRun = yield from run_job(lambda job: mem.compare(config, job), "gradio-memory",
                                            progress, 2)  # fmt: skip
    after = {c.cell: c.norms_after for c in run.cells}
    before = {c.cell: c.norms_before for c in run.cells}
    yield fg.accuracy_figure(run), fg.gradient_figure(after, "After training (dotted: untrained)", before)


def build() -> None:
    gr.Markdown("### Vanishing gradients\nRemember the first of T symbols: how much gradient reaches step 1 "
                f"in a vanilla RNN, an LSTM and a GRU, and which of them learns (at most {TIME_BUDGET_S:g} s "
                "of training each).")
    with gr.Row():
        length = CheckedSlider(*mem.LENGTH, value=mem.DEFAULT_LENGTH, step=1, label="Sequence length T")
        hidden = CheckedSlider(*mem.HIDDEN, value=mem.DEFAULT_HIDDEN, step=1, label="Hidden units")
        lr = CheckedDropdown(list(mem.LRS), value=1e-2, label="Learning rate (Adam)")
        seed = CheckedSlider(*mem.SEED_RANGE, value=0, step=1, label="Seed")
    n_button = gr.Button("Gradient norms (untrained)", variant="primary")
    n_out = gr.Plot(label="Gradient norm per step")
    start, stop = start_stop("Train the three cells")
    acc_out, after_out = gr.Plot(label="Held-out accuracy"), gr.Plot(label="After training")
    gr.on([n_button.click], gradient_norms, [length, hidden, seed], n_out, api_name="gradient_norms")
    wire(start, stop, train_memory, [length, hidden, lr, seed], [acc_out, after_out], "train_memory")
