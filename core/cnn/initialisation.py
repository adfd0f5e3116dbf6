"""Initialisation and vanishing/exploding gradients in a deep plain network, on real images.

A plain MLP (no skip connections) of ``depth`` hidden layers sees one batch of Fashion-MNIST images.
After one forward and one backward pass we read, per layer, the distribution of the activations and the
norm of the weight gradient. The classic pictures follow:

- Glorot & Bengio (2010): with sigmoid and small random weights the activations and the gradients shrink
  layer by layer; Xavier/Glorot initialisation (Var W = 2 / (fan_in + fan_out)) keeps tanh nets alive.
- He et al. (2015): ReLU halves the variance, so Var W = 2 / fan_in keeps the activation scale constant.
- Ioffe & Szegedy (2015): batch normalisation re-standardises every layer, so the scale of the weights
  stops mattering (except all-zero weights, whose symmetry no normalisation breaks).

:func:`train_short` then trains the same network for about 100 SGD steps to show which settings learn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core.jobs import Job
from core.training import Callback, FitConfig, FitResult, accuracy, fit, seed_everything
from core.training.optim import make_optimizer

INITS = ("zeros", "small normal", "large normal", "xavier", "he")
ACTIVATIONS = ("sigmoid", "tanh", "relu")
HIST_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, 3.0)}
MAX_DEPTH = 50
WIDTHS = (32, 64, 128, 256)
"""Hidden-layer widths the page offers."""
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1)
"""SGD learning rates the page offers for the short run."""
SHORT_STEPS = 100
"""SGD steps of the page's short run (:func:`train_short`)."""


@dataclass(frozen=True)
class InitConfig:
    """A deep plain MLP and how its weights start."""

    depth: int = 20
    """Hidden layers (each Linear -> [BN] -> activation)."""
    width: int = 128
    """Units per hidden layer."""
    init: str = "xavier"
    """'zeros', 'small normal' (std 0.01), 'large normal' (std 1), 'xavier' (Glorot normal) or 'he'
    (Kaiming normal)."""
    activation: str = "tanh"
    """'sigmoid', 'tanh' or 'relu'."""
    batch_norm: bool = False
    """Batch normalisation before each activation."""
    batch_size: int = 256
    """Images in the batch whose statistics are shown."""
    seed: int = 0
    """Seed of the weights and of the batch."""
    dataset: str = "fashion-mnist"
    """Image data set from :mod:`core.data` (flattened, standardised)."""

    def validate(self) -> None:
        if not 1 <= self.depth <= MAX_DEPTH:
            raise ValueError(f"depth must be 1..{MAX_DEPTH}, not {self.depth}")
        if not 4 <= self.width <= 1024:
            raise ValueError(f"width must be 4..1024, not {self.width}")
        if self.init not in INITS:
            raise ValueError(f"init must be one of {', '.join(INITS)}, not {self.init!r}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, not {self.activation!r}")
        if not 2 <= self.batch_size <= 4096:
            raise ValueError(f"batch size must be 2..4096, not {self.batch_size}")


_ACT = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}


def build_mlp(config: InitConfig, in_features: int = 784, n_classes: int = 10) -> nn.Sequential:
    """``depth`` x (Linear -> [BatchNorm1d] -> activation), then a linear classifier, initialised."""
    config.validate()
    layers: list[nn.Module] = []
    fan_in = in_features
    for _ in range(config.depth):
        layers.append(nn.Linear(fan_in, config.width))
        if config.batch_norm:
            layers.append(nn.BatchNorm1d(config.width))
        layers.append(_ACT[config.activation]())
        fan_in = config.width
    layers.append(nn.Linear(fan_in, n_classes))
    model = nn.Sequential(*layers)
    init_weights(model, config.init, config.activation)
    return model


def init_weights(model: nn.Module, scheme: str, activation: str = "relu") -> None:
    """Apply ``scheme`` to every Linear weight (biases start at 0, as in both papers)."""
    for m in model.modules():
        if not isinstance(m, nn.Linear):
            continue
        nn.init.zeros_(m.bias)
        if scheme == "zeros":
            nn.init.zeros_(m.weight)
        elif scheme == "small normal":
            nn.init.normal_(m.weight, 0.0, 0.01)
        elif scheme == "large normal":
            nn.init.normal_(m.weight, 0.0, 1.0)
        elif scheme == "xavier":
            nn.init.xavier_normal_(m.weight)  # gain 1, as in Glorot & Bengio (2010)
        elif scheme == "he":
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")  # std sqrt(2 / fan_in)
        else:
            raise ValueError(f"unknown init {scheme!r}")


@lru_cache(maxsize=4)
def _images(dataset: str) -> tuple[np.ndarray, np.ndarray, float, float, str]:
    from core import data

    ds = data.load(dataset, "train")
    X = ds.X.reshape(len(ds), -1)  # a read-only view; batches are copied out of it
    return X, ds.y, float(X.mean(dtype=np.float64)), float(X.std(dtype=np.float64)), ds.provenance


def batch(config: InitConfig, n: int | None = None, offset: int = 0) -> tuple[Tensor, Tensor]:
    """A seeded batch of flattened images, standardised to mean 0 and std 1 (as the inits assume)."""
    X, y, mean, std, _ = _images(config.dataset)
    idx = np.random.default_rng(config.seed).permutation(len(X))[offset : offset + (n or config.batch_size)]
    return torch.from_numpy((X[idx] - np.float32(mean)) / np.float32(std)), torch.from_numpy(y[idx])


@dataclass(frozen=True)
class LayerStats:
    """Per-hidden-layer statistics after one forward/backward pass (index 0 = first hidden layer)."""

    config: InitConfig
    """The network and initialisation."""
    act_mean: np.ndarray
    """Mean activation (after the non-linearity) of each layer."""
    act_std: np.ndarray
    """Standard deviation of the activations of each layer."""
    saturated: np.ndarray
    """Fraction of units stuck where the gradient is ~0: |tanh| > 0.99, sigmoid < 0.01 or > 0.99, ReLU = 0."""
    hist: np.ndarray
    """(layers, bins) fraction of activations per bin."""
    bin_edges: np.ndarray
    """Edges of the histogram bins (bins + 1)."""
    grad_norm: np.ndarray
    """Frobenius norm of dLoss/dW of each hidden layer's weight matrix."""
    act_grad_std: np.ndarray
    """Standard deviation of dLoss/d(activation) of each layer (the backpropagated signal)."""
    loss: float
    """Cross-entropy of the batch."""
    provenance: str = field(default="", repr=False)
    """Which data source served the batch."""

    @property
    def signal_ratio(self) -> float:
        """act_std(last hidden layer) / act_std(first): << 1 the signal vanishes; NaN if the first is 0."""
        first = float(self.act_std[0])
        return float(self.act_std[-1]) / first if first > 0 else math.nan

    @property
    def vanishing_ratio(self) -> float:
        """grad_norm(first layer) / grad_norm(last hidden layer): << 1 vanishing, >> 1 exploding."""
        first, last = float(self.grad_norm[0]), float(self.grad_norm[-1])
        if not (math.isfinite(first) and math.isfinite(last)) or last == 0.0:
            return math.nan  # overflowed, or no gradient at all: no meaningful ratio
        return first / last


def layer_statistics(config: InitConfig, bins: int = 40) -> LayerStats:
    """Build, initialise, run one forward and backward pass on a real batch, and measure every layer."""
    config.validate()
    seed_everything(config.seed)
    X, y = batch(config)
    model = build_mlp(config, X.shape[1])
    acts: list[Tensor] = []

    def keep(_module: nn.Module, _inputs: tuple[Tensor, ...], out: Tensor) -> None:
        out.retain_grad()  # to read the backpropagated signal at this layer
        acts.append(out)

    for m in model:
        if isinstance(m, tuple(_ACT.values())):
            m.register_forward_hook(keep)
    model.train()  # batch norm uses the batch's statistics, as during training
    loss = F.cross_entropy(model(X), y)
    loss.backward()
    linears = [m for m in model if isinstance(m, nn.Linear)][:-1]
    with np.errstate(over="ignore", invalid="ignore"):  # an exploding net overflows float32: report inf
        return _summarise(config, acts, linears, loss.item(), bins)


def _summarise(
    config: InitConfig, acts: list[Tensor], linears: list[nn.Linear], loss: float, bins: int
) -> LayerStats:
    lo, hi = HIST_RANGE[config.activation]
    edges = np.linspace(lo, hi, bins + 1)
    a_mean, a_std, sat, hist, a_grad = [], [], [], [], []
    for a in acts:
        v = a.detach().reshape(-1).numpy()
        a_mean.append(v.mean())
        a_std.append(v.std())
        if config.activation == "relu":
            sat.append(float((v <= 0).mean()))
        elif config.activation == "tanh":
            sat.append(float((np.abs(v) > 0.99).mean()))
        else:
            sat.append(float(((v < 0.01) | (v > 0.99)).mean()))
        counts, _ = np.histogram(np.clip(v, lo, hi), edges)
        hist.append(counts / max(1, v.size))
        a_grad.append(float(a.grad.std()) if a.grad is not None else 0.0)
    grads = [float(m.weight.grad.norm()) if m.weight.grad is not None else 0.0 for m in linears]
    return LayerStats(
        config,
        np.array(a_mean),
        np.array(a_std),
        np.array(sat),
        np.array(hist),
        edges,
        np.array(grads),
        np.array(a_grad),
        loss,
        _images(config.dataset)[4],
    )


def diagnose(stats: LayerStats) -> str:
    """One sentence on what the statistics show (the page's verdict line)."""
    g, a = stats.grad_norm, stats.act_std
    if not np.isfinite(g).all() or not np.isfinite(a).all() or not math.isfinite(stats.loss):
        return "Exploding: activations or gradients overflow float32 (inf/NaN); training cannot start."
    if a.max() == 0.0 and g.max() == 0.0:
        return (
            "Dead: every unit computes the same thing (all weights equal), so every gradient is identical or "
            "zero; no normalisation can break this symmetry."
        )
    ratio = stats.vanishing_ratio
    if math.isnan(ratio):
        return "Stuck: no gradient reaches the last hidden layer (its units are all dead or saturated)."
    if ratio < 1e-3:
        return (
            f"Vanishing gradients: the first layer gets {ratio:.1e} times the gradient of the last one; "
            "the early layers barely learn."
        )
    shrink = a[0] / max(a[-1], 1e-30)
    if shrink > 100:
        # 100x is where 100 SGD steps stop learning in the measured runs (Xavier + ReLU: 40x at depth 14
        # reaches 53% validation accuracy, 400x at depth 20 reaches 16%, He + ReLU at depth 20 70%).
        return (
            f"Vanishing signal: the activation std shrinks {shrink:.1e}x through the net, and the gradients "
            "shrink with it; 100 SGD steps barely move the early layers."
        )
    saturated = stats.saturated.mean() > 0.5 and stats.config.activation != "relu"
    if ratio > 1e3:
        if saturated:
            return (
                f"Saturated and exploding: {stats.saturated.mean():.0%} of the units sit at the flat "
                f"tails of the activation, and through the rest the first layer gets {ratio:.1e} times "
                "the gradient of the last one; training cannot make progress."
            )
        return f"Exploding gradients: the first layer gets {ratio:.1e} times the gradient of the last one."
    if saturated:
        return (
            f"Saturated: {stats.saturated.mean():.0%} of the units sit in the flat tails of the activation."
        )
    if shrink > 10:
        return (
            f"Shrinking signal: the activation std falls {shrink:.2g}x through the net; it still learns, "
            "but more slowly than with an initialisation that keeps the scale."
        )
    spread = a.max() / max(a.min(), 1e-30)
    return (
        f"Healthy: gradient ratio first/last layer {ratio:.2g}, activation scale kept within {spread:.2g}x."
    )


def label(config: InitConfig) -> str:
    """e.g. 'xavier · tanh · BN · depth 20'."""
    return f"{config.init} · {config.activation}{' · BN' if config.batch_norm else ''} · depth {config.depth}"


@dataclass(frozen=True)
class ShortRun:
    """A short training run of the deep plain net."""

    config: InitConfig
    """The network trained."""
    fit: FitResult
    """The fit loop's result (history per 5 steps: train loss/accuracy, validation loss/accuracy)."""
    val_accuracy: float
    """Accuracy on held-out images of the train split at the end (chance is 0.10)."""
    lr: float = 0.01
    """SGD learning rate used."""


def train_short(
    config: InitConfig,
    steps: int = 100,
    lr: float = 0.01,
    job: Job | None = None,
    callbacks: Sequence[Callback] = (),
) -> ShortRun:
    """About ``steps`` steps of SGD with momentum 0.9 on 640 images (batch 128, 20 epochs of 5 steps).

    Plain SGD on purpose: Adam rescales every gradient and would hide much of the vanishing-gradient
    effect the page is about. Validation uses 1,000 other images of the train split."""
    config.validate()
    seed_everything(config.seed)
    bs, per_epoch = 128, 5
    Xtr, ytr = batch(config, bs * per_epoch, offset=0)
    Xva, yva = batch(config, 1000, offset=bs * per_epoch)
    model = build_mlp(config, Xtr.shape[1])
    opt = make_optimizer("momentum", model.parameters(), lr, kernel="single")  # heavy ball, mu 0.9
    cbs = [*callbacks] + ([job.callback()] if job is not None else [])
    result = fit(
        model,
        F.cross_entropy,
        opt,
        (Xtr, ytr),
        (Xva, yva),
        FitConfig(epochs=max(1, steps // per_epoch), batch_size=bs, seed=config.seed, time_budget_s=60),
        cbs,
        {"accuracy": accuracy},
        should_stop=job.should_stop if job is not None else None,
    )
    return ShortRun(config, result, result.final("val_accuracy"), lr)


HEALTHY_MIN_ACCURACY = 0.5
"""Validation accuracy after the short run above which we call a setting learning (chance is 0.10;
the textbook pairings at depth 20 reach 0.70-0.76, the broken ones 0.10-0.16)."""


def check_verdict(verdict: str, run: ShortRun) -> tuple[bool, str]:
    """Does the measured short run agree with the verdict read from one forward/backward pass?"""
    acc = run.val_accuracy
    learned = math.isfinite(acc) and acc >= HEALTHY_MIN_ACCURACY
    healthy = verdict.startswith("Healthy")
    if healthy == learned:
        what = "learns" if learned else "does not learn"
        return True, f"The run agrees: {acc:.0%} validation accuracy after {run.fit.steps} steps; it {what}."
    if healthy:
        return False, (
            f"The run disagrees: the statistics look healthy, but only {acc:.0%} validation accuracy after "
            f"{run.fit.steps} steps (below {HEALTHY_MIN_ACCURACY:.0%}); try a smaller depth or another "
            "learning rate."
        )
    return False, (
        f"The run learns anyway: {acc:.0%} validation accuracy after {run.fit.steps} steps, despite the "
        "warning; the problem slows training rather than stopping it at this learning rate."
    )


def reference_configs(base: InitConfig) -> list[InitConfig]:
    """Settings to compare with at the same depth and width: the textbook pairings, and BN toggled."""
    refs = [
        replace(base, init="he", activation="relu", batch_norm=False),
        replace(base, init="xavier", activation="tanh", batch_norm=False),
        replace(base, batch_norm=not base.batch_norm),
    ]
    return [c for i, c in enumerate(refs) if c != base and c not in refs[:i]]


# The figures live beside this module (kept under 400 lines); re-exported for pages and tests.
from core.cnn.initialisation_figures import VANISHED, histogram_figure, stats_figure  # noqa: E402, F401
