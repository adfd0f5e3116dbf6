"""Training diagnostics of a live CNN run, as CS231n teaches them (Karpathy, CS231n notes, 'Babysitting
the learning process'): the update-to-weight ratio per layer, ‖Δw‖ / ‖w‖ of one optimiser step (about
1e-3 is healthy; far below, the layer barely learns; far above, the learning rate is too high), and the
distribution of each layer's weights as training goes on.

Recorded cheaply: the weights are copied a few times an epoch (before one step; the next step's change
is then the update) and histogrammed at the end of each epoch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go
import torch
from torch import nn

from core.training import Callback
from core.viz.style import PALETTE, fast_figure

HEALTHY_RATIO = 1e-3
BINS = 40


@dataclass
class Diagnostics:
    """What :class:`DiagnosticsRecorder` saw."""

    layers: list[str] = field(default_factory=list)
    """Names of the conv and linear layers, input to output."""
    ratio_steps: list[int] = field(default_factory=list)
    """Global step of each update-to-weight measurement."""
    ratios: list[list[float]] = field(default_factory=list)
    """ratios[i][l]: ‖Δw‖ / ‖w‖ of layer l at measurement i."""
    hist_epochs: list[int] = field(default_factory=list)
    """Epoch (1-based; 0 = before training) of each histogram."""
    hists: list[list[np.ndarray]] = field(default_factory=list)
    """hists[e][l]: share of layer l's weights per bin at epoch e."""
    edges: list[np.ndarray] = field(default_factory=list)
    """Bin edges per layer (fixed at the start: ±4 std of the initial weights)."""


def _weighted(model: nn.Module) -> list[tuple[str, nn.Parameter]]:
    """('conv 1', weight), ('conv 2', weight), ..., ('linear 1', weight): the layers that learn."""
    out, counts = [], {"conv": 0, "linear": 0}
    for m in model.modules():
        kind = "conv" if isinstance(m, nn.Conv2d) else "linear" if isinstance(m, nn.Linear) else None
        if kind:
            counts[kind] += 1
            out.append((f"{kind} {counts[kind]}", m.weight))
    return out


class DiagnosticsRecorder(Callback):
    """Measures the update ratio ``per_epoch`` times an epoch and histograms the weights every epoch."""

    def __init__(self, model: nn.Module, per_epoch: int = 4) -> None:
        self.params = _weighted(model)
        self.per_epoch = per_epoch
        self.data = Diagnostics(layers=[n for n, _ in self.params])
        self._before: list[torch.Tensor] | None = None
        self._step = 0

    def on_train_begin(self, epochs: int, steps_per_epoch: int) -> None:
        for _, p in self.params:
            w = p.detach()
            top = 4 * float(w.std()) or 1.0
            self.data.edges.append(np.linspace(-top, top, BINS + 1))
        self._histogram(0)

    def on_step(self, epoch: int, step: int, steps_per_epoch: int) -> bool:
        self._step += 1
        if self._before is not None:  # the step just taken is the update
            ratios = []
            for (_, p), w0 in zip(self.params, self._before, strict=True):
                ratios.append(float((p.detach() - w0).norm() / w0.norm().clamp_min(1e-12)))
            self.data.ratio_steps.append(self._step)
            self.data.ratios.append(ratios)
            self._before = None
        every = max(1, (steps_per_epoch or 1) // self.per_epoch)
        if self._step % every == 1 or every == 1:
            self._before = [p.detach().clone() for _, p in self.params]
        return True

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        self._histogram(len(self.data.hist_epochs))
        return True

    def _histogram(self, epoch: int) -> None:
        hists = []
        for (_, p), edges in zip(self.params, self.data.edges, strict=True):
            w = p.detach().reshape(-1).numpy()
            counts, _ = np.histogram(np.clip(w, edges[0], edges[-1]), edges)
            hists.append(counts / max(1, w.size))
        self.data.hist_epochs.append(epoch)
        self.data.hists.append(hists)


def ratio_figure(d: Diagnostics) -> go.Figure:
    """Update-to-weight ratio per layer over the run (log axis) with the ~1e-3 rule of thumb."""
    r = np.array(d.ratios) if d.ratios else np.zeros((0, len(d.layers)))
    traces = [
        {"type": "scatter", "x": d.ratio_steps, "y": [float(v) if v > 0 else None for v in r[:, i]],
         "name": name, "mode": "lines+markers", "line": {"color": PALETTE[i % len(PALETTE)]}}
        for i, name in enumerate(d.layers)
    ]  # fmt: skip
    line = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": HEALTHY_RATIO, "y1": HEALTHY_RATIO,
            "line": {"dash": "dash", "color": "#555555"}}  # fmt: skip
    return fast_figure(
        traces, "Update / weight ratio ‖Δw‖/‖w‖ per layer (dashed: ~1e-3, healthy)", height=380,
        yaxis={"type": "log", "title": "ratio", "range": [-6, 0]}, xaxis={"title": "step"}, shapes=[line],
    )  # fmt: skip


def histogram_figure(d: Diagnostics, layer: int) -> go.Figure:
    """One layer's weight distribution at the start and after each epoch."""
    edges = d.edges[layer]
    centres = (edges[:-1] + edges[1:]) / 2
    traces = [
        {"type": "scatter", "x": centres.tolist(), "y": h[layer].tolist(), "mode": "lines",
         "name": "initial" if e == 0 else f"after epoch {e}", "line": {"color": PALETTE[i % len(PALETTE)]}}
        for i, (e, h) in enumerate(zip(d.hist_epochs, d.hists, strict=True))
    ]  # fmt: skip
    return fast_figure(traces, f"Weights of {d.layers[layer]}", height=340,
                       xaxis={"title": "weight"}, yaxis={"title": "share"})  # fmt: skip


def summary(d: Diagnostics) -> str:
    """One sentence per run: the median ratio of each layer against the rule of thumb."""
    if not d.ratios:
        return "No update was measured (the run stopped before its second step)."
    med = np.median(np.array(d.ratios), axis=0)
    parts = [f"{name} {m:.1e}" for name, m in zip(d.layers, med, strict=True)]
    low = [n for n, m in zip(d.layers, med, strict=True) if m < HEALTHY_RATIO / 10]
    high = [n for n, m in zip(d.layers, med, strict=True) if m > HEALTHY_RATIO * 10]
    verdict = (
        (f" Far below 1e-3 (learning slowly): {', '.join(low)}." if low else "")
        + (f" Far above 1e-3 (steps too large): {', '.join(high)}." if high else "")
    ) or " All within 10x of 1e-3: the learning rate suits every layer."
    return "Median update/weight ratio: " + ", ".join(parts) + "." + verdict
