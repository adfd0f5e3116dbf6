"""CNN trainer and initialisation demo: training throughput of the CNN, bare PyTorch vs fit vs the page's run.

Run: ``.venv/bin/python -m bench.bench_cnn [--images 10000] [--repeats 5] [--threads N] [--configs default]``
(Markdown tables). The three runs of a row alternate, ``--repeats`` times; a row gives the median of each,
in wall-clock images/s and in CPU images/s (images per second of process CPU time: on a machine shared with
other work the wall clock mostly measures the neighbours, CPU time measures what the code costs). "page" is
what the trainer page runs: ``train_cnn`` in a job thread with its live recorder (rows, validation points,
filter snapshots); its time includes the validation it does. Targets: fit >= 0.95x bare, page >= 0.9x bare.
Note: on a machine where other processes also use every core, OpenMP's busy-waiting makes two torch
threads much slower than one; ``OMP_WAIT_POLICY=PASSIVE`` (set before Python starts) avoids most of it.
"""

from __future__ import annotations

import argparse
import os
import statistics
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
from core.jobs import JobQueue
from core.training import Callback, FitConfig, FitResult, fit, make_optimizer

Timing = tuple[float, float]
"""(wall seconds, process CPU seconds) of one training epoch."""


def _data(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    ds = data.load("fashion-mnist", "train")
    return torch.from_numpy(np.array(ds.X[:n])), torch.from_numpy(np.array(ds.y[:n]))


def bare_loop(X: torch.Tensor, y: torch.Tensor, config: cnn_config.CNNConfig) -> Timing:
    """One epoch with the textbook loop: shuffle, slice, forward, loss, backward, step."""
    torch.manual_seed(0)
    model = convnet.ConvNet(config)
    opt = make_optimizer(config.optimizer, model.parameters(), config.lr, config.weight_decay)
    model.train()
    t, c = time.perf_counter(), time.process_time()
    order = torch.randperm(len(X))
    for i in range(0, len(X), config.batch_size):
        idx = order[i : i + config.batch_size]
        loss = F.cross_entropy(model(X[idx]), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return time.perf_counter() - t, time.process_time() - c


class _Clock(Callback):
    """Wall and CPU time from the first step's start to the run's end (what fit.seconds covers)."""

    def on_train_begin(self, epochs: int, steps_per_epoch: int) -> None:
        self.t, self.c = time.perf_counter(), time.process_time()

    def on_train_end(self, result: FitResult) -> None:
        self.timing = (time.perf_counter() - self.t, time.process_time() - self.c)


def core_fit(X: torch.Tensor, y: torch.Tensor, config: cnn_config.CNNConfig) -> Timing:
    """The same epoch through core.training.fit (no validation, no callbacks but the clock)."""
    torch.manual_seed(0)
    model = convnet.ConvNet(config)
    opt = make_optimizer(config.optimizer, model.parameters(), config.lr, config.weight_decay)
    clock = _Clock()
    fit(model, F.cross_entropy, opt, (X, y), None, FitConfig(epochs=1, batch_size=config.batch_size), [clock])
    return clock.timing


def page_run(n: int, config: cnn_config.CNNConfig) -> Timing:
    """What the page does: train_cnn in a job thread (live rows, validation points, filter snapshots)."""
    clock = _Clock()
    job = JobQueue().submit(lambda j: cnn_training.train_cnn(replace(config, train_size=n), j, [clock],
                                                              test_limit=10))  # fmt: skip
    job.wait()
    assert job.status == "done", job.error
    return clock.timing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=10_000, help="training images (the page's default)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--configs", default="all", help="'all', or a comma list of: default, no-bn, small")
    parser.add_argument("--skip-init", action="store_true", help="skip the initialisation demo's table")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    n = args.images
    X, y = _data(n)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} cores, "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}, load {os.getloadavg()[0]:.1f}, "
        f"{n:,} images, median of {args.repeats} alternating runs\n"
    )

    configs = {
        "default": ("default (32/64, BN, channels-last)", shipped.DEFAULT),
        "no-bn": ("without batch norm", replace(shipped.DEFAULT, batch_norm=False)),
        "small": ("16/32 filters", replace(shipped.DEFAULT, filters=16)),
    }
    chosen = list(configs) if args.configs == "all" else args.configs.split(",")
    rows = []
    for name, cfg in (configs[c] for c in chosen):
        cnn_training.train_cnn(
            replace(cfg, train_size=256, val_size=0), test_limit=1
        )  # warm up: lazy imports, oneDNN kernels
        runs: dict[str, Callable[[], Timing]] = {
            "bare": lambda: bare_loop(X, y, cfg),
            "fit": lambda: core_fit(X, y, cfg),
            "page": lambda: page_run(n, cfg),
        }
        seen: dict[str, list[Timing]] = {k: [] for k in runs}
        for _ in range(args.repeats):
            for k, fn in runs.items():
                seen[k].append(fn())
        wall = {k: statistics.median(t[0] for t in v) for k, v in seen.items()}
        cpu = {k: statistics.median(t[1] for t in v) for k, v in seen.items()}
        rows.append(
            [name, f"{cnn_config.param_count(cfg):,}"]
            + [n / wall[k] for k in runs] + [wall["bare"] / wall["fit"], wall["bare"] / wall["page"]]
            + [n / cpu[k] for k in runs] + [cpu["bare"] / cpu["fit"], cpu["bare"] / cpu["page"]]
        )  # fmt: skip
    kinds = ("bare", "fit", "page")
    headers = ["CNN", "params"] + [f"{k} img/s" for k in kinds] + ["fit / bare", "page / bare"]
    headers += [f"{k} img/CPU-s" for k in kinds] + ["CPU fit / bare", "CPU page / bare"]
    print(table(headers, rows))
    print(
        "\n(page: train_cnn with its live recorder, which scores 500 validation images every 2 s and all of "
        "them at the epoch's end.)\n"
    )
    if args.skip_init:
        return

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
