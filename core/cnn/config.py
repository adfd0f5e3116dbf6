"""The homework CNN's settings (lecture 3): one :class:`CNNConfig` per run, checked before anything trains.

:func:`validate` rejects absurd combinations by following the feature-map size through every layer with
the output-size formula ``floor((n + 2p - d(k-1) - 1) / s) + 1`` (Dumoulin & Visin 2016, "A guide to
convolution arithmetic"), so the page can say *which* layer would vanish before a job is queued.

Block layout (built by :mod:`core.cnn.convnet`): conv -> [batch norm] -> ReLU -> [2x2 pooling], as in VGG
(Simonyan & Zisserman 2015), batch norm before the non-linearity as Ioffe & Szegedy (2015) propose; filters
double per block; dropout (Srivastava et al. 2014) before the linear classifier.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.cnn.conv import conv_output_size
from core.training import OPTIMIZERS

DATASETS = ("fashion-mnist", "mnist", "digits")
IMAGE_SIZES = {"fashion-mnist": 28, "mnist": 28, "digits": 8}
POOLINGS = ("max", "avg", "none")
PADDINGS = ("same", "valid")
SCHEDULES = ("constant", "cosine")
MAX_PARAMS = 2_000_000  # float32 weights of a shipped file must stay well under 10 MB
PAGE_MAX_IMAGES = 300_000  # epochs x training images a page may ask for (~2.5 min at 2,000 images/s)
PAGE_TIME_BUDGET_S = 120.0


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
