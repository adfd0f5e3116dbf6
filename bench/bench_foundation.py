"""Foundation benchmark: server cold start, page render/rerun times, peak RSS, fit-loop overhead.

Run: ``.venv/bin/python -m bench.bench_foundation`` (prints Markdown tables).
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import torch
from torch import nn

from apps import catalog
from bench.common import best_of, table
from core.training import FitConfig, accuracy, fit

ROOT = Path(__file__).resolve().parent.parent


def cold_start() -> float:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "apps/streamlit_app.py", "--server.headless",
                             "true", "--server.port", str(port), "--server.address", "127.0.0.1"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                return time.perf_counter() - t
            except OSError:
                time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(15)


def page_times() -> list[list[object]]:
    from streamlit.testing.v1 import AppTest

    pages = [("home", "apps/home.py"), ("status", "apps/status.py")]
    pages += [(d.slug, str(d.path)) for d in catalog.available_demos()]
    rows = []
    for name, path in pages:
        at = AppTest.from_file(str(ROOT / path), default_timeout=120)
        t = time.perf_counter()
        at.run()
        first = time.perf_counter() - t
        rerun = best_of(at.run, 3)
        rows.append([name, f"{first * 1000:.0f}", f"{rerun * 1000:.0f}", "yes" if at.exception else ""])
    return rows


def fit_overhead(epochs: int = 1000) -> list[list[object]]:
    """Default playground MLP (2-64-64-2, 1000 points, full batch, Adam): bare loop vs core fit loop."""
    torch.set_num_threads(1)
    g = torch.Generator().manual_seed(0)
    X = torch.randn(1000, 2, generator=g)
    y = (X[:, 0] * X[:, 1] > 0).long()
    Xv = torch.randn(300, 2, generator=g)
    yv = (Xv[:, 0] * Xv[:, 1] > 0).long()

    def model_opt() -> tuple[nn.Module, torch.optim.Optimizer]:
        torch.manual_seed(0)
        m = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
        return m, torch.optim.Adam(m.parameters(), 1e-2)

    def bare(val: bool) -> None:
        m, opt = model_opt()
        for _ in range(epochs):
            out = m(X)
            loss = nn.functional.cross_entropy(out, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            tl = loss.item()
            if val:
                with torch.no_grad():
                    m.eval()
                    vo = m(Xv)
                    vl = nn.functional.cross_entropy(vo, yv).item()
                    va = (vo.argmax(1) == yv).float().mean().item()
                    m.train()
        del tl

    def core(val: bool) -> None:
        m, opt = model_opt()
        fit(m, nn.functional.cross_entropy, opt, (X, y), (Xv, yv) if val else None, FitConfig(epochs=epochs),
            metrics={"accuracy": accuracy} if val else None)

    rows = []
    for label, val in (("train only", False), ("train + validation each epoch", True)):
        b = min(best_of(lambda: bare(val), 3), best_of(lambda: bare(val), 2))
        c = min(best_of(lambda: core(val), 3), best_of(lambda: core(val), 2))
        rows.append([label, f"{epochs / b:,.0f}", f"{epochs / c:,.0f}", f"{c / b:.3f}"])
    return rows


def main() -> None:
    print("## Streamlit server\n")
    print(table(["measure", "value"], [["cold start to /_stcore/health (s)", f"{cold_start():.2f}"]]))
    print("\n## Pages (AppTest, this process)\n")
    print(table(["page", "first render (ms)", "rerun (ms)", "exception"], page_times()))
    print("\n## Fit loop vs bare PyTorch loop (2-64-64-2 MLP, 1000 points, full batch, 1 thread)\n")
    print(table(["workload", "bare steps/s", "core.fit steps/s", "time ratio core/bare"], fit_overhead()))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nPeak RSS of this process (all pages rendered): {rss:.0f} MB; cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
