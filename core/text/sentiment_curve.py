"""The shipped sentiment classifiers and the accuracy-vs-labelled-tweets curve behind them.

``python -m core.train lstm-sentiment-tweets`` trains the LSTM (default settings) on each point of
:data:`GRID` and on all the labelled tweets of the pool, and ships the one trained on all of them;
``python -m core.train minilm-probe-sentiment-tweets`` trains a linear probe on the frozen MiniLM vectors
at each point and at :data:`PROBE_MOST` labels, and ships every head (384 x 3 each; MiniLM is the bundled
package, not in the file). Each accuracy is measured on
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
"""Labelled training tweets of the shipped curve's default grid (every model has these points)."""
PROBE_MOST = 10_000
"""The probe's last point. Its "all labels" point needs MiniLM vectors of the whole pool (29,294 tweets):
measured at ~25 tweets/s on one idle core, ~20 min, over the 15 min a rebuild may take, and the shared
machine of the rebuild gave a quarter of that rate; 10,000 is the most that fitted. The page says so.
The LSTM's last point is the whole pool."""
NAMES = {"lstm": "lstm-sentiment-tweets", "probe": "minilm-probe-sentiment-tweets"}
PROBE_EPOCHS = 40


def pool_size() -> int:
    """Labelled tweets a run can draw from: the train split less the validation tweets."""
    return len(sm.training_data(1)[-1]) - sm.N_VAL


def full_grid(kind: str) -> tuple[int, ...]:
    """The shipped points of ``kind``: the default grid, then the whole pool (LSTM) or PROBE_MOST."""
    return (*GRID, pool_size() if kind == "lstm" else PROBE_MOST)


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
    grid, n_test = ((100, 300), 200) if ctx.quick else (full_grid(kind), sm.N_TEST)
    t0 = time.perf_counter()
    metrics: dict[str, Any] = {}
    lr = sm.DEFAULT_LR[kind]
    runs = []
    for n in grid:
        epochs = 1 if ctx.quick else (PROBE_EPOCHS if kind == "probe" else sm.EPOCHS[2])
        cfg = sm.ClassifierConfig(model=kind, n_labels=min(n, sm.N_LABELS[1]), lr=lr, epochs=epochs,
                                  time_budget_s=None)
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
                                "batch_size": last.config.batch_size, "pool": pool_size()}})
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
                     "100 / 1,000 / 3,000 / all 29,294 labels (ships the last)", 900,
                     measure=measure)  # fmt: skip
def train_lstm(ctx: TrainContext) -> checkpoints.ManifestEntry:
    return _train("lstm", ctx)


@register_checkpoint(NAMES["probe"], 6, "linear probes on frozen all-MiniLM-L6-v2 sentence vectors of the "
                     "sentiment tweets, at 100 / 1,000 / 3,000 / 10,000 labels", 1200,
                     measure=measure)  # fmt: skip
def train_probe(ctx: TrainContext) -> checkpoints.ManifestEntry:
    return _train("probe", ctx)


FINETUNE = "minilm-finetune-sentiment-tweets"
LABELS = {**sm.MODELS, "gpt": "probe on the character GPT's features"}
"""Legend names of the curve's lines (the GPT probe has no live run: it is a shipped line only)."""


def shipped(directory: Any = None) -> dict[str, Any] | None:
    """``{"grid", "grids": {model: [labels per point]}, "curves": {model: [accuracy per point]}, "pool",
    "n_test", "provenance", "epochs"}`` from the manifest (the fine-tuned MiniLM's points when its entry is
    there), or None if the LSTM or the probe is missing."""
    try:
        ents = {k: checkpoints.entry(n, directory) for k, n in NAMES.items()}
    except checkpoints.CheckpointError:
        return None
    try:
        ents["finetune"] = checkpoints.entry(FINETUNE, directory)
    except checkpoints.CheckpointError:
        pass
    grids = {k: [int(n) for n in e.config["training"]["grid"]] for k, e in ents.items()}
    curves = {k: [float(e.metrics.get(metric_key(n), np.nan)) for n in grids[k]] for k, e in ents.items()}
    from core.text import finetune_gpt

    if directory is None and (gpt := finetune_gpt.accuracy_by_labels()):
        grids["gpt"], curves["gpt"] = list(gpt), list(gpt.values())
    return {"grid": list(GRID), "grids": grids, "curves": curves,
            "n_test": int(ents["lstm"].metrics["n_test"]),
            "pool": int(ents["lstm"].config["training"].get("pool", max(grids["lstm"]))),
            "provenance": ents["lstm"].dataset["provenance"],
            "epochs": {k: e.config["training"]["epochs"] for k, e in ents.items()}}  # fmt: skip
