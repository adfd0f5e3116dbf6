"""torchvision's pretrained weights through torch hub's cache, read weights-only, deciding fast when offline.

torchvision names every pretrained file in its weights API (``VGG19_Weights.IMAGENET1K_V1.url`` ...) and
keeps downloads in torch hub's checkpoint folder (``$TORCH_HOME/hub/checkpoints``, by default
``~/.cache/torch/hub/checkpoints``) under the URL's file name. This module follows the same order as the
Hugging Face path of :mod:`core.transfer.backbone`: the cached file first (no network at all); a download
only when no offline flag is set and ``download.pytorch.org`` answers within two seconds; otherwise a
:class:`WeightsMissing` that names the file, the folder it would be cached in and the command that fetches
it. Every file is read by :func:`core.checkpoints.load_state`, so a pickle that wants more than tensors is
refused before any of its code runs (torchvision's own ``get_state_dict`` would unpickle it).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import torch
from torch import nn

from core import checkpoints, data
from core.transfer import backbone as bb

HOST = "download.pytorch.org"
_HASH = re.compile(r"-([a-f0-9]+)\.")  # torchvision's file names end in the sha256's first hex digits


class WeightsMissing(bb.BackboneUnavailable):
    """torchvision weights that are neither cached nor downloadable here; the fields say what and how."""

    def __init__(self, weights: Any, reason: str) -> None:
        self.file = file_name(weights)
        self.path = cached_path(weights)
        self.url: str = weights.url
        self.command = fetch_command(weights)
        self.reason = reason
        super().__init__(f"{self.file} is not in the torch hub cache ({self.path.parent}) and {reason}")


def weights(spec: str) -> Any:
    """A torchvision weights enum member from its name, e.g. ``'VGG19_Weights.IMAGENET1K_V1'`` (no I/O)."""
    from torchvision.models import get_weight

    return get_weight(spec)


def checkpoint_dir() -> Path:
    """torch hub's checkpoint folder, read from ``TORCH_HOME`` at each call (tests move it)."""
    return Path(torch.hub.get_dir()) / "checkpoints"


def file_name(w: Any) -> str:
    """The file name torchvision caches ``w`` under (the last part of its URL)."""
    return os.path.basename(urlparse(w.url).path)


def cached_path(w: Any) -> Path:
    return checkpoint_dir() / file_name(w)


def fetch_command(w: Any) -> str:
    """A one-line command that downloads ``w`` into the cache, checking its hash, on a machine online."""
    match = _HASH.search(file_name(w))
    check = f", hash_prefix='{match.group(1)}'" if match else ""
    return (f"python -c \"import torch; torch.hub.download_url_to_file('{w.url}', "
            f"'{cached_path(w)}'{check})\"")  # fmt: skip


def state_dict(w: Any) -> tuple[dict[str, torch.Tensor], str]:
    """The tensors of ``w`` and where they came from; :class:`WeightsMissing` when they cannot be had.

    A cached file that is not a weights-only state dict raises :class:`core.checkpoints.UnsafeCheckpoint`
    (or ``CheckpointCorrupt``) and is never unpickled."""
    path = cached_path(w)
    if path.is_file():
        return checkpoints.load_state(path), f"the torch hub cache ({path})"
    reason = data.offline_reason()
    if reason:
        raise WeightsMissing(w, reason)
    if not data.online(HOST):
        raise WeightsMissing(w, f"{HOST} is unreachable")
    match = _HASH.search(path.name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.hub.download_url_to_file(w.url, str(path), hash_prefix=match.group(1) if match else None,
                                       progress=False)  # fmt: skip
    except Exception as exc:  # network and hash errors alike: the page says what is missing instead
        raise WeightsMissing(w, f"downloading it failed ({type(exc).__name__})") from None
    return checkpoints.load_state(path), f"a download from {HOST}, now in the torch hub cache ({path})"


def load_into(model: nn.Module, state: dict[str, torch.Tensor], what: str) -> nn.Module:
    """Load ``state`` into ``model`` strictly, except BatchNorm step counters, and freeze it in eval mode.

    torchvision builds its pretrained detectors with frozen batch norm, whose state has no
    ``num_batches_tracked``; the same architecture built without weights has ordinary batch norm, which
    computes the same thing in eval mode. Any other missing, unexpected or misshapen tensor is an error."""
    try:
        result = model.load_state_dict(state, strict=False)
    except RuntimeError as exc:  # a tensor of the wrong shape
        raise checkpoints.CheckpointCorrupt(f"the cached {what} weights do not fit: {exc}") from None
    missing = [k for k in result.missing_keys if not k.endswith("num_batches_tracked")]
    if missing or result.unexpected_keys:
        extra = ", ".join((missing + list(result.unexpected_keys))[:3])
        raise checkpoints.CheckpointCorrupt(
            f"the cached {what} weights do not fit the architecture ({len(missing)} missing, "
            f"{len(result.unexpected_keys)} unexpected tensors, e.g. {extra})"
        )
    for p in model.parameters():
        p.requires_grad_(False)
    return model.eval()
