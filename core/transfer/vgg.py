"""VGG-19, the network of Gatys et al.'s texture synthesis and style transfer, from torchvision's weights.

Its ImageNet weights (``VGG19_Weights.IMAGENET1K_V1``, 548 MB) do not ship with the gallery: they come
through torch hub's cache (:mod:`core.transfer.torch_cache`, read weights-only), downloaded once when the
machine is online. Only the convolutional part up to ``conv5_1`` is kept (the classifier's 120 M
parameters are dropped after loading): the perceptual losses read the ReLU outputs of ``conv1_1`` ...
``conv5_1`` (style) and ``conv4_2`` (content), as in Gatys, Ecker & Bethge 2016, and, as they did, the
max-pooling layers are replaced by average pooling ("slightly more appealing results"; the weights are
the same).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from core.transfer import backbone as bb
from core.transfer import torch_cache

WEIGHTS = "VGG19_Weights.IMAGENET1K_V1"
NAME = "vgg19"
_RELU = {"conv1_1": 1, "conv1_2": 3, "conv2_1": 6, "conv2_2": 8, "conv3_1": 11, "conv3_2": 13, "conv3_3": 15,
         "conv3_4": 17, "conv4_1": 20, "conv4_2": 22, "conv4_3": 24, "conv4_4": 26,
         "conv5_1": 29}  # fmt: skip
"""Index in ``vgg19().features`` of the ReLU after each convolution (the layer the papers name)."""
_SCALE = {"1": ("1", 64), "2": ("1/2", 128), "3": ("1/4", 256), "4": ("1/8", 512), "5": ("1/16", 512)}
LAYERS: dict[str, str] = {
    name: f"{name} ({_SCALE[name[4]][0]}, {_SCALE[name[4]][1]} ch)"
    for name in ("conv1_1", "conv1_2", "conv2_1", "conv2_2", "conv3_1", "conv4_1", "conv4_2", "conv5_1")
}
"""The layers offered for the losses, labelled with resolution relative to the input and channels."""
STYLE_LAYERS = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")
"""Gatys et al. 2016's style layers."""
CONTENT_LAYER = "conv4_2"
"""Gatys et al. 2016's content layer."""
INFO = bb.BackboneInfo(
    NAME,
    "VGG-19 (ImageNet, torchvision)",
    NAME,
    "torchvision's VGG19_Weights.IMAGENET1K_V1 through the torch hub cache",
    mean=(0.485, 0.456, 0.406),
    std=(0.229, 0.224, 0.225),
    crop_pct=0.875,
)


def weights_file() -> str:
    """Where torch hub keeps (or would keep) the weights."""
    return str(torch_cache.cached_path(torch_cache.weights(WEIGHTS)))


def load_vgg19() -> bb.Backbone:
    """VGG-19's features up to ``conv5_1`` with the ImageNet weights, frozen; raises
    :class:`core.transfer.backbone.BackboneUnavailable` (``WeightsMissing``) or a checkpoint error."""
    w = torch_cache.weights(WEIGHTS)
    path = torch_cache.cached_path(w)
    if not path.is_file():
        _DOWNLOADED[str(path)] = torch_cache.state_dict(w)[1]  # a download when it can; else WeightsMissing
    return _load_cached(str(path), path.stat().st_mtime_ns)


_DOWNLOADED: dict[str, str] = {}
"""Files this process downloaded, with that provenance (the page says so rather than 'the cache')."""


@functools.lru_cache(maxsize=1)  # keyed on the file: a new file in the cache is read again
def _load_cached(path: str, mtime_ns: int) -> bb.Backbone:
    from torchvision.models.vgg import cfgs, make_layers

    w = torch_cache.weights(WEIGHTS)
    state, provenance = torch_cache.state_dict(w)
    depth = max(_RELU.values()) + 1
    # Only the layers up to conv5_1 are built and loaded: building the whole network would allocate and
    # initialise the classifier's 120 M parameters (480 MB) only to drop them.
    kept = {k.removeprefix("features."): v for k, v in state.items()
            if k.startswith("features.") and int(k.split(".")[1]) < depth}
    del state
    features = torch_cache.load_into(make_layers(cfgs["E"])[:depth], kept, "VGG-19")
    for m in features:  # its outputs are kept for the losses: an in-place ReLU would overwrite them
        if isinstance(m, nn.ReLU):
            m.inplace = False
    return bb.Backbone(INFO, features, _DOWNLOADED.get(path, provenance))


def feature_maps(features: nn.Module, x: torch.Tensor, layers: Sequence[str]) -> dict[str, torch.Tensor]:
    """ReLU outputs of ``layers`` for a normalised batch, with average instead of max pooling, running no
    deeper than the deepest layer asked for."""
    wanted = {_RELU[name]: name for name in layers}
    out: dict[str, torch.Tensor] = {}
    for i, module in enumerate(features[: max(wanted) + 1]):
        x = F.avg_pool2d(x, 2, 2) if isinstance(module, nn.MaxPool2d) else module(x)
        if i in wanted:
            out[wanted[i]] = x
    return out
