"""Homework 4: transfer learning on a target task with few labels per class.

The target task is Fashion-MNIST with ``labels_per_class`` labelled training images per class (a seeded
draw; a larger draw contains every smaller one of the same seed), scored on a fixed, class-balanced
subset of the test split. Four ways to get a classifier, as in Yosinski et al. 2014 ("How transferable
are features in deep neural networks?") and Donahue et al. 2014 (DeCAF):

* ``scratch``: the small CNN of lecture 3, randomly initialised, trained on the 28×28 images;
* ``probe``: a linear classifier on the frozen ImageNet backbone's pooled 1,280 features;
* ``last_block``: the backbone's last stage and ``conv_head`` fine-tuned with a new head;
* ``full``: every layer of the backbone fine-tuned with a new head (a full forward and backward pass of
  the backbone per image and epoch: slow on two CPU cores, so the live run is bounded in time).

``probe`` and ``last_block`` read cached trunk features (:mod:`core.transfer.features`); with
augmentation on they train on ``views`` fixed augmented copies per image besides the originals (computed
once, so an epoch stays cheap), while ``scratch`` and ``full`` draw fresh augmentations every batch.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from core import data, training
from core.checks import choice, number, whole_number
from core.jobs import Job
from core.training import Callback, FitConfig, FitResult, LiveRecorder, accuracy, fit, seed_everything
from core.transfer import backbone as bb
from core.transfer import config as cf
from core.transfer import features as ft

DATASET = "fashion-mnist"
METHODS: dict[str, str] = {
    "scratch": "CNN from scratch",
    "probe": "linear probe (frozen features)",
    "last_block": "fine-tune last block + head",
    "full": "fine-tune all layers",
}
DEFAULT_LR: dict[str, float] = {"scratch": 1e-3, "probe": 3e-3, "last_block": 1e-3, "full": 1e-4}
"""Adam step per method: a new head on fixed features takes large steps; pre-trained layers small ones
(larger steps erase what ImageNet taught them before the head has learned anything)."""
HEAD_LR_FACTOR = 10.0
"""Fine-tuning all layers: the new, randomly initialised head steps this many times faster than the
pre-trained layers (discriminative learning rates, Howard & Ruder 2018), so that a few epochs at 1e-4
train the head without erasing the backbone."""
N_TEST = 2_000
"""Held-out images every run is scored on: 200 per class of the test split, always the same ones."""
TEST_SEED = 2014
"""Seed of the held-out subset (fixed, whatever the run's seed)."""


@dataclass(frozen=True)
class TransferConfig:
    """One training run of the homework."""

    method: str = "probe"
    """One of :data:`METHODS`."""
    labels_per_class: int = cf.LABELS_PER_CLASS[2]
    """Labelled training images per class (1-100)."""
    lr: float = DEFAULT_LR["probe"]
    """Adam learning rate."""
    epochs: int = cf.EPOCHS[2]
    """Passes over the labelled images (and their augmented views)."""
    augmentation: str = "none"
    """One of :data:`core.transfer.config.AUGMENTATIONS`."""
    seed: int = 0
    """Seeds the labelled draw, the initialisation, the batches and the augmentations."""
    batch_size: int = 32
    """Images per step."""
    views: int = 2
    """Augmented copies per image for the cached-feature methods (with augmentation on)."""
    n_test: int = N_TEST
    """Held-out images scored (a class-balanced subset of the test split)."""
    time_budget_s: float | None = cf.TIME_BUDGET_S
    """Wall-time bound of feature extraction and training; ``None``: no bound."""
    backbone: str = bb.DEFAULT
    """The ImageNet network of the pre-trained methods: the bundled EfficientNet-Lite0 or the homework's
    ResNet-18 (hub cache); the scratch CNN ignores it."""

    def __post_init__(self) -> None:
        checked = {"method": choice(self.method, "method", METHODS),
                   "labels_per_class": whole_number(self.labels_per_class, "labels per class",
                                                    *cf.LABELS_PER_CLASS[:2]),
                   "epochs": whole_number(self.epochs, "epochs", *cf.EPOCHS[:2]),
                   "augmentation": choice(self.augmentation, "augmentation", cf.AUGMENTATIONS),
                   "n_test": whole_number(self.n_test, "n_test", 10, 10_000),
                   "backbone": choice(self.backbone, "backbone", ft.SPLITS),
                   "lr": number(self.lr, "learning rate", 0, 1, above=True)}
        if checked["n_test"] % 10:
            raise ValueError("n_test must be a multiple of 10 from 10 to 10,000")
        for key, value in checked.items():  # frozen: the checked value replaces what arrived (5.0 -> 5)
            object.__setattr__(self, key, value)


@dataclass(frozen=True)
class TransferRun:
    """A finished (or stopped) run: its held-out accuracy and how it went."""

    config: TransferConfig
    test_accuracy: float
    """Accuracy on the held-out subset; NaN when stopped before scoring."""
    fit: FitResult
    n_train: int
    """Labelled training images (augmented views not counted)."""
    n_test: int
    seconds: float
    """Wall time of the whole run."""
    feature_seconds: float
    """Of which spent computing backbone features (zero when cached)."""
    provenance: str
    model: nn.Module | None = field(default=None, repr=False)
    """The trained classifier (a head, a tail or a whole network), in eval mode."""


def labelled_subset(y: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Indices of ``k`` images per class: the first ``k`` of a seeded permutation of each class (so the
    draw for k=5 contains the draw for k=1)."""
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.permutation(np.flatnonzero(y == c))[:k] for c in np.unique(y)])


def test_subset(y: np.ndarray, n: int = N_TEST) -> np.ndarray:
    """Sorted indices of ``n / classes`` images per class of the test split (fixed seed)."""
    return np.sort(labelled_subset(y, n // len(np.unique(y)), TEST_SEED))


def augment(x: Tensor, kind: str, gen: torch.Generator) -> Tensor:
    """Random left-right flips (and shifts of up to 2 pixels with zero fill) of (B, 1, H, W) images."""
    if kind == "none":
        return x
    flip = (torch.rand(len(x), generator=gen) < 0.5).view(-1, 1, 1, 1)
    x = torch.where(flip, x.flip(-1), x)
    if kind == "flip+shift":
        h, w = x.shape[-2:]
        pad = F.pad(x, (2, 2, 2, 2))
        dy, dx = torch.randint(0, 5, (2, len(x)), generator=gen).tolist()
        x = torch.stack([pad[i, :, a : a + h, b : b + w] for i, (a, b) in enumerate(zip(dy, dx))])
    return x


class _Augmented(nn.Module):
    """Applies fresh augmentations to each training batch (not in eval mode)."""

    def __init__(self, net: nn.Module, kind: str, seed: int) -> None:
        super().__init__()
        self.net, self.kind = net, kind
        self.gen = torch.Generator().manual_seed(seed)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(augment(x, self.kind, self.gen) if self.training else x)


class FullNet(nn.Module):
    """The whole backbone with a new 10-class head, taking 28×28 images; ImageNet batch-norm statistics
    kept (eval mode) for the reason :class:`~core.transfer.features.Tail` gives."""

    def __init__(self, backbone: bb.Backbone, n_classes: int) -> None:
        super().__init__()
        self.info = backbone.info
        self.net = copy.deepcopy(backbone.model)
        self.net.reset_classifier(n_classes)
        self.net.requires_grad_(True)

    def param_groups(self, lr: float) -> list[dict[str, object]]:
        """The pre-trained layers at ``lr``, the new head at ``HEAD_LR_FACTOR * lr``."""
        head = list(self.net.get_classifier().parameters())
        ids = {id(p) for p in head}
        body = [p for p in self.net.parameters() if id(p) not in ids]
        return [{"params": body, "lr": lr}, {"params": head, "lr": HEAD_LR_FACTOR * lr}]

    def train(self, mode: bool = True) -> FullNet:
        super().train(mode)
        ft.freeze_batchnorm(self.net)
        return self

    def forward(self, x: Tensor) -> Tensor:
        return self.net(ft.to_input(x, self.info))


@torch.no_grad()
def _score(model: nn.Module, X: Tensor, y: Tensor, job: Job | None, batch: int = 250) -> float:
    model.eval()
    right = 0
    for i in range(0, len(X), batch):
        if job is not None:
            if job.should_stop():
                return math.nan
            job.report(message=f"scoring the {len(X):,} held-out images: {i:,} done")
        right += int((model(X[i : i + batch]).argmax(1) == y[i : i + batch]).sum())
    return right / max(1, len(X))


def _views(X: np.ndarray, cfg: TransferConfig) -> np.ndarray:
    """The images followed by ``views`` augmented copies of each (fixed by the seed)."""
    if cfg.augmentation == "none":
        return X
    gen = torch.Generator().manual_seed(cfg.seed + 1)
    t = torch.from_numpy(np.ascontiguousarray(X, np.float32))
    return np.concatenate([X, *(augment(t, cfg.augmentation, gen).numpy() for _ in range(cfg.views))])


def run(config: TransferConfig, job: Job | None = None, callbacks: Sequence[Callback] = ()) -> TransferRun:
    """Train ``config.method`` on the few labelled images and score it on the held-out subset."""
    t0 = time.perf_counter()
    train, test = data.load(DATASET, "train"), data.load(DATASET, "test")
    idx = labelled_subset(train.y, config.labels_per_class, config.seed)
    tidx = test_subset(test.y, config.n_test)
    Xtr, ytr = np.ascontiguousarray(train.X[idx], np.float32), np.asarray(train.y[idx], np.int64)
    Xte = np.ascontiguousarray(test.X[tidx], np.float32)
    yte = torch.from_numpy(np.asarray(test.y[tidx], np.int64))
    n_classes = len(train.classes)
    backbone = None if config.method == "scratch" else bb.load_backbone(config.backbone)
    provenance = f"{train.provenance}; held out: {len(tidx):,} images of the {test.provenance}"
    if backbone is not None:
        provenance += f"; {backbone.info.title}, weights from {backbone.provenance}"

    def stopped(seconds: float, why: str = "stopped on request") -> TransferRun:
        result = FitResult("stopped", 0, 0, seconds, {}, None, why)
        return TransferRun(config, math.nan, result, len(idx), len(tidx), time.perf_counter() - t0, seconds,
                           provenance)  # fmt: skip

    feature_seconds = 0.0
    if config.method in ("probe", "last_block"):
        assert backbone is not None
        Xv = _views(Xtr, config)
        yv = np.tile(ytr, len(Xv) // len(Xtr))
        everything = np.concatenate([Xv, Xte])

        def progress(done: int, total: int) -> bool:
            if job is not None:
                job.report(progress=done / total, message=f"backbone features: {done:,} of {total:,} images")
            late = config.time_budget_s is not None and time.perf_counter() - t0 > config.time_budget_s
            return not late and (job is None or not job.should_stop())

        try:
            mids = ft.trunk_features(backbone, everything, progress)
        except ft.Stopped:
            return stopped(time.perf_counter() - t0, "stopped while computing the backbone features")
        feature_seconds = time.perf_counter() - t0
        mtr, mte = mids[: len(Xv)], mids[len(Xv) :]
        seed_everything(config.seed)
        if config.method == "probe":
            tail = ft.frozen_tail(backbone)
            inputs, test_inputs = ft.pooled(tail, mtr), ft.pooled(tail, mte)
            model: nn.Module = nn.Linear(inputs.shape[1], n_classes)
        else:
            inputs, test_inputs = mtr, mte
            model = ft.Tail(backbone.model, n_classes, True, backbone.name)
        trained, targets = model, torch.from_numpy(yv)
    else:
        seed_everything(config.seed)
        model = FullNet(backbone, n_classes) if backbone is not None else _scratch_cnn()
        trained = _Augmented(model, config.augmentation, config.seed)
        inputs, test_inputs, targets = torch.from_numpy(Xtr), torch.from_numpy(Xte), torch.from_numpy(ytr)

    left = None if config.time_budget_s is None else config.time_budget_s - (time.perf_counter() - t0)
    budget = None if left is None else max(1.0, left)
    recorder = LiveRecorder(job, points_per_epoch=4)
    params: list = [p for p in trained.parameters() if p.requires_grad]
    if isinstance(model, FullNet):
        params = model.param_groups(config.lr)
    optimizer = training.make_optimizer("adam", params, config.lr)
    fit_cfg = FitConfig(epochs=config.epochs, batch_size=config.batch_size, time_budget_s=budget,
                        seed=config.seed)
    cbs = [recorder, *callbacks]
    result = fit(trained, F.cross_entropy, optimizer, (inputs, targets), None, fit_cfg, cbs,
                 metrics={"accuracy": accuracy}, should_stop=job.should_stop if job is not None else None)
    if recorder.history["epoch"]:
        result = replace(result, history=recorder.history)
    acc = math.nan if result.diverged else _score(model, test_inputs, yte, job)
    return TransferRun(config, acc, result, len(idx), len(tidx), time.perf_counter() - t0, feature_seconds,
                       provenance, model.eval())  # fmt: skip


def _scratch_cnn() -> nn.Module:
    from core.cnn.config import CNNConfig
    from core.cnn.convnet import ConvNet

    return ConvNet(CNNConfig())
