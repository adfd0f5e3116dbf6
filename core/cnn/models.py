"""The homework CNN of lecture 3: configurable conv blocks, trained on Fashion-MNIST or MNIST, inspected.

One :class:`CNNConfig` describes a run (architecture and training); :func:`validate` rejects absurd
combinations *before* anything trains, by following the feature-map size through every layer with the
output-size formula ``floor((n + 2p - d(k-1) - 1) / s) + 1`` (Dumoulin & Visin 2016, "A guide to
convolution arithmetic"). :func:`train_cnn` trains through the gallery's one fit loop
(:func:`core.training.fit`) and records a fine-grained history (a few dozen points per epoch) so a single
epoch still draws a curve. Evaluation helpers give the confusion matrix, the most confident mistakes,
the learned first-layer filters and the feature maps of one image; :func:`classify_image` turns a drawing
or an upload into an MNIST-style 28x28 input. The two shipped checkpoints (``cnn-fashion-mnist``,
``cnn-mnist``) are registered at the bottom; ``python -m core.train cnn-fashion-mnist cnn-mnist`` rebuilds
them.

Block layout: conv -> [batch norm] -> ReLU -> [2x2 pooling], as in VGG (Simonyan & Zisserman 2015), with
batch norm placed before the non-linearity as Ioffe & Szegedy (2015) propose. Filters double per block
(the usual trade of resolution for channels); a dropout layer (Srivastava et al. 2014) sits before the
linear classifier.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import plotly.graph_objects as go
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core import training
from core.cnn.conv import conv_output_size
from core.jobs import Job
from core.metrics import confusion_matrix  # noqa: F401
from core.registry import TrainContext, register_builder, register_checkpoint
from core.training import OPTIMIZERS, Callback, FitConfig, FitResult, accuracy, evaluate, fit, seed_everything
from core.viz.style import base_layout

DATASETS = ("fashion-mnist", "mnist", "digits")
IMAGE_SIZES = {"fashion-mnist": 28, "mnist": 28, "digits": 8}
POOLINGS = ("max", "avg", "none")
PADDINGS = ("same", "valid")
SCHEDULES = ("constant", "cosine")
MAX_PARAMS = 2_000_000  # float32 weights of a shipped file must stay well under 10 MB
PAGE_MAX_IMAGES = 300_000  # epochs x training images a page may ask for (~2.5 min at 2,000 images/s)
PAGE_TIME_BUDGET_S = 120.0
BUILDER = "cnn"


@dataclass(frozen=True)
class CNNConfig:
    """One CNN run: the architecture (read by :func:`build_cnn`) and the training (:func:`train_cnn`)."""

    dataset: str = "fashion-mnist"
    """'fashion-mnist' (60k/10k), 'mnist' (offline: a 4,000/1,000 subset) or 'digits' (8x8, for tests)."""
    blocks: int = 2
    """Number of conv blocks (conv -> BN -> ReLU -> pool)."""
    filters: int = 32
    """Filters of the first block; each further block doubles them."""
    kernel_size: int = 3
    """Side of the square convolution kernels."""
    stride: int = 1
    """Stride of the convolutions."""
    padding: str | int = "same"
    """'same' (k//2, odd k), 'valid' (0) or an explicit number of zero pixels on each side."""
    pooling: str = "max"
    """'max', 'avg' (2x2, stride 2) or 'none'."""
    batch_norm: bool = True
    """Batch normalisation after each convolution (Ioffe & Szegedy 2015)."""
    dropout: float = 0.0
    """Dropout probability before the classifier (Srivastava et al. 2014)."""
    optimizer: str = "adam"
    """'sgd', 'momentum' (SGD with 0.9 momentum), 'rmsprop' or 'adam'."""
    lr: float = 1e-3
    """Learning rate."""
    lr_schedule: str = "constant"
    """'constant', or 'cosine' decay to zero over the run (Loshchilov & Hutter 2017, without restarts)."""
    weight_decay: float = 0.0
    """L2 penalty added by the optimiser."""
    epochs: int = 1
    """Passes over the training images."""
    train_size: int = 10_000
    """Training images drawn (seeded) from the train split; capped at what the split holds."""
    val_size: int = 1_000
    """Images of the train split held out for the validation curve (never the test split); 0 for none."""
    batch_size: int = 128
    """Mini-batch size."""
    seed: int = 0
    """Seed of the data subset, the initialisation and the batch order."""
    time_budget_s: float | None = PAGE_TIME_BUDGET_S
    """Stop at this wall time (the page's bound); ``None`` for checkpoint training."""

    @property
    def image_size(self) -> int:
        return IMAGE_SIZES.get(self.dataset, 28)

    @property
    def padding_px(self) -> int:
        if self.padding == "same":
            return (self.kernel_size - 1) // 2
        if self.padding == "valid":
            return 0
        return int(self.padding)

    def channels(self) -> list[int]:
        return [self.filters * 2**i for i in range(self.blocks)]


@dataclass(frozen=True)
class LayerShape:
    """Shape of the feature map after one layer, for the architecture table."""

    name: str
    """e.g. 'block 1 · conv 3x3/1'."""
    channels: int
    """Channels of the output."""
    size: int
    """Side of the (square) output map."""


def layer_shapes(config: CNNConfig) -> list[LayerShape]:
    """The feature-map size after each conv and pooling layer, without building the model.

    Raises ValueError naming the layer where the map would vanish (side < 1) or where the kernel no
    longer fits inside the padded map."""
    n, p, k, s = config.image_size, config.padding_px, config.kernel_size, config.stride
    shapes: list[LayerShape] = []
    trail = [f"input {n}x{n}"]
    for b, ch in enumerate(config.channels(), start=1):
        if k > n + 2 * p:
            raise ValueError(
                f"block {b}: the {k}x{k} kernel does not fit the {n}x{n} map (padding {p}); "
                f"sizes so far: {' -> '.join(trail)}. Use fewer blocks, a smaller kernel, more padding, "
                "stride 1 or no pooling."
            )
        n = conv_output_size(n, k, s, p)
        trail.append(f"conv {n}x{n}")
        shapes.append(LayerShape(f"block {b} · conv {k}x{k}/{s}", ch, n))
        if config.pooling != "none":
            if n < 2:
                raise ValueError(
                    f"block {b}: 2x2 pooling would shrink the {n}x{n} map below 1x1 "
                    f"({' -> '.join(trail)}). Use fewer blocks, stride 1, 'same' padding or no pooling."
                )
            n = conv_output_size(n, 2, 2)
            trail.append(f"pool {n}x{n}")
            shapes.append(LayerShape(f"block {b} · {config.pooling}-pool 2x2", ch, n))
    return shapes


def param_count(config: CNNConfig) -> int:
    """Trainable parameters of :func:`build_cnn` (computed from the config, no model built)."""
    total, c_in = 0, 1
    for ch in config.channels():
        total += c_in * ch * config.kernel_size**2 + (
            2 * ch if config.batch_norm else ch
        )  # BN: bias moves to BN
        c_in = ch
    last = layer_shapes(config)[-1]
    return total + last.channels * last.size**2 * 10 + 10


def validate(config: CNNConfig, max_images: int | None = None) -> list[LayerShape]:
    """Check every field and the geometry; returns the layer shapes or raises a ValueError that says why."""
    c = config
    checks = [
        (c.dataset in DATASETS, f"unknown data set {c.dataset!r}; choose one of {', '.join(DATASETS)}"),
        (1 <= c.blocks <= 5, f"blocks must be 1..5, not {c.blocks}"),
        (1 <= c.filters <= 256, f"filters must be 1..256, not {c.filters}"),
        (1 <= c.kernel_size <= 11, f"kernel size must be 1..11, not {c.kernel_size}"),
        (1 <= c.stride <= 4, f"stride must be 1..4, not {c.stride}"),
        (
            c.padding in PADDINGS or (isinstance(c.padding, int) and 0 <= c.padding <= 5),
            f"padding must be 'same', 'valid' or 0..5, not {c.padding!r}",
        ),
        (
            not (c.padding == "same" and c.kernel_size % 2 == 0),
            f"'same' padding needs an odd kernel size (got {c.kernel_size}): pick 'valid' or a number",
        ),
        (c.pooling in POOLINGS, f"pooling must be one of {POOLINGS}, not {c.pooling!r}"),
        (0.0 <= c.dropout <= 0.9, f"dropout must be in [0, 0.9], not {c.dropout}"),
        (c.optimizer in OPTIMIZERS, f"optimiser must be one of {OPTIMIZERS}, not {c.optimizer!r}"),
        (0.0 < c.lr <= 10.0, f"learning rate must be in (0, 10], not {c.lr}"),
        (c.lr_schedule in SCHEDULES, f"schedule must be one of {SCHEDULES}, not {c.lr_schedule!r}"),
        (0.0 <= c.weight_decay <= 1.0, f"weight decay must be in [0, 1], not {c.weight_decay}"),
        (1 <= c.epochs <= 200, f"epochs must be 1..200, not {c.epochs}"),
        (16 <= c.train_size <= 60_000, f"training-set size must be 16..60,000, not {c.train_size}"),
        (0 <= c.val_size <= 10_000, f"validation size must be 0..10,000, not {c.val_size}"),
        (1 <= c.batch_size <= 4096, f"batch size must be 1..4096, not {c.batch_size}"),
        (c.time_budget_s is None or c.time_budget_s > 0, "the time budget must be positive"),
    ]
    for ok, message in checks:
        if not ok:
            raise ValueError(message)
    if max_images is not None and c.epochs * c.train_size > max_images:
        raise ValueError(
            f"{c.epochs} epochs x {c.train_size:,} images = {c.epochs * c.train_size:,} images is more than "
            f"this server trains per run ({max_images:,}); use fewer epochs or a smaller training set"
        )
    shapes = layer_shapes(c)
    if (n := param_count(c)) > MAX_PARAMS:
        raise ValueError(
            f"the model would have {n:,} parameters (limit {MAX_PARAMS:,}); use fewer filters or blocks, "
            "or pooling / stride to shrink the map before the classifier"
        )
    return shapes


# --------------------------------------------------------------------------------------------------
# The model


class ConvNet(nn.Module):
    """``features`` (conv blocks) then ``classifier`` (flatten, dropout, linear); keeps its config."""

    def __init__(self, config: CNNConfig) -> None:
        super().__init__()
        shapes = validate(config)
        self.config = config
        blocks: list[nn.Module] = []
        c_in = 1
        for ch in config.channels():
            layers: list[nn.Module] = [
                # With batch norm right after, a conv bias is redundant (BN subtracts the mean anyway).
                nn.Conv2d(
                    c_in, ch, config.kernel_size, config.stride, config.padding_px, bias=not config.batch_norm
                )
            ]
            if config.batch_norm:
                layers.append(nn.BatchNorm2d(ch))
            layers.append(nn.ReLU(inplace=True))
            if config.pooling == "max":
                layers.append(nn.MaxPool2d(2))
            elif config.pooling == "avg":
                layers.append(nn.AvgPool2d(2))
            blocks.append(nn.Sequential(*layers))
            c_in = ch
        self.features = nn.Sequential(*blocks)
        last = shapes[-1]
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(config.dropout), nn.Linear(last.channels * last.size**2, 10)
        )
        # Channels-last (NHWC) lets oneDNN run conv, batch norm and pooling without layout reorders: about
        # 1.5x faster training on CPU here (bench/bench_cnn.py). Values and state-dict keys are unchanged.
        self.to(memory_format=torch.channels_last)

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x.contiguous(memory_format=torch.channels_last)))


@register_builder(BUILDER)
def build_cnn(**config: Any) -> ConvNet:
    """The checkpoint builder (registered as ``'cnn'``): a :class:`ConvNet` from CNNConfig fields."""
    return ConvNet(CNNConfig(**config))


def describe(config: CNNConfig) -> str:
    """One line, e.g. 'CNN 2x[conv3x3 32-64, BN, ReLU, max-pool] -> linear (60,010 params)'."""
    parts = [
        f"conv{config.kernel_size}x{config.kernel_size}" + (f"/{config.stride}" if config.stride > 1 else "")
    ]
    parts.append("-".join(map(str, config.channels())))
    if config.batch_norm:
        parts.append("BN")
    parts.append("ReLU")
    if config.pooling != "none":
        parts.append(f"{config.pooling}-pool")
    drop = f", dropout {config.dropout:g}" if config.dropout else ""
    return f"CNN {config.blocks}x[{', '.join(parts)}] -> linear{drop} ({param_count(config):,} params)"


DATASET_TITLES = {"fashion-mnist": "Fashion-MNIST", "mnist": "MNIST", "digits": "scikit-learn digits"}


def shape_trail(config: CNNConfig) -> str:
    """The feature maps from input to classes, e.g. '1@28x28 → 32@28x28 → ... → 10 classes'."""
    n = config.image_size
    maps = [f"{s.channels}@{s.size}x{s.size}" for s in layer_shapes(config)]
    return " → ".join([f"1@{n}x{n}", *maps, "10 classes"])


def plan_summary(config: CNNConfig, images_per_s: float) -> str:
    """What a run will do and roughly how long it takes at ``images_per_s``."""
    images = config.epochs * config.train_size
    budget = f"; stops at {config.time_budget_s:.0f} s" if config.time_budget_s else ""
    return (
        f"{DATASET_TITLES[config.dataset]}: {config.epochs} x {config.train_size:,} training images, "
        f"{config.optimizer} with learning rate {config.lr:g}, batch {config.batch_size}, "
        f"seed {config.seed} · "
        f"≈ {max(1, round(images / images_per_s))} s at {images_per_s:,.0f} images/s{budget}."
    )


def make_optimizer(config: CNNConfig, params: Any) -> torch.optim.Optimizer:
    """The configured optimiser (``core.training.make_optimizer``), L2 as ``weight_decay``."""
    return training.make_optimizer(config.optimizer, params, config.lr, config.weight_decay)


# --------------------------------------------------------------------------------------------------
# Training


@dataclass(frozen=True)
class CNNRun:
    """A finished :func:`train_cnn` run: the model, what happened, and its test-set predictions."""

    config: CNNConfig
    """The settings of the run."""
    model: ConvNet
    """The trained model, in eval mode."""
    fit: FitResult
    """The fit loop's result; its ``history`` is the fine-grained one (fractional ``epoch`` column)."""
    epoch_history: dict[str, list[float]]
    """The fit loop's own per-epoch history."""
    n_train: int
    """Training images actually used."""
    n_val: int
    """Validation images (from the train split)."""
    provenance: str
    """Where the training images came from."""
    test_provenance: str
    """Where the test images came from."""
    classes: tuple[str, ...]
    """Class names."""
    test_X: np.ndarray = field(repr=False)
    """Test images (N, 1, H, W)."""
    test_y: np.ndarray = field(repr=False)
    """Test labels."""
    test_probs: np.ndarray = field(repr=False)
    """Softmax outputs on the test images (N, 10)."""
    images_per_s: float = 0.0
    """Training throughput of the run (images / second of fit time)."""
    sources: tuple[str, str] = ("", "")
    """Short ids of the sources that served the train and the test split ('system', 'package', ...)."""

    @property
    def test_accuracy(self) -> float:
        return float((self.test_probs.argmax(1) == self.test_y).mean()) if len(self.test_y) else math.nan

    @property
    def test_pred(self) -> np.ndarray:
        return self.test_probs.argmax(1)


def run_summary(run: CNNRun) -> dict[str, Any]:
    """One row of the page's run history (plus the fine-grained ``history`` for the overlay chart)."""
    cfg = run.config
    return {
        "data": cfg.dataset, "model": describe(cfg), "optimiser": f"{cfg.optimizer} {cfg.lr:g}",
        "epochs": run.fit.epochs_run, "train images": run.n_train,
        "test accuracy": round(run.test_accuracy, 4),
        "seconds": round(run.fit.seconds, 1), "images/s": round(run.images_per_s), "status": run.fit.status,
        "history": run.fit.history,
    }  # fmt: skip


class _LiveRecorder(Callback):
    """Fine-grained curves, progress, stop requests and sparse filter snapshots for a job.

    The fit loop logs once per epoch, and a page run is often a single epoch: so the loss function is
    wrapped to remember each training batch's loss and accuracy, and every ``1/points_per_epoch`` of an
    epoch one row (fractional epoch, running train loss/accuracy, and now and then the loss and accuracy
    on a validation subset) is appended to the job's history. Own rows instead of ``job.callback()``:
    mixing both would put two x-grids into one history.
    """

    def __init__(
        self,
        job: Job | None,
        val: tuple[Tensor, Tensor] | None,
        points_per_epoch: int = 20,
        val_every: int = 4,
        snapshot_s: float = 3.0,
    ) -> None:
        self.job, self.val = job, val
        self.points_per_epoch, self.val_every, self.snapshot_s = points_per_epoch, val_every, snapshot_s
        self.model: nn.Module | None = None
        self.history: dict[str, list[float]] = {
            k: [] for k in ("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy")
        }
        self._loss_sum = self._acc_sum = 0.0
        self._count = self._rows = 0
        self._epochs, self._every, self._last_snapshot = 1, 1, 0.0

    def loss(self, out: Tensor, target: Tensor) -> Tensor:
        loss = F.cross_entropy(out, target)
        if torch.is_grad_enabled():  # a training step (evaluate() runs under no_grad)
            self._loss_sum += float(loss.detach())
            self._acc_sum += float(accuracy(out.detach(), target))
            self._count += 1
        return loss

    def on_train_begin(self, epochs: int, steps_per_epoch: int) -> None:
        self._epochs = epochs
        self._every = max(1, round(steps_per_epoch / self.points_per_epoch))

    def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
        if step % self._every == 0 or step == steps_per_epoch:
            self._row(epoch - 1 + step / steps_per_epoch)
        return self.job is None or not self.job.should_stop()

    def _row(self, x: float) -> None:
        row = {
            "epoch": x,
            "train_loss": self._loss_sum / max(1, self._count),
            "train_accuracy": self._acc_sum / max(1, self._count),
            "val_loss": math.nan,
            "val_accuracy": math.nan,
        }
        self._loss_sum = self._acc_sum = 0.0
        self._count = 0
        if (
            self.val is not None
            and self.model is not None
            and (self._rows % self.val_every == 0 or x >= self._epochs)
        ):
            vals = evaluate(self.model, F.cross_entropy, *self.val, {"accuracy": accuracy})
            row["val_loss"], row["val_accuracy"] = vals["loss"], vals["accuracy"]
        self._rows += 1
        for k, v in row.items():
            self.history[k].append(v)
        if self.job is not None:
            shown = ", ".join(
                f"{k.replace('_', ' ')} {v:.3f}" for k, v in row.items() if k != "epoch" and math.isfinite(v)
            )
            self.job.report(
                progress=x / self._epochs, message=f"epoch {x:.2f}/{self._epochs}: {shown}", **row
            )
            now = time.perf_counter()
            # Snapshots are copies handed across threads: a few per minute are enough for a live view.
            if self.model is not None and now - self._last_snapshot > self.snapshot_s:
                self._last_snapshot = now
                self.job.publish("filters", first_layer_filters(self.model))


class _CosineLR(Callback):
    """Per-step cosine decay of the learning rate to 0 (SGDR without restarts; Loshchilov & Hutter 2017)."""

    def __init__(self, optimizer: torch.optim.Optimizer) -> None:
        self.optimizer = optimizer
        self.base = [g["lr"] for g in optimizer.param_groups]
        self.total = 1

    def on_train_begin(self, epochs: int, steps_per_epoch: int) -> None:
        self.total = max(1, epochs * steps_per_epoch)

    def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
        t = min(1.0, ((epoch - 1) * steps_per_epoch + step) / self.total)
        for g, lr in zip(self.optimizer.param_groups, self.base):
            g["lr"] = 0.5 * lr * (1 + math.cos(math.pi * t))
        return True


def _split(config: CNNConfig, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded, disjoint validation and training indices into a train split of ``n`` images."""
    order = np.random.default_rng(config.seed).permutation(n)
    n_val = min(config.val_size, n // 5)  # never starve training to fill the validation set
    return order[n_val : n_val + config.train_size], order[:n_val]


def _tensor(a: np.ndarray) -> Tensor:
    a = np.asarray(a, dtype=np.float32)
    if not (a.flags.writeable and a.flags.c_contiguous):  # core.data hands out read-only arrays
        a = np.array(a, order="C")
    return torch.from_numpy(a)


@torch.no_grad()
def predict_proba(model: nn.Module, X: np.ndarray | Tensor, batch_size: int = 1000) -> np.ndarray:
    """Softmax outputs (N, classes) of ``model`` in eval mode, in batches."""
    model.eval()
    Xt = X if isinstance(X, Tensor) else _tensor(X)
    outs = [F.softmax(model(Xt[i : i + batch_size]), dim=1) for i in range(0, len(Xt), batch_size)]
    return torch.cat(outs).numpy() if outs else np.zeros((0, 10), np.float32)


def train_cnn(
    config: CNNConfig,
    job: Job | None = None,
    callbacks: Sequence[Callback] = (),
    *,
    max_images: int | None = None,
    test_limit: int | None = None,
) -> CNNRun:
    """Train a :class:`ConvNet` on the configured data set and predict the test split.

    ``job`` (from the page's training panel) receives live rows, filter snapshots and stop requests;
    ``max_images`` caps epochs x training images (the page's bound); ``test_limit`` predicts only the
    first test images (smoke tests)."""
    from core import data

    validate(config, max_images)
    train_ds, test_ds = data.load(config.dataset, "train"), data.load(config.dataset, "test")
    tr_idx, va_idx = _split(config, len(train_ds))
    Xtr, ytr = _tensor(train_ds.X[tr_idx]), torch.from_numpy(train_ds.y[tr_idx])
    val = (_tensor(train_ds.X[va_idx]), torch.from_numpy(train_ds.y[va_idx])) if len(va_idx) else None

    seed_everything(config.seed)
    model = ConvNet(config)
    optimizer = make_optimizer(config, model.parameters())
    # The live curve scores a 500-image slice 5 times per epoch (~10% of an epoch's compute at 10,000
    # images); the fit loop scores all of the validation images at each epoch's end.
    recorder = _LiveRecorder(job, None if val is None else (val[0][:500], val[1][:500]))
    recorder.model = model
    cbs: list[Callback] = [recorder, *callbacks]
    if config.lr_schedule == "cosine":
        cbs.insert(0, _CosineLR(optimizer))
    fit_cfg = FitConfig(
        epochs=config.epochs,
        batch_size=config.batch_size,
        time_budget_s=config.time_budget_s,
        seed=config.seed,
        eval_every=1,
    )
    result = fit(
        model,
        recorder.loss,
        optimizer,
        (Xtr, ytr),
        val,
        fit_cfg,
        cbs,
        {"accuracy": accuracy},
        should_stop=job.should_stop if job is not None else None,
    )
    full_steps = result.epochs_run * math.ceil(len(Xtr) / min(config.batch_size, len(Xtr)))
    seen = result.epochs_run * len(Xtr) + max(0, result.steps - full_steps) * config.batch_size
    images_per_s = seen / max(result.seconds, 1e-9)
    n_test = len(test_ds) if test_limit is None else min(test_limit, len(test_ds))
    probs = (
        predict_proba(model, test_ds.X[:n_test])
        if not result.diverged
        else np.full((n_test, 10), 0.1, np.float32)
    )
    fine = replace(result, history=recorder.history if recorder.history["epoch"] else result.history)
    return CNNRun(
        config=config,
        model=model.eval(),
        fit=fine,
        epoch_history=result.history,
        n_train=len(Xtr),
        n_val=0 if val is None else len(val[0]),
        provenance=train_ds.provenance,
        test_provenance=test_ds.provenance,
        classes=train_ds.classes,
        test_X=np.asarray(test_ds.X[:n_test]),
        test_y=np.asarray(test_ds.y[:n_test]),
        test_probs=probs,
        images_per_s=float(min(images_per_s, 1e9)),
        sources=(train_ds.source, test_ds.source),
    )


# --------------------------------------------------------------------------------------------------
# What the model learned


@dataclass(frozen=True)
class Mistake:
    """One misclassified test image."""

    index: int
    """Index into the test split."""
    true: int
    """True class."""
    pred: int
    """Predicted class."""
    confidence: float
    """Softmax probability of the (wrong) prediction."""


def worst_mistakes(probs: np.ndarray, y: np.ndarray, k: int = 12) -> list[Mistake]:
    """The ``k`` wrong predictions the model was most sure of (the most instructive ones to look at)."""
    pred = probs.argmax(1)
    wrong = np.flatnonzero(pred != y)
    conf = probs[wrong, pred[wrong]]
    order = wrong[np.argsort(-conf, kind="stable")][:k]
    return [Mistake(int(i), int(y[i]), int(pred[i]), float(probs[i, pred[i]])) for i in order]


def first_layer_filters(model: ConvNet) -> np.ndarray:
    """The first conv layer's kernels, (filters, k, k) (single input channel)."""
    conv = model.features[0][0]
    return conv.weight.detach()[:, 0].clone().numpy()


@dataclass(frozen=True)
class FeatureMap:
    """The activations of one layer for one image."""

    name: str
    """Layer, e.g. 'block 1 · ReLU'."""
    maps: np.ndarray
    """(channels, h, w) activations."""


@torch.no_grad()
def feature_maps(model: ConvNet, image: np.ndarray) -> list[FeatureMap]:
    """Activations after every layer of every conv block for one image ((H, W) or (1, H, W))."""
    x = _tensor(np.asarray(image)).reshape(1, 1, *np.asarray(image).shape[-2:])
    model.eval()
    out: list[FeatureMap] = []
    for b, block in enumerate(model.features, start=1):
        for layer in block:
            x = layer(x)
            name = {
                nn.Conv2d: "conv",
                nn.BatchNorm2d: "batch norm",
                nn.ReLU: "ReLU",
                nn.MaxPool2d: "max-pool",
                nn.AvgPool2d: "avg-pool",
            }.get(type(layer), type(layer).__name__)
            out.append(FeatureMap(f"block {b} · {name}", x[0].clone().numpy()))
    return out


# --------------------------------------------------------------------------------------------------
# Figures (plotly: both front ends use them)


def confusion_figure(cm: np.ndarray, classes: Sequence[str], normalise: bool = True) -> go.Figure:
    """Heatmap of the confusion matrix (rows: true class; optionally normalised per row)."""
    z = cm / np.maximum(cm.sum(1, keepdims=True), 1) if normalise else cm
    text = [[f"{v:.0%}" if normalise else str(v) for v in row] for row in z.tolist()]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(classes),
            y=list(classes),
            colorscale="Blues",
            text=text,
            texttemplate="%{text}",
            hovertemplate="true %{y}<br>predicted %{x}<br>%{text}<extra></extra>",
            showscale=False,
        )
    )
    base_layout(fig, "Confusion matrix (rows: true class)", height=520)
    fig.update_yaxes(autorange="reversed", title="true")
    fig.update_xaxes(title="predicted", tickangle=-40)
    return fig


def tile(
    images: np.ndarray, cols: int, pad: int = 1, pad_y: int | None = None, diverging: bool = False
) -> np.ndarray:
    """(N, h, w) images as one array of ``cols`` columns, NaN between tiles; each tile scaled on its own
    to [0, 1], or to [-1, 1] around 0 when ``diverging`` (so weak and strong channels are both visible)."""
    images = np.asarray(images, dtype=np.float32)
    n, h, w = images.shape
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    pad_y = pad if pad_y is None else pad_y
    grid = np.full((rows * (h + pad_y) - pad_y, cols * (w + pad) - pad), np.nan, np.float32)
    for i, img in enumerate(images):
        if diverging:
            img = img / (float(np.abs(img).max()) or 1.0)
        else:
            lo, hi = float(img.min()), float(img.max())
            img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
        r, c = divmod(i, cols)
        grid[r * (h + pad_y) : r * (h + pad_y) + h, c * (w + pad) : c * (w + pad) + w] = img
    return grid


def filters_image(filters: np.ndarray, cols: int = 16, px: int = 12) -> np.ndarray:
    """First-layer kernels as one small RGB picture (red positive, blue negative, white gaps), each kernel
    pixel ``px`` screen pixels wide: far cheaper than a plotly figure to send 2-5 times a second."""
    grid = tile(filters, cols, pad=1, diverging=True)
    gap = np.isnan(grid)
    v = np.nan_to_num(grid)[..., None]
    red, white, blue = np.array([178, 24, 43.0]), np.array([247, 247, 247.0]), np.array([33, 102, 172.0])
    rgb = np.where(v >= 0, white + v * (red - white), white - v * (blue - white))
    rgb[gap] = 255.0
    return np.repeat(np.repeat(rgb.astype(np.uint8), px, axis=0), px, axis=1)


def image_grid(
    images: np.ndarray,
    titles: Sequence[str] | None = None,
    cols: int = 8,
    title: str = "",
    diverging: bool = False,
    tile_px: int = 90,
) -> go.Figure:
    """Small multiples of (N, h, w) images in ONE heatmap (a subplot per image costs ~200 ms to build,
    too slow for a live view); ``diverging`` uses a red-blue scale centred at 0 (for filters)."""
    images = np.asarray(images)
    n, h, w = images.shape
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    pad = max(1, w // 8)
    pad_y = max(pad, round(0.45 * h)) if titles else pad  # room for a title line above each tile
    grid = tile(images, cols, pad, pad_y, diverging)
    if titles:
        grid = np.vstack([np.full((pad_y, grid.shape[1]), np.nan, np.float32), grid])
    scale = (
        dict(colorscale="RdBu", zmid=0.0, zmin=-1, zmax=1)
        if diverging
        else dict(colorscale="gray", zmin=0, zmax=1)
    )
    hover = "%{z:.2f}<extra></extra>"
    fig = go.Figure(go.Heatmap(z=grid, showscale=False, hoverongaps=False, hovertemplate=hover, **scale))
    for i, text in enumerate(titles or ()):
        r, c = divmod(i, cols)
        fig.add_annotation(x=c * (w + pad) + (w - 1) / 2, y=(r + 1) * (h + pad_y) - h - 1, text=text,
                           showarrow=False, yanchor="bottom", font=dict(size=11))  # fmt: skip
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", constrain="domain")
    return base_layout(
        fig, title, height=int(rows * tile_px * (1.4 if titles else 1.0)) + (60 if title else 20)
    )


def mistakes_figure(run: CNNRun, k: int = 12, cols: int = 6) -> go.Figure:
    """The most confident mistakes with their images: 'true → predicted (confidence)'."""
    mistakes = worst_mistakes(run.test_probs, run.test_y, k)
    if not mistakes:
        return base_layout(go.Figure(), "No mistakes on the test images")
    images = np.stack([run.test_X[m.index, 0] for m in mistakes])
    titles = [f"{run.classes[m.true]}→{run.classes[m.pred]} {m.confidence:.0%}" for m in mistakes]
    return image_grid(
        images, titles, cols=cols, title="Most confident mistakes (true → predicted)", tile_px=120
    )


def filters_figure(model: ConvNet) -> go.Figure:
    """The learned first-layer kernels (red positive, blue negative)."""
    w = first_layer_filters(model)
    return image_grid(
        w, cols=min(16, len(w)), diverging=True, title=f"First-layer filters ({len(w)})", tile_px=60
    )


def feature_map_figure(fm: FeatureMap, max_channels: int = 32) -> go.Figure:
    """Up to ``max_channels`` channels of one layer's activations."""
    maps = fm.maps[:max_channels]
    return image_grid(
        maps, cols=min(8, len(maps)), title=f"{fm.name}: {len(maps)} of {len(fm.maps)} channels", tile_px=80
    )


# --------------------------------------------------------------------------------------------------
# Classifying a drawing or an upload


@dataclass(frozen=True)
class Classification:
    """The model's answer for one user image."""

    probs: np.ndarray
    """Softmax over the classes."""
    classes: tuple[str, ...]
    """Class names."""
    image: np.ndarray = field(repr=False)
    """The preprocessed input the model saw, (H, W) in [0, 1], white on black."""

    def top(self, k: int = 5) -> list[tuple[str, float]]:
        order = np.argsort(-self.probs, kind="stable")[:k]
        return [(self.classes[i], float(self.probs[i])) for i in order]


def _to_gray(image: np.ndarray) -> np.ndarray:
    """An array from PIL / Gradio / Streamlit as float gray in [0, 1]; transparency composited on white."""
    a = np.asarray(image)
    if a.size == 0:
        raise ValueError("the image is empty")
    if a.dtype == bool:
        a = a.astype(np.float32)
    if not np.issubdtype(a.dtype, np.number):
        raise ValueError(f"the image has an unsupported data type ({a.dtype})")
    a = a.astype(np.float32)
    if not np.isfinite(a).all():
        raise ValueError("the image contains NaN or infinite values")
    if a.ndim == 3 and a.shape[0] in (1, 3, 4) and a.shape[-1] not in (1, 3, 4):
        a = np.moveaxis(a, 0, -1)  # channels-first
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    scale = 255.0 if a.max() > 1.0 else 1.0
    a = a / scale
    if a.ndim == 2:
        return np.clip(a, 0, 1)
    if a.ndim != 3 or a.shape[-1] not in (3, 4):
        raise ValueError(
            f"expected a gray, RGB or RGBA image, got an array of shape {np.asarray(image).shape}"
        )
    rgb = a[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R 601 luma, as PIL's convert('L')
    if a.shape[-1] == 4:
        alpha = np.clip(a[..., 3], 0, 1)
        if alpha.max() - alpha.min() > 0.05:  # a sketch on a transparent canvas
            composed = alpha * rgb + (1 - alpha)  # over white
            # White strokes on a transparent canvas vanish over white: then the alpha itself is the ink.
            return np.clip(composed if composed.max() - composed.min() > 0.05 else 1 - alpha, 0, 1)
    return np.clip(rgb, 0, 1)


MAX_UPLOAD_PIXELS = (
    40_000_000  # a 10 MB upload limit still admits decompression bombs: check the header first
)


def decode_image(data: bytes) -> np.ndarray:
    """An uploaded or drawn image file (PNG, JPEG, WebP, ...) as RGBA uint8; ValueError if unreadable."""
    import io

    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ValueError("the file is empty")
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.width * im.height > MAX_UPLOAD_PIXELS:
                raise ValueError(f"the image is too large ({im.width}x{im.height} pixels)")
            im.seek(0)  # the first frame of an animation
            return np.asarray(im.convert("RGBA"))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValueError(f"the file is not a readable image ({type(exc).__name__})") from None


def decode_data_url(url: str) -> np.ndarray:
    """A ``data:image/png;base64,...`` URL (what a browser canvas exports) as an RGBA array."""
    import base64
    import binascii

    head, _, payload = url.partition(",")
    if not (head.startswith("data:image/") and head.endswith(";base64")) or len(payload) > 14_000_000:
        raise ValueError("the drawing did not arrive as a base64 image")
    try:
        return decode_image(base64.b64decode(payload, validate=True))
    except binascii.Error:
        raise ValueError("the drawing did not arrive as valid base64") from None


def preprocess_image(image: np.ndarray, size: int = 28, style: str = "mnist") -> np.ndarray:
    """A drawing or photo as the data set's images look: white object on black, cropped, fitted, centred.

    MNIST (LeCun et al. 1998): the digit is size-normalised into a 20x20 box (aspect ratio kept) and
    centred by its centre of mass in 28x28. Fashion-MNIST (Xiao et al. 2017): the trimmed product is
    resized so that its longer side fills the 28x28 frame, centred. A light background (judged from the
    border pixels) is inverted first. Raises ValueError for empty, blank, tiny or strip-like images."""
    from PIL import Image

    g = _to_gray(image)
    h, w = g.shape
    if min(h, w) < 8:
        raise ValueError(f"the image is too small ({w}x{h} pixels); draw or upload at least 8x8")
    if max(h, w) > 20 * min(h, w):
        raise ValueError(f"the image is a thin strip ({w}x{h}); upload a roughly square picture")
    border = np.concatenate([g[0], g[-1], g[:, 0], g[:, -1]])
    if np.median(border) > 0.5:  # dark ink on paper: invert to the data sets' white-on-black
        g = 1.0 - g
    g = np.clip(g - np.median(np.concatenate([g[0], g[-1], g[:, 0], g[:, -1]])), 0, None)
    if g.max() < 0.1:
        raise ValueError("the image is blank: no strokes or object found (draw something darker or larger)")
    g = g / g.max()
    ys, xs = np.nonzero(g > 0.1)
    crop = g[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    box = round(size * 20 / 28) if style == "mnist" else size
    ch, cw = crop.shape
    scale = box / max(ch, cw)
    nh, nw = max(1, round(ch * scale)), max(1, round(cw * scale))
    small = (
        np.asarray(
            Image.fromarray((crop * 255).astype(np.uint8)).resize((nw, nh), Image.Resampling.LANCZOS),
            np.float32,
        )
        / 255.0
    )
    out = np.zeros((size, size), np.float32)
    if style == "mnist":
        # Centre of mass at the image centre, as MNIST was made; clipped so the digit stays inside.
        total = small.sum() or 1.0
        cy = (small.sum(1) * np.arange(nh)).sum() / total
        cx = (small.sum(0) * np.arange(nw)).sum() / total
        top = int(np.clip(round(size / 2 - cy - 0.5), 0, size - nh))
        left = int(np.clip(round(size / 2 - cx - 0.5), 0, size - nw))
    else:
        top, left = (size - nh) // 2, (size - nw) // 2
    out[top : top + nh, left : left + nw] = small
    return np.clip(out, 0, 1)


@torch.no_grad()
def classify_image(model: ConvNet, image: np.ndarray, classes: Sequence[str] | None = None) -> Classification:
    """Preprocess a user's drawing/upload like the training images and classify it."""
    from core import data

    cfg: CNNConfig = getattr(model, "config", CNNConfig())
    style = "fashion" if cfg.dataset == "fashion-mnist" else "mnist"
    x = preprocess_image(image, cfg.image_size, style)
    probs = F.softmax(model.eval()(_tensor(x)[None, None]), dim=1)[0].numpy()
    names = (
        tuple(classes)
        if classes is not None
        else (data.FASHION_CLASSES if cfg.dataset == "fashion-mnist" else data.DIGIT_CLASSES)
    )
    return Classification(probs, names, x)


def probabilities_figure(result: Classification, k: int = 5) -> go.Figure:
    """Horizontal bars of the top-``k`` class probabilities."""
    top = result.top(k)[::-1]
    fig = go.Figure(
        go.Bar(
            x=[p for _, p in top],
            y=[c for c, _ in top],
            orientation="h",
            text=[f"{p:.1%}" for _, p in top],
            textposition="auto",
            marker_color="#0072B2",
        )
    )
    base_layout(fig, f"Top-{k} classes", height=300)
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    return fig


# --------------------------------------------------------------------------------------------------
# Shipped checkpoints

#: The default CNN of the page and of both checkpoints (small, fast, >= 90% on Fashion-MNIST).
DEFAULT = CNNConfig()
CHECKPOINTS: dict[str, CNNConfig] = {
    "cnn-fashion-mnist": replace(
        DEFAULT,
        train_size=60_000,
        val_size=5_000,
        epochs=12,
        lr=2e-3,
        lr_schedule="cosine",
        time_budget_s=None,
    ),
    "cnn-mnist": replace(
        DEFAULT,
        dataset="mnist",
        train_size=4_000,
        val_size=0,
        epochs=30,
        lr=2e-3,
        lr_schedule="cosine",
        time_budget_s=None,
    ),
}


def _train_checkpoint(name: str, ctx: TrainContext) -> dict[str, Any]:
    from core.checkpoints import save_checkpoint

    config = CHECKPOINTS[name]
    if ctx.quick:
        config = replace(config, train_size=256, val_size=64, epochs=1, batch_size=64)
    t0 = time.perf_counter()
    run = train_cnn(config, callbacks=ctx.callbacks, test_limit=500 if ctx.quick else None)
    seconds = time.perf_counter() - t0
    test_loss = float(
        -np.log(np.clip(run.test_probs[np.arange(len(run.test_y)), run.test_y], 1e-12, 1)).mean()
    )
    return save_checkpoint(
        name,
        run.model,
        lecture=3,
        architecture=describe(config),
        builder=BUILDER,
        config=asdict(config),
        dataset={
            "name": config.dataset,
            "provenance": run.provenance,
            "test_provenance": run.test_provenance,
            "source": run.sources[0],
            "test_source": run.sources[1],
            "n_train": run.n_train,
            "n_val": run.n_val,
            "n_test": int(len(run.test_y)),
        },
        metrics={
            "test_accuracy": round(run.test_accuracy, 4),
            "test_loss": round(test_loss, 4),
            "n_test": int(len(run.test_y)),
            **({"quick": True} if ctx.quick else {}),
        },
        train_seconds=seconds,
        directory=ctx.directory,
    )


@register_checkpoint(
    "cnn-fashion-mnist", 3, "default CNN (2 conv blocks, BN) on Fashion-MNIST, 55k/5k/10k", 350
)
def train_fashion_checkpoint(ctx: TrainContext) -> dict[str, Any]:
    """Rebuild ``pretrained/cnn-fashion-mnist.safetensors``: test accuracy on all 10,000 test images."""
    return _train_checkpoint("cnn-fashion-mnist", ctx)


@register_checkpoint(
    "cnn-mnist", 3, "default CNN (2 conv blocks, BN) on MNIST (offline: 4,000/1,000 subset)", 90
)
def train_mnist_checkpoint(ctx: TrainContext) -> dict[str, Any]:
    """Rebuild ``pretrained/cnn-mnist.safetensors``: test accuracy on the whole held-out test split."""
    return _train_checkpoint("cnn-mnist", ctx)
