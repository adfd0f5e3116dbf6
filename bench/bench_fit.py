"""Overhead of the one fit loop against a bare PyTorch loop, per model family, measured in the same run.

Run: ``.venv/bin/python -m bench.bench_fit [--repeats 7] [--threads 1]`` (a Markdown table).
For each family the bare loop and ``core.training.fit`` do the same work (same model, data, optimiser,
batch order source, and the textbook ``loss.item()`` per step for the running loss); runs alternate
bare/fit so both see the same machine load, and the table gives the median steps/s of each and the
median of the per-pair ratios. By default steps/s are per second of this process's CPU time, which
other processes on a shared machine disturb far less than wall time (``--clock wall`` for wall time).
Target: fit / bare >= 0.95 for every family.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

from bench.common import table
from core.training import BatchLoss, FitConfig, TrainStep, fit

Run = Callable[[], int]
"""Trains once and returns the number of optimizer steps taken."""


def _mlp() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))


def _cnn() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 7 * 7, 10))


class _VAE(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.enc = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 32))
        self.dec = nn.Sequential(nn.Linear(16, 128), nn.ReLU(), nn.Linear(128, 784))

    def losses(self, batch: tuple[torch.Tensor, ...]) -> dict[str, torch.Tensor]:
        x = batch[0]
        mu, logvar = self.enc(x).chunk(2, dim=1)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        recon = F.binary_cross_entropy_with_logits(self.dec(z), x, reduction="none").sum(1).mean()
        kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)).mean()
        return {"recon": recon, "kl": kl}


def _gan() -> nn.ModuleDict:
    torch.manual_seed(0)
    return nn.ModuleDict({"G": nn.Sequential(nn.Linear(16, 128), nn.ReLU(), nn.Linear(128, 784), nn.Tanh()),
                          "D": nn.Sequential(nn.Linear(784, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))})


def _gan_step(model: nn.Module, batch: tuple[torch.Tensor, ...], opts: tuple) -> dict[str, torch.Tensor]:
    g_opt, d_opt = opts
    real = batch[0]
    fake = model["G"](torch.randn(len(real), 16))
    ones, zeros = torch.ones(len(real), 1), torch.zeros(len(real), 1)
    bce = F.binary_cross_entropy_with_logits
    d_loss = bce(model["D"](real), ones) + bce(model["D"](fake.detach()), zeros)
    d_opt.zero_grad(set_to_none=True)
    d_loss.backward()
    d_opt.step()
    g_loss = F.binary_cross_entropy_with_logits(model["D"](fake), ones)
    g_opt.zero_grad(set_to_none=True)
    g_loss.backward()
    g_opt.step()
    return {"d_loss": d_loss, "g_loss": g_loss}


def _bare_supervised(model: nn.Module, X: torch.Tensor, y: torch.Tensor, bs: int, epochs: int) -> int:
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    gen, n, steps, running = torch.Generator().manual_seed(0), len(X), 0, 0.0
    for _ in range(epochs):
        order = torch.randperm(n, generator=gen)
        for i in range(0, n, bs):
            idx = order[i : i + bs]
            loss = F.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            running += loss.item()
            steps += 1
    return steps


def families(scale: int) -> dict[str, tuple[Run, Run]]:
    """(bare, fit) pairs of each family."""
    g = torch.Generator().manual_seed(0)
    Xm, ym = torch.randn(1000 * scale, 2, generator=g), torch.randint(0, 2, (1000 * scale,), generator=g)
    Xc = torch.rand(512 * scale, 1, 28, 28, generator=g)
    yc = torch.randint(0, 10, (512 * scale,), generator=g)
    Xv = torch.rand(1024 * scale, 784, generator=g)
    Xg = torch.rand(1024 * scale, 784, generator=g) * 2 - 1
    loader = DataLoader(TensorDataset(Xc, yc), batch_size=128, shuffle=True)

    def fit_sup(model_fn: Callable[[], nn.Module], X: torch.Tensor, y: torch.Tensor, bs: int | None,
                epochs: int) -> Run:
        def run() -> int:
            model = model_fn()
            return fit(model, F.cross_entropy, torch.optim.Adam(model.parameters(), 1e-3), (X, y),
                       config=FitConfig(epochs=epochs, batch_size=bs)).steps
        return run

    def bare_stream() -> int:
        model, steps, running = _cnn(), 0, 0.0
        opt = torch.optim.Adam(model.parameters(), 1e-3)
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            running += loss.item()
            steps += 1
        return steps

    def fit_stream() -> int:
        model = _cnn()
        return fit(model, F.cross_entropy, torch.optim.Adam(model.parameters(), 1e-3), loader,
                   config=FitConfig(epochs=1)).steps

    def bare_vae() -> int:
        model, gen, steps, running = _VAE(), torch.Generator().manual_seed(0), 0, 0.0
        opt = torch.optim.Adam(model.parameters(), 1e-3)
        order = torch.randperm(len(Xv), generator=gen)
        for i in range(0, len(Xv), 64):
            losses = model.losses((Xv[order[i : i + 64]],))
            loss = losses["recon"] + losses["kl"]
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            running += loss.item()
            steps += 1
        return steps

    def fit_vae() -> int:
        model = _VAE()
        return fit(model, BatchLoss(lambda m, b: m.losses(b)), torch.optim.Adam(model.parameters(), 1e-3),
                   (Xv,), config=FitConfig(epochs=1, batch_size=64)).steps

    def gan_opts(model: nn.Module) -> tuple[torch.optim.Optimizer, torch.optim.Optimizer]:
        return (torch.optim.Adam(model["G"].parameters(), 2e-4, betas=(0.5, 0.999)),
                torch.optim.Adam(model["D"].parameters(), 2e-4, betas=(0.5, 0.999)))

    def bare_gan() -> int:
        model, gen, steps, running = _gan(), torch.Generator().manual_seed(0), 0, 0.0
        opts = gan_opts(model)
        order = torch.randperm(len(Xg), generator=gen)
        for i in range(0, len(Xg), 64):
            out = _gan_step(model, (Xg[order[i : i + 64]],), opts)
            running += out["d_loss"].item() + out["g_loss"].item()
            steps += 1
        return steps

    def fit_gan() -> int:
        model = _gan()
        return fit(model, TrainStep(_gan_step), gan_opts(model), (Xg,),
                   config=FitConfig(epochs=1, batch_size=64)).steps

    return {
        "in-memory MLP 2-64-64-2, batch 32": (lambda: _bare_supervised(_mlp(), Xm, ym, 32, 1),
                                              fit_sup(_mlp, Xm, ym, 32, 1)),
        "in-memory MLP, full batch (1,000)": (lambda: _bare_supervised(_mlp(), Xm, ym, len(Xm), 100),
                                              fit_sup(_mlp, Xm, ym, None, 100)),
        "in-memory CNN 16/32, batch 128": (lambda: _bare_supervised(_cnn(), Xc, yc, 128, 1),
                                           fit_sup(_cnn, Xc, yc, 128, 1)),
        "streamed CNN (DataLoader), batch 128": (bare_stream, fit_stream),
        "custom loss (VAE 784-128-16), batch 64": (bare_vae, fit_vae),
        "two optimisers (GAN 16-128-784), batch 64": (bare_gan, fit_gan),
    }


def _timed(run: Run, clock: Callable[[], float]) -> float:
    t = clock()
    steps = run()
    return steps / (clock() - t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--scale", type=int, default=1, help="multiply the data sizes (longer runs)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="cpu: this process's CPU time, robust to other processes on a shared machine")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}, {args.clock} clock, median of {args.repeats} alternating pairs\n")
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    rows = []
    for name, (bare, fitted) in families(args.scale).items():
        bare(), fitted()  # warm up: lazy imports, oneDNN kernels, allocator
        b, f = [], []
        for _ in range(args.repeats):
            b.append(_timed(bare, clock))
            f.append(_timed(fitted, clock))
        ratio = statistics.median(fi / bi for fi, bi in zip(f, b))
        rows.append([name, statistics.median(b), statistics.median(f), ratio])
    print(table(["family", "bare steps/s", "core fit steps/s", "fit / bare"], rows))


if __name__ == "__main__":
    main()
