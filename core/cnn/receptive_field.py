"""Receptive fields of layer stacks (lecture 3), predicted by the recurrence and checked by backpropagation.

Araujo, Norris & Sim, "Computing receptive fields of convolutional neural networks", Distill 2019:
r_l = r_{l-1} + (k_eff − 1)·j_{l-1},  j_l = j_{l-1}·s_l,
start_l = start_{l-1} + ((k_eff − 1)/2 − p_l)·j_{l-1}, with k_eff = d(k−1)+1 and r_0 = j_0 = 1.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from core.cnn.conv import conv_output_size, pool_output_size
from core.cnn.explorer import ExplorerConfig
from core.cnn.kernels import LEARNED, learned_filters


@dataclass(frozen=True)
class Layer:
    """One layer of a stack, as far as geometry is concerned."""

    kind: str
    """'conv', 'max' or 'avg' (pooling)."""
    kernel: int
    """Kernel / window side."""
    stride: int = 1
    """Stride."""
    padding: int = 0
    """Zero padding on each side."""
    dilation: int = 1
    """Dilation (convolutions only)."""

    @property
    def label(self) -> str:
        name = "conv" if self.kind == "conv" else f"{self.kind}-pool"
        extra = f" d{self.dilation}" if self.dilation > 1 else ""
        return f"{name} {self.kernel}×{self.kernel} s{self.stride} p{self.padding}{extra}"


@dataclass(frozen=True)
class RFRow:
    """Geometry after one layer of a stack."""

    layer: str
    """The layer's label."""
    out_size: tuple[int, int]
    """(H, W) of its output."""
    jump: int
    """Input pixels between neighbouring output units (product of strides)."""
    rf: int
    """Receptive field side in input pixels."""
    start: float
    """Input coordinate of the centre of the first output unit's field (may be < 0: padding)."""


def receptive_field(layers: Sequence[Layer], shape: tuple[int, int]) -> tuple[RFRow, ...]:
    """The receptive-field table of a stack on an (H, W) input; ValueError if a layer's output is empty."""
    rows: list[RFRow] = []
    r, j, start, (h, w) = 1, 1, 0.0, shape
    for i, lay in enumerate(layers, 1):
        d = lay.dilation if lay.kind == "conv" else 1
        try:
            if lay.kind == "conv":
                h, w = (conv_output_size(n, lay.kernel, lay.stride, lay.padding, d) for n in (h, w))
            else:
                h, w = (pool_output_size(n, lay.kernel, lay.stride, lay.padding) for n in (h, w))
        except ValueError as exc:
            raise ValueError(f"layer {i} ({lay.label}) on a {h}×{w} input: {exc}") from None
        k_eff = d * (lay.kernel - 1) + 1
        start += ((k_eff - 1) / 2 - lay.padding) * j
        r += (k_eff - 1) * j
        j *= lay.stride
        rows.append(RFRow(lay.label, (h, w), j, r, start))
    return tuple(rows)


RF_PRESETS: tuple[str, ...] = (
    "3×3 convolutions",
    "3×3 conv + 2×2 max-pool",
    "dilated 3×3 (d = 1, 2, 4, …)",
    "5×5 conv, stride 2",
    "the explorer's conv + pool",
    "dilated 3×3, d = 2 every layer (gridding)",
)
"""Stacks the receptive-field panel offers (each repeated ``repeats`` times)."""


def rf_stack(preset: str, repeats: int, cfg: ExplorerConfig | None = None) -> tuple[Layer, ...]:
    """A layer stack: ``preset`` (``RF_PRESETS``) repeated ``repeats`` times."""
    cfg = cfg or ExplorerConfig()
    out: list[Layer] = []
    for i in range(repeats):
        if preset == RF_PRESETS[0]:
            out.append(Layer("conv", 3, 1, 1))
        elif preset == RF_PRESETS[1]:
            out += [Layer("conv", 3, 1, 1), Layer("max", 2, 2)]
        elif preset == RF_PRESETS[2]:  # Yu & Koltun 2016: exponentially growing field, same weights count
            out.append(Layer("conv", 3, 1, 2**i, 2**i))
        elif preset == RF_PRESETS[3]:
            out.append(Layer("conv", 5, 2, 2))
        elif preset == RF_PRESETS[5]:  # the same dilation repeated: taps never land on odd offsets
            out.append(Layer("conv", 3, 1, 2, 2))
        elif preset == RF_PRESETS[4]:
            k = cfg.kernel_size if cfg.kernel != LEARNED else learned_filters().shape[-1]
            out.append(Layer("conv", k, cfg.stride, cfg.padding, cfg.dilation))
            if cfg.pool != "none":
                out.append(Layer(cfg.pool, cfg.pool_size, cfg.pool_stride))
        else:
            raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(RF_PRESETS)}")
    return tuple(out)


@dataclass(frozen=True, eq=False)
class RFCheck:
    """The receptive field of one output unit, predicted and measured by backpropagation."""

    unit: tuple[int, int]
    """(row, column) of the output unit in the last layer's map."""
    predicted: np.ndarray
    """bool (H, W): input pixels the recurrence says the unit sees (gaps from dilation included)."""
    gradient: np.ndarray
    """float (H, W): |∂ output unit / ∂ input|."""
    box: tuple[float, float, float, float]
    """(top, left, bottom, right) of the field in input coordinates, before clipping to the image."""
    agree: bool
    """True if the non-zero gradient is exactly the predicted set of pixels."""

    @property
    def gaps(self) -> int:
        """Pixels inside the field's box (clipped to the image) that the unit never sees: the 'gridding'
        of a repeated dilation (d = 2 at every layer skips every odd offset; d = 1, 2, 4 leaves none)."""
        top, left, bottom, right = self.box
        h, w = self.predicted.shape
        r0, c0 = max(0, math.ceil(top)), max(0, math.ceil(left))
        r1, c1 = min(h - 1, math.floor(bottom)), min(w - 1, math.floor(right))
        inside = self.predicted[r0 : r1 + 1, c0 : c1 + 1]
        return int(inside.size - inside.sum())


def _taps_1d(layers: Sequence[Layer], sizes: Sequence[int], unit: int) -> np.ndarray:
    """Input positions (bool mask) that output ``unit`` depends on along one axis.

    Walks the stack top-down: a unit at o of layer l reads positions o·s − p + d·t (t < k) of the layer
    below, keeping only those inside that map — a tap that lands in zero padding leads nowhere, which is
    why units near the border see less than the full field. ``sizes`` are the map lengths from the
    input (sizes[0]) to the last output.
    """
    pos = np.array([unit], dtype=np.int64)
    for lay, n_in in zip(reversed(layers), reversed(sizes[:-1]), strict=False):
        d = lay.dilation if lay.kind == "conv" else 1
        pos = np.unique(
            (pos[:, None] * lay.stride - lay.padding + d * np.arange(lay.kernel)[None, :]).ravel()
        )
        pos = pos[(pos >= 0) & (pos < n_in)]
    mask = np.zeros(sizes[0], dtype=bool)
    mask[pos] = True
    return mask


def rf_check(layers: Sequence[Layer], shape: tuple[int, int], unit: tuple[int, int] | None = None) -> RFCheck:
    """Backpropagate from one output unit (default: the centre one) through the stack with all-positive
    weights, so that no path can cancel; max-pooling becomes average pooling (same window, but the
    gradient flows to every input of the window instead of only the maximum). Cached per stack."""
    return _rf_check(tuple(layers), (int(shape[0]), int(shape[1])), None if unit is None else tuple(unit))


@functools.lru_cache(maxsize=64)
def _rf_check(layers: tuple[Layer, ...], shape: tuple[int, int], unit: tuple[int, int] | None) -> RFCheck:
    rows = receptive_field(layers, shape)
    (oh, ow), r, start, j = rows[-1].out_size, rows[-1].rf, rows[-1].start, rows[-1].jump
    unit = unit or ((oh - 1) // 2, (ow - 1) // 2)
    # float32 is exact enough: every path product is positive, so nothing cancels to a false zero.
    x = torch.ones(1, 1, *shape, requires_grad=True)
    y = x
    for lay in layers:  # only the input needs a gradient: weight gradients would cost as much again
        if lay.kind == "conv":
            w = torch.ones(1, 1, lay.kernel, lay.kernel)
            y = F.conv2d(y, w, stride=lay.stride, padding=lay.padding, dilation=lay.dilation)
        else:
            y = F.avg_pool2d(y, lay.kernel, lay.stride, lay.padding)
    y[0, 0, unit[0], unit[1]].backward()
    grad = x.grad[0, 0].abs().numpy()  # type: ignore[union-attr]
    grad.flags.writeable = False
    heights, widths = [shape[0]] + [r.out_size[0] for r in rows], [shape[1]] + [r.out_size[1] for r in rows]
    predicted = np.outer(_taps_1d(layers, heights, unit[0]), _taps_1d(layers, widths, unit[1]))
    cy, cx = start + unit[0] * j, start + unit[1] * j
    half = (r - 1) / 2
    box = (cy - half, cx - half, cy + half, cx + half)
    return RFCheck(unit, predicted, grad, box, bool(np.array_equal(grad > 0, predicted)))

