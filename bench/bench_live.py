"""What watching a training costs the training: a queued job with a watcher that polls like the live panel.

Run: ``.venv/bin/python -m bench.bench_live [--images 4096] [--repeats 3]`` (a Markdown table).
The job trains a small CNN (batch 128, Adam) on Fashion-MNIST-sized images with a :class:`LiveRecorder`
(20 rows per epoch), in a job thread as on the page. The watcher does, every ``poll`` seconds, what the
panel's fragment does on the server: read the job's progress and history and build and serialise the
live loss and accuracy figures (``st.plotly_chart`` turns a figure into JSON on each rerun). Rows give
images/s of the training alone and with each watcher; target: watched >= 0.9x unwatched.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from bench.common import table
from core.jobs import Job, JobQueue
from core.training import FitConfig, LiveRecorder, fit
from core.viz.curves import loss_curves


def _cnn() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(64 * 7 * 7, 10))


def _train(X: torch.Tensor, y: torch.Tensor, epochs: int) -> Callable[[Job], float]:
    def run(job: Job) -> float:
        model = _cnn()
        rec = LiveRecorder(job, points_per_epoch=20)
        res = fit(model, F.cross_entropy, torch.optim.Adam(model.parameters(), 1e-3), (X, y),
                  config=FitConfig(epochs=epochs, batch_size=128), callbacks=[rec])
        return res.seconds

    return run


def _watch(job: Job, poll_s: float, stop: threading.Event) -> None:
    seen: dict[str, list[float]] = {}
    while not stop.wait(poll_s):
        _ = job.progress, job.message, job.status
        seen = job.history()
        for keys in (("train_loss", "val_loss"), ("train_accuracy", "val_accuracy")):
            json.dumps(loss_curves(seen, keys).to_plotly_json(), default=str)


def _images_per_s(X: torch.Tensor, y: torch.Tensor, epochs: int, poll_s: float | None) -> float:
    job = JobQueue().submit(_train(X, y, epochs))
    stop = threading.Event()
    watcher = None
    if poll_s is not None:
        watcher = threading.Thread(target=_watch, args=(job, poll_s, stop), daemon=True)
        watcher.start()
    job.wait()
    stop.set()
    if watcher is not None:
        watcher.join()
    return epochs * len(X) / job.result


def _ms(fn: Callable[[], object], n: int = 30) -> float:
    t = time.process_time()
    for _ in range(n):
        fn()
    return (time.process_time() - t) / n * 1e3


def poll_costs() -> list[list[object]]:
    """CPU milliseconds of each part of one poll, for a short and a long live history."""
    import plotly.io as pio

    rows = []
    for n in (200, 2000):
        job = JobQueue().submit(lambda j: None)
        job.wait()
        for i in range(n):
            job.report(epoch=i / 20, train_loss=1.0 / (i + 1), train_accuracy=0.5, val_loss=float("nan"),
                       val_accuracy=0.4)
        hist = job.history()
        charts = (("train_loss", "val_loss"), ("train_accuracy", "val_accuracy"))
        figs = [loss_curves(hist, k) for k in charts]
        copy_ms = _ms(job.history)
        build_ms = _ms(lambda: [loss_curves(hist, k) for k in charts])
        json_ms = _ms(lambda: [pio.to_json(f, validate=False) for f in figs])
        total = copy_ms + build_ms + json_ms
        rows.append([f"{n:,} rows", copy_ms, build_ms, json_ms, total / 200 * 100, total / 500 * 100])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=4096)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    g = torch.Generator().manual_seed(0)
    X = torch.rand(args.images, 1, 28, 28, generator=g)
    y = torch.randint(0, 10, (args.images,), generator=g)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}, median of {args.repeats} alternating runs\n")
    setups = {"no watcher": None, "watcher every 0.2 s": 0.2, "watcher every 0.5 s": 0.5}
    _images_per_s(X[:512], y[:512], 1, None)  # warm up
    speeds: dict[str, list[float]] = {k: [] for k in setups}
    for _ in range(args.repeats):
        for name, poll in setups.items():
            speeds[name].append(_images_per_s(X, y, args.epochs, poll))
    base = statistics.median(speeds["no watcher"])
    rows = [[name, statistics.median(v), statistics.median(v) / base] for name, v in speeds.items()]
    print(table(["training", "images/s", "vs unwatched"], rows))
    print("\nOne poll's CPU ms (what the server's script thread does while holding the GIL):\n")
    print(table(["live history", "history copy", "build 2 figures", "serialise 2 figures",
                 "% of a core, 0.2 s polls", "% of a core, 0.5 s polls"], poll_costs()))


if __name__ == "__main__":
    main()
