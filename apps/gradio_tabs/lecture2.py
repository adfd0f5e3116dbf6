"""Gradio tab of lecture 2: the MLP playground (toy data or an uploaded CSV) as API endpoints.

Endpoints: ``/train_mlp`` (a core.data toy set) and ``/train_mlp_csv`` (an uploaded CSV file). Each trains
through the shared job queue (:mod:`apps.gradio_tabs.jobs`: one training at a time per process) with bounded
epochs and a time budget, shows its progress, stops with the event (the Stop button, a closed page, a
cancelled API call), and ends with the decision map, the loss curves, the confusion matrix, the numbers,
and the weights.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr
import plotly.graph_objects as go

from apps.gradio_tabs.jobs import run_job, start_stop, wire
from core import checks
from core.mlp import config as cf
from core.mlp import datasets as ds
from core.mlp import training as tr
from core.mlp.figures import decision_map_figure
from core.training.optim import OPTIMIZERS
from core.viz.classification import confusion_figure
from core.viz.curves import loss_curves

OWN_TABS = True
"""build() opens its own tabs (the front end adds none around it)."""

TIME_BUDGET_S = 30.0  # a public Space shares two cores: bound what one request may take
# Weights files handed to Gradio live in one folder of this process; only the newest few are kept
# (Gradio copies a returned file into its own cache, which the app's cache cleanup empties).
WEIGHTS_DIR = Path(tempfile.gettempdir()) / f"gallery-mlp-weights-{uuid.uuid4().hex[:8]}"
KEEP_WEIGHTS = 8
atexit.register(shutil.rmtree, WEIGHTS_DIR, True)  # and the folder itself goes with the process
Outputs = tuple[go.Figure, go.Figure, go.Figure, dict[str, Any], str]
N_OUTPUTS = 5


def _config(*controls: Any) -> cf.MLPConfig:
    try:
        return cf.playground_config(*controls, time_budget_s=TIME_BUDGET_S)
    except ValueError as exc:
        raise gr.Error(str(exc)) from None


def _weights_file(run: tr.MLPRun) -> str:
    """Write the run's weights to a fresh file, removing all but the newest :data:`KEEP_WEIGHTS`."""
    folder = WEIGHTS_DIR / uuid.uuid4().hex
    folder.mkdir(parents=True)
    out = folder / "mlp-playground.safetensors"
    out.write_bytes(run.weights_bytes())
    old = sorted(WEIGHTS_DIR.iterdir(), key=lambda p: p.stat().st_mtime)[:-KEEP_WEIGHTS]
    for path in old:
        shutil.rmtree(path, ignore_errors=True)
    return str(out)


def _train(cfg: cf.MLPConfig, data: ds.MLPData, progress: gr.Progress) -> Generator[Outputs, None, None]:
    run: tr.MLPRun = yield from run_job(lambda job: tr.train_mlp(cfg, data, job=job), "gradio-mlp", progress,
                                        N_OUTPUTS)  # fmt: skip
    numbers = {"status": run.fit.status, "message": run.fit.message, "epochs": run.fit.epochs_run,
               "seconds": round(run.fit.seconds, 3), "data": data.provenance, "classes": list(data.classes),
               "accuracy": {s: _num(run.metrics[f"{s}_accuracy"]) for s in ("train", "val", "test")},
               "loss": {s: _num(run.metrics[f"{s}_loss"]) for s in ("train", "val", "test")},
               "confusion_test": run.confusion.tolist(), "per_class_test": run.report,
               "config": cfg.to_dict()}
    yield (decision_map_figure(None if run.fit.diverged else run.grid, data),
           _loss_figure(run.fit.history),
           confusion_figure(run.confusion, data.classes, title="Confusion matrix (test)"), numbers,
           _weights_file(run))


def _loss_figure(history: dict[str, list[float]]) -> go.Figure:
    curves = tr.named_curves(history, "loss")  # with dropout: the train split with dropout on and off
    return loss_curves(curves, [k for k in curves if k != "epoch"], "Loss")


def _num(x: float) -> float | None:
    return round(x, 6) if x == x and abs(x) != float("inf") else None  # JSON has no NaN


def train_mlp(dataset: str, n: float, noise: float, classes: float, data_seed: float, layers: float,
              width: float, activation: str, optimizer: str, lr: float, batch: float, epochs: float,
              l1: float, l2: float, dropout: float, patience: float, seed: float,
              progress: gr.Progress = gr.Progress()  # noqa: B008
              ) -> Generator[Outputs, None, None]:  # fmt: skip
    """Train an MLP on a toy set: decision map, loss curves, test confusion matrix, numbers, weights file
    (the last value yielded; before it, "no update" while the job runs).

    ``classes`` applies to spirals and blobs; ``batch`` 0 is full batch; ``patience`` 0 disables early
    stopping. A run that blows up reports status "diverged" instead of failing. Every value must be one
    the playground page's controls offer (``core.mlp.config``).
    """
    try:
        name = checks.choice(dataset, "data set", ds.TOY_SETS)
        data = ds.toy_data(name, n=checks.whole_number(n, "points", cf.POINTS[0], cf.POINTS[-1]),
                           noise=checks.number(noise, "noise", *cf.NOISE),
                           seed=checks.whole_number(data_seed, "data seed", *cf.SEEDS),
                           classes=checks.whole_number(classes, "classes", *cf.CLASSES))
    except ValueError as exc:
        raise gr.Error(str(exc)) from None
    cfg = _config(layers, width, activation, optimizer, lr, batch, epochs, l1, l2, dropout, patience, seed)
    yield from _train(cfg, data, progress)


def train_mlp_csv(file: str | None, layers: float, width: float, activation: str, optimizer: str, lr: float,
                  batch: float, epochs: float, l1: float, l2: float, dropout: float, patience: float,
                  seed: float, progress: gr.Progress = gr.Progress()  # noqa: B008
                  ) -> Generator[Outputs, None, None]:  # fmt: skip
    """Train on an uploaded CSV (two numeric feature columns, then a label); bad files get a clear message.
    Yields as :func:`train_mlp` does."""
    if not file or not isinstance(file, str):
        raise gr.Error("upload a CSV file first: two numeric feature columns, then a label")
    path = Path(file)
    if not path.is_file():
        raise gr.Error("the uploaded file is gone; upload the CSV file again")
    if path.stat().st_size > ds.MAX_CSV_BYTES:
        raise gr.Error(f"{path.name} is too large ({path.stat().st_size:,} bytes); at most "
                       f"{ds.MAX_CSV_BYTES:,} bytes and {ds.MAX_CSV_ROWS:,} rows")
    try:
        data = ds.parse_csv(path.read_bytes(), path.name)
    except ValueError as exc:
        raise gr.Error(f"Cannot use {path.name}: {exc}") from None
    cfg = _config(layers, width, activation, optimizer, lr, batch, epochs, l1, l2, dropout, patience, seed)
    yield from _train(cfg, data, progress)


def _choice(choices: Sequence[Any], value: Any, label: str) -> gr.Dropdown:
    # allow_custom_value: the endpoint checks every value itself (core.mlp.config), with a message that
    # names the control, instead of Gradio's generic "not in the list of choices" (and numbers sent as
    # text or as floats, 64.0 for 64, are accepted as the same choice).
    return gr.Dropdown(list(choices), value=value, label=label, allow_custom_value=True)


def _model_controls() -> list[Any]:
    with gr.Row():
        net = [gr.Slider(*cf.LAYERS, value=2, step=1, label="Hidden layers"),
               _choice(cf.WIDTHS, 64, "Neurons per layer"),
               _choice(cf.ACTIVATION_NAMES, "relu", "Activation"),
               _choice(OPTIMIZERS, "adam", "Optimiser"),
               _choice(cf.LEARNING_RATES, 0.01, "Learning rate"),
               _choice((0, *cf.BATCH_SIZES), 0, "Batch size (0 = full)")]  # fmt: skip
    with gr.Row():
        reg = [gr.Slider(1, cf.EPOCHS[-1], value=200, step=1, label="Epochs"),
               _choice(cf.STRENGTHS, 0.0, "L1"),
               _choice(cf.STRENGTHS, 0.0, "L2"),
               gr.Slider(*cf.DROPOUT, value=0.0, step=0.05, label="Dropout"),
               gr.Slider(0, cf.PATIENCE[1], value=0, step=5, label="Early-stopping patience (0 = off)"),
               gr.Number(value=0, precision=0, minimum=cf.SEEDS[0], maximum=cf.SEEDS[1],
                         label="Seed")]  # fmt: skip
    return net + reg


def _outputs() -> list[Any]:
    with gr.Row():
        outs = [gr.Plot(label="Decision regions"), gr.Plot(label="Loss per epoch")]
    with gr.Row():
        outs += [gr.Plot(label="Confusion matrix (test)"), gr.JSON(label="Numbers")]
    return outs + [gr.File(label="Trained weights (safetensors)")]


def build() -> None:
    """Lay out the MLP playground inside the current Blocks/Tab."""
    gr.Markdown("An MLP on 2D data (homework 2): depth, width, optimiser, L1/L2, dropout, early stopping.")
    with gr.Tab("MLP playground"):
        with gr.Row():
            data = [_choice(ds.TOY_SETS, "moons", "Data set"),
                    gr.Slider(cf.POINTS[0], cf.POINTS[-1], value=1000, step=100, label="Points"),
                    gr.Slider(*cf.NOISE, value=0.2, step=0.01, label="Noise"),
                    gr.Slider(*cf.CLASSES, value=3, step=1, label="Classes (spirals, blobs)"),
                    gr.Number(value=0, precision=0, minimum=cf.SEEDS[0], maximum=cf.SEEDS[1],
                              label="Data seed")]  # fmt: skip
        inputs = data + _model_controls()
        start, stop = start_stop("Train")
        wire(start, stop, train_mlp, inputs, _outputs(), "train_mlp")
    with gr.Tab("MLP on your CSV"):
        upload = gr.File(label="CSV: two numeric feature columns, then a label", file_types=[".csv", ".txt"],
                         type="filepath")
        inputs = [upload] + _model_controls()
        start, stop = start_stop("Train on the CSV")
        wire(start, stop, train_mlp_csv, inputs, _outputs(), "train_mlp_csv")
