"""A local torch hub stand-in: weight files of randomly initialised torchvision models, put where torch hub
caches downloads (``$TORCH_HOME/hub/checkpoints``) under the exact file names torchvision's weights API uses.

Each model is built by torchvision's own builder *as for its pretrained weights* (frozen batch norm, the
auxiliary head, the COCO class count): the builder's one download is intercepted and its loading skipped,
so the stand-in holds exactly the tensors the real file holds, with random values. No network is used.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from unittest import mock

import torch
from torch import nn

from core.transfer import detection, torch_cache

MARKER = "pwned.txt"


class Payload:
    """An object whose unpickling would run code (it writes a marker file)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.write_text, (self.path, "code ran"))


def trained_layout(builder: str, spec: str, seed: int = 0) -> nn.Module:
    """torchvision's ``builder`` as it is built for the weights ``spec``, holding random values."""
    from torchvision.models import get_model_builder

    built: list[nn.Module] = []

    def keep(self: nn.Module, state: object, *args: object, **kwargs: object) -> None:
        built.append(self)

    w = torch_cache.weights(spec)
    torch.manual_seed(seed)
    with mock.patch.object(type(w), "get_state_dict", lambda self, *a, **k: {}), \
            mock.patch.object(nn.Module, "load_state_dict", keep):
        get_model_builder(builder)(weights=w)
    return built[-1].eval()


def place(torch_home: Path, spec: str, state: dict[str, torch.Tensor]) -> Path:
    """Save ``state`` (weights only) where torch hub would cache the file of ``spec``; its path."""
    w = torch_cache.weights(spec)
    folder = torch_home / "hub" / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / torch_cache.file_name(w)
    torch.save({k: v.contiguous() for k, v in state.items()}, path)
    return path


def confident(
    state: dict[str, torch.Tensor], classes: int, cls: int, offset: float
) -> dict[str, torch.Tensor]:
    """Raise the logit bias of class ``cls`` in every classification head, so that random weights give
    scores spread across (0, 1) rather than all near 1 / classes (a threshold then has something to cut)."""
    out = dict(state)
    for k, v in state.items():
        head = any(s in k for s in ("cls_score", "classification_head", "classifier"))
        if head and k.endswith("bias") and v.ndim == 1 and v.numel() % classes == 0:
            b = v.clone().view(-1, classes)
            b[:, cls] += offset
            out[k] = b.view(-1)
    return out


def place_payload(torch_home: Path, spec: str, marker: Path) -> Path:
    """A pickle that would run code, under the weight file's name."""
    w = torch_cache.weights(spec)
    folder = torch_home / "hub" / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / torch_cache.file_name(w)
    buf = io.BytesIO()
    torch.save({"x": torch.zeros(1), "y": Payload(marker)}, buf)
    path.write_bytes(buf.getvalue())
    assert pickle.loads  # the payload is a real pickle: an unrestricted load would run it
    return path


CAT, PERSON = 17, 15  # COCO's cat; VOC's person
CHEAP_DETECTORS = ("fasterrcnn_mobilenet_v3_large_320_fpn", "ssdlite320_mobilenet_v3_large",
                   "lraspp_mobilenet_v3_large")
"""The detection models whose stand-ins take seconds to build (Mask R-CNN's has a test of its own)."""


def detector(torch_home: Path, name: str) -> Path:
    """The weight file of the detection model ``name`` with random values and one class made likely."""
    info = detection.DETECTORS[name]
    state = trained_layout(name, info.weights).state_dict()
    cls, offset = (PERSON, 1.5) if info.task == "semantic" else (CAT, 4.0)
    return place(torch_home, info.weights, confident(state, len(info.categories), cls, offset))
