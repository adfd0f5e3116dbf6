"""Decision maps of the playground (lecture 2): class probabilities on a grid over the input plane,
computed once per published frame while a model trains and once for the final model."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from core.training import Callback

if TYPE_CHECKING:
    from core.jobs import Job

GRID_RES = 80
PUBLISH_EVERY_S = 0.15  # a fresh map for every 0.2 s poll of the live view (>= 5 a second), no more
LIVE_KEY = "decision_map"


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
