"""CNN trainer and initialisation demo: training throughput of the default CNN, fit loop vs bare PyTorch.

Run: ``.venv/bin/python -m bench.bench_cnn [--images 4096] [--repeats 3] [--threads N]`` (Markdown tables).
Each row is the best of ``--repeats`` interleaved runs (the least disturbed by other processes). The target
is >= 2,000 images/s for the default CNN (2 conv blocks 32/64, batch norm, Adam, batch 128) on two cores.
Note: on a machine where other processes also use every core, OpenMP's busy-waiting makes two torch
threads much slower than one; ``OMP_WAIT_POLICY=PASSIVE`` (set before Python starts) avoids most of it.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import torch
import torch.nn.functional as F

from bench.common import best_of, table
from core import data
from core.cnn import config as cnn_config
from core.cnn import convnet, shipped
from core.cnn import initialisation as iv
from core.cnn import training as cnn_training
from core.training import FitConfig, fit, make_optimizer


def _data(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    ds = data.load("fashion-mnist", "train")
    return torch.from_numpy(np.array(ds.X[:n])), torch.from_numpy(np.array(ds.y[:n]))


def bare_loop(X: torch.Tensor, y: torch.Tensor, config: cnn_config.CNNConfig) -> float:
    """One epoch with the textbook loop: shuffle, slice, forward, loss, backward, step. Returns seconds."""
    torch.manual_seed(0)
    model = convnet.ConvNet(config)
    opt = make_optimizer(config.optimizer, model.parameters(), config.lr, config.weight_decay)
    model.train()
    t = time.perf_counter()
    order = torch.randperm(len(X))
    for i in range(0, len(X), config.batch_size):
        idx = order[i : i + config.batch_size]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return time.perf_counter() - t


def core_fit(X: torch.Tensor, y: torch.Tensor, config: cnn_config.CNNConfig) -> float:
    """The same epoch through core.training.fit (no validation, no callbacks)."""
    torch.manual_seed(0)
    model = convnet.ConvNet(config)
    opt = make_optimizer(config.optimizer, model.parameters(), config.lr, config.weight_decay)
    return fit(
        model, F.cross_entropy, opt, (X, y), None, FitConfig(epochs=1, batch_size=config.batch_size)
    ).seconds


def page_run(n: int, config: cnn_config.CNNConfig) -> float:
    """What the page does: train_cnn with live rows, validation curve and filter snapshots (fit time only)."""
    run = cnn_training.train_cnn(replace(config, train_size=n), test_limit=10)
    return run.fit.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    n = args.images
    X, y = _data(n)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} cores, "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}, load {os.getloadavg()[0]:.1f}\n"
    )

    configs = {
        "default (32/64, BN, channels-last)": shipped.DEFAULT,
        "without batch norm": replace(shipped.DEFAULT, batch_norm=False),
        "16/32 filters": replace(shipped.DEFAULT, filters=16),
    }
    rows = []
    for name, cfg in configs.items():
        cnn_training.train_cnn(
            replace(cfg, train_size=256, val_size=0), test_limit=1
        )  # warm up: lazy imports, oneDNN kernels
        runs: dict[str, Callable[[], float]] = {
            "bare": lambda: bare_loop(X, y, cfg),
            "fit": lambda: core_fit(X, y, cfg),
            "page": lambda: page_run(n, cfg),
        }
        best = {k: min(fn() for _ in range(args.repeats)) for k, fn in runs.items()}
        rows.append(
            [
                name,
                f"{cnn_config.param_count(cfg):,}",
                n / best["bare"],
                n / best["fit"],
                n / best["page"],
                best["bare"] / best["fit"],
            ]
        )
    print(table(["CNN", "params", "bare loop img/s", "core fit img/s", "page run img/s", "fit / bare"], rows))
    print(
        "\n(page run: train_cnn with its live recorder, which scores 500 validation images 5x per epoch.)\n"
    )

    def stats(depth: int) -> Callable[[], object]:
        return lambda: iv.layer_statistics(
            iv.InitConfig(depth=depth, init="he", activation="relu", batch_norm=True)
        )

    iv.layer_statistics(iv.InitConfig(depth=2))  # loads the data once
    init_rows = [[f"layer_statistics, depth {d}", best_of(stats(d), 5)] for d in (10, 30, 50)]
    init_rows.append(
        [
            "train_short, depth 20, 100 SGD steps",
            best_of(lambda: iv.train_short(iv.InitConfig(depth=20, init="he", activation="relu")), 2),
        ]
    )
    print(table(["initialisation demo", "seconds"], init_rows))


if __name__ == "__main__":
    main()
