"""The architecture gallery's registry (as timm's ``register_model``): a builder and its metadata by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from torch import nn


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
