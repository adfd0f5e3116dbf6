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
from typing import Any

import torch
from torch import Tensor, nn

from core.cnn.architecture_registry import ArchInfo, info, names, register  # noqa: F401
from core.cnn.layer_trace import LAYER_TYPES, Field, FieldTracer, geometry, is_layer, macs

TORCHVISION_TOP1 = "torchvision weights metadata"
"""Source of the top-1 numbers below: each weights enum's ``meta`` (``_metrics.ImageNet-1K.acc@1``), copied
here so that importing the gallery does not import torchvision (0.9 s); a test compares them."""


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
    source="core.cnn.lenet5.LeNet5 (written from the paper)",
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
    from core.cnn.lenet5 import LeNet5

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
    top1=56.522,
    top1_source=TORCHVISION_TOP1,
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
    top1=71.592,
    top1_source=TORCHVISION_TOP1,
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
    top1=69.778,
    top1_source=TORCHVISION_TOP1,
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
    top1=69.758,
    top1_source=TORCHVISION_TOP1,
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
    top1=74.434,
    top1_source=TORCHVISION_TOP1,
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
    top1=73.456,
    top1_source=TORCHVISION_TOP1,
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


def build(name: str, device: str | torch.device = "meta") -> nn.Module:
    """The network ``name`` in eval mode; on ``meta`` (default) it has shapes but no storage."""
    with torch.device(device):
        return info(name).builder().eval()


@functools.lru_cache(maxsize=64)
def _summary(name: str, input_size: int) -> dict[str, Any]:
    meta = info(name)
    model = build(name)
    rows: list[dict[str, Any]] = []
    tracer = FieldTracer()
    layer_calls = [0]

    def hook(mod_name: str):  # type: ignore[no-untyped-def]
        def fn(m: nn.Module, inputs: tuple, out: Any) -> None:
            if not isinstance(out, Tensor):
                return
            f = tracer.get(out) or Field(1, 1, 0)
            if is_layer(m):  # a conv/linear layer adds one to the chain that reaches it
                f_in = tracer.get(inputs[0]) if inputs else None
                f = Field(f.rf, f.jump, (f_in.depth if f_in else f.depth) + 1)
                tracer.set(out, f)
                layer_calls[0] += 1
            kernel, stride = geometry(m)
            rows.append(
                {
                    "layer": mod_name,
                    "type": type(m).__name__,
                    "kernel": kernel,
                    "stride": stride,
                    "output": "×".join(str(d) for d in out.shape[1:]),
                    "params": sum(p.numel() for p in m.parameters(recurse=False)),
                    "macs": macs(m, out),
                    "receptive_field": f.rf,
                    "jump": f.jump,
                }
            )

        return fn

    handles = [
        m.register_forward_hook(hook(n)) for n, m in model.named_modules() if isinstance(m, LAYER_TYPES)
    ]
    x = torch.zeros(1, meta.in_channels, input_size, input_size, device="meta")
    try:
        with torch.no_grad(), tracer:
            tracer.set(x, Field(1, 1, 0))
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

