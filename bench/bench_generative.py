"""Lecture 5: the fit loop against a bare PyTorch loop for every shipped generative model, PixelCNN sampling,
the core calls behind the sliders on the shipped models, and page reruns after moving one control.

Run: ``.venv/bin/python -m bench.bench_generative [--steps 20] [--repeats 5] [--only training]``
(Markdown tables). Targets (issue 8): the fit loop within 1.05x of a bare PyTorch loop of the same model;
a PixelCNN sample under 5 s; a slider rerun on a shipped model under 100 ms.

Training is measured in CPU seconds of this process with one thread, the two loops interleaved, the median
of ``--repeats``: on a shared machine wall time charges the other processes' work to whichever loop was
running, CPU time much less so. Both loops start from the same seeded weights and see the same batches
(the fit loop's seeded shuffle), so they must end with the same weights: the table shows the largest
difference as proof that both did the same work.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from bench.common import best_of, table
from bench.page_reruns import Case, number, page_reruns, select_slider, slider
from core import checkpoints, data
from core.generative import autoencoders as ae
from core.generative import dcgan as dc
from core.generative import dcgan_training as dt
from core.generative import latent as lt
from core.generative import pixelcnn as pc
from core.generative import pixelcnn_training as pt
from core.generative import superres as sr
from core.generative import superres_training as srt
from core.training import FitConfig, fit, make_optimizer, seed_everything

PAGES = os.path.join(os.path.dirname(__file__), "..", "apps", "pages", "l5")
Optimizers = tuple[torch.optim.Optimizer, ...]

# --------------------------------------------------------------------------------------------------
# Training


@dataclass(frozen=True)
class FitCase:
    """One model trained for the same steps both ways, from the same seeded weights."""

    label: str
    build: Callable[[], tuple[nn.Module, Optimizers]]
    """Seeds, then builds the model and its optimisers as the trainer does."""
    data: tuple[Tensor, ...]
    batch_size: int
    seed: int
    """The shuffle's seed (the trainer's FitConfig.seed)."""
    run_fit: Callable[[nn.Module, Optimizers], object]
    """The trainer's fit call, for one epoch of ``data`` (validation left out on both sides)."""
    bare_step: Callable[[nn.Module, Optimizers], Callable[..., float]]
    """The bare loop's step for this model: forward, loss, zero_grad, backward, step, loss.item()."""

    def with_fit(self) -> nn.Module:
        model, opts = self.build()
        self.run_fit(model, opts)
        return model

    def bare(self) -> nn.Module:
        """The textbook epoch: a seeded permutation, slices, one step per batch."""
        model, opts = self.build()
        model.train()
        step, bs = self.bare_step(model, opts), self.batch_size
        order = torch.randperm(len(self.data[0]), generator=torch.Generator().manual_seed(self.seed))
        for i in range(0, len(order), bs):
            step(*[t[order[i : i + bs]] for t in self.data])
        return model


def _one_loss(model: nn.Module, opts: Optimizers, loss: Callable[..., Tensor]) -> Callable[..., float]:
    def step(*batch: Tensor) -> float:
        value = loss(*batch)
        opts[0].zero_grad(set_to_none=True)
        value.backward()
        opts[0].step()
        return value.item()

    return step


def _epoch(batch_size: int, seed: int, budget: float | None) -> FitConfig:
    """The trainers' FitConfig, for one epoch."""
    return FitConfig(epochs=1, batch_size=batch_size, time_budget_s=budget, seed=seed)


def vae_case(steps: int) -> FitCase:
    """ae_training.train_autoencoder's fit call (its live recorder callback left out)."""
    c = ae.make_config("vae", "mnist", 16)
    X = torch.from_numpy(np.array(data.load("mnist", "train").X[: steps * c.batch_size]))

    def build() -> tuple[nn.Module, Optimizers]:
        seed_everything(c.seed)
        model = ae.AutoEncoder(c)
        return model, (make_optimizer("adam", model.parameters(), c.lr),)

    def bare(model: nn.Module, opts: Optimizers) -> Callable[..., float]:
        def loss(x: Tensor) -> Tensor:
            logits, mu, logvar = model(x)
            recon, kl = ae.elbo_terms(logits, x, mu, logvar)
            return (recon + c.beta * kl).mean()

        return _one_loss(model, opts, loss)

    def run(model: nn.Module, opts: Optimizers) -> object:
        cfg = _epoch(c.batch_size, c.seed, c.time_budget_s)
        return fit(model, ae.elbo_loss(c.beta), opts[0], (X,), config=cfg)

    return FitCase("VAE z16 (MNIST)", build, (X,), c.batch_size, c.seed, run, bare)


def pixelcnn_case(steps: int) -> FitCase:
    """pixelcnn_training.train_pixelcnn's fit call."""
    c = pt.CONFIG
    X = torch.from_numpy(pc.binarise(data.load(c.dataset, "train").X[: steps * c.batch_size]))

    def build() -> tuple[nn.Module, Optimizers]:
        seed_everything(c.seed)
        model = pc.PixelCNN(c)
        return model, (make_optimizer("adam", model.parameters(), c.lr),)

    def bare(model: nn.Module, opts: Optimizers) -> Callable[..., float]:
        return _one_loss(model, opts, lambda x: pc.nll_per_image(model(x), x).mean())

    def run(model: nn.Module, opts: Optimizers) -> object:
        return fit(model, pt.nll_loss(), opts[0], (X,), config=_epoch(c.batch_size, c.seed, c.time_budget_s))

    return FitCase("PixelCNN (MNIST)", build, (X,), c.batch_size, c.seed, run, bare)


def dcgan_case(steps: int) -> FitCase:
    """dcgan_training.train_dcgan's fit call: two optimisers, the D-then-G step."""
    c = dt.CONFIG
    X = torch.tensor(data.load(c.dataset, "train").X[: steps * c.batch_size], dtype=torch.float32)

    def build() -> tuple[nn.Module, Optimizers]:
        seed_everything(c.seed)
        model = dc.DCGAN(c)
        return model, tuple(make_optimizer("adam", part.parameters(), c.lr, beta1=c.beta1)
                            for part in (model.generator, model.discriminator))

    def bare(model: nn.Module, opts: Optimizers) -> Callable[..., float]:
        opt_g, opt_d = opts
        G, D = model.generator, model.discriminator

        def step(x: Tensor) -> float:
            real = x * 2 - 1
            ones, zeros = torch.ones(len(x), 1), torch.zeros(len(x), 1)
            fake = G(torch.randn(len(x), c.latent_dim))
            d_loss = (F.binary_cross_entropy_with_logits(D(real), ones)
                      + F.binary_cross_entropy_with_logits(D(fake.detach()), zeros))
            opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            opt_d.step()
            g_loss = F.binary_cross_entropy_with_logits(D(fake), ones)
            opt_g.zero_grad(set_to_none=True)
            g_loss.backward()
            opt_g.step()
            return d_loss.item() + g_loss.item()

        return step

    def run(model: nn.Module, opts: Optimizers) -> object:
        return fit(model, dc.gan_step(c.latent_dim), opts, (X,),
                   config=replace(_epoch(c.batch_size, c.seed, c.time_budget_s), divergence_factor=None))

    return FitCase("DCGAN (Fashion-MNIST)", build, (X,), c.batch_size, c.seed, run, bare)


def espcn_case(steps: int) -> FitCase:
    """superres_training.train_espcn's fit call, x2."""
    c = sr.ESPCNConfig(scale=2)
    X, Y = sr.patches(sr.TRAIN_PHOTOS, c.scale, steps * c.batch_size, c.lr_patch, c.seed)

    def build() -> tuple[nn.Module, Optimizers]:
        seed_everything(c.seed)
        model = sr.ESPCN(c)
        return model, (make_optimizer("adam", model.parameters(), c.lr),)

    def bare(model: nn.Module, opts: Optimizers) -> Callable[..., float]:
        return _one_loss(model, opts, lambda x, y: F.mse_loss(model(x), y))

    def run(model: nn.Module, opts: Optimizers) -> object:
        return fit(model, F.mse_loss, opts[0], (X, Y), config=_epoch(c.batch_size, c.seed, c.time_budget_s))

    return FitCase("ESPCN x2 (photo patches)", build, (X, Y), c.batch_size, c.seed, run, bare)


def _max_difference(a: nn.Module, b: nn.Module) -> float:
    return max(float((p - q).abs().max()) for p, q in zip(a.state_dict().values(), b.state_dict().values(),
                                                          strict=True) if p.is_floating_point())


def _cpu_seconds(fn: Callable[[], object]) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


def training(steps: int, repeats: int) -> None:
    rows = []
    for make in (pixelcnn_case, dcgan_case, espcn_case, vae_case):
        case = make(steps)
        case.bare(), case.with_fit()  # warm-up: first-call allocations and lazy initialisation
        bare, loop = [], []
        for _ in range(repeats):  # interleaved: both loops see the same machine
            bare.append(_cpu_seconds(case.bare))
            loop.append(_cpu_seconds(case.with_fit))
        diff = _max_difference(case.bare(), case.with_fit())
        b, f = statistics.median(bare), statistics.median(loop)
        rows.append((case.label, f"{steps} x {case.batch_size}", 1e3 * b / steps, 1e3 * f / steps, f / b,
                     f"{diff:.1e}"))
    print(f"\nTraining {steps} steps, CPU time of this process, one thread, median of {repeats} "
          "(interleaved)\n")
    print(table(("model", "steps x batch", "bare PyTorch ms/step", "fit loop ms/step",
                 "fit / bare (target <= 1.05)", "largest weight difference"), rows))



# --------------------------------------------------------------------------------------------------
# PixelCNN sampling


@torch.no_grad()
def whole_image_sampler(model: pc.PixelCNN, n: int) -> None:
    """The textbook sampler: the whole image through the model for each of the 784 pixels."""
    x = torch.zeros(n, 1, 28, 28)
    gen = torch.Generator().manual_seed(0)
    for p in range(pc.PIXELS):
        r, c = divmod(p, 28)
        p1 = torch.softmax(model(x)[:, :, r, c], dim=1)[:, 1]
        x[:, 0, r, c] = (torch.rand(n, generator=gen) < p1).float()


def pixelcnn_sampling(repeats: int) -> None:
    model = checkpoints.load_model(pt.CHECKPOINT)
    test = data.load("mnist", "test")
    n = pc.COMPLETION_COUNT[1]
    calls = [(f"sample {k}", lambda k=k: whole_image_sampler(model, k),
              lambda k=k: pc.sample(model, k, 1.0, 0)) for k in (1, pc.DEFAULT_SAMPLES, pc.SAMPLE_COUNT[1])]
    calls.append((f"complete {n} lower halves", None, lambda: pc.complete(model, test.X[3, 0], n, 1.0, 0)))
    rows = []
    for label, ref, ours in calls:
        cpu = min(_cpu_seconds(ours) for _ in range(repeats))
        wall = best_of(ours, repeats)
        whole = best_of(ref, 1) if ref is not None else float("nan")
        rows.append((label, whole, wall, cpu, wall / whole))
    print("\nPixelCNN: one sampling request (s; target < 5 s), windowed vs the whole image per pixel; the "
          "CPU seconds (one thread) are what the request costs on an idle core\n")
    print(table(("request", "whole image per pixel s", "windowed s", "windowed CPU s", "windowed / whole"),
                rows))


# --------------------------------------------------------------------------------------------------
# The core calls behind the sliders on the shipped models


def core_calls(repeats: int) -> None:
    rows = []
    test = data.load("mnist", "test")
    for name in ("vae-mnist-z2", "vae-mnist-z16"):
        model = checkpoints.load_model(name)
        lmap = lt.latent_map(model, test.X, test.y)
        d, xa, xb = model.latent_dim, test.X[0, 0], test.X[1, 0]
        calls = {"traversal (9 steps)": lambda: lt.traversal(model, lmap, 9),
                 "sample 32": lambda: lt.sample(model, lmap, 32, 0),
                 "interpolate 10": lambda: lt.interpolate(model, xa, xb, 10),
                 "decode one point": lambda: lt.decode_point(model, lmap, [0.5] * d)}
        rows += [(name, label, 1e3 * best_of(fn, repeats)) for label, fn in calls.items()]
    gan = checkpoints.load_model(dt.CHECKPOINT)
    judge = checkpoints.load_model(dc.classifier_name(gan.config.dataset))
    n, steps = dc.GRID_RANGE[1], dc.INTERP_STEPS[1]
    rows += [(dt.CHECKPOINT, f"sample {n} + classifier verdict", 1e3 * best_of(
                 lambda: dc.judge(judge, dc.sample(gan, 0, n)), repeats)),
             (dt.CHECKPOINT, f"interpolate {steps} + classifier verdict", 1e3 * best_of(
                 lambda: dc.judge(judge, dc.interpolate(gan, 0, 1, steps)), repeats))]
    net = checkpoints.load_model(pt.CHECKPOINT)
    trace = pc.sample(net, pc.DEFAULT_SAMPLES, 1.0, 0)
    rows += [(pt.CHECKPOINT, "pixel-by-pixel frame", 1e3 * best_of(lambda: trace.frame(400), repeats)),
             (pt.CHECKPOINT, "dependency map (row, column, depth)", 1e3 * best_of(
                 lambda: pc.dependency_map(net, 14, 14), repeats))]
    for scale in sr.SCALES:
        esp, name = checkpoints.load_model(srt.checkpoint(scale)), srt.checkpoint(scale)
        image = sr.photo(sr.HELD_OUT[1])
        comparison = sr.compare(esp, image)
        rows += [(name, f"enlarge + score {image.shape[1]}x{image.shape[0]} photo (new photo or scale)",
                  1e3 * best_of(lambda esp=esp, image=image: sr.compare(esp, image), repeats)),
                 (name, "crop (crop sliders)", 1e3 * best_of(
                     lambda c=comparison: sr.crop(c, 0.4, 0.5, sr.CROP_RANGE[1]), repeats))]
    print("\nCore calls behind the sliders on the shipped models (ms, best of repeats)\n")
    print(table(("model", "call", "ms"), rows))


# --------------------------------------------------------------------------------------------------
# Page reruns


AE_MOVES = (("traversal steps", slider("l5ae_steps", (5, 9))),
            ("one latent slider", slider("l5ae_u0", (0.0, 0.5))),
            ("sample seed", number("l5ae_sseed", tuple(range(7)))),
            ("interpolation steps", slider("l5ae_isteps", (6, 10))),
            ("interpolation end", number("l5ae_b", (2, 3, 4, 5, 6))))
PAGE_CASES: tuple[Case, ...] = (
    ("vae-mnist-z2", os.path.join(PAGES, "autoencoders.py"), {"l5ae_z": "2"}, {}, AE_MOVES),
    ("vae-mnist-z16", os.path.join(PAGES, "autoencoders.py"), {"l5ae_z": "16"}, {}, AE_MOVES),
    ("dcgan-fashion-mnist", os.path.join(PAGES, "dcgan.py"), {}, {}, (
        ("first seed", slider("l5dc_seed", (0, 1, 2, 3, 4, 5, 6))),
        ("samples", slider("l5dc_n", (16, 32))),
        ("interpolation seed B", slider("l5dc_b", (1, 2, 3, 4, 5, 6, 7))),
        ("interpolation steps", slider("l5dc_steps", (8, 16))))),
    ("pixelcnn-mnist", os.path.join(PAGES, "pixelcnn.py"), {}, {}, (
        ("pixels drawn", slider("l5px_step", (100, 392, 600))),
        ("dependency map row", slider("l5px_row", (10, 14, 20))),
        ("masked layers", slider("l5px_depth", (3, 7))))),
    ("espcn-x2/x3/x4", os.path.join(PAGES, "superres.py"), {}, {}, (
        ("crop size", slider("l5sr_size", (64, 96, 128))),
        ("crop from the left", slider("l5sr_x", (20, 50, 80))),
        ("scale factor (cached comparisons)", select_slider("l5sr_scale", sr.SCALES)))),
)


PARTS = ("training", "sampling", "calls", "pages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=20, help="training steps per loop and repeat")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", choices=PARTS, action="append", help="run only these parts")
    args = parser.parse_args()
    parts = args.only or PARTS
    torch.set_num_threads(1)  # the training ratio is per thread; the sliders run one request per thread too
    if "training" in parts:
        training(args.steps, args.repeats)
    if "sampling" in parts:
        pixelcnn_sampling(min(3, args.repeats))
    if "calls" in parts:
        core_calls(args.repeats)
    if "pages" in parts:
        page_reruns(PAGE_CASES, args.repeats, "model")


if __name__ == "__main__":
    main()
