"""Lecture 3 benchmark: convolution-explorer recompute per setting (core and full page rerun), the
receptive-field check, 1D/3D convolution, and architecture summaries cold / warm.

Run: ``.venv/bin/python bench/bench_lecture3_explorer.py [--repeats 15]``. Prints Markdown tables
(median and best of the repeats; the best is the least disturbed by other processes).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402

from bench.common import table  # noqa: E402
from core.cnn import architectures as arch  # noqa: E402
from core.cnn import conv1d3d as c13  # noqa: E402
from core.cnn import explorer, explorer_figures, image_sources  # noqa: E402
from core.cnn import receptive_field as rf  # noqa: E402


def _ms(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    fn()  # warm-up: oneDNN builds a kernel per new shape on its first call
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times), min(times)


def _respond(image: image_sources.SourceImage, cfg: explorer.ExplorerConfig) -> None:
    """What one slider move costs in core: the pipeline plus every picture the page shows."""
    res = explorer.explore(image.pixels, cfg)
    scale = explorer_figures.display_scale(image.pixels.shape)
    for a in (res.image, res.conv, res.pooled, res.transposed, res.overlap):
        if a is not None:
            explorer_figures.to_rgb(a, scale)


SETTINGS: list[tuple[str, str, explorer.ExplorerConfig]] = [
    ("Sobel 3×3 (default)", "camera", explorer.ExplorerConfig()),
    (
        "Gaussian 11×11, dilation 3",
        "camera",
        explorer.ExplorerConfig(kernel="blur (Gaussian)", kernel_size=11, dilation=3),
    ),
    ("random 7×7, stride 4", "astronaut", explorer.ExplorerConfig(kernel="random", kernel_size=7, stride=4)),
    ("Sobel + ReLU + max-pool 2", "camera", explorer.ExplorerConfig(relu=True, pool="max")),
    ("+ transposed 3×3 s2", "camera", explorer.ExplorerConfig(pool="avg", transposed=True)),
    (
        "Laplacian 5×5 on a 28×28 digit",
        "MNIST digit",
        explorer.ExplorerConfig(kernel="edge (Laplacian)", kernel_size=5),
    ),
]


def explorer_table(repeats: int) -> None:
    rows = []
    for label, source, cfg in SETTINGS:
        image = image_sources.load_image(source)
        med, best = _ms(lambda image=image, cfg=cfg: _respond(image, cfg), repeats)
        size = "×".join(map(str, image.pixels.shape))
        rows.append([label, size, f"{med:.1f}", f"{best:.1f}", "yes" if med < 100 else "NO"])
    print("\n### Explorer recompute in core (explore + all pictures)\n")
    print(table(["setting", "image", "median ms", "best ms", "< 100 ms"], rows))


def rf_table(repeats: int) -> None:
    shape = image_sources.load_image("camera").pixels.shape
    rows = []
    for preset in rf.RF_PRESETS[:4]:
        layers = rf.rf_stack(preset, 4)
        cold, _ = _ms(lambda ls=layers: rf._rf_check.__wrapped__(ls, shape, None), max(3, repeats // 3))
        warm, _ = _ms(lambda ls=layers: rf.rf_check(ls, shape), repeats)
        rows.append([f"{preset} ×4", f"{cold:.1f}", f"{warm:.3f}"])
    print("\n### Receptive field: gradient check on a 256×256 input (uncached / cached)\n")
    print(table(["stack", "uncached ms", "cached ms"], rows))


def page_table(repeats: int) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "apps/pages/l3/convolution.py"), default_timeout=120)
    at.run()
    moves: list[tuple[str, Callable[[int], object]]] = [
        ("kernel size 3 ↔ 5", lambda i: at.slider(key="l3conv_k").set_value(5 if i % 2 else 3)),
        ("stride 1 ↔ 2", lambda i: at.slider(key="l3conv_s").set_value(2 if i % 2 else 1)),
        ("dilation 1 ↔ 2", lambda i: at.slider(key="l3conv_d").set_value(2 if i % 2 else 1)),
        (
            "pooling none ↔ max",
            lambda i: at.button_group(key="l3conv_pool").set_value("max" if i % 2 else "none"),
        ),
        ("transposed off ↔ on", lambda i: at.toggle(key="l3conv_t").set_value(bool(i % 2))),
        (
            "kernel Sobel ↔ Gaussian",
            lambda i: at.selectbox(key="l3conv_kernel").set_value(
                "blur (Gaussian)" if i % 2 else "edge (Sobel x)"
            ),
        ),
    ]
    base = AppTest.from_string("import streamlit as st\nst.write('x')")
    base.run()
    rows = []
    for label, move in moves:
        times = []
        for i in range(repeats + 1):
            move(i)
            t = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - t) * 1e3)
        assert not at.exception, at.exception
        rows.append([label, f"{statistics.median(times[1:]):.0f}", f"{min(times[1:]):.0f}"])
    trivial = [(_ms(base.run, repeats))[0]]
    print("\n### Convolution page rerun (AppTest, whole script, per control move)\n")
    print(table(["control", "median ms", "best ms"], rows))
    print(f"\n(AppTest rerun of a one-line page on this machine: {trivial[0]:.0f} ms median.)")


def beyond_table(repeats: int) -> None:
    s = c13.time_series()
    k = c13.kernel_1d("Gaussian", 9)
    v = c13.synthetic_video()
    k3 = c13.kernel_3d("spatio-temporal average")
    rows = [
        ["1D conv, 300 steps, 9 taps", *(f"{x:.2f}" for x in _ms(lambda: c13.conv1d(s, k), repeats))],
        [
            "1D figure (kernel window + output)",
            *(f"{x:.1f}" for x in _ms(lambda: c13.series_figure(s, c13.conv1d(s, k), k, 150), repeats)),
        ],
        ["3D conv, 16×32×32 clip, 3×3×3", *(f"{x:.2f}" for x in _ms(lambda: c13.conv3d(v, k3), repeats))],
        [
            "3D figure (frames + energy)",
            *(f"{x:.1f}" for x in _ms(lambda: c13.video_figure(v, c13.conv3d(v, k3), 4), repeats)),
        ],
    ]
    print("\n### 1D and 3D convolution\n")
    print(table(["step", "median ms", "best ms"], rows))


def architecture_table() -> None:
    rows = []
    for name in arch.names():
        arch._summary.cache_clear()
        t = time.perf_counter()
        s = arch.summary(name, 224)
        cold = (time.perf_counter() - t) * 1e3
        warm, _ = _ms(lambda n=name: arch.summary(n, 224), 5)
        rows.append(
            [
                s["title"],
                f"{s['params']:,}",
                f"{s['macs'] / 1e9:.3f}",
                s["longest_path"],
                s["receptive_field"],
                f"{cold:.0f}",
                f"{warm:.2f}",
            ]
        )
    print(
        "\n### Architecture summaries at 224 px "
        "(cold: build on the meta device + traced forward; warm: cached copy)\n"
    )
    print(table(["architecture", "params", "GMACs", "depth", "RF px", "cold ms", "warm ms"], rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: leave torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, "
        f"load average {load:.1f}"
    )
    explorer_table(args.repeats)
    rf_table(args.repeats)
    page_table(args.repeats)
    beyond_table(args.repeats)
    architecture_table()


if __name__ == "__main__":
    main()
