"""Multi-layer perceptrons on 2D data (lecture 2): the playground's model, training, decision maps,
metrics, CSV upload and export.

The playground answers what TensorFlow Playground's users keep asking for: dropout, more than two
classes, more layers, L1 *and* L2, early stopping, their own data, a confusion matrix, and the trained
weights to take home. Everything trains through the one fit loop (:func:`core.training.fit`); a page
watches the run through a :class:`core.jobs.Job` (curves from ``job.history()``, the current decision
map from ``job.artifact("decision_map")``).

Regularisers, and where each one lives:

* **L2** goes into the optimizer as ``weight_decay`` on the weight matrices only (biases are not
  penalised, as in lecture 1). For SGD, momentum, RMSProp *and* Adam, torch's ``weight_decay`` adds
  ``l2 * w`` to the gradient before the optimizer's own update, which is exactly the gradient of the
  loss term ``(l2 / 2) * ||w||^2``: so this *is* L2 in the loss, not AdamW's decoupled decay
  (Loshchilov & Hutter 2019 show the two differ for adaptive methods). It is done in the optimizer
  rather than through ``penalty`` because it then costs no extra autograd graph per step. The loss
  curves show the data loss without the L2 term.
* **L1** has no optimizer equivalent, so it is a ``penalty``: ``l1 * sum(|w|)`` over the weight matrices,
  added to the loss each step (its subgradient pushes weights to exactly zero, unlike L2).
* **Dropout** (Srivastava et al. 2014) after every hidden activation, active in training only.
* **Early stopping** is the fit loop's ``patience``, restoring the best validation weights.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import Tensor, nn

from core import training
from core.metrics import class_report, confusion_matrix  # noqa: F401
from core.registry import TrainContext, register_builder, register_checkpoint
from core.training import OPTIMIZERS, Callback, FitConfig, FitResult, accuracy, evaluate, fit, seed_everything

if TYPE_CHECKING:
    from core.jobs import Job

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "linear": nn.Identity,
}
TOY_SETS: tuple[str, ...] = ("moons", "circles", "spirals", "xor", "blobs")
MULTICLASS_SETS: frozenset[str] = frozenset({"spirals", "blobs"})

MAX_CSV_ROWS = 10_000
MIN_CSV_ROWS = 20
MAX_CLASSES = 20
GRID_RES = 80
PUBLISH_EVERY_S = 0.15  # a fresh map for every 0.2 s poll of the live view (>= 5 a second), no more
LIVE_KEY = "decision_map"
# One intra-op thread: a 2-64-64 layer's matmuls are too small to split, and a second OpenMP thread
# that has to wait for a busy core (a browser, another session) makes a step many times slower.
# Measured in bench/bench_mlp.py.
TRAIN_THREADS = 1
BUILDER = "mlp"


# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MLPConfig:
    """Everything that shapes one playground run (the architecture's input and output sizes come
    from the data)."""

    hidden: tuple[int, ...] = (64, 64)
    """Width of each hidden layer; ``()`` is a linear (softmax-regression) model."""
    activation: str = "relu"
    """Hidden activation: one of :data:`ACTIVATIONS`."""
    dropout: float = 0.0
    """Dropout probability after each hidden activation (training only)."""
    optimizer: str = "adam"
    """One of :data:`OPTIMIZERS`; ``momentum`` is SGD with heavy-ball momentum 0.9."""
    lr: float = 0.01
    """Learning rate."""
    batch_size: int | None = None
    """Mini-batch size; ``None`` trains full batch (one step per epoch), as TF Playground's default."""
    epochs: int = 200
    """Maximum number of epochs."""
    l1: float = 0.0
    """L1 strength: ``l1 * sum(|w|)`` added to the loss (weights only)."""
    l2: float = 0.0
    """L2 strength: the gradient of ``(l2 / 2) * ||w||^2`` (weights only), via ``weight_decay``."""
    patience: int | None = None
    """Early stopping after this many epochs without validation-loss improvement; ``None`` disables."""
    seed: int = 0
    """Seed of initialisation, dropout masks and mini-batch order."""
    time_budget_s: float | None = None
    """Stop at this many seconds of wall time (bounded runs for a public server)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))  # lists from JSON

    def validate(self) -> None:
        """Raise ValueError naming the first setting that cannot train."""
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}; "
                             f"choose one of {', '.join(ACTIVATIONS)}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
        if any(h < 1 for h in self.hidden) or len(self.hidden) > 8:
            raise ValueError("hidden layers need at least 1 unit each, and at most 8 layers")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"the learning rate must be positive, got {self.lr}")
        if self.epochs < 1:
            raise ValueError("train for at least one epoch")
        if self.l1 < 0 or self.l2 < 0:
            raise ValueError("L1 and L2 strengths cannot be negative")
        if self.batch_size is not None and self.batch_size < 1:
            raise ValueError("the batch size must be at least 1")
        if self.patience is not None and self.patience < 1:
            raise ValueError("patience must be at least 1 epoch")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able settings (``hidden`` as a list)."""
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MLPConfig:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    def architecture(self, in_features: int, n_classes: int) -> dict[str, Any]:
        """Keyword arguments of :func:`build_mlp` (stored in checkpoints and exports)."""
        return {"in_features": in_features, "hidden": list(self.hidden), "out_features": n_classes,
                "activation": self.activation, "dropout": self.dropout}

    def describe(self, n_classes: int, in_features: int = 2) -> str:
        """``2-64-64-2 relu`` style summary for tables."""
        return "-".join(str(s) for s in (in_features, *self.hidden, n_classes)) + f" {self.activation}"


# ---------------------------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------------------------
class Standardize(nn.Module):
    """``(x - shift) / scale`` with the training set's statistics, kept as buffers so that exported
    weights work on raw inputs (an uploaded CSV may be in any units)."""

    def __init__(self, features: int) -> None:
        super().__init__()
        self.register_buffer("shift", torch.zeros(features))
        self.register_buffer("scale", torch.ones(features))

    def forward(self, x: Tensor) -> Tensor:
        return (x - self.shift) / self.scale


class MLP(nn.Module):
    """Standardize, then ``fc1 -> act1 [-> drop1] -> ... -> out`` (named layers: readable exports)."""

    def __init__(self, in_features: int = 2, hidden: Sequence[int] = (64, 64), out_features: int = 2,
                 activation: str = "relu", dropout: float = 0.0) -> None:
        super().__init__()
        self.norm = Standardize(in_features)
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        width = in_features
        for i, h in enumerate(hidden, start=1):
            layers[f"fc{i}"] = nn.Linear(width, int(h))
            layers[f"act{i}"] = ACTIVATIONS[activation]()
            if dropout > 0:  # no module at p=0: a no-op layer still costs a call per step
                layers[f"drop{i}"] = nn.Dropout(dropout)
            width = int(h)
        layers["out"] = nn.Linear(width, out_features)
        self.layers = nn.Sequential(layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(self.norm(x))

    def weight_matrices(self) -> list[nn.Parameter]:
        """The penalised parameters: every Linear's weight, never a bias."""
        return [m.weight for m in self.layers if isinstance(m, nn.Linear)]


@register_builder(BUILDER)
def build_mlp(in_features: int = 2, hidden: Sequence[int] = (64, 64), out_features: int = 2,
              activation: str = "relu", dropout: float = 0.0) -> MLP:
    """The checkpoint builder (registered as ``'mlp'``) (keyword arguments = the manifest's ``config``)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}")
    return MLP(in_features, tuple(hidden), out_features, activation, dropout)


def make_optimizer(model: MLP, config: MLPConfig) -> torch.optim.Optimizer:
    """The configured optimizer, with L2 as ``weight_decay`` on weight matrices only."""
    weights = model.weight_matrices()
    ids = {id(w) for w in weights}
    biases = [p for p in model.parameters() if id(p) not in ids]
    groups: list[dict[str, Any]] | list[nn.Parameter]
    if config.l2 > 0:
        groups = [{"params": weights, "weight_decay": config.l2}, {"params": biases, "weight_decay": 0.0}]
    else:  # one group: one foreach launch per step instead of two
        groups = list(model.parameters())
    return training.make_optimizer(config.optimizer, groups, config.lr)


def l1_penalty(model: MLP, strength: float) -> Callable[[nn.Module], Tensor]:
    """``strength * sum(|w|)`` over the weight matrices, as the fit loop's ``penalty``."""
    weights = model.weight_matrices()

    def penalty(_: nn.Module) -> Tensor:
        return strength * torch.stack([w.abs().sum() for w in weights]).sum()

    return penalty


# ---------------------------------------------------------------------------------------------
# Data: toy sets and CSV uploads
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class MLPData:
    """A 2D classification problem split 60/20/20 into train / validation / test."""

    name: str
    """Toy set name or uploaded file name."""
    X_train: np.ndarray
    """float32 (n, 2)."""
    y_train: np.ndarray
    """int64 class indices."""
    X_val: np.ndarray
    """Validation points: early stopping and model selection look only at these."""
    y_val: np.ndarray
    """Validation labels."""
    X_test: np.ndarray
    """Held-out points, reported once at the end."""
    y_test: np.ndarray
    """Test labels."""
    classes: tuple[str, ...]
    """Class names; label i is ``classes[i]``."""
    provenance: str
    """Where the points came from (shown on the page)."""
    features: tuple[str, str] = ("x1", "x2")
    """Names of the two input columns (axis titles)."""

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def __len__(self) -> int:
        return len(self.y_train) + len(self.y_val) + len(self.y_test)

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return {"train": (self.X_train, self.y_train), "val": (self.X_val, self.y_val),
                "test": (self.X_test, self.y_test)}[name]

    def tensors(self, name: str) -> tuple[Tensor, Tensor]:
        X, y = self.split(name)
        return torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.int64)

    def bounds(self, margin: float = 0.08) -> tuple[float, float, float, float]:
        """(xmin, xmax, ymin, ymax) around every point, with a margin, for the decision map."""
        X = np.concatenate([self.X_train, self.X_val, self.X_test])
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = np.maximum((hi - lo) * margin, 1e-3)
        return float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1])


def toy_data(name: str = "moons", n: int = 1000, noise: float | None = None, seed: int = 0,
             classes: int | None = None) -> MLPData:
    """A ``core.data`` toy set (same points, same 60/20/20 split as every other page); ``noise`` and
    ``classes`` default to the set's own defaults, and ``classes`` only applies to spirals and blobs."""
    from core import data

    opts: dict[str, Any] = {"n": n, "seed": seed}
    if noise is not None:
        opts["noise"] = noise
    if name in MULTICLASS_SETS and classes is not None:
        opts["classes"] = classes
    parts = {s: data.load(name, s, **opts) for s in ("train", "val", "test")}
    tr, va, te = parts["train"], parts["val"], parts["test"]
    # core.data says "moons: 600 of 1,000 generated points (train split of 60/20/20; noise=0.2, seed=0)":
    # keep the set, its size and its options, and name all three splits at once.
    options = tr.provenance.rsplit("; ", 1)[-1].rstrip(")")
    prov = (f"{name}: {len(tr) + len(va) + len(te):,} generated points ({options}); "
            f"{len(tr)} train / {len(va)} val / {len(te)} test")
    return MLPData(name, tr.X, tr.y, va.X, va.y, te.X, te.y, tr.classes, prov)


def _number(cell: str, row: int, column: str) -> float:
    text = cell.strip()
    if text == "" or text.lower() in ("nan", "na", "n/a", "null", "none"):
        raise ValueError(f"row {row} has a missing value (empty or NaN) in column '{column}'")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"row {row}, column '{column}': '{text[:30]}' is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"row {row}, column '{column}': {text} is not a finite number")
    return value


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def parse_csv(content: bytes | str, name: str = "upload.csv", seed: int = 0) -> MLPData:
    """Two numeric feature columns and a label column (header optional), split 60/20/20 with ``seed``.

    Raises ValueError with a message for the user: empty file, not text, wrong column count, a
    non-numeric or missing (NaN) feature, too few or too many rows, one class or more than 20.
    """
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("the file is not UTF-8 text; upload a CSV file (x1,x2,label per line)") from None
    if not content.strip():
        raise ValueError("the file is empty; expected two feature columns and a label column")
    try:
        dialect: Any = csv.Sniffer().sniff(content[:4096], delimiters=",;\t")
    except csv.Error:  # one column, or nothing to sniff from: the column check below explains
        dialect = csv.excel
    rows = [(i, r) for i, r in enumerate(csv.reader(io.StringIO(content), dialect), start=1)
            if any(c.strip() for c in r)]
    header = ("x1", "x2", "label")
    if rows and len(rows[0][1]) == 3 and not (_is_number(rows[0][1][0]) and _is_number(rows[0][1][1])):
        header = tuple(c.strip() or d for c, d in zip(rows[0][1], header))
        rows = rows[1:]
    if len(rows) > MAX_CSV_ROWS:
        raise ValueError(f"the file is too large: {len(rows):,} rows (the limit is {MAX_CSV_ROWS:,})")
    X = np.empty((len(rows), 2), dtype=np.float32)
    labels: list[str] = []
    for k, (line, r) in enumerate(rows):
        if len(r) != 3:
            raise ValueError(f"expected 3 columns (two features and a label), found {len(r)} in row {line}")
        X[k] = (_number(r[0], line, header[0]), _number(r[1], line, header[1]))
        label = r[2].strip()
        if label == "" or label.lower() == "nan":
            raise ValueError(f"row {line} has a missing label in column '{header[2]}'")
        labels.append(label)
    if len(rows) < MIN_CSV_ROWS:
        raise ValueError(f"too few rows: {len(rows)} (need at least {MIN_CSV_ROWS} so that training, "
                         "validation and test sets all get points)")
    distinct = set(labels)
    if len(distinct) > MAX_CLASSES:
        raise ValueError(f"{len(distinct)} distinct labels: at most {MAX_CLASSES} classes (is the label "
                         "really the last column?)")
    if len(distinct) < 2:
        raise ValueError(f"only one class ('{labels[0]}'): a classifier needs at least two")
    numeric = all(_is_number(s) for s in distinct)
    classes = tuple(sorted(distinct, key=float if numeric else str))
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[s] for s in labels], dtype=np.int64)
    perm = np.random.default_rng(seed).permutation(len(y))
    n_tr, n_va = round(0.6 * len(y)), round(0.2 * len(y))
    tr, va, te = perm[:n_tr], perm[n_tr:n_tr + n_va], perm[n_tr + n_va:]
    prov = (f"{name}: {len(y):,} rows, {len(classes)} classes; {len(tr)} train / {len(va)} val / "
            f"{len(te)} test (seed {seed})")
    return MLPData(name, X[tr], y[tr], X[va], y[va], X[te], y[te], classes, prov, (header[0], header[1]))


# ---------------------------------------------------------------------------------------------
# Decision maps and metrics
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class DecisionGrid:
    """Class probabilities of a model on a regular grid over the input plane."""

    xs: np.ndarray
    """Grid x coordinates (res,)."""
    ys: np.ndarray
    """Grid y coordinates (res,)."""
    probs: np.ndarray
    """float32 (res, res, classes): row i is ``ys[i]``, column j is ``xs[j]``."""
    epoch: int = 0
    """Epoch the map was computed after (0: before training)."""


class GridEvaluator:
    """Precomputes the grid points once, so each live map is one no-grad forward pass."""

    def __init__(self, bounds: tuple[float, float, float, float], res: int = GRID_RES) -> None:
        x0, x1, y0, y1 = bounds
        self.xs = np.linspace(x0, x1, res, dtype=np.float32)
        self.ys = np.linspace(y0, y1, res, dtype=np.float32)
        gx, gy = np.meshgrid(self.xs, self.ys)
        self.points = torch.from_numpy(np.stack([gx.ravel(), gy.ravel()], axis=1))
        self.res = res

    @torch.no_grad()
    def __call__(self, model: nn.Module, epoch: int = 0) -> DecisionGrid:
        was_training = model.training
        model.eval()  # dropout off: the map shows the model that will be used
        probs = torch.softmax(model(self.points), dim=1)
        if was_training:
            model.train()
        probs = torch.nan_to_num(probs, nan=0.0).reshape(self.res, self.res, -1).numpy()
        return DecisionGrid(self.xs, self.ys, probs, epoch)


class DecisionMapPublisher(Callback):
    """Publishes the current decision map to a job at most every ``every_s`` seconds."""

    def __init__(self, job: Job, model: nn.Module, grid: GridEvaluator,
                 every_s: float = PUBLISH_EVERY_S) -> None:
        self.job, self.model, self.grid, self.every_s = job, model, grid, every_s
        self._last = -math.inf

    def on_train_begin(self, epochs: int, steps_per_epoch: int) -> None:
        self.job.publish(LIVE_KEY, self.grid(self.model, 0))
        self._last = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        now = time.perf_counter()
        if now - self._last >= self.every_s:  # throttle: a map per epoch would swamp the browser
            self.job.publish(LIVE_KEY, self.grid(self.model, epoch))
            self._last = now
        return True


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------
@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` torch intra-op threads, then put the previous count back.

    OpenMP keeps the count per calling thread, so inside a job thread this leaves the threads of the
    Streamlit/Gradio server that are already running untouched.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@dataclass(frozen=True, eq=False)
class MLPRun:
    """A finished (or stopped, or diverged) playground run and everything the page shows of it."""

    config: MLPConfig
    """The settings it ran with."""
    fit: FitResult
    """What the fit loop reports (status, history, epochs, seconds); ``job.fit_result`` finds it."""
    model: MLP
    """The trained model, in eval mode."""
    data: MLPData = field(repr=False)
    """The data it was trained and measured on (the page draws these points under the map)."""
    metrics: dict[str, float]
    """``train_/val_/test_`` ``loss`` and ``accuracy`` of the final model (NaN after divergence)."""
    confusion: np.ndarray
    """Confusion matrix on the test split."""
    report: list[dict[str, Any]] = field(repr=False)
    """Per-class precision / recall / F1 on the test split."""
    grid: DecisionGrid = field(repr=False)
    """Decision map of the final model."""

    @property
    def classes(self) -> tuple[str, ...]:
        return self.data.classes

    @property
    def architecture(self) -> dict[str, Any]:
        return self.config.architecture(len(self.data.features), self.data.n_classes)

    def summary(self) -> dict[str, Any]:
        """One row of the run-history table."""
        c = self.config
        return {"data": self.data.name, "net": c.describe(self.data.n_classes), "optimizer": c.optimizer,
                "lr": c.lr, "batch": str(c.batch_size or "full"), "L1": c.l1, "L2": c.l2,
                "dropout": c.dropout, "patience": str(c.patience or "off"), "epochs": self.fit.epochs_run,
                "status": self.fit.status,
                "train acc": self.metrics["train_accuracy"], "val acc": self.metrics["val_accuracy"],
                "test acc": self.metrics["test_accuracy"], "seconds": round(self.fit.seconds, 2)}

    def export_config(self) -> dict[str, Any]:
        """The run as JSON-able data: how to rebuild the model and what it scored."""
        return {"builder": BUILDER, "architecture": self.architecture, "training": self.config.to_dict(),
                "data": {"name": self.data.name, "provenance": self.data.provenance,
                         "classes": list(self.data.classes), "features": list(self.data.features)},
                "result": {"status": self.fit.status, "epochs": self.fit.epochs_run, "steps": self.fit.steps,
                           "seconds": round(self.fit.seconds, 3), "message": self.fit.message},
                "metrics": {k: (round(v, 6) if math.isfinite(v) else None) for k, v in self.metrics.items()},
                "usage": "from core.mlp.playground import load_exported; model = load_exported(weights_bytes)"}

    def config_json(self) -> str:
        return json.dumps(self.export_config(), indent=2)

    def weights_bytes(self) -> bytes:
        """The trained weights as safetensors, with the architecture in the file's metadata."""
        from safetensors.torch import save

        state = {k: v.detach().cpu().contiguous().clone() for k, v in self.model.state_dict().items()}
        meta = {"architecture": json.dumps(self.architecture), "classes": json.dumps(list(self.classes)),
                "builder": BUILDER}
        return save(state, metadata=meta)


def load_exported(weights: bytes) -> MLP:
    """Rebuild a model from :meth:`MLPRun.weights_bytes` (architecture read from its metadata)."""
    from safetensors.torch import load

    # safetensors = 8-byte little-endian header length + JSON header (holding __metadata__) + tensors.
    header_len = int.from_bytes(weights[:8], "little")
    meta = json.loads(weights[8:8 + header_len]).get("__metadata__", {})
    if "architecture" not in meta:
        raise ValueError("not a playground export: the safetensors metadata has no architecture")
    model = build_mlp(**json.loads(meta["architecture"]))
    model.load_state_dict(load(weights), strict=True)
    return model.eval()


METRICS = {"accuracy": accuracy}


def train_mlp(config: MLPConfig, data: MLPData, job: Job | None = None, callbacks: Sequence[Callback] = (),
              should_stop: Callable[[], bool] | None = None, publish_every_s: float = PUBLISH_EVERY_S,
              grid_res: int = GRID_RES) -> MLPRun:
    """Train an MLP on ``data`` through :func:`core.training.fit` and measure it on every split.

    With a ``job``, each epoch is reported to it (curves, progress, Stop) and the decision map is
    published under ``"decision_map"`` at most every ``publish_every_s`` seconds.
    """
    config.validate()
    # A job's worker has already run core.jobs.warm_up (the first optimizer's import, gc.freeze).
    with torch_threads(TRAIN_THREADS):
        return _train(config, data, job, callbacks, should_stop, publish_every_s, grid_res)


def _train(config: MLPConfig, data: MLPData, job: Job | None, callbacks: Sequence[Callback],
           should_stop: Callable[[], bool] | None, publish_every_s: float, grid_res: int) -> MLPRun:
    seed_everything(config.seed)
    model = build_mlp(**config.architecture(2, data.n_classes))
    X_tr, y_tr = data.tensors("train")
    # Standardise with training statistics only: validation and test points must not leak into it.
    model.norm.shift.copy_(X_tr.mean(dim=0))
    model.norm.scale.copy_(X_tr.std(dim=0).clamp_min(1e-6))
    optimizer = make_optimizer(model, config)
    grid = GridEvaluator(data.bounds(), grid_res)
    cbs = list(callbacks)
    if job is not None:
        cbs += [job.callback(), DecisionMapPublisher(job, model, grid, publish_every_s)]
        should_stop = should_stop or job.should_stop
    fc = FitConfig(epochs=config.epochs, batch_size=config.batch_size, patience=config.patience,
                   time_budget_s=config.time_budget_s, seed=config.seed)
    result = fit(model, nn.functional.cross_entropy, optimizer, (X_tr, y_tr), data.tensors("val"), fc,
                 callbacks=cbs, metrics=METRICS, should_stop=should_stop,
                 penalty=l1_penalty(model, config.l1) if config.l1 > 0 else None)
    metrics: dict[str, float] = {}
    for split in ("train", "val", "test"):
        vals = evaluate(model, nn.functional.cross_entropy, *data.tensors(split), METRICS)
        metrics[f"{split}_loss"] = vals["loss"]
        metrics[f"{split}_accuracy"] = vals["accuracy"]
    with torch.no_grad():
        pred = model(data.tensors("test")[0]).argmax(dim=1).numpy()
    cm = confusion_matrix(data.y_test, pred, data.n_classes)
    final = grid(model, result.epochs_run)
    if job is not None:
        job.publish(LIVE_KEY, final)
    return MLPRun(config, result, model, data, metrics, cm, class_report(cm, data.classes), final)


# ---------------------------------------------------------------------------------------------
# The shipped checkpoint: the playground's default configuration on the default moons
# ---------------------------------------------------------------------------------------------
DEFAULT_DATA = "moons"


@register_checkpoint("mlp-playground", 2, "2-64-64-2 ReLU MLP, Adam, on moons (1,000 points, noise 0.2)",
                     est_seconds=3)
def train_playground_checkpoint(ctx: TrainContext) -> dict[str, Any]:
    """The default playground run, measured on the held-out test split, written with its manifest entry."""
    from core.checkpoints import save_checkpoint

    config = MLPConfig(epochs=5) if ctx.quick else MLPConfig()
    data = toy_data(DEFAULT_DATA)
    run = train_mlp(config, data, callbacks=ctx.callbacks)
    m = run.metrics
    return save_checkpoint(
        "mlp-playground", run.model, lecture=2, architecture=f"MLP {config.describe(data.n_classes)}",
        builder=BUILDER, config=run.architecture,
        dataset={"name": DEFAULT_DATA, "provenance": data.provenance, "n_train": len(data.y_train),
                 "n_val": len(data.y_val), "n_test": len(data.y_test)},
        metrics={"test_accuracy": round(m["test_accuracy"], 4), "test_loss": round(m["test_loss"], 4),
                 "val_accuracy": round(m["val_accuracy"], 4), "epochs": run.fit.epochs_run},
        train_seconds=run.fit.seconds, directory=ctx.directory,
    )


def example_csv(name: str = DEFAULT_DATA, n: int = 200, seed: int = 0) -> bytes:
    """A toy set as the CSV format uploads expect (a template for students' own data)."""
    ds = toy_data(name, n=n, seed=seed)
    X = np.concatenate([ds.X_train, ds.X_val, ds.X_test])
    y = np.concatenate([ds.y_train, ds.y_val, ds.y_test])
    lines = ["x1,x2,label"] + [f"{a:.4f},{b:.4f},{ds.classes[c]}" for (a, b), c in zip(X, y)]
    return ("\n".join(lines) + "\n").encode()


def shipped_run(directory: str | None = None) -> MLPRun:
    """The shipped ``mlp-playground`` checkpoint measured on its data, as a run the page can show."""
    from core.checkpoints import entry, load_model

    model = load_model("mlp-playground", directory)
    ent = entry("mlp-playground", directory)
    data = toy_data(ent["dataset"]["name"])
    metrics: dict[str, float] = {}
    for split in ("train", "val", "test"):
        vals = evaluate(model, nn.functional.cross_entropy, *data.tensors(split), METRICS)
        metrics.update({f"{split}_loss": vals["loss"], f"{split}_accuracy": vals["accuracy"]})
    with torch.no_grad():
        pred = model(data.tensors("test")[0]).argmax(dim=1).numpy()
    cm = confusion_matrix(data.y_test, pred, data.n_classes)
    epochs = int(ent["metrics"].get("epochs", 0))
    seconds = float(ent.get("train_seconds", 0.0))
    fr = FitResult("completed", epochs, epochs, seconds, {}, None, "shipped checkpoint")
    return MLPRun(MLPConfig(), fr, model, data, metrics, cm, class_report(cm, data.classes),
                  GridEvaluator(data.bounds())(model, epochs))
