"""The shipped accuracy-vs-labels-per-class curve of homework 4, and the linear-probe heads behind it.

``python -m core.train transfer-fashion-mnist`` trains every method of :data:`SHIPPED_METHODS` at every
point of :data:`GRID` (seed 0, no augmentation, the default epochs and learning rates) and scores each on
the fixed held-out subset. The probe heads (1,280 x 10 each) are the checkpoint's weights; every
accuracy goes into the manifest's metrics as ``<method>_k<labels per class>``, so the page draws the
curve without computing anything. The fine-tuned tails (~1 M parameters each) are not shipped: their
accuracies are the ones measured when the file was made. Fine-tuning all layers is not in the grid: its
measured cost per image (``full_ms_per_image``) is what the page quotes instead.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import torch
from torch import nn

from core import checkpoints, data
from core.registry import TrainContext, register_builder, register_checkpoint
from core.training.optim import make_optimizer
from core.transfer import backbone as bb
from core.transfer import features as ft
from core.transfer import fewshot as fs

NAME = "transfer-fashion-mnist"
BUILDER = "transfer-probes"
GRID = (1, 5, 20, 100)
"""Labelled images per class of the shipped curve."""
SHIPPED_METHODS = ("scratch", "probe", "last_block", "full")
FULL_EPOCHS: dict[int, int] = {1: 30, 5: 15, 20: 6, 100: 2}
"""Epochs of full fine-tuning per grid point: about 300-2,000 image passes each (~80 ms per image and
step on one core), against the other methods' 30 epochs over cached features."""
NOT_SHIPPED = ("last_block", "full")
"""Methods whose trained weights are not in the file (their points are measured numbers)."""


def metric_key(method: str, k: int) -> str:
    return f"{method}_k{k}"


class ProbeBank(nn.Module):
    """Linear heads on the frozen backbone's pooled features, one per grid point; ``forward`` takes
    Fashion-MNIST images (B, 1, 28, 28) in [0, 1] and answers with the head of ``default`` labels per
    class. The backbone is the shared bundled one, not part of this module's weights."""

    def __init__(self, labels_per_class: list[int], default: int, n_classes: int = 10,
                 n_features: int = 1280) -> None:  # fmt: skip
        super().__init__()
        if default not in labels_per_class:
            raise ValueError(f"default {default} is not one of {labels_per_class}")
        self.default = default
        self.heads = nn.ModuleDict({str(k): nn.Linear(n_features, n_classes) for k in labels_per_class})

    def features(self, x: torch.Tensor) -> torch.Tensor:
        backbone = bb.load_backbone(bb.DEFAULT)
        return ft.pooled(ft.frozen_tail(backbone), ft.trunk_features(backbone, x.numpy()))

    def forward(self, x: torch.Tensor, labels_per_class: int | None = None) -> torch.Tensor:
        return self.heads[str(labels_per_class or self.default)](self.features(x))


@register_builder(BUILDER)
def build_probes(**config: Any) -> ProbeBank:
    """The checkpoint builder: a :class:`ProbeBank` from the entry's config."""
    return ProbeBank(list(config["labels_per_class"]), int(config["default"]))


def _held_out(n_test: int) -> tuple[np.ndarray, np.ndarray, Any]:
    test = data.load(fs.DATASET, "test")
    idx = fs.test_subset(test.y, n_test)
    return np.ascontiguousarray(test.X[idx], np.float32), np.asarray(test.y[idx], np.int64), test


def measure(model: nn.Module, ent: checkpoints.ManifestEntry) -> dict[str, float]:
    """Every probe head's accuracy on the held-out subset, re-measured from the loaded file."""
    from core.registry import NotComparable

    X, y, test = _held_out(int(ent.dataset["n_test"]))
    if test.source != ent.dataset.get("test_source"):
        raise NotComparable(f"the test split here ({test.provenance}) is not the one it was measured on")
    assert isinstance(model, ProbeBank)
    with torch.no_grad():
        feats = model.features(torch.from_numpy(X))
        out = {metric_key("probe", int(k)): float((head(feats).argmax(1).numpy() == y).mean())
               for k, head in model.heads.items()}  # fmt: skip
    out["test_accuracy"] = out[metric_key("probe", model.default)]
    return out


def _full_ms_per_image(steps: int = 3, batch: int = 16) -> float:
    """Milliseconds of one full fine-tuning step per image (forward + backward + Adam), best of ``steps``."""
    model = fs.FullNet(bb.load_backbone(bb.DEFAULT), 10).train()
    opt = make_optimizer("adam", model.parameters(), 1e-4, kernel="single")
    x, y = torch.rand(batch, 1, 28, 28), torch.arange(batch) % 10
    best = float("inf")
    for _ in range(steps):
        t = time.perf_counter()
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        best = min(best, time.perf_counter() - t)
    return 1000 * best / batch


@register_checkpoint(NAME, 4, "accuracy vs labels per class: scratch CNN, linear probe, last-block "
                     "and full fine-tuning (EfficientNet-Lite0) on Fashion-MNIST; the probe heads", 1200,
                     measure=measure)  # fmt: skip
def train_curve(ctx: TrainContext) -> checkpoints.ManifestEntry:
    """Rebuild the shipped curve and ``pretrained/transfer-fashion-mnist.safetensors`` (the probe heads)."""
    grid, n_test = ((1, 2), 100) if ctx.quick else (GRID, fs.N_TEST)
    epochs = 2 if ctx.quick else fs.TransferConfig().epochs
    full_epochs = {k: 1 for k in grid} if ctx.quick else {k: FULL_EPOCHS[k] for k in grid}
    t0 = time.perf_counter()
    bank = ProbeBank(list(grid), grid[-1])
    metrics, provenance = train_points(grid, SHIPPED_METHODS, epochs, full_epochs, n_test, ctx.callbacks,
                                       bank)
    bank.eval()
    # The heads' accuracy as the shipped file gives it (features recomputed from the cache, same images).
    remeasured = measure(bank, _entry_stub(n_test))
    metrics.update({k: round(v, 4) for k, v in remeasured.items()})
    metrics["n_test"] = n_test
    metrics["full_ms_per_image"] = round(_full_ms_per_image(), 1)
    if ctx.quick:
        metrics["quick"] = True
    return save_curve(bank, metrics, epochs, full_epochs, provenance, time.perf_counter() - t0, ctx.directory)


def train_points(grid: tuple[int, ...], methods: tuple[str, ...], epochs: int, full_epochs: dict[int, int],
                 n_test: int, callbacks: Any = (), bank: ProbeBank | None = None,
                 ) -> tuple[dict[str, float | int], str]:  # fmt: skip
    """Train and score ``methods`` at every point of ``grid`` (seed 0, no augmentation, the default learning
    rates): ``(metrics, provenance)``; a probe's weights go into ``bank``."""
    metrics: dict[str, float | int] = {}
    provenance = ""
    for k in grid:
        for method in methods:
            cfg = fs.TransferConfig(method=method, labels_per_class=k, lr=fs.DEFAULT_LR[method],
                                    epochs=full_epochs[k] if method == "full" else epochs, n_test=n_test,
                                    time_budget_s=None)  # fmt: skip
            result = fs.run(cfg, callbacks=callbacks)
            metrics[metric_key(method, k)] = round(result.test_accuracy, 4)
            if method == "full":
                metrics[f"full_steps_k{k}"] = result.fit.steps
                metrics[f"full_seconds_k{k}"] = round(result.seconds, 1)
            provenance = result.provenance
            if method == "probe" and bank is not None:
                assert isinstance(result.model, nn.Linear)
                bank.heads[str(k)].load_state_dict(result.model.state_dict())
    return metrics, provenance


def save_curve(bank: ProbeBank, metrics: dict[str, Any], epochs: int, full_epochs: dict[int, int],
               provenance: str, seconds: float, directory: Any = None) -> checkpoints.ManifestEntry:
    """Write the probe heads and the entry holding every point of the curve."""
    grid = [int(k) for k in bank.heads]
    n_test = int(metrics["n_test"])
    _, _, test = _held_out(n_test)
    train = data.load(fs.DATASET, "train")
    defaults = fs.TransferConfig()
    return checkpoints.save_checkpoint(
        NAME, bank, lecture=4, builder=BUILDER, directory=directory,
        architecture=f"{len(grid)} linear heads 1280->10 on frozen EfficientNet-Lite0 features at "
                     f"{ft.INPUT_SIZE} px (the backbone is the bundled one, not in this file); the "
                     "last-block and fully fine-tuned networks are not shipped, their points are measured "
                     "numbers",
        config={"labels_per_class": grid, "default": bank.default, "methods": list(SHIPPED_METHODS),
                "lr": {m: fs.DEFAULT_LR[m] for m in SHIPPED_METHODS}, "epochs": epochs,
                "full_epochs": {str(k): e for k, e in full_epochs.items()},
                "head_lr_factor": fs.HEAD_LR_FACTOR, "weights_not_shipped": list(NOT_SHIPPED), "seed": 0,
                "augmentation": "none", "batch_size": defaults.batch_size, "input_size": ft.INPUT_SIZE,
                "backbone": bb.DEFAULT},
        dataset={"name": fs.DATASET, "provenance": provenance, "source": train.source,
                 "test_source": test.source, "n_test": n_test, "test_seed": fs.TEST_SEED},
        metrics=metrics, train_seconds=seconds,
    )  # fmt: skip


def _entry_stub(n_test: int) -> Any:
    test = data.load(fs.DATASET, "test")
    return type("Stub", (), {"dataset": {"n_test": n_test, "test_source": test.source}})()


def shipped(directory: Any = None) -> dict[str, Any] | None:
    """The shipped curve: ``{"grid": [...], "curves": {method: [accuracy per grid point]}, "n_test",
    "full_ms_per_image", "full_epochs": [per grid point], "config"}``, or None when the checkpoint is
    missing (the page says so)."""
    try:
        ent = checkpoints.entry(NAME, directory)
    except checkpoints.CheckpointError:
        return None
    grid = [int(k) for k in ent.config["labels_per_class"]]
    curves = {m: [float(ent.metrics[metric_key(m, k)]) for k in grid] for m in ent.config["methods"]}
    full_epochs = [int(ent.config.get("full_epochs", {}).get(str(k), 0)) for k in grid]
    return {"grid": grid, "curves": curves, "n_test": int(ent.metrics["n_test"]), "full_epochs": full_epochs,
            "full_ms_per_image": float(ent.metrics.get("full_ms_per_image", float("nan"))),
            "config": dict(ent.config), "provenance": ent.dataset["provenance"]}  # fmt: skip
