"""Effective vs theoretical receptive field of a trained CNN (Luo, Li, Urtasun & Zemel 2016).

The theoretical field of a unit is every input pixel with *some* path to it (the recurrence in
:mod:`core.cnn.receptive_field`). How much each pixel actually matters is the gradient of the unit with
respect to the input: Luo et al. show that it is roughly Gaussian and fills only a fraction of the
theoretical field, the centre pixels having many more paths than the border ones. Here: the gradient of
the centre unit of the last conv block (summed over its channels), in absolute value, averaged over
real test images, for the shipped Fashion-MNIST CNN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import torch
from torch import nn

from core.cnn.receptive_field import Layer, receptive_field
from core.viz.style import fast_figure


@dataclass(frozen=True)
class EffectiveRF:
    """Mean |∂ unit / ∂ input| over images, and the theoretical field it lives in."""

    grad: np.ndarray
    """(H, W) mean absolute gradient, normalised to a maximum of 1."""
    unit: tuple[int, int]
    """(row, column) of the unit in the last feature map."""
    box: tuple[float, float, float, float]
    """Theoretical field (top, left, bottom, right) in input pixels, before clipping to the image."""
    theoretical: int
    """Side of the theoretical field in pixels."""
    images: int
    """Test images averaged over."""

    def mass_side(self, share: float = 0.9) -> int:
        """Side of the smallest square around the field's centre that holds ``share`` of the gradient."""
        total = float(self.grad.sum())
        cy, cx = (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2
        h, w = self.grad.shape
        for side in range(1, max(h, w) + 1):
            half = (side - 1) / 2
            r0, r1 = max(0, math.ceil(cy - half)), min(h, math.floor(cy + half) + 1)
            c0, c1 = max(0, math.ceil(cx - half)), min(w, math.floor(cx + half) + 1)
            if self.grad[r0:r1, c0:c1].sum() >= share * total:
                return side
        return max(h, w)

    @property
    def outside(self) -> float:
        """Share of the gradient outside the theoretical field (0 up to rounding: no path, no gradient)."""
        top, left, bottom, right = self.box
        mask = np.ones_like(self.grad, dtype=bool)
        mask[
            max(0, math.ceil(top)) : math.floor(bottom) + 1, max(0, math.ceil(left)) : math.floor(right) + 1
        ] = False
        return float(self.grad[mask].sum() / max(float(self.grad.sum()), 1e-30))


def layers_of(features: nn.Module) -> list[Layer]:
    """The conv and pooling geometry of a network's feature extractor, in order."""
    out = []
    for m in features.modules():
        if isinstance(m, nn.Conv2d):
            k, s, p, d = m.kernel_size[0], m.stride[0], m.padding, m.dilation[0]
            if isinstance(p, str):  # 'same' at stride 1
                p = d * (k - 1) // 2
            out.append(Layer("conv", k, s, int(p if isinstance(p, int) else p[0]), d))
        elif isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
            k = m.kernel_size if isinstance(m.kernel_size, int) else m.kernel_size[0]
            s = m.stride if isinstance(m.stride, int) else m.stride[0]
            out.append(Layer("max" if isinstance(m, nn.MaxPool2d) else "avg", k, s))
    return out


def effective_rf(model: nn.Module, images: np.ndarray) -> EffectiveRF:
    """Mean |gradient| of the centre unit of ``model.features`` over ``images`` (N, 1, H, W) in [0, 1]."""
    x = torch.tensor(np.array(images, dtype=np.float32), requires_grad=True)  # a copy: data is read-only
    features = model.features  # type: ignore[attr-defined]
    model.eval()  # batch norm with its running statistics, as at test time
    y = features(x)
    oh, ow = y.shape[-2:]
    unit = ((oh - 1) // 2, (ow - 1) // 2)
    # Summed over images: each image's unit depends only on that image, so one backward gives all of them.
    y[:, :, unit[0], unit[1]].sum().backward()
    g = x.grad.abs().mean(dim=(0, 1)).numpy()  # type: ignore[union-attr]
    if not np.isfinite(g).all():
        raise ValueError("the gradient is not finite")
    g = g / max(float(g.max()), 1e-30)
    rows = receptive_field(layers_of(features), tuple(x.shape[-2:]))
    r, start, j = rows[-1].rf, rows[-1].start, rows[-1].jump
    cy, cx, half = start + unit[0] * j, start + unit[1] * j, (r - 1) / 2
    return EffectiveRF(g, unit, (cy - half, cx - half, cy + half, cx + half), r, len(x))


def erf_figure(erf: EffectiveRF) -> go.Figure:
    """The effective field as a heat map with the theoretical field's box drawn over it."""
    top, left, bottom, right = erf.box
    trace = {"type": "heatmap", "z": erf.grad.tolist(), "colorscale": "Viridis", "zmin": 0.0, "zmax": 1.0,
             "colorbar": {"title": {"text": "|grad|"}},
             "hovertemplate": "row %{y}, col %{x}<br>%{z:.2f} of the maximum<extra></extra>"}  # fmt: skip
    box = {"type": "rect", "x0": left - 0.5, "x1": right + 0.5, "y0": top - 0.5, "y1": bottom + 0.5,
           "line": {"color": "#ff7f0e", "width": 3, "dash": "dash"}}  # fmt: skip
    return fast_figure(
        [trace], f"Effective field (colour) inside the theoretical {erf.theoretical}×{erf.theoretical} box",
        height=420, shapes=[box],
        yaxis={"autorange": "reversed", "scaleanchor": "x", "title": "input row"},
        xaxis={"title": "input column"},
    )  # fmt: skip
