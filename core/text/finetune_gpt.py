"""Homework 6, transfer from a GPT-style model: a linear probe on the features of the gallery's character GPT.

``gpt-shakespeare`` (:mod:`core.text.gpt`) is a small decoder-only transformer trained to predict the next
character of Shakespeare; its sentence features (:func:`core.text.gpt.sentence_features`, the mean of the
final hidden states over a text's characters) are what it learnt about text without a single label. A
linear head on them is trained at each point of the default grid, like the MiniLM probe
(:mod:`core.text.sentiment_curve`): the GPT is frozen and only d_model x 3 weights are learnt. How far
its features carry tweets' sentiment measures what next-character prediction on plays teaches.

The heads belong to one GPT: the entry records its sha256, and a rebuilt GPT makes them not comparable
(the page then leaves the line out and the re-measure says so).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core import checkpoints
from core.registry import NotComparable, TrainContext, register_builder, register_checkpoint
from core.text import sentiment as sm
from core.training import FitConfig, accuracy, fit, seed_everything
from core.training.optim import make_optimizer

GPT = "gpt-shakespeare"
NAME = "gpt-probe-sentiment-tweets"
GRID = (100, 1_000, 3_000)
EPOCHS, LR = 40, 1e-2
"""The MiniLM probe's settings (:data:`core.text.sentiment_curve.PROBE_EPOCHS`, its learning rate)."""


class GPTProbe(nn.Module):
    """Linear heads on the shipped character GPT's sentence features, one per number of labels;
    :meth:`encode` runs the GPT (not in these weights), ``forward`` answers with the ``default`` head."""

    def __init__(self, n_labels: Sequence[int], default: int, n_classes: int, dim: int) -> None:
        super().__init__()
        self.default = int(default)
        self.heads = nn.ModuleDict({str(int(n)): nn.Linear(dim, n_classes) for n in n_labels})

    def encode(self, texts: Sequence[str]) -> tuple[Tensor]:
        return (features(list(texts)),)

    def forward(self, x: Tensor, n_labels: int | None = None) -> Tensor:
        return self.heads[str(n_labels or self.default)](x)


@register_builder("text-gpt-probe", task="text-classifier")
def build(**config: Any) -> GPTProbe:
    return GPTProbe(config["n_labels"], config["default"], len(config["classes"]), config["dim"])


@torch.no_grad()
def features(texts: list[str]) -> Tensor:
    """(N, d_model) features of the shipped GPT (loaded once, read-only)."""
    from core.text import gpt, shipped

    return gpt.sentence_features(shipped(GPT), texts).float()


def gpt_sha() -> str | None:
    try:
        return checkpoints.entry(GPT).sha256
    except checkpoints.CheckpointError:
        return None


def measure(model: nn.Module, ent: checkpoints.ManifestEntry) -> dict[str, float]:
    """Every head's accuracy on the entry's held-out tweets, through the GPT it was trained on."""
    if ent.config.get("gpt_sha256") != gpt_sha():
        raise NotComparable(f"{GPT} was rebuilt after these heads were trained: rebuild {NAME}")
    texts, y, test = sm.held_out(int(ent.dataset["n_test"]))
    if len(test) != ent.dataset.get("n_test_split"):
        raise NotComparable(f"the test split here ({test.provenance}) is not the one it was measured on")
    E = features(texts)
    with torch.no_grad():
        out = {f"acc_n{k}": float((h(E).argmax(1).numpy() == y).mean()) for k, h in model.heads.items()}
    out["test_accuracy"] = out[f"acc_n{model.default}"]
    return out


@register_checkpoint(NAME, 6, "linear probes on the features of the character GPT (gpt-shakespeare) for the "
                     "sentiment tweets, at 100 / 1,000 / 3,000 labels", 300, measure=measure)  # fmt: skip
def train(ctx: TrainContext) -> checkpoints.ManifestEntry:
    grid, n_test = ((100, 300), 200) if ctx.quick else (GRID, sm.N_TEST)
    t0 = time.perf_counter()
    X, y, Xv, yv, train_split = sm.training_data(grid[-1])  # nested: each point is a prefix
    Xt, yt, test = sm.held_out(n_test)
    E, Ev, Et = features(X), features(Xv), features(Xt)
    classes = list(train_split.classes)
    model = GPTProbe(grid, grid[-1], len(classes), E.shape[1])
    metrics: dict[str, Any] = {}
    for n in grid:
        seed_everything(0)
        head = model.heads[str(n)]
        opt = make_optimizer("adam", head.parameters(), LR, kernel="single")
        cfg = FitConfig(epochs=1 if ctx.quick else EPOCHS, seed=0, batch_size=64, max_grad_norm=5.0)
        r = fit(head, F.cross_entropy, opt, (E[:n], torch.from_numpy(y[:n])), (Ev, torch.from_numpy(yv)), cfg,
                ctx.callbacks, {"accuracy": accuracy})  # fmt: skip
        if r.diverged:
            raise RuntimeError(f"{NAME} diverged at {n} labels: {r.message}")
        with torch.no_grad():
            metrics[f"acc_n{n}"] = round(float((head(Et).argmax(1).numpy() == yt).mean()), 4)
    model.eval()
    metrics.update({"test_accuracy": metrics[f"acc_n{grid[-1]}"], "n_test": n_test})
    if ctx.quick:
        metrics["quick"] = True
    gpt_ent = checkpoints.entry(GPT)
    config = {"n_labels": list(grid), "default": grid[-1], "dim": int(E.shape[1]), "dataset": sm.DATASET,
              "classes": classes, "gpt_sha256": gpt_ent.sha256,
              "training": {"grid": list(grid), "lr": LR, "epochs": EPOCHS, "seed": 0, "batch_size": 64}}
    provenance = f"{train_split.provenance}; held out: {len(yt):,} tweets of the {test.provenance}"
    return checkpoints.save_checkpoint(
        NAME, model, lecture=6, builder="text-gpt-probe", config=config,
        architecture=f"{len(grid)} linear heads {E.shape[1]}->3 on the mean final hidden state of {GPT} "
                     f"(the GPT is its own checkpoint, not in this file)",
        dataset={"name": sm.DATASET, "provenance": provenance, "source": train_split.source, "n_test": n_test,
                 "n_test_split": len(test), "test_seed": sm.TEST_SEED, "n_val": sm.N_VAL,
                 "split_seed": sm.SPLIT_SEED, "features": f"{GPT} (sha256 {gpt_ent.sha256[:12]}...)"},
        metrics=metrics, train_seconds=time.perf_counter() - t0, directory=ctx.directory,
    )  # fmt: skip


def accuracy_by_labels() -> dict[int, float] | None:
    """The shipped points ``{labels: accuracy}``, or None if missing or trained on another GPT."""
    try:
        ent = checkpoints.entry(NAME)
    except checkpoints.CheckpointError:
        return None
    if ent.config.get("gpt_sha256") != gpt_sha():
        return None
    return {int(n): float(ent.metrics.get(f"acc_n{n}", np.nan)) for n in ent.config["training"]["grid"]}
