"""The shipped sentiment classifiers and the accuracy-vs-labelled-tweets curve behind them.

``python -m core.train lstm-sentiment-tweets`` trains the LSTM (default settings) on each point of
:data:`GRID` and ships the one trained on the most labels; ``python -m core.train
minilm-probe-sentiment-tweets`` trains a linear probe on the frozen MiniLM vectors at each point and ships
every head (384 x 3 each; MiniLM is the bundled package, not in the file). Each accuracy is measured on
the same :data:`~core.text.sentiment.N_TEST` held-out tweets and stored as ``acc_n<labels>``, so the page
draws the curve without computing; the tests re-measure the shipped files.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import torch
from torch import nn

from core import checkpoints
from core.registry import NotComparable, TrainContext, register_checkpoint
from core.text import minilm
from core.text import sentiment as sm

GRID = (100, 1_000, 3_000)
"""Labelled training tweets of the shipped curve. The pool holds ~30,000; encoding them all with MiniLM
takes ~20 min on two shared cores, so the shipped curve stops at 3,000 (a live run may use them all)."""
NAMES = {"lstm": "lstm-sentiment-tweets", "probe": "minilm-probe-sentiment-tweets"}
PROBE_EPOCHS = 40


def metric_key(n: int) -> str:
    return f"acc_n{n}"


def measure(model: nn.Module, ent: checkpoints.ManifestEntry) -> dict[str, float]:
    """Held-out accuracy of the shipped file (every probe head), on the entry's held-out tweets."""
    texts, y, test = sm.held_out(int(ent.dataset["n_test"]))
    if len(test) != ent.dataset.get("n_test_split"):
        raise NotComparable(f"the test split here ({test.provenance}) is not the one it was measured on")
    with torch.no_grad():
        if isinstance(model, sm.ProbeBank):
            E = torch.from_numpy(minilm.embed(texts))
            out = {metric_key(int(k)): float((h(E).argmax(1).numpy() == y).mean())
                   for k, h in model.heads.items()}  # fmt: skip
            out["test_accuracy"] = out[metric_key(model.default)]
            return out
        logits = torch.cat([model(*model.encode(texts[i : i + 500])) for i in range(0, len(texts), 500)])
    return {"test_accuracy": float((logits.argmax(1).numpy() == y).mean())}


def _train(kind: str, ctx: TrainContext) -> checkpoints.ManifestEntry:
    grid, n_test = ((100, 300), 200) if ctx.quick else (GRID, sm.N_TEST)
    t0 = time.perf_counter()
    metrics: dict[str, Any] = {}
    lr = sm.DEFAULT_LR[kind]
    runs = []
    for n in grid:
        epochs = 1 if ctx.quick else (PROBE_EPOCHS if kind == "probe" else sm.EPOCHS[2])
        cfg = sm.ClassifierConfig(model=kind, n_labels=n, lr=lr, epochs=epochs, time_budget_s=None)
        run = sm.run(cfg, callbacks=ctx.callbacks, n_test=n_test)
        if run.fit.diverged:
            raise RuntimeError(f"{NAMES[kind]} diverged at {n} labels: {run.fit.message}")
        metrics[metric_key(n)] = round(run.test_accuracy, 4)
        runs.append(run)
    last = runs[-1]
    if kind == "probe":
        model = sm.ProbeBank(grid, grid[-1], 3)
        for n, r in zip(grid, runs):
            model.heads[str(n)].load_state_dict(r.model.heads[str(n)].state_dict())
        config: dict[str, Any] = {"n_labels": list(grid), "default": grid[-1]}
        arch = f"{len(grid)} linear heads 384->3 on frozen all-MiniLM-L6-v2 mean-pooled sentence vectors " \
               "(the encoder is the bundled package, not in this file)"
    else:
        model = last.model
        vocab = model.words()
        c = last.config
        config = {"vocab_bytes": len(model.vocab), "vocab_size": len(vocab), "embed": c.embed,
                  "hidden": c.hidden, "layers": c.layers, "bidirectional": c.bidirectional,
                  "dropout": c.dropout}
        params = sum(p.numel() for p in model.parameters())
        arch = (f"word-level {'bi' if c.bidirectional else ''}LSTM: {len(vocab):,}-word embedding {c.embed}, "
                f"{c.layers} x {c.hidden} units, linear 3-way head; {params:,} parameters")
    _, _, test = sm.held_out(n_test)
    train = sm.training_data(1)[-1]
    config.update({"dataset": sm.DATASET, "classes": list(train.classes),
                   "training": {"grid": list(grid), "lr": lr, "epochs": last.config.epochs, "seed": 0,
                                "batch_size": last.config.batch_size}})
    metrics.update(measure(model.eval(), _Stub(n_test, len(test))))  # as the shipped file answers
    metrics["n_test"] = n_test
    if ctx.quick:
        metrics["quick"] = True
    return checkpoints.save_checkpoint(
        NAMES[kind], model, lecture=6, architecture=arch, builder=f"text-{kind}", config=config,
        dataset={"name": sm.DATASET, "provenance": last.provenance, "source": train.source,
                 "n_test": n_test, "n_test_split": len(test), "test_seed": sm.TEST_SEED,
                 "n_val": sm.N_VAL, "split_seed": sm.SPLIT_SEED},
        metrics=metrics, train_seconds=time.perf_counter() - t0, directory=ctx.directory,
    )  # fmt: skip


class _Stub:
    def __init__(self, n_test: int, n_split: int) -> None:
        self.dataset = {"n_test": n_test, "n_test_split": n_split}


@register_checkpoint(NAMES["lstm"], 6, "word-level LSTM from scratch on the sentiment tweets, at "
                     "100 / 1,000 / 3,000 labels (ships the last)", 600, measure=measure)  # fmt: skip
def train_lstm(ctx: TrainContext) -> checkpoints.ManifestEntry:
    return _train("lstm", ctx)


@register_checkpoint(NAMES["probe"], 6, "linear probes on frozen all-MiniLM-L6-v2 sentence vectors of the "
                     "sentiment tweets, at 100 / 1,000 / 3,000 labels", 600, measure=measure)  # fmt: skip
def train_probe(ctx: TrainContext) -> checkpoints.ManifestEntry:
    return _train("probe", ctx)


def shipped(directory: Any = None) -> dict[str, Any] | None:
    """``{"grid", "curves": {model: [accuracy per point]}, "n_test", "provenance"}`` from the manifest, or
    None if either checkpoint is missing."""
    try:
        ents = {k: checkpoints.entry(n, directory) for k, n in NAMES.items()}
    except checkpoints.CheckpointError:
        return None
    grid = [int(n) for n in ents["lstm"].config["training"]["grid"]]
    curves = {k: [float(e.metrics.get(metric_key(n), np.nan)) for n in grid] for k, e in ents.items()}
    return {"grid": grid, "curves": curves, "n_test": int(ents["lstm"].metrics["n_test"]),
            "provenance": ents["lstm"].dataset["provenance"],
            "epochs": {k: e.config["training"]["epochs"] for k, e in ents.items()}}
