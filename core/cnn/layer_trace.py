"""Tracing a network's forward pass for the architecture gallery: receptive field, depth, multiply-adds.

Layers are observed with forward hooks (the layer table) and a ``TorchFunctionMode`` (the receptive
field and depth must also flow through functional ops such as ``torch.cat`` and ``x + identity`` that
no module hook sees).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from torch import Tensor, nn
from torch.overrides import TorchFunctionMode

from core.cnn.lenet5 import ConnectionTableConv, EuclideanRBF, Subsampling


@dataclass(frozen=True)
class Field:
    """What the tracer knows about one tensor (along the height axis; every kernel here is square)."""

    rf: int
    """Receptive field side in input pixels."""
    jump: int
    """Distance in input pixels between neighbouring units (the product of strides so far)."""
    depth: int
    """Longest chain of conv/linear layers from the input to this tensor."""


_POOLS = {"max_pool2d", "max_pool2d_with_indices", "avg_pool2d", "lp_pool2d"}
_ADAPTIVE = {"adaptive_avg_pool2d", "adaptive_max_pool2d"}
_ARGS = {  # positional order of (kernel, stride, padding, dilation) after the input
    "conv2d": ("weight", "bias", "stride", "padding", "dilation"),
    "avg_pool2d": ("kernel_size", "stride", "padding"),
    "lp_pool2d": ("norm_type", "kernel_size", "stride"),
}


def _first(v: Any) -> int:
    return int(v[0] if isinstance(v, (tuple, list)) else v)


def _arg(func_name: str, args: tuple, kwargs: dict, key: str, default: Any) -> Any:
    order = _ARGS.get(func_name, ("kernel_size", "stride", "padding", "dilation"))
    if key in kwargs:
        return kwargs[key]
    pos = order.index(key) + 1 if key in order else None
    return args[pos] if pos is not None and pos < len(args) else default


class FieldTracer(TorchFunctionMode):
    """Propagates a :class:`Field` through every torch function call of a forward pass."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[int, Field] = {}
        self.keep: list[Tensor] = []  # holds tensors alive so that their ids are never reused
        self.spatial_rf = 1

    def set(self, t: Tensor, f: Field) -> None:
        self.fields[id(t)] = f
        self.keep.append(t)

    def get(self, t: Any) -> Field | None:
        return self.fields.get(id(t)) if isinstance(t, Tensor) else None

    def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        flat = [
            a
            for a in list(args) + list(kwargs.values())
            for a in (a if isinstance(a, (list, tuple)) else (a,))
        ]
        known = [f for f in map(self.get, flat) if f is not None]
        if not known:
            return out
        base = max(known, key=lambda f: (f.rf, f.depth))
        depth = max(f.depth for f in known)
        name = getattr(func, "__name__", "")
        f = Field(base.rf, base.jump, depth)
        x = args[0] if args else None
        if name in ("conv2d", *_POOLS) and isinstance(x, Tensor):
            if name == "conv2d":
                k = int(_arg(name, args, kwargs, "weight", None).shape[-2])
            else:
                k = _first(_arg(name, args, kwargs, "kernel_size", 1))
            stride = _arg(name, args, kwargs, "stride", None)
            s = (
                k
                if stride in (None, [], ()) and name != "conv2d"
                else _first(stride if stride is not None else 1)
            )
            d = _first(_arg(name, args, kwargs, "dilation", 1)) if name in ("conv2d", "max_pool2d") else 1
            f = Field(base.rf + (d * (k - 1)) * base.jump, base.jump * s, depth)
            self.spatial_rf = max(self.spatial_rf, f.rf)
        elif name in _ADAPTIVE and isinstance(x, Tensor) and isinstance(out, Tensor):
            h_in, h_out = x.shape[-2], out.shape[-2]
            if h_out != h_in:  # pooling into fewer cells: each cell covers ~h_in/h_out positions
                k, s = math.ceil(h_in / h_out), h_in // h_out
                f = Field(base.rf + (k - 1) * base.jump, base.jump * s, depth)
        for o in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(o, Tensor):
                self.set(o, f)
        return out


LAYER_TYPES = (
    nn.Conv2d,
    nn.Linear,
    nn.MaxPool2d,
    nn.AvgPool2d,
    nn.AdaptiveAvgPool2d,
    nn.AdaptiveMaxPool2d,
    Subsampling,
    ConnectionTableConv,
    EuclideanRBF,
)


def is_layer(m: nn.Module) -> bool:
    return isinstance(m, (nn.Conv2d, nn.Linear)) or getattr(m, "counts_as_layer", False)


def macs(m: nn.Module, out: Tensor) -> int:
    per_sample = out[0] if out.dim() > 1 else out
    if isinstance(m, nn.Conv2d):
        return int(per_sample.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1])
    if isinstance(m, nn.Linear):
        return int(per_sample.numel() * m.in_features)
    if hasattr(m, "macs"):
        return int(m.macs(per_sample))
    return 0


def geometry(m: nn.Module) -> tuple[str, str]:
    k = getattr(m, "kernel_size", None)
    if k is None:
        return "—", "—"
    k0 = _first(k)
    s = getattr(m, "stride", None) or k0
    d = _first(getattr(m, "dilation", 1) or 1)
    text = f"{k0}×{k0}" + (f" d{d}" if d > 1 else "")
    return text, str(_first(s))

