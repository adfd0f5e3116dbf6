"""Classification metrics shared by every subject: accuracy, the confusion matrix, a per-class report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of equal labels (NaN for no examples)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return float(np.mean(y_true == y_pred)) if len(y_true) else float("nan")


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts (n_classes, n_classes): row = true class, column = predicted class."""
    idx = np.asarray(y_true, dtype=np.int64) * n_classes + np.asarray(y_pred, dtype=np.int64)
    return np.bincount(idx, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def class_report(cm: np.ndarray, classes: Sequence[str]) -> list[dict[str, Any]]:
    """Precision, recall, F1 and support per class, then the macro average (0 where undefined)."""
    rows = []
    for i, name in enumerate(classes):
        tp, pred, true = cm[i, i], cm[:, i].sum(), cm[i, :].sum()
        p = tp / pred if pred else 0.0
        r = tp / true if true else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        rows.append({"class": str(name), "precision": float(p), "recall": float(r), "f1": float(f1),
                     "support": int(true)})
    rows.append({"class": "macro average", **{k: float(np.mean([r[k] for r in rows]))
                                               for k in ("precision", "recall", "f1")},
                 "support": int(cm.sum())})
    return rows
