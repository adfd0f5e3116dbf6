"""A gallery of CNN architectures built from their real torchvision / timm definitions.

Each architecture is registered (timm-style) with a small metadata record: paper, year, key idea, the
submodule that embodies the idea, a diagram of it. :func:`summary` builds the network on PyTorch's
``meta`` device (shapes only, no memory, no arithmetic: DenseNet-121 costs well under a second) and runs
one forward pass that records

* parameters (``sum(p.numel())``, exactly what the real model object holds),
* multiply-accumulates of every convolution and linear layer at the chosen input size
  (the convention of torchvision's ``_ops`` and of most papers: batch norm, activations, pooling are
  not counted),
* depth: the number of conv + linear layers that run, and the longest chain of them from input to
  output (the "18" of ResNet-18, the "22" of GoogLeNet, the "121" of DenseNet-121),
* the theoretical receptive field of the last feature map, with the recurrence of Araujo, Norris & Sim,
  "Computing receptive fields of convolutional neural networks", Distill 2019: r ← r + (k_eff − 1)·j,
  j ← j·s. At a merge (residual add, inception / dense concatenation) the largest field wins, i.e.
  the field is that of the longest path.

Layers are observed with forward hooks (the layer table) and a ``TorchFunctionMode`` (the receptive
field and depth must also flow through functional ops such as ``torch.cat`` and ``x + identity`` that
no module hook sees).
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.overrides import TorchFunctionMode

from core.viz.style import PALETTE, base_layout

# --------------------------------------------------------------------------------------------------
# LeNet-5, exactly as in LeCun, Bottou, Bengio & Haffner (1998), "Gradient-based learning applied to
# document recognition", Proc. IEEE 86(11), section II.B and appendix A.
# --------------------------------------------------------------------------------------------------

C3_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (4, 5, 0), (5, 0, 1),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (3, 4, 5, 0), (4, 5, 0, 1), (5, 0, 1, 2),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5), (0, 1, 2, 3, 4, 5),
)  # fmt: skip
"""Table I of the paper: which S2 maps each C3 map reads. Breaking the symmetry forces the 16 maps to
learn different features, and keeps C3 at 1,516 instead of 2,416 parameters."""


def scaled_tanh(x: Tensor) -> Tensor:
    """f(a) = 1.7159·tanh(2a/3) (appendix A): f(±1) = ±1 and maximal second derivative at ±1."""
    return 1.7159 * torch.tanh(x * (2.0 / 3.0))


class Subsampling(nn.Module):
    """S2/S4: the sum of each 2×2 block times a trainable coefficient plus a trainable bias (per map)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.coef = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: Tensor) -> Tensor:
        summed = 4.0 * F.avg_pool2d(x, 2)
        return summed * self.coef.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)


class ConnectionTableConv(nn.Module):
    """C3: a 5×5 convolution where output map ``o`` sees only the input maps ``table[o]``.

    Only the 60 connected (output, input) kernels are parameters; the full weight tensor is assembled
    with zeros on each call, so ``sum(p.numel())`` is the paper's count.
    """

    counts_as_layer = True

    def __init__(self, in_channels: int, table: tuple[tuple[int, ...], ...], kernel_size: int) -> None:
        super().__init__()
        pairs = [(o, i) for o, ins in enumerate(table) for i in ins]
        self.in_channels, self.out_channels, self.kernel_size = in_channels, len(table), kernel_size
        self.register_buffer("out_idx", torch.tensor([o for o, _ in pairs]), persistent=False)
        self.register_buffer("in_idx", torch.tensor([i for _, i in pairs]), persistent=False)
        bound = 2.4 / (len(pairs) / len(table) * kernel_size**2)  # appendix A: ±2.4 / fan-in
        self.weight = nn.Parameter(torch.empty(len(pairs), kernel_size, kernel_size).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.zeros(len(table)))

    def forward(self, x: Tensor) -> Tensor:
        k = self.kernel_size
        full = self.weight.new_zeros(self.out_channels, self.in_channels, k, k)
        full = full.index_put((self.out_idx, self.in_idx), self.weight)
        return F.conv2d(x, full, self.bias)

    def macs(self, out: Tensor) -> int:
        """Multiply-adds of the connected kernels only (what the sparse table saves)."""
        return int(out.shape[-1] * out.shape[-2] * self.weight.numel())


class EuclideanRBF(nn.Module):
    """Output layer: y_i = Σ_j (x_j − w_ij)². The prototypes w are fixed, not trained (section II.B:
    the paper drew them as stylised 7×12 bitmaps of ±1; here a seeded ±1 code plays the same role)."""

    counts_as_layer = True

    def __init__(self, in_features: int, classes: int, seed: int = 0) -> None:
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        protos = torch.randint(0, 2, (classes, in_features), generator=gen).float() * 2 - 1
        self.register_buffer("prototypes", protos)

    def forward(self, x: Tensor) -> Tensor:
        return ((x.unsqueeze(1) - self.prototypes) ** 2).sum(-1)

    def macs(self, out: Tensor) -> int:
        return int(out.numel() * self.prototypes.shape[1])


class LeNet5(nn.Module):
    """LeNet-5 for 32×32 grey images: C1-S2-C3-S4-C5-F6-RBF, 60,000 trainable parameters."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5)
        self.s2 = Subsampling(6)
        self.c3 = ConnectionTableConv(6, C3_TABLE, 5)
        self.s4 = Subsampling(16)
        self.c5 = nn.Conv2d(16, 120, 5)  # a convolution, not a linear layer: larger inputs give a map
        self.f6 = nn.Linear(120, 84)
        self.output = EuclideanRBF(84, classes)

    def forward(self, x: Tensor) -> Tensor:
        x = scaled_tanh(self.s2(scaled_tanh(self.c1(x))))
        x = scaled_tanh(self.s4(scaled_tanh(self.c3(x))))
        x = scaled_tanh(self.c5(x)).flatten(1)
        return self.output(scaled_tanh(self.f6(x)))


# --------------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchInfo:
    """Metadata of one registered architecture."""

    name: str
    """Registry key (``summary(name)``)."""
    title: str
    """Display name."""
    year: int
    """Year of the paper."""
    citation: str
    """Authors, title and venue of the paper that introduced it."""
    key_idea: str
    """One or two sentences (Markdown): what the architecture contributed."""
    builder: Callable[[], nn.Module]
    """Builds the network with random weights (no download)."""
    block: str
    """Submodule path (``model.get_submodule``) of the part that embodies the key idea."""
    diagram: str
    """Graphviz DOT source of a small diagram of the key idea."""
    source: str
    """Where the definition comes from (torchvision, timm, this module)."""
    input_size: int = 224
    """Default input side in pixels."""
    in_channels: int = 3
    """Input channels (1 for grey digits, 3 for RGB photos)."""
    fixed_input: bool = False
    """True if the network only accepts ``input_size`` (a linear layer fixes the flattened size)."""
    top1: float | None = None
    """Reported ImageNet top-1 accuracy in percent (None if not an ImageNet model)."""
    top1_source: str = ""
    """Where ``top1`` comes from."""


_REGISTRY: dict[str, ArchInfo] = {}


def register(**meta: Any) -> Callable[[Callable[[], nn.Module]], Callable[[], nn.Module]]:
    """Decorator: register a builder under ``meta['name']`` with its metadata (like timm's
    ``register_model``)."""

    def wrap(builder: Callable[[], nn.Module]) -> Callable[[], nn.Module]:
        if meta["name"] in _REGISTRY:
            raise ValueError(f"architecture {meta['name']!r} is registered twice")
        _REGISTRY[meta["name"]] = ArchInfo(builder=builder, **meta)
        return builder

    return wrap


def names() -> tuple[str, ...]:
    """Registered architectures, in chronological order."""
    return tuple(_REGISTRY)


def info(name: str) -> ArchInfo:
    """The metadata of ``name`` (KeyError naming the known ones otherwise)."""
    if name not in _REGISTRY:
        raise KeyError(f"unknown architecture {name!r}; known: {', '.join(_REGISTRY)}")
    return _REGISTRY[name]


def _torchvision_top1(name: str) -> float:
    # Read from torchvision's weight metadata, which ships with the package (no download).
    import torchvision.models as tvm

    return float(tvm.get_model_weights(name).DEFAULT.meta["_metrics"]["ImageNet-1K"]["acc@1"])


def _dot(*edges: str, nodes: str = "") -> str:
    return (
        "digraph { rankdir=TB; "
        'node [shape=box, style="rounded,filled", fillcolor="#E8F1FA", fontname=Helvetica]; '
        + nodes
        + " "
        + "; ".join(edges)
        + " }"
    )


@register(
    name="lenet5",
    title="LeNet-5",
    year=1998,
    source="core.cnn.architectures.LeNet5 (written from the paper)",
    citation="LeCun, Bottou, Bengio & Haffner, Gradient-based learning applied to document recognition, "
    "Proc. IEEE 1998",
    key_idea="Convolutions with **shared weights** and **subsampling** learned end to end by "
    "backpropagation; C3 reads only some S2 maps (a fixed connection table) to break symmetry.",
    block="",
    input_size=32,
    in_channels=1,
    fixed_input=True,
    diagram=_dot(
        '"32×32 input" -> "C1: 6@5×5 conv" -> "S2: 2×2 subsample" -> "C3: 16@5×5 (table)"',
        '"C3: 16@5×5 (table)" -> "S4: 2×2 subsample" -> "C5: 120@5×5" -> "F6: 84" -> "RBF: 10"',
    ),
)
def _lenet5() -> nn.Module:
    return LeNet5()


@register(
    name="alexnet",
    title="AlexNet",
    year=2012,
    source="torchvision.models.alexnet",
    citation="Krizhevsky, Sutskever & Hinton, ImageNet classification with deep convolutional neural "
    "networks, NeurIPS 2012",
    key_idea="A large CNN trained on GPUs with **ReLU**, **dropout** and data augmentation; an 11×11 "
    "stride-4 first layer shrinks the image fast. (torchvision follows the one-GPU variant of "
    "Krizhevsky 2014.)",
    block="features",
    top1=_torchvision_top1("alexnet"),
    top1_source="torchvision weights metadata",
    diagram=_dot(
        '"224×224×3" -> "conv1 11×11/4, 64" -> p1 -> "conv2 5×5, 192" -> p2',
        'p2 -> "conv3-5: 3 × 3×3" -> p3',
        'p3 -> "FC6 4096, dropout" -> "FC7 4096, dropout" -> "FC8 1000"',
        nodes='p1 [label="max-pool 3/2"]; p2 [label="max-pool 3/2"]; p3 [label="max-pool 3/2"];',
    ),
)
def _alexnet() -> nn.Module:
    import torchvision.models as tvm

    return tvm.alexnet(weights=None)


@register(
    name="vgg16",
    title="VGG-16",
    year=2014,
    source="torchvision.models.vgg16",
    citation="Simonyan & Zisserman, Very deep convolutional networks for large-scale image recognition, "
    "ICLR 2015",
    key_idea="Only **3×3 convolutions**: two stacked see 5×5 and three see 7×7, with fewer parameters "
    "(3·9C² vs 49C²) and more non-linearities than one large kernel.",
    block="features.0:10",
    top1=_torchvision_top1("vgg16"),
    top1_source="torchvision weights metadata",
    diagram=_dot(
        'input -> c1 -> "ReLU" -> c2 -> "ReLU " -> "max-pool 2×2"',
        '"max-pool 2×2" -> "repeat with 64, 128, 256, 512, 512 channels"',
        nodes='c1 [label="conv 3×3"]; c2 [label="conv 3×3"]; "ReLU " [label="ReLU"];',
    ),
)
def _vgg16() -> nn.Module:
    import torchvision.models as tvm

    return tvm.vgg16(weights=None)


@register(
    name="googlenet",
    title="GoogLeNet (Inception v1)",
    year=2014,
    source="torchvision.models.googlenet",
    citation="Szegedy et al., Going deeper with convolutions, CVPR 2015",
    key_idea="The **inception module** runs 1×1, 3×3, 5×5 convolutions and pooling in parallel and "
    "concatenates them; cheap 1×1 convolutions first reduce the channels. (torchvision's '5×5' branch "
    "is a 3×3, a known slip kept for weight compatibility.)",
    block="inception3a",
    top1=_torchvision_top1("googlenet"),
    top1_source="torchvision weights metadata",
    diagram=_dot(
        '"previous layer" -> {"1×1 conv"; r3; r5; "3×3 max-pool"}',
        'r3 -> "3×3 conv"',
        'r5 -> "5×5 conv"',
        '"3×3 max-pool" -> "1×1 proj"',
        '{"1×1 conv"; "3×3 conv"; "5×5 conv"; "1×1 proj"} -> "concatenate"',
        nodes='r3 [label="1×1 reduce"]; r5 [label="1×1 reduce"];',
    ),
)
def _googlenet() -> nn.Module:
    import torchvision.models as tvm

    # Without the two auxiliary classifiers (only used in training): the 6.6 M parameters people quote.
    return tvm.googlenet(weights=None, aux_logits=False, init_weights=True)


@register(
    name="resnet18",
    title="ResNet-18",
    year=2015,
    source="torchvision.models.resnet18",
    citation="He, Zhang, Ren & Sun, Deep residual learning for image recognition, CVPR 2016",
    key_idea="The **residual block** learns F(x) and outputs F(x) + x: the identity shortcut lets "
    "gradients pass unchanged, so very deep networks train.",
    block="layer2.0",
    top1=_torchvision_top1("resnet18"),
    top1_source="torchvision weights metadata",
    diagram=_dot(
        '"x" -> "conv 3×3, BN, ReLU" -> "conv 3×3, BN" -> "+" -> "ReLU"',
        '"x" -> "+" [label="identity (1×1 conv if the shape changes)", style=dashed]',
    ),
)
def _resnet18() -> nn.Module:
    import torchvision.models as tvm

    return tvm.resnet18(weights=None)


@register(
    name="densenet121",
    title="DenseNet-121",
    year=2016,
    source="torchvision.models.densenet121",
    citation="Huang, Liu, van der Maaten & Weinberger, Densely connected convolutional networks, CVPR 2017",
    key_idea="In a **dense block** every layer receives the concatenation of all earlier feature maps "
    "and adds k = 32 new ones (growth rate); features are reused, so layers stay thin.",
    block="features.denseblock1.denselayer1",
    top1=_torchvision_top1("densenet121"),
    top1_source="torchvision weights metadata",
    diagram=_dot(
        '"x0" -> "H1 (BN-ReLU-1×1-BN-ReLU-3×3)" -> "x1"',
        '"x0" -> "H2"',
        '"x1" -> "H2" -> "x2"',
        '"x0" -> "H3"',
        '"x1" -> "H3"',
        '"x2" -> "H3" -> "x3"',
        '"x3" -> "transition: 1×1 conv, 2×2 avg-pool"',
    ),
)
def _densenet121() -> nn.Module:
    import torchvision.models as tvm

    return tvm.densenet121(weights=None)


@register(
    name="mnasnet",
    title="MnasNet 1.0 (NAS)",
    year=2018,
    source="torchvision.models.mnasnet1_0",
    citation="Tan et al., MnasNet: platform-aware neural architecture search for mobile, CVPR 2019",
    key_idea="Found by **neural architecture search**: a reinforcement-learning controller proposes "
    "blocks (inverted residuals of MobileNetV2 with searched kernel sizes and expansions), rewarded by "
    "accuracy and measured phone latency.",
    block="layers.9.0",
    top1=_torchvision_top1("mnasnet1_0"),
    top1_source="torchvision weights metadata",
    diagram=_dot(
        '"x (thin)" -> "1×1 expand ×3 or ×6, ReLU" -> "depthwise 3×3 or 5×5, ReLU"',
        '"depthwise 3×3 or 5×5, ReLU" -> "1×1 project (linear)" -> "+"',
        '"x (thin)" -> "+" [style=dashed, label="if same shape"]',
    ),
)
def _mnasnet() -> nn.Module:
    import torchvision.models as tvm

    return tvm.mnasnet1_0(weights=None)


@register(
    name="efficientnet_b0",
    title="EfficientNet-B0 (NAS)",
    year=2019,
    source="timm efficientnet_b0",
    citation="Tan & Le, EfficientNet: rethinking model scaling for convolutional neural networks, ICML 2019",
    key_idea="A MnasNet-style **searched** base network (MBConv blocks with squeeze-and-excitation) that is "
    "then scaled up by **compound scaling** of depth, width and resolution together.",
    block="blocks.1.0",
    top1=77.1,
    top1_source="Tan & Le 2019, table 2",
    diagram=_dot(
        '"x" -> "1×1 expand, SiLU" -> "depthwise k×k, SiLU" -> se -> "1×1 project" -> "+"',
        '"x" -> "+" [style=dashed]',
        nodes='se [label="squeeze-excite (global pool, 2 FC, sigmoid gate)"];',
    ),
)
def _efficientnet_b0() -> nn.Module:
    import timm

    return timm.create_model("efficientnet_b0", pretrained=False)


# --------------------------------------------------------------------------------------------------
# Tracing: receptive field, depth, multiply-adds
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
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


class _FieldTracer(TorchFunctionMode):
    """Propagates a :class:`_Field` through every torch function call of a forward pass."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[int, _Field] = {}
        self.keep: list[Tensor] = []  # holds tensors alive so that their ids are never reused
        self.spatial_rf = 1

    def set(self, t: Tensor, f: _Field) -> None:
        self.fields[id(t)] = f
        self.keep.append(t)

    def get(self, t: Any) -> _Field | None:
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
        f = _Field(base.rf, base.jump, depth)
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
            f = _Field(base.rf + (d * (k - 1)) * base.jump, base.jump * s, depth)
            self.spatial_rf = max(self.spatial_rf, f.rf)
        elif name in _ADAPTIVE and isinstance(x, Tensor) and isinstance(out, Tensor):
            h_in, h_out = x.shape[-2], out.shape[-2]
            if h_out != h_in:  # pooling into fewer cells: each cell covers ~h_in/h_out positions
                k, s = math.ceil(h_in / h_out), h_in // h_out
                f = _Field(base.rf + (k - 1) * base.jump, base.jump * s, depth)
        for o in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(o, Tensor):
                self.set(o, f)
        return out


_LAYER_TYPES = (
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


def _is_layer(m: nn.Module) -> bool:
    return isinstance(m, (nn.Conv2d, nn.Linear)) or getattr(m, "counts_as_layer", False)


def _macs(m: nn.Module, out: Tensor) -> int:
    per_sample = out[0] if out.dim() > 1 else out
    if isinstance(m, nn.Conv2d):
        return int(per_sample.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1])
    if isinstance(m, nn.Linear):
        return int(per_sample.numel() * m.in_features)
    if hasattr(m, "macs"):
        return int(m.macs(per_sample))
    return 0


def _geometry(m: nn.Module) -> tuple[str, str]:
    k = getattr(m, "kernel_size", None)
    if k is None:
        return "—", "—"
    k0 = _first(k)
    s = getattr(m, "stride", None) or k0
    d = _first(getattr(m, "dilation", 1) or 1)
    text = f"{k0}×{k0}" + (f" d{d}" if d > 1 else "")
    return text, str(_first(s))


def build(name: str, device: str | torch.device = "meta") -> nn.Module:
    """The network ``name`` in eval mode; on ``meta`` (default) it has shapes but no storage."""
    with torch.device(device):
        return info(name).builder().eval()


@functools.lru_cache(maxsize=64)
def _summary(name: str, input_size: int) -> dict[str, Any]:
    meta = info(name)
    model = build(name)
    rows: list[dict[str, Any]] = []
    tracer = _FieldTracer()
    layer_calls = [0]

    def hook(mod_name: str):  # type: ignore[no-untyped-def]
        def fn(m: nn.Module, inputs: tuple, out: Any) -> None:
            if not isinstance(out, Tensor):
                return
            f = tracer.get(out) or _Field(1, 1, 0)
            if _is_layer(m):  # a conv/linear layer adds one to the chain that reaches it
                f_in = tracer.get(inputs[0]) if inputs else None
                f = _Field(f.rf, f.jump, (f_in.depth if f_in else f.depth) + 1)
                tracer.set(out, f)
                layer_calls[0] += 1
            kernel, stride = _geometry(m)
            rows.append(
                {
                    "layer": mod_name,
                    "type": type(m).__name__,
                    "kernel": kernel,
                    "stride": stride,
                    "output": "×".join(str(d) for d in out.shape[1:]),
                    "params": sum(p.numel() for p in m.parameters(recurse=False)),
                    "macs": _macs(m, out),
                    "receptive_field": f.rf,
                    "jump": f.jump,
                }
            )

        return fn

    handles = [
        m.register_forward_hook(hook(n)) for n, m in model.named_modules() if isinstance(m, _LAYER_TYPES)
    ]
    x = torch.zeros(1, meta.in_channels, input_size, input_size, device="meta")
    try:
        with torch.no_grad(), tracer:
            tracer.set(x, _Field(1, 1, 0))
            out = model(x)
    except (RuntimeError, ValueError) as exc:
        raise ValueError(f"{meta.title} cannot take a {input_size}×{input_size} input: {exc}") from None
    finally:
        for h in handles:
            h.remove()
    out_field = tracer.get(out)
    return {
        "name": name,
        "title": meta.title,
        "year": meta.year,
        "citation": meta.citation,
        "key_idea": meta.key_idea,
        "source": meta.source,
        "input_size": input_size,
        "params": int(sum(p.numel() for p in model.parameters())),
        "macs": int(sum(r["macs"] for r in rows)),
        "depth": layer_calls[0],
        "longest_path": out_field.depth if out_field else 0,
        "receptive_field": tracer.spatial_rf,
        "top1": meta.top1,
        "top1_source": meta.top1_source,
        "layers": rows,
    }


def summary(name: str, input_size: int | None = None) -> dict[str, Any]:
    """Parameters, multiply-adds, depth, receptive field and a layer table of architecture ``name``.

    ``input_size`` defaults to the architecture's own (224 for ImageNet nets); networks with a fixed
    input (LeNet-5: 32) ignore it. Keys: name, title, year, citation, key_idea, source, input_size,
    params, macs, depth (conv + linear layers that run), longest_path, receptive_field (pixels),
    top1, top1_source, layers (one dict per conv/linear/pool layer). Cached; the caller gets a copy.
    """
    meta = info(name)
    size = meta.input_size if input_size is None or meta.fixed_input else int(input_size)
    if size < 1:
        raise ValueError(f"input size must be positive, got {size}")
    return copy.deepcopy(_summary(name, size))


@functools.cache
def key_block(name: str) -> str:
    """The real module (``repr``) that embodies the architecture's key idea, as a layer listing."""
    meta = info(name)
    model = build(name)
    if not meta.block:
        return repr(model)
    path, _, stop = meta.block.partition(":")
    if stop:  # "features.0:10": layers 0..9 of the Sequential ``features``
        parent, _, start = path.rpartition(".")
        return repr(nn.Sequential(*list(model.get_submodule(parent))[int(start) : int(stop)]))
    return repr(model.get_submodule(path))


METRICS: dict[str, str] = {
    "params": "Parameters",
    "macs": "Multiply-adds",
    "longest_path": "Depth (longest conv/linear chain)",
    "receptive_field": "Receptive field (pixels)",
    "top1": "ImageNet top-1 (%)",
}
"""Summary keys the comparison chart can show, with their axis titles."""


def comparison_figure(
    summaries: list[dict[str, Any]], metric: str = "params", highlight: str | None = None
) -> go.Figure:
    """Bars of one metric for several summaries (log axis for counts); ``highlight`` names the bar to
    colour differently (the architecture in focus)."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
    rows = [s for s in summaries if s.get(metric) is not None]
    labels = [f"{s['title']}<br>{s['input_size']} px" for s in rows]
    colours = [PALETTE[1] if s["name"] == highlight else PALETTE[0] for s in rows]
    fig = base_layout(go.Figure(), METRICS[metric], height=420)
    fig.add_bar(
        x=labels,
        y=[s[metric] for s in rows],
        marker_color=colours,
        text=[_human(s[metric]) for s in rows],
        textposition="outside",
        cliponaxis=False,
    )
    fig.update_yaxes(type="log" if metric in ("params", "macs") else "linear", title=METRICS[metric])
    return fig


def tradeoff_figure(summaries: list[dict[str, Any]], highlight: str | None = None) -> go.Figure:
    """Accuracy against multiply-adds, bubble area ∝ parameters: the cost/benefit picture of a decade."""
    rows = sorted((s for s in summaries if s.get("top1") is not None), key=lambda s: s["macs"])
    gmacs = [s["macs"] / 1e9 for s in rows]
    fig = base_layout(go.Figure(), "ImageNet top-1 vs multiply-adds (bubble area: parameters)", height=420)
    fig.add_scatter(
        x=gmacs,
        y=[s["top1"] for s in rows],
        mode="markers+text",
        text=[s["title"] for s in rows],
        textposition=_label_sides(gmacs, [s["top1"] for s in rows]),
        marker=dict(
            size=[10 + 3 * math.sqrt(s["params"] / 1e6) for s in rows],
            opacity=0.8,
            color=[PALETTE[1] if s["name"] == highlight else PALETTE[0] for s in rows],
        ),
        cliponaxis=False,
    )
    lo, hi = math.log10(min(gmacs)), math.log10(max(gmacs))
    fig.update_xaxes(type="log", title="GMACs per image", range=[lo - 0.25, hi + 0.25])
    fig.update_yaxes(
        title="top-1 accuracy (%)", range=[min(s["top1"] for s in rows) - 4, max(s["top1"] for s in rows) + 4]
    )
    return fig


def _label_sides(xs: list[float], ys: list[float]) -> list[str]:
    """Label below a point when a close neighbour (within 0.15 decades of cost) is more accurate, above
    otherwise: neighbours such as GoogLeNet and ResNet-18 then do not overprint each other."""

    def close(i: int, j: int) -> bool:
        return i != j and abs(math.log10(xs[i] / xs[j])) < 0.15

    return [
        "bottom center" if any(close(i, j) and ys[j] > ys[i] for j in range(len(xs))) else "top center"
        for i in range(len(xs))
    ]


def _human(v: float) -> str:
    for div, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"{v / div:.3g} {unit}"
    return f"{v:.4g}"
