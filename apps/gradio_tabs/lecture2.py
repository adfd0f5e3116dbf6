"""Gradio tab of lecture 2: the MLP playground (toy data or an uploaded CSV) as API endpoints.

Endpoints: ``/train_mlp`` (a core.data toy set) and ``/train_mlp_csv`` (an uploaded CSV file). Each trains
through the shared job queue (one training at a time per process) with bounded epochs and a time budget,
and returns the decision map, the loss curves, the confusion matrix, the numbers, and the weights.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import gradio as gr
import plotly.graph_objects as go

from core.jobs import QueueFull, default_queue
from core.mlp import playground as mlp
from core.mlp.figures import confusion_figure, decision_map_figure
from core.viz.curves import loss_curves

LRS = [1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
STRENGTHS = [0.0, 1e-5, 1e-4, 0.001, 0.003, 0.01, 0.03, 0.1]
BATCHES = [0, 8, 16, 32, 64, 128, 256]
MAX_EPOCHS = 2000  # a public Space shares two cores: bound what one request may ask for
TIME_BUDGET_S = 30.0
Outputs = tuple[go.Figure, go.Figure, go.Figure, dict[str, Any], str]


def _config(layers: float, width: float, activation: str, optimizer: str, lr: float, batch: float,
            epochs: float, l1: float, l2: float, dropout: float, patience: float,
            seed: float) -> mlp.MLPConfig:
    if not 1 <= int(epochs) <= MAX_EPOCHS:
        raise gr.Error(f"epochs must be between 1 and {MAX_EPOCHS} here, got {epochs:g}")
    cfg = mlp.MLPConfig(hidden=(int(width),) * int(layers), activation=activation, dropout=float(dropout),
                        optimizer=optimizer, lr=float(lr), batch_size=int(batch) or None, epochs=int(epochs),
                        l1=float(l1), l2=float(l2), patience=int(patience) or None, seed=int(seed),
                        time_budget_s=TIME_BUDGET_S)
    try:
        cfg.validate()
    except ValueError as exc:
        raise gr.Error(str(exc)) from None
    return cfg


def _train(cfg: mlp.MLPConfig, data: mlp.MLPData) -> Outputs:
    try:
        job = default_queue().submit(lambda job: mlp.train_mlp(cfg, data, job=job), name="gradio-mlp")
    except QueueFull as exc:
        raise gr.Error(f"The server is busy: {exc}") from None
    job.wait()
    if job.status == "failed":
        raise gr.Error(f"Training failed: {job.error}")
    run: mlp.MLPRun = job.result
    out = Path(tempfile.mkdtemp(prefix="mlp-")) / "mlp-playground.safetensors"
    out.write_bytes(run.weights_bytes())
    numbers = {"status": run.fit.status, "message": run.fit.message, "epochs": run.fit.epochs_run,
               "seconds": round(run.fit.seconds, 3), "data": data.provenance, "classes": list(data.classes),
               "accuracy": {s: _num(run.metrics[f"{s}_accuracy"]) for s in ("train", "val", "test")},
               "loss": {s: _num(run.metrics[f"{s}_loss"]) for s in ("train", "val", "test")},
               "confusion_test": run.confusion.tolist(), "per_class_test": run.report,
               "config": cfg.to_dict()}
    return (decision_map_figure(None if run.fit.diverged else run.grid, data),
            loss_curves(run.fit.history, ("train_loss", "val_loss"), "Loss"),
            confusion_figure(run.confusion, data.classes), numbers, str(out))


def _num(x: float) -> float | None:
    return round(x, 6) if x == x and abs(x) != float("inf") else None  # JSON has no NaN


def train_mlp(dataset: str, n: float, noise: float, classes: float, data_seed: float, layers: float,
              width: float, activation: str, optimizer: str, lr: float, batch: float, epochs: float,
              l1: float, l2: float, dropout: float, patience: float, seed: float) -> Outputs:  # fmt: skip
    """Train an MLP on a toy set: decision map, loss curves, test confusion matrix, numbers, weights file.

    ``classes`` applies to spirals and blobs; ``batch`` 0 is full batch; ``patience`` 0 disables early
    stopping. A run that blows up reports status "diverged" instead of failing.
    """
    if dataset not in mlp.TOY_SETS:
        raise gr.Error(f"unknown data set {dataset!r}; choose one of {', '.join(mlp.TOY_SETS)}")
    try:
        data = mlp.toy_data(dataset, n=int(n), noise=float(noise), seed=int(data_seed), classes=int(classes))
    except ValueError as exc:
        raise gr.Error(str(exc)) from None
    cfg = _config(layers, width, activation, optimizer, lr, batch, epochs, l1, l2, dropout, patience, seed)
    return _train(cfg, data)


def train_mlp_csv(file: str | None, layers: float, width: float, activation: str, optimizer: str, lr: float,
                  batch: float, epochs: float, l1: float, l2: float, dropout: float, patience: float,
                  seed: float) -> Outputs:  # fmt: skip
    """Train on an uploaded CSV (two numeric feature columns, then a label); bad files get a clear message."""
    if not file:
        raise gr.Error("upload a CSV file first: two numeric feature columns, then a label")
    path = Path(file)
    if path.stat().st_size > 2_000_000:
        raise gr.Error(f"{path.name} is too large ({path.stat().st_size:,} bytes); at most 10,000 rows")
    try:
        data = mlp.parse_csv(path.read_bytes(), path.name)
    except ValueError as exc:
        raise gr.Error(f"Cannot use {path.name}: {exc}") from None
    cfg = _config(layers, width, activation, optimizer, lr, batch, epochs, l1, l2, dropout, patience, seed)
    return _train(cfg, data)


def _model_controls() -> list[Any]:
    with gr.Row():
        net = [gr.Slider(0, 6, value=2, step=1, label="Hidden layers"),
               gr.Dropdown([1, 2, 4, 8, 16, 32, 64, 128, 256], value=64, label="Neurons per layer"),
               gr.Dropdown(list(mlp.ACTIVATIONS), value="relu", label="Activation"),
               gr.Dropdown(list(mlp.OPTIMIZERS), value="adam", label="Optimiser"),
               gr.Dropdown(LRS, value=0.01, label="Learning rate"),
               gr.Dropdown(BATCHES, value=0, label="Batch size (0 = full)")]  # fmt: skip
    with gr.Row():
        reg = [gr.Slider(1, MAX_EPOCHS, value=200, step=1, label="Epochs"),
               gr.Dropdown(STRENGTHS, value=0.0, label="L1"),
               gr.Dropdown(STRENGTHS, value=0.0, label="L2"),
               gr.Slider(0.0, 0.8, value=0.0, step=0.05, label="Dropout"),
               gr.Slider(0, 200, value=0, step=5, label="Early-stopping patience (0 = off)"),
               gr.Number(value=0, precision=0, minimum=0, maximum=9999, label="Seed")]  # fmt: skip
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
            data = [gr.Dropdown(list(mlp.TOY_SETS), value="moons", label="Data set"),
                    gr.Slider(100, 5000, value=1000, step=100, label="Points"),
                    gr.Slider(0.0, 1.0, value=0.2, step=0.01, label="Noise"),
                    gr.Slider(2, 10, value=3, step=1, label="Classes (spirals, blobs)"),
                    gr.Number(value=0, precision=0, minimum=0, maximum=9999, label="Data seed")]  # fmt: skip
        inputs = data + _model_controls()
        button = gr.Button("Train", variant="primary")
        button.click(train_mlp, inputs, _outputs(), api_name="train_mlp")
    with gr.Tab("MLP on your CSV"):
        upload = gr.File(label="CSV: two numeric feature columns, then a label", file_types=[".csv", ".txt"],
                         type="filepath")
        inputs = [upload] + _model_controls()
        button = gr.Button("Train on the CSV", variant="primary")
        button.click(train_mlp_csv, inputs, _outputs(), api_name="train_mlp_csv")
