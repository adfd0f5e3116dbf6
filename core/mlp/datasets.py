"""The playground's data (lecture 2): the ``core.data`` toy sets split 60/20/20, and uploaded CSV files.

A CSV file is read as a user wrote it, and refused with the row and column named when it cannot be
trained on as it stands: a missing or non-numeric cell, a number beyond what float32 training can
represent (a 1e300 cell would silently become inf and train to chance), too few or too many rows.
Numeric labels are compared as numbers, so ``1`` and ``1.0`` are one class.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

TOY_SETS: tuple[str, ...] = ("moons", "circles", "spirals", "xor", "blobs")
MULTICLASS_SETS: frozenset[str] = frozenset({"spirals", "blobs"})
DEFAULT_DATA = "moons"

MAX_CSV_ROWS = 10_000
MAX_CSV_BYTES = 2_000_000  # 10,000 rows of three generous columns; larger uploads are refused unread
MIN_CSV_ROWS = 20
MAX_CLASSES = 20
# Standardisation squares deviations in float32 (max 3.4e38): beyond 1e18 a column's variance overflows
# to inf and every input becomes 0. Nothing measured in real units needs more.
MAX_ABS_VALUE = 1e18


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


def toy_data(name: str = DEFAULT_DATA, n: int = 1000, noise: float | None = None, seed: int = 0,
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
    if abs(value) > MAX_ABS_VALUE:
        raise ValueError(f"row {row}, column '{column}': {text} is too large (at most {MAX_ABS_VALUE:g} in "
                         "absolute value; rescale the column)")
    return value


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _label(cell: str) -> str:
    """A label as the class name it stands for: numbers in one spelling (``1``, ``1.0``, ``01`` -> ``1``)."""
    text = cell.strip()
    try:
        value = float(text)
    except ValueError:
        return text
    if not math.isfinite(value):
        return text
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def parse_csv(content: bytes | str, name: str = "upload.csv", seed: int = 0) -> MLPData:
    """Two numeric feature columns and a label column (header optional), split 60/20/20 with ``seed``.

    Raises ValueError with a message for the user: empty file, not text, wrong column count, a
    non-numeric or missing (NaN) feature, too few or too many rows, one class or more than 20.
    """
    if len(content) > MAX_CSV_BYTES:
        raise ValueError(f"the file is too large: {len(content):,} bytes (at most {MAX_CSV_BYTES:,}, "
                         f"{MAX_CSV_ROWS:,} rows)")
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
        label = _label(r[2])
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


def example_csv(name: str = DEFAULT_DATA, n: int = 200, seed: int = 0) -> bytes:
    """A toy set as the CSV format uploads expect (a template for students' own data)."""
    ds = toy_data(name, n=n, seed=seed)
    X = np.concatenate([ds.X_train, ds.X_val, ds.X_test])
    y = np.concatenate([ds.y_train, ds.y_val, ds.y_test])
    lines = ["x1,x2,label"] + [f"{a:.4f},{b:.4f},{ds.classes[c]}" for (a, b), c in zip(X, y)]
    return ("\n".join(lines) + "\n").encode()
