"""Training the playground's MLP (lecture 2) through the one fit loop, and the run it leaves.

Everything trains through :func:`core.training.fit`; a page watches the run through a
:class:`core.jobs.Job` (curves from ``job.history()``, the current decision map from
``job.artifact("decision_map")``). Early stopping is the fit loop's ``patience``, restoring the best
validation weights; the other regularisers attach to the model (:mod:`core.mlp.model`).

The shipped checkpoint ``mlp-playground`` is the default run on the default moons.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from core.metrics import class_report, confusion_matrix
from core.mlp.config import MLPConfig
from core.mlp.datasets import DEFAULT_DATA, MLPData, toy_data
from core.mlp.decision_maps import (
    GRID_RES,
    LIVE_KEY,
    PUBLISH_EVERY_S,
    DecisionGrid,
    DecisionMapPublisher,
    GridEvaluator,
)
from core.mlp.model import BUILDER, MLP, Sparsity, build_mlp, l1_penalty, make_optimizer, weight_sparsity
from core.registry import TrainContext, register_checkpoint
from core.training import Callback, FitConfig, FitResult, accuracy, evaluate, fit, seed_everything

if TYPE_CHECKING:
    from core.jobs import Job

# One intra-op thread: a 2-64-64 layer's matmuls are too small to split, and a second OpenMP thread
# that has to wait for a busy core (a browser, another session) makes a step many times slower.
# Measured in bench/bench_mlp.py.
TRAIN_THREADS = 1


@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` torch intra-op threads, then put the previous count back.

    OpenMP keeps the count per calling thread, so inside a job thread this leaves the threads of the
    Streamlit/Gradio server that are already running untouched.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@dataclass(frozen=True, eq=False)
class MLPRun:
    """A finished (or stopped, or diverged) playground run and everything the page shows of it."""

    config: MLPConfig
    """The settings it ran with."""
    fit: FitResult
    """What the fit loop reports (status, history, epochs, seconds); ``job.fit_result`` finds it."""
    model: MLP
    """The trained model, in eval mode."""
    data: MLPData = field(repr=False)
    """The data it was trained and measured on (the page draws these points under the map)."""
    metrics: dict[str, float]
    """``train_/val_/test_`` ``loss`` and ``accuracy`` of the final model (NaN after divergence)."""
    confusion: np.ndarray
    """Confusion matrix on the test split."""
    report: list[dict[str, Any]] = field(repr=False)
    """Per-class precision / recall / F1 on the test split."""
    grid: DecisionGrid = field(repr=False)
    """Decision map of the final model."""

    @property
    def classes(self) -> tuple[str, ...]:
        return self.data.classes

    @property
    def architecture(self) -> dict[str, Any]:
        return self.config.architecture(len(self.data.features), self.data.n_classes)

    def sparsity(self) -> Sparsity:
        """Near-zero and exactly-zero weights of the trained model (what L1 did, measured)."""
        return weight_sparsity(self.model)

    def summary(self) -> dict[str, Any]:
        """One row of the run-history table."""
        c = self.config
        return {"data": self.data.name, "net": c.describe(self.data.n_classes), "optimizer": c.optimizer,
                "lr": c.lr, "batch": str(c.batch_size or "full"), "L1": c.l1, "L2": c.l2,
                "dropout": c.dropout, "patience": str(c.patience or "off"), "epochs": self.fit.epochs_run,
                "status": self.fit.status,
                "train acc": self.metrics["train_accuracy"], "val acc": self.metrics["val_accuracy"],
                "test acc": self.metrics["test_accuracy"], "seconds": round(self.fit.seconds, 2)}

    def export_config(self) -> dict[str, Any]:
        """The run as JSON-able data: how to rebuild the model and what it scored."""
        return {"builder": BUILDER, "architecture": self.architecture, "training": self.config.to_dict(),
                "data": {"name": self.data.name, "provenance": self.data.provenance,
                         "classes": list(self.data.classes), "features": list(self.data.features)},
                "result": {"status": self.fit.status, "epochs": self.fit.epochs_run, "steps": self.fit.steps,
                           "seconds": round(self.fit.seconds, 3), "message": self.fit.message},
                "metrics": {k: (round(v, 6) if math.isfinite(v) else None) for k, v in self.metrics.items()},
                "usage": "from core.mlp.training import load_exported; model = load_exported(weights_bytes)"}

    def config_json(self) -> str:
        return json.dumps(self.export_config(), indent=2)

    def weights_bytes(self) -> bytes:
        """The trained weights as safetensors, with the architecture in the file's metadata."""
        from safetensors.torch import save

        state = {k: v.detach().cpu().contiguous().clone() for k, v in self.model.state_dict().items()}
        meta = {"architecture": json.dumps(self.architecture), "classes": json.dumps(list(self.classes)),
                "builder": BUILDER}
        return save(state, metadata=meta)


def load_exported(weights: bytes) -> MLP:
    """Rebuild a model from :meth:`MLPRun.weights_bytes` (architecture read from its metadata)."""
    from safetensors.torch import load

    # safetensors = 8-byte little-endian header length + JSON header (holding __metadata__) + tensors.
    header_len = int.from_bytes(weights[:8], "little")
    meta = json.loads(weights[8:8 + header_len]).get("__metadata__", {})
    if "architecture" not in meta:
        raise ValueError("not a playground export: the safetensors metadata has no architecture")
    model = build_mlp(**json.loads(meta["architecture"]))
    model.load_state_dict(load(weights), strict=True)
    return model.eval()


METRICS = {"accuracy": accuracy}


class TrainSplitWithoutDropout(Callback):
    """After every epoch, the training split scored in eval mode (dropout off), as validation is scored.

    The fit loop's ``train_loss`` is the mean over the epoch's batches with dropout on (Srivastava et al.
    2014): a noisier, thinned network, so with heavy dropout it can lie above the validation loss. These
    columns (``train_eval_loss``, ``train_eval_accuracy``) are the same weights scored like the others.
    """

    def __init__(self, model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> None:
        self.model, self.X, self.y = model, X, y
        self.columns: dict[str, list[float]] = {"train_eval_loss": [], "train_eval_accuracy": []}

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        vals = evaluate(self.model, nn.functional.cross_entropy, self.X, self.y, METRICS)  # eval, then back
        self.columns["train_eval_loss"].append(vals["loss"])
        self.columns["train_eval_accuracy"].append(vals["accuracy"])
        return True


def named_curves(history: dict[str, list[float]], metric: str = "loss", dropout: bool | None = None
                 ) -> dict[str, list[float]]:  # fmt: skip
    """``epoch`` and one metric's curves under the names the figures show.

    With dropout (``dropout`` None: read from the history) the training split has two curves and the
    names say which is which: the fit loop's running mean with dropout on, and eval mode (dropout off).
    """
    two = f"train_eval_{metric}" in history if dropout is None else dropout
    names = {f"train_{metric}": f"train {metric}" + (" (dropout on)" if two else ""),
             f"train_eval_{metric}": f"train {metric} (dropout off)", f"val_{metric}": f"val {metric}"}
    return {"epoch": history.get("epoch", []), **{n: history[k] for k, n in names.items() if k in history}}


def train_mlp(config: MLPConfig, data: MLPData, job: Job | None = None, callbacks: Sequence[Callback] = (),
              should_stop: Callable[[], bool] | None = None, publish_every_s: float = PUBLISH_EVERY_S,
              grid_res: int = GRID_RES) -> MLPRun:
    """Train an MLP on ``data`` through :func:`core.training.fit` and measure it on every split.

    With a ``job``, each epoch is reported to it (curves, progress, Stop) and the decision map is
    published under ``"decision_map"`` at most every ``publish_every_s`` seconds.
    """
    config.validate()
    # A job's worker has already run core.jobs.warm_up (the first optimizer's import, gc.freeze).
    with torch_threads(TRAIN_THREADS):
        return _train(config, data, job, callbacks, should_stop, publish_every_s, grid_res)


def standardise(model: MLP, X_train: torch.Tensor) -> None:
    """Set the model's standardisation from the training split only (validation and test must not
    leak into it), on the features the first layer sees."""
    with torch.no_grad():
        F = model.inputs(X_train)
        model.norm.shift.copy_(F.mean(dim=0))
        model.norm.scale.copy_(F.std(dim=0).clamp_min(1e-6))


def _train(config: MLPConfig, data: MLPData, job: Job | None, callbacks: Sequence[Callback],
           should_stop: Callable[[], bool] | None, publish_every_s: float, grid_res: int) -> MLPRun:
    seed_everything(config.seed)
    model = build_mlp(**config.architecture(2, data.n_classes))
    X_tr, y_tr = data.tensors("train")
    standardise(model, X_tr)
    optimizer = make_optimizer(model, config)
    grid = GridEvaluator(data.bounds(), grid_res)
    cbs = list(callbacks)
    dropout_off = TrainSplitWithoutDropout(model, X_tr, y_tr) if config.dropout > 0 else None
    if dropout_off is not None:
        cbs.append(dropout_off)
    if job is not None:
        cbs += [job.callback(), DecisionMapPublisher(job, model, grid, publish_every_s)]
        should_stop = should_stop or job.should_stop
    fc = FitConfig(epochs=config.epochs, batch_size=config.batch_size, patience=config.patience,
                   time_budget_s=config.time_budget_s, seed=config.seed)
    result = fit(model, nn.functional.cross_entropy, optimizer, (X_tr, y_tr), data.tensors("val"), fc,
                 callbacks=cbs, metrics=METRICS, should_stop=should_stop,
                 penalty=l1_penalty(model, config.l1) if config.l1 > 0 else None)
    if dropout_off is not None:
        result.history.update(dropout_off.columns)
    metrics: dict[str, float] = {}
    for split in ("train", "val", "test"):
        vals = evaluate(model, nn.functional.cross_entropy, *data.tensors(split), METRICS)
        metrics[f"{split}_loss"] = vals["loss"]
        metrics[f"{split}_accuracy"] = vals["accuracy"]
    with torch.no_grad():
        pred = model(data.tensors("test")[0]).argmax(dim=1).numpy()
    cm = confusion_matrix(data.y_test, pred, data.n_classes)
    final = grid(model, result.epochs_run)
    if job is not None:
        job.publish(LIVE_KEY, final)
    return MLPRun(config, result, model, data, metrics, cm, class_report(cm, data.classes), final)


@register_checkpoint("mlp-playground", 2, "2-64-64-2 ReLU MLP, Adam, on moons (1,000 points, noise 0.2)",
                     est_seconds=3)
def train_playground_checkpoint(ctx: TrainContext) -> dict[str, Any]:
    """The default playground run, measured on the held-out test split, written with its manifest entry."""
    from core.checkpoints import save_checkpoint

    config = MLPConfig(epochs=5) if ctx.quick else MLPConfig()
    data = toy_data(DEFAULT_DATA)
    run = train_mlp(config, data, callbacks=ctx.callbacks)
    m = run.metrics
    return save_checkpoint(
        "mlp-playground", run.model, lecture=2, architecture=f"MLP {config.describe(data.n_classes)}",
        builder=BUILDER, config=run.architecture,
        dataset={"name": DEFAULT_DATA, "provenance": data.provenance, "n_train": len(data.y_train),
                 "n_val": len(data.y_val), "n_test": len(data.y_test)},
        metrics={"test_accuracy": round(m["test_accuracy"], 4), "test_loss": round(m["test_loss"], 4),
                 "val_accuracy": round(m["val_accuracy"], 4), "epochs": run.fit.epochs_run},
        train_seconds=run.fit.seconds, directory=ctx.directory,
    )


def shipped_run(directory: str | None = None) -> MLPRun:
    """The shipped ``mlp-playground`` checkpoint measured on its data, as a run the page can show."""
    from core.checkpoints import entry, load_model

    model = load_model("mlp-playground", directory)
    ent = entry("mlp-playground", directory)
    data = toy_data(ent["dataset"]["name"])
    metrics: dict[str, float] = {}
    for split in ("train", "val", "test"):
        vals = evaluate(model, nn.functional.cross_entropy, *data.tensors(split), METRICS)
        metrics.update({f"{split}_loss": vals["loss"], f"{split}_accuracy": vals["accuracy"]})
    with torch.no_grad():
        pred = model(data.tensors("test")[0]).argmax(dim=1).numpy()
    cm = confusion_matrix(data.y_test, pred, data.n_classes)
    epochs = int(ent["metrics"].get("epochs", 0))
    seconds = float(ent.get("train_seconds", 0.0))
    fr = FitResult("completed", epochs, epochs, seconds, {}, None, "shipped checkpoint")
    return MLPRun(MLPConfig(), fr, model, data, metrics, cm, class_report(cm, data.classes),
                  GridEvaluator(data.bounds())(model, epochs))
